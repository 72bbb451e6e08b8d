import type { Readable } from "node:stream";
import {
  type Numbering,
  phoneNumberFor,
  type Trunk,
  type User,
  validatePhoneNumber,
} from "../domain/index.js";
import { ApiError } from "../errors/index.js";
import { Listeners } from "../shared/listeners.js";
import type { Store } from "../store/index.js";
import {
  connectorUnavailable,
  type ImportRequest,
  type ImportResult,
  type ImportRows,
  importUsers,
} from "./import/index.js";
import type { JwtService } from "./jwt/index.js";
import type { RegistrationView } from "./registration-view.js";
import { exportUsersCsv } from "./user-export.js";

/** Which trunks have a registered PBX: their connector is "available". */
export type ConnectorAvailability = Pick<RegistrationView, "bindingsFor">;

export interface UserListQuery {
  /** case-insensitive substring of name, e-mail, callno, DID or phone number */
  search?: string;
  offset?: number;
  limit?: number;
}

export interface NewUserInput {
  emailAddress: string;
  firstName: string;
  lastName: string;
  /** default "en-US" */
  locale?: string;
  /** default "user" */
  role?: string;
  trunkId?: string;
  callno?: string;
  did?: string;
  /** default: built from the trunk's numbering and the callno when both are set */
  phoneNumber?: string;
  callBehaviour?: unknown;
  /** Routing settings (domain/user.ts validateRouting); default "default" / "call-waiting". */
  routing?: string;
  alternativeNumber?: string;
  busyBehaviour?: string;
}

/** Omitted fields keep their value; `null` clears an optional one. */
export interface UserChanges {
  emailAddress?: string;
  firstName?: string;
  lastName?: string;
  locale?: string;
  role?: string;
  trunkId?: string | null;
  callno?: string | null;
  did?: string | null;
  phoneNumber?: string | null;
  callBehaviour?: unknown;
  routing?: string;
  alternativeNumber?: string | null;
  busyBehaviour?: string;
}

export interface UserAssignment {
  trunkId: string;
  callno: string;
  /** omitted keeps the DID, null clears it */
  did?: string | null;
}

export const DEFAULT_LOCALE = "en-US";

/**
 * Users of a tenant: CRUD, search, assignment to a trunk, CSV/JSON import and export.
 * A phone number is unique in the tenant; setting trunk + callno builds it from the
 * trunk's numbering (SPEC §1 "Numbering") unless one is given explicitly.
 */
export class UserService {
  /**
   * `service`: the tenant's JWT gate (composition passes it); new users are refused while a
   * Unify Video tenant's JWT is not set, invalid or expired (FAQ: "No new users can be created").
   */
  constructor(
    readonly store: Store,
    private readonly service?: Pick<JwtService, "assertFunctional">,
  ) {}

  private connectors: ConnectorAvailability | undefined;
  /** The checked rows of each import, valid and invalid (monitoring counts them). */
  readonly importedRows = new Listeners<ImportRows>();

  /**
   * The registrar's view of the trunks, attached by the composition once the SIP side is up
   * (it is built after this service). From then on users can be provisioned onto a trunk
   * only while its connector is available (HowTo §2.4).
   */
  attachConnectors(connectors: ConnectorAvailability): void {
    this.connectors = connectors;
  }

  list(tenantId: string, q: UserListQuery): { items: User[]; total: number } {
    this.assertTenant(tenantId);
    return this.store.users.list({ tenantId, ...q });
  }

  get(tenantId: string, userId: string): User {
    this.assertTenant(tenantId);
    const user = this.store.users.get(userId);
    // Another tenant's user is reported as absent: tenants do not see each other.
    if (!user || user.tenantId !== tenantId) throw new ApiError("user_not_found", `no user ${userId}`);
    return user;
  }

