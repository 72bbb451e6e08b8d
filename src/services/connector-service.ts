import {
  assertNumberingFitsFlavour,
  type Numbering,
  type PbxSystem,
  type Tenant,
  type Trunk,
  type User,
} from "../domain/index.js";
import { ApiError } from "../errors/index.js";
import type { Store } from "../store/index.js";
import { validateProvisioningNumbering } from "./connector-numbering.js";
import type { ProvisionedSystem, WizardUser } from "./connector-views.js";
import type { JwtService } from "./jwt/index.js";
import type { RegistrationView } from "./registration-view.js";
import type { UserService } from "./user-service.js";

/** Where provisioning tells a PBX to connect: the emulator's own listeners. */
export interface ConnectorEndpoints {
  readonly host: string;
  readonly sipPort: number;
  readonly domain: string;
  readonly registerInterval: number;
  readonly stun: { readonly host: string; readonly port: number } | null;
}

/** What the connectivity wizard sends; omitted fields keep their stored value (or get defaults). */
export interface ProvisionInput {
  systemId: string;
  name?: string;
  version?: string;
  simultaneousCalls?: number;
  /** validated here: international needs the country code and room for a callno */
  numbering?: unknown;
}

export interface WizardUserQuery {
  search?: string;
  /** marks the users assigned to this system's trunk */
  systemId?: string;
  offset?: number;
  limit?: number;
}

export interface WizardNewUser {
  systemId: string;
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale?: string;
  callno: string;
  did?: string;
}

export interface WizardAssignment {
  systemId: string;
  callno: string;
  did?: string;
}

/** Users are walked page by page when a whole trunk's users change at once. */
const PAGE = 500;

/**
 * The PBX side: what the OSBiz wizards call with the tenant's API key. Every operation
 * first asks the JWT service whether the tenant is functional (video flavour needs a
 * usable JWT, SPEC §3.2); a tenant only ever sees its own systems and users.
 */
export class ConnectorService {
  constructor(
    readonly store: Store,
    readonly registrations: RegistrationView,
    readonly users: UserService,
    readonly jwt: JwtService,
    readonly endpoints: ConnectorEndpoints,
  ) {}

