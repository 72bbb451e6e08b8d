import type {
  BusyBehaviour,
  CallBehaviour,
  Flavour,
  Locale,
  Numbering,
  UserRole,
  UserRouting,
} from "../domain/index.js";

/**
 * A validated seed file (SPEC §3.1). Optional fields that are absent keep the stored
 * value when the seed is applied again. `clock`, `faults` and `jwt` are reserved for
 * other modules and passed through untouched.
 */
export interface SeedDocument {
  tenants: SeedTenant[];
  clock?: unknown;
  faults?: unknown;
}

export interface SeedTenant {
  name: string;
  /** default "openscape" */
  flavour: Flavour;
  /** generated when the tenant is created without one */
  apiKey?: string;
  clientId?: string;
  /**
   * The tenant's Administrator, created with the tenant (as over REST): this e-mail, or
   * admin@<tenant-slug>.example when absent and no seed user has role admin.
   */
  adminEmail?: string;
  systems: SeedSystem[];
  users: SeedUser[];
  jwt?: unknown;
}

export interface SeedSystem {
  systemId: string;
  name?: string;
  version?: string;
  simultaneousCalls?: number;
  numbering?: Numbering;
  trunk: SeedTrunk;
}

export interface SeedTrunk {
  /** generated when absent */
  username?: string;
  /** generated when absent */
  password?: string;
  /** digest authentication; default true */
  auth?: boolean;
}

export interface SeedUser {
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: Locale;
  role?: UserRole;
  callno?: string;
  did?: string;
  /** computed from callno and the system's numbering when absent */
  phoneNumber?: string;
  /** systemId of a system of the same tenant; its trunk becomes the user's trunk */
  system?: string;
  /** as over REST (validateCallBehaviour); default DEFAULT_CALL_BEHAVIOUR */
  callBehaviour?: CallBehaviour;
  /** routing settings as over REST (domain/user.ts); default "default" / "call-waiting" */
  routing?: UserRouting;
  alternativeNumber?: string;
  busyBehaviour?: BusyBehaviour;
  /** the password of the user's Unify Phone clients (stored only as digest HA1s, as over REST) */
  clientPassword?: string;
}