  create(tenantId: string, input: NewUserInput): User {
    this.service?.assertFunctional(this.assertTenant(tenantId), "service");
    const trunk = input.trunkId === undefined ? undefined : this.trunk(tenantId, input.trunkId);
    if (trunk) {
      const unavailable = this.connectorProblem(trunk);
      if (unavailable) throw connectorUnavailable(unavailable);
    }
    const phoneNumber =
      input.phoneNumber !== undefined
        ? validatePhoneNumber(input.phoneNumber)
        : trunk && input.callno !== undefined
          ? phoneNumberFor(this.numberingOf(trunk), input.callno)
          : undefined;
    return this.store.transaction(() => {
      this.assertNumberFree(tenantId, phoneNumber, undefined);
      return this.store.users.create({
        tenantId,
        emailAddress: input.emailAddress,
        firstName: input.firstName,
        lastName: input.lastName,
        locale: input.locale ?? DEFAULT_LOCALE,
        role: (input.role ?? "user") as User["role"],
        ...(trunk === undefined ? {} : { trunkId: trunk.id }),
        ...(input.callno === undefined ? {} : { callno: input.callno }),
        ...(input.did === undefined ? {} : { did: input.did }),
        ...(phoneNumber === undefined ? {} : { phoneNumber }),
        ...(input.callBehaviour === undefined
          ? {}
          : { callBehaviour: input.callBehaviour as User["callBehaviour"] }),
        ...routingInput(input),
      });
    });
  }

  /**
   * A changed trunk or callno rebuilds the phone number (or drops it when the user is no
   * longer on a trunk with a callno), unless `phoneNumber` is part of the change.
   */
  update(tenantId: string, userId: string, patch: UserChanges): User {
    const existing = this.get(tenantId, userId);
    if (patch.role !== undefined && patch.role !== "admin") this.assertNotLastAdmin(existing, "demote");
    const trunkId = patch.trunkId === undefined ? existing.trunkId : (patch.trunkId ?? undefined);
    const trunk = trunkId === undefined ? undefined : this.trunk(tenantId, trunkId);
    const callno = patch.callno === undefined ? existing.callno : (patch.callno ?? undefined);
    let phoneNumber: string | null | undefined;
    if (patch.phoneNumber !== undefined) {
      phoneNumber = patch.phoneNumber === null ? null : validatePhoneNumber(patch.phoneNumber);
    } else if (trunkId !== existing.trunkId || callno !== existing.callno) {
      phoneNumber = trunk && callno !== undefined ? phoneNumberFor(this.numberingOf(trunk), callno) : null;
    }
    return this.store.transaction(() => {
      this.assertNumberFree(tenantId, phoneNumber ?? undefined, userId);
      const { routing: _r, alternativeNumber: _a, busyBehaviour: _b, ...rest } = patch;
      return this.store.users.update(userId, {
        ...rest,
        role: patch.role as User["role"] | undefined,
        callBehaviour: patch.callBehaviour as User["callBehaviour"] | undefined,
        ...routingInput(patch),
        trunkId: patch.trunkId === undefined ? undefined : (trunk?.id ?? null),
        phoneNumber,
      });
    });
  }

  /** Puts the user on a trunk with a callno; the phone number follows the trunk's numbering. */
  assign(tenantId: string, userId: string, input: UserAssignment): User {
    this.get(tenantId, userId);
    const trunk = this.trunk(tenantId, input.trunkId);
    const phoneNumber = phoneNumberFor(this.numberingOf(trunk), input.callno);
    return this.store.transaction(() => {
      this.assertNumberFree(tenantId, phoneNumber, userId);
      return this.store.users.update(userId, {
        trunkId: trunk.id,
        callno: input.callno,
        phoneNumber,
        ...(input.did === undefined ? {} : { did: input.did }),
      });
    });
  }

  /** Removes the user from its PBX: trunk, callno, DID and phone number are cleared. */
  unassign(tenantId: string, userId: string): User {
    this.get(tenantId, userId);
    return this.store.users.update(userId, { trunkId: null, callno: null, did: null, phoneNumber: null });
  }

  delete(tenantId: string, userId: string): void {
    this.assertNotLastAdmin(this.get(tenantId, userId), "delete");
    this.store.users.delete(userId);
  }

  /** The name ("gtc-001") of the user's trunk, null when unassigned. */
  trunkName(user: User): string | null {
    return user.trunkId === undefined ? null : (this.store.trunks.get(user.trunkId)?.name ?? null);
  }

