import type { Registry } from "prom-client";
import type { RegisterAttempt, UnknownAccountAttempt } from "../registrar/index.js";
import type { Listeners } from "../shared/listeners.js";
import { collectedCounter, collectedGauge, Tally } from "./collected.js";

export interface RegistrationSources {
  /** Final answers to REGISTERs of known trunks (the 401 challenges are not answers). */
  readonly attempts: Pick<Listeners<RegisterAttempt>, "on">;
  /** REGISTERs naming a trunk user that does not exist (answered like a wrong password). */
  readonly unknownAccounts: Pick<Listeners<UnknownAccountAttempt>, "on">;
  /** Trunks with at least one binding: available connectors. */
  readonly availableConnectors: () => number;
  readonly trunkBindings: () => number;
  readonly clientBindings: () => number;
  /** Trunk refreshes the refresh shortcut answered from their bytes (0 when it is off). */
  readonly shortcutRefreshes: () => number;
}

/** The bounded causes a refused REGISTER is counted under (the label's whole set). */
export const REGISTRATION_FAILURE_CAUSES = [
  "unknown_user",
  "wrong_credentials",
  "locked_out",
  "too_many_contacts",
  "duplicate_registration",
  "interval_too_brief",
  "bad_request",
  "out_of_order",
  "service_unavailable",
  "other",
] as const;

export type RegistrationFailureCause = (typeof REGISTRATION_FAILURE_CAUSES)[number];

/** A final non-2xx answer to a REGISTER (status and reason phrase) → its cause label. */
export function registrationFailureCause(status: number, reason: string): RegistrationFailureCause {
  switch (status) {
    case 400:
      return "bad_request";
    case 423:
      return "interval_too_brief";
    case 500:
      return "out_of_order";
    case 503:
      return "service_unavailable";
    case 403:
      if (/too many failed/i.test(reason)) return "locked_out";
      if (/another connection/i.test(reason)) return "duplicate_registration";
      if (/at most \d+/i.test(reason)) return "too_many_contacts";
      return "wrong_credentials";
    default:
      return "other";
  }
}

/**
 * PBX trunk registrations (the REGISTER outcomes), connectors available, bindings. Every
 * REGISTER answered is counted: plain numbers here, copied into the counters when scraped.
 */
export function registrationMetrics(registry: Registry, sources: RegistrationSources): void {
  let successes = 0;
  let failureCount = 0;
  const failures = new Tally();
  collectedCounter(registry, {
    name: "upe_registrations_total",
    help: "Final answers to PBX trunk REGISTERs (401 challenges excluded), by result",
    labelNames: ["result"],
    read: () => [
      [["success"], successes],
      [["failure"], failureCount],
    ],
  });
  collectedCounter(registry, {
    name: "upe_registration_shortcut_refreshes_total",
    help: "PBX trunk REGISTERs answered by the refresh shortcut from their bytes (also in upe_registrations_total)",
    read: () => [[[], sources.shortcutRefreshes()]],
  });
  collectedCounter(registry, {
    name: "upe_registration_failures_total",
    help: "PBX trunk REGISTERs refused, by cause",
    labelNames: ["cause"],
    read: () => failures.samples(),
  });
  const failed = (cause: RegistrationFailureCause) => {
    failureCount++;
    failures.add(cause);
  };
  sources.attempts.on(({ status, reason }) => {
    if (status >= 200 && status < 300) successes++;
    else failed(registrationFailureCause(status, reason));
  });
  sources.unknownAccounts.on(({ status, reason }) =>
    failed(status === 403 ? "unknown_user" : registrationFailureCause(status, reason)),
  );
  collectedGauge(registry, {
    name: "upe_connectors_available",
    help: "Telephony connectors (trunks) with at least one registration now",
    read: () => [[[], sources.availableConnectors()]],
  });
  collectedGauge(registry, {
    name: "upe_registrar_bindings",
    help: "Registered contacts now: of PBX trunks, and of Unify Phone clients",
    labelNames: ["kind"],
    read: () => [
      [["trunk"], sources.trunkBindings()],
      [["client"], sources.clientBindings()],
    ],
  });
}