  /** Idempotent per systemId: the same trunk and credentials every time; `created` on the first. */
  provision(tenant: Tenant, input: ProvisionInput): { system: ProvisionedSystem; created: boolean } {
    this.jwt.assertFunctional(tenant);
    const numbering =
      input.numbering === undefined ? undefined : validateProvisioningNumbering(input.numbering);
    if (numbering) assertNumberingFitsFlavour(numbering, tenant.flavour);
    return this.store.transaction(() => {
      const before = this.store.systems.getBySystemId(tenant.id, input.systemId);
      const { value: system, created } = this.store.systems.upsert({
        tenantId: tenant.id,
        systemId: input.systemId,
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.version === undefined ? {} : { version: input.version }),
        ...(input.simultaneousCalls === undefined ? {} : { simultaneousCalls: input.simultaneousCalls }),
        ...(numbering === undefined ? {} : { numbering }),
      });
      const trunk =
        this.store.trunks.getBySystem(system.id) ?? this.store.trunks.create({ systemRef: system.id });
      if (before && !sameNumbering(before.numbering, system.numbering)) this.renumber(tenant, trunk);
      return { system: this.provisioned(system, trunk), created };
    });
  }

  getSystem(tenant: Tenant, systemId: string): ProvisionedSystem {
    this.jwt.assertFunctional(tenant);
    const system = this.systemOf(tenant, systemId);
    return this.provisioned(system, this.trunkOf(system));
  }

  /**
   * Uninstall: the system and its trunk go, its users stay in the cloud without their
   * assignment (trunk, callno, DID, phone number), and the PBX loses its registration at once.
   */
  uninstall(tenant: Tenant, systemId: string): void {
    this.jwt.assertFunctional(tenant);
    const system = this.systemOf(tenant, systemId);
    const trunk = this.store.trunks.getBySystem(system.id);
    this.store.transaction(() => {
      if (trunk) for (const user of this.usersOn(tenant, trunk)) this.users.unassign(tenant.id, user.id);
      this.store.systems.delete(system.id);
    });
    if (trunk) this.registrations.dropTrunk(trunk.id, "connector uninstalled");
  }

  /** "Add existing user": search by name or e-mail; assigned users are marked. */
  listUsers(tenant: Tenant, query: WizardUserQuery): { items: WizardUser[]; total: number } {
    this.jwt.assertFunctional(tenant);
    const here =
      query.systemId === undefined ? undefined : this.trunkOf(this.systemOf(tenant, query.systemId));
    const page = this.users.list(tenant.id, {
      ...(query.search === undefined ? {} : { search: query.search }),
      ...(query.offset === undefined ? {} : { offset: query.offset }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    });
    return { items: page.items.map((u) => this.wizardUser(u, here)), total: page.total };
  }

  /** "Create": a new user in the cloud, assigned to the system's trunk (one write: all or nothing). */
  createUser(tenant: Tenant, input: WizardNewUser): WizardUser {
    // Creating a user asks the service itself: 409 like the admin API (FAQ "No new users").
    this.jwt.assertFunctional(tenant, "service");
    const trunk = this.trunkOf(this.systemOf(tenant, input.systemId));
    const user = this.users.create(tenant.id, {
      emailAddress: input.emailAddress,
      firstName: input.firstName,
      lastName: input.lastName,
      ...(input.locale === undefined ? {} : { locale: input.locale }),
      trunkId: trunk.id,
      callno: input.callno,
      ...(input.did === undefined ? {} : { did: input.did }),
    });
    return this.wizardUser(user, trunk);
  }

  /** "Add" / "Edit": assign to this system's trunk with this callno (and DID). */
  assignUser(tenant: Tenant, userId: string, input: WizardAssignment): WizardUser {
    this.jwt.assertFunctional(tenant);
    const trunk = this.trunkOf(this.systemOf(tenant, input.systemId));
    const user = this.users.get(tenant.id, userId);
    if (user.trunkId !== undefined && user.trunkId !== trunk.id) {
      const other = this.store.trunks.get(user.trunkId);
      throw new ApiError(
        "user_assigned_to_other_system",
        `user ${userId} is assigned to ${other?.name ?? user.trunkId}; remove it from that system first`,
      );
    }
    // The wizard's form is sent whole: no DID means the user has none.
    const assigned = this.users.assign(tenant.id, userId, {
      trunkId: trunk.id,
      callno: input.callno,
      did: input.did ?? null,
    });
    return this.wizardUser(assigned, trunk);
  }

  /** "Remove": from the PBX only; the user stays in the cloud. */
  unassignUser(tenant: Tenant, userId: string): void {
    this.jwt.assertFunctional(tenant);
    this.users.unassign(tenant.id, userId);
  }

  /** "Delete": from the PBX and the cloud. */
  deleteUser(tenant: Tenant, userId: string): void {
    this.jwt.assertFunctional(tenant);
    this.users.delete(tenant.id, userId);
  }

  private systemOf(tenant: Tenant, systemId: string): PbxSystem {
    const system = this.store.systems.getBySystemId(tenant.id, systemId);
    if (!system)
      throw new ApiError("system_not_found", `no system "${systemId}" is provisioned with this API key`);
    return system;
  }

  private trunkOf(system: PbxSystem): Trunk {
    const trunk = this.store.trunks.getBySystem(system.id);
    if (!trunk) {
      throw new ApiError("trunk_not_found", `system "${system.systemId}" has no trunk; provision it again`);
    }
    return trunk;
  }

  private provisioned(system: PbxSystem, trunk: Trunk): ProvisionedSystem {
    return {
      system,
      trunk,
      endpoints: this.endpoints,
      available: this.registrations.bindingsFor(trunk.id).length > 0,
    };
  }

  private wizardUser(user: User, here: Trunk | undefined): WizardUser {
    const trunk = user.trunkId === undefined ? undefined : this.store.trunks.get(user.trunkId);
    return {
      user,
      trunkName: trunk?.name ?? null,
      assignedToThisSystem: here !== undefined && user.trunkId === here.id,
    };
  }

  /** Every user of the tenant assigned to `trunk` (collected before any of them changes). */
  private usersOn(tenant: Tenant, trunk: Trunk): User[] {
    const found: User[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = this.users.list(tenant.id, { offset, limit: PAGE });
      found.push(...page.items.filter((u) => u.trunkId === trunk.id));
      if (offset + PAGE >= page.total) return found;
    }
  }

  /**
   * New location number: the trunk's users get their phone numbers rebuilt. All old numbers
   * are released first, so a new number may equal another user's old one.
   */
  private renumber(tenant: Tenant, trunk: Trunk): void {
    const numbered = this.usersOn(tenant, trunk).filter((u) => u.callno !== undefined);
    for (const user of numbered) this.users.update(tenant.id, user.id, { phoneNumber: null });
    for (const user of numbered) {
      this.users.assign(tenant.id, user.id, { trunkId: trunk.id, callno: user.callno! });
    }
  }
}

function sameNumbering(a: Numbering, b: Numbering): boolean {
  return (
    a.schema === b.schema &&
    a.countryCode === b.countryCode &&
    a.areaCode === b.areaCode &&
    a.pabxNumber === b.pabxNumber
  );
}