  /** The id of the tenant's trunk with this name (404 `trunk_not_found`). */
  trunkIdByName(tenantId: string, name: string, field = "trunk"): string {
    this.assertTenant(tenantId);
    const trunk = this.store.trunks.getByName(tenantId, name);
    if (!trunk) throw trunkNotFound(name, field);
    return trunk.id;
  }

  /** CSV or JSON import into one trunk: all rows are validated before anything is written. */
  import(tenantId: string, request: ImportRequest): Promise<ImportResult> {
    const tenant = this.assertTenant(tenantId);
    // A dry run writes nothing, so it still validates while the tenant is not functional.
    if (!request.dryRun) this.service?.assertFunctional(tenant, "service");
    return importUsers(
      this.store,
      tenantId,
      request,
      (trunk) => this.connectorProblem(trunk),
      (rows) => this.importedRows.emit(rows),
    );
  }

  /** The tenant's users as CSV (UTF-8 with BOM, CRLF) in the import's header format. */
  exportCsv(tenantId: string): { filename: string; body: Readable } {
    const tenant = this.assertTenant(tenantId);
    const slug = tenant.name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
    return { filename: `users-${slug || tenant.id}.csv`, body: exportUsersCsv(this.store, tenantId) };
  }

  /** Why users cannot be provisioned onto `trunk` now, undefined when its connector is available. */
  private connectorProblem(trunk: Trunk): string | undefined {
    if (!this.connectors || this.connectors.bindingsFor(trunk.id).length > 0) return undefined;
    const systemId = this.store.systems.get(trunk.systemRef)?.systemId;
    return `User provisioning requires an available Telephony Connector: trunk ${trunk.name}${systemId ? ` (system ${systemId})` : ""} is unavailable, its PBX is not registered`;
  }

  /** Every tenant keeps at least one Administrator (the admin app's Users tab). */
  private assertNotLastAdmin(user: User, action: "delete" | "demote"): void {
    if (user.role !== "admin" || this.store.users.countAdmins(user.tenantId) > 1) return;
    const message = `${user.emailAddress} is the tenant's last administrator; make another user admin before you ${action} it`;
    throw new ApiError("last_admin", message, { errors: [{ field: "role", code: "last_admin", message }] });
  }

  private assertTenant(tenantId: string) {
    const tenant = this.store.tenants.get(tenantId);
    if (!tenant) throw new ApiError("tenant_not_found", `no tenant ${tenantId}`);
    return tenant;
  }

  private trunk(tenantId: string, trunkId: string): Trunk {
    const trunk = this.store.trunks.get(trunkId);
    if (!trunk || trunk.tenantId !== tenantId) throw trunkNotFound(trunkId, "trunkId");
    return trunk;
  }

  private numberingOf(trunk: Trunk): Numbering {
    return this.store.systems.get(trunk.systemRef)?.numbering ?? { schema: "international" };
  }

  private assertNumberFree(
    tenantId: string,
    phoneNumber: string | undefined,
    selfId: string | undefined,
  ): void {
    if (phoneNumber === undefined) return;
    const holder = this.store.users.getByPhoneNumber(tenantId, phoneNumber);
    if (holder && holder.id !== selfId) {
      const message = `${phoneNumber} is the phone number of ${holder.emailAddress}`;
      throw new ApiError("phone_number_taken", message, {
        errors: [{ field: "phoneNumber", code: "phone_number_taken", message }],
      });
    }
  }
}

function trunkNotFound(trunk: string, field: string): ApiError {
  const message = `no trunk ${trunk} in this tenant`;
  return new ApiError("trunk_not_found", message, {
    errors: [{ field, code: "trunk_not_found", message }],
  });
}

/** The routing fields as given; the store validates them (domain validateRouting). */
function routingInput(input: {
  routing?: string;
  alternativeNumber?: string | null;
  busyBehaviour?: string;
}): { routing?: User["routing"]; alternativeNumber?: string | null; busyBehaviour?: User["busyBehaviour"] } {
  return {
    ...(input.routing === undefined ? {} : { routing: input.routing as User["routing"] }),
    ...(input.alternativeNumber === undefined ? {} : { alternativeNumber: input.alternativeNumber }),
    ...(input.busyBehaviour === undefined
      ? {}
      : { busyBehaviour: input.busyBehaviour as User["busyBehaviour"] }),
  };
}
