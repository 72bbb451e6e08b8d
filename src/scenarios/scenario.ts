import type { FaultRuleInput } from "../faults/index.js";
import type { DuplicateRegistrationPolicy, MaintenanceSpec } from "../registrar/index.js";
import type { SeedDocument, SeedPath } from "../seed/index.js";
import type { JwtStatusName } from "../services/index.js";
import type { ScenarioPosition } from "./scenario-error.js";

/**
 * A validated `scenarios/<name>.yaml` (schema in scenarios/README.md): a vendor-FAQ fault
 * as seed data, clock, registrar policy and fault rules, with the symptom it reproduces.
 */
export interface Scenario {
  /** Equals the file name without `.yaml`. */
  readonly name: string;
  readonly file: string;
  readonly description: string;
  /** The FAQ's wording of what the customer sees. */
  readonly symptom: string;
  readonly cause: string;
  /** Validated; applied like `--seed` (idempotent). */
  readonly seed: SeedDocument | undefined;
  readonly clock: ScenarioClock | undefined;
  readonly registrar: ScenarioRegistrar | undefined;
  /** A planned outage of the registrar (REGISTER → 503 + Retry-After while it lasts). */
  readonly maintenance: ScenarioMaintenance | undefined;
  /** The PBX side: how the mock OSBiz is configured and what it does once registered. */
  readonly pbx: ScenarioPbx | undefined;
  /** Rules with their final ids (`scenario.<name>.<id or position>`). */
  readonly faults: readonly FaultRuleInput[];
  readonly expect: ScenarioExpect;
  /** Commands that reproduce the fault, in order. */
  readonly run: readonly string[];
  /** The file's content as parsed, for `GET /api/admin/scenarios/{name}`. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** Position of a path (`["seed", "tenants", 0, "jwt"]`) in the file. */
  locate(path: SeedPath): ScenarioPosition | undefined;
}

export interface ScenarioClock {
  /** Emulator time to set before the seed, epoch ms. */
  readonly now?: number;
  readonly frozen?: boolean;
  /** Advance after the seed, ms (on every apply). */
  readonly advanceMs?: number;
}

export interface ScenarioRegistrar {
  readonly duplicateRegistration?: DuplicateRegistrationPolicy;
}

/**
 * A maintenance window on the emulator clock: its start is `from` (epoch ms) or `startsInMs`
 * after the apply (default: at once), its end `until` or `lastsMs` after the start.
 */
export type ScenarioMaintenance = MaintenanceSpec;

export type PbxModel = "X1" | "X3" | "X5" | "X8" | "S";
export type PbxLicence = "valid" | "none" | "expired";
export type PbxRtpLoad = "itsp" | "device-at-home";

/** A PBX user as the mock OSBiz keeps it: its Unify Phone licence and flags. */
export interface ScenarioPbxUser {
  readonly callno: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly emailAddress?: string;
  readonly licence?: PbxLicence;
  readonly trustedExternal?: boolean;
  readonly unifyPhoneRoute?: boolean;
}

/** What the trunk configuration drifts to after a change in Expert Mode. */
export interface PbxExpertMode {
  readonly registrarPort?: number;
  readonly domain?: string;
  readonly transport?: "tls" | "tcp";
}

/** Something the PBX does once it has registered, in order. */
export type ScenarioPbxAction =
  | { readonly expertModeChange: PbxExpertMode }
  | { readonly publicAddressChange: string }
  | { readonly occupyRtpChannels: { readonly n: number; readonly kind: PbxRtpLoad } };

/** The `pbx:` section: the mock OSBiz's options (docs/mock-osbiz.md) and its actions. */
export interface ScenarioPbx {
  /** The API key the PBX is configured with, when not the seeded tenant's (a stale key). */
  readonly apiKey?: string;
  readonly model?: PbxModel;
  readonly uplinkKbps?: number;
  readonly rtpChannels?: { readonly total?: number; readonly busy?: number };
  readonly users?: readonly ScenarioPbxUser[];
  readonly expertMode?: PbxExpertMode;
  readonly actions: readonly ScenarioPbxAction[];
}

/** What the PBX should observe, in words and as hints a test or a support engineer can check. */
export interface ScenarioExpect {
  readonly outcome: string;
  /** Status of the scenario's connectors in `GET /api/admin/tenants/{id}/connectors`. */
  readonly connector?: "available" | "unavailable";
  /** The final answer to the PBX's REGISTER. */
  readonly register?: { readonly status: number; readonly reason?: string; readonly retryAfter?: number };
  /** The final answer to the PBX's INVITE (`reason`: a part of the reason phrase). */
  readonly invite?: { readonly to?: string; readonly status: number; readonly reason?: string };
  /** The answer to the wizard's provisioning call. */
  readonly provisioning?: { readonly status: number; readonly code?: string };
  /** The final answer to a Unify Phone client's REGISTER (`reason`: a part of the reason phrase). */
  readonly clientRegister?: { readonly status: number; readonly reason?: string };
  /**
   * How the call of a Unify Phone user to a PBX number ends (`POST /api/admin/calls`, then the
   * journal): the PBX's final answer to the connector's INVITE, and who refused it.
   */
  readonly callToPbx?: {
    readonly to?: string;
    readonly status: number;
    readonly reason?: string;
    readonly refusedBy?: "pbx" | "connector";
  };
  /** The answer to a call placed for a user (`POST /api/admin/calls`). */
  readonly call?: { readonly status: number; readonly code?: string };
  /** The answer to creating or importing users (admin API and the PBX wizard). */
  readonly newUsers?: { readonly status: number; readonly code?: string };
  /** The PBX's TLS handshake error (Node/OpenSSL code), e.g. CERT_HAS_EXPIRED. */
  readonly tls?: { readonly error: string };
  readonly jwt?: JwtStatusName;
  /** Parts of the lines `GET /api/admin/tenants/{id}/diagnose` lists as problems. */
  readonly diagnose?: readonly string[];
}

/** One line of `GET /api/admin/scenarios`. */
export interface ScenarioSummary {
  readonly name: string;
  readonly description: string;
  readonly symptom: string;
  /** Set when the file does not validate: the first problem with its file:line. */
  readonly error?: string;
}
