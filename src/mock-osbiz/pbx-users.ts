import type { MockNumbering } from "./mock-options.js";
import { type PbxModel, userLimit } from "./pbx-model.js";

export type LicenceState = "valid" | "none" | "expired";

/** A Unify Phone user of the PBX, as the user wizard takes it. */
export interface MockPbxUserInput {
  callno: string;
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  /** The user's Unify Phone licence (default valid). */
  licence?: LicenceState;
  /** The station is a "Trusted External User" (default true). */
  trustedExternal?: boolean;
  /** The user's Unify Phone route flag (default true). */
  unifyPhoneRoute?: boolean;
}

export type MockPbxUser = Readonly<Required<Pick<MockPbxUserInput, "callno">>> &
  Readonly<Pick<MockPbxUserInput, "firstName" | "lastName" | "emailAddress">> & {
    readonly licence: LicenceState;
    readonly trustedExternal: boolean;
    readonly unifyPhoneRoute: boolean;
  };

/** The user wizard refused: the model's user limit is reached, or the callno is taken or unknown. */
export class MockWizardError extends Error {
  override readonly name = "MockWizardError";
}

/** Internal call numbers are digits; a user without DID may be known by its full number (+…). */
const CALLNO = /^\+?[0-9]{1,20}$/;
const LICENCES: readonly string[] = ["valid", "none", "expired"];

/**
 * The PBX's Unify Phone users (the user wizard's list), limited by the system model, and
 * the lookup of a signalled number — callno, or the E.164 DID of the location number.
 */
export class PbxUserDirectory {
  private readonly byCallno = new Map<string, MockPbxUser>();

  constructor(readonly model: PbxModel) {}

  get limit(): number {
    return userLimit(this.model);
  }

  list(): readonly MockPbxUser[] {
    return [...this.byCallno.values()];
  }

  get(callno: string): MockPbxUser | undefined {
    return this.byCallno.get(callno);
  }

  /** MockWizardError when full or the callno is taken; RangeError for a bad field. */
  add(input: MockPbxUserInput): MockPbxUser {
    const user = normalise(input);
    if (this.byCallno.has(user.callno)) throw new MockWizardError(`callno ${user.callno} is already a user`);
    this.checkRoom(1);
    this.byCallno.set(user.callno, user);
    return user;
  }

  /** MockWizardError when `more` users would exceed the model's limit. */
  checkRoom(more: number): void {
    if (this.byCallno.size + more > this.limit) {
      throw new MockWizardError(
        `user limit reached: an OpenScape Business ${this.model} takes at most ${this.limit} Unify Phone users`,
      );
    }
  }

  update(callno: string, patch: Partial<MockPbxUserInput>): MockPbxUser {
    const current = this.byCallno.get(callno);
    if (!current) throw new MockWizardError(`no user with callno ${callno}`);
    if (patch.callno !== undefined && patch.callno !== callno)
      throw new MockWizardError("the callno of a user cannot change: remove the user and add it again");
    const user = normalise({ ...current, ...withoutUndefined(patch) });
    this.byCallno.set(callno, user);
    return user;
  }

  remove(callno: string): void {
    if (!this.byCallno.delete(callno)) throw new MockWizardError(`no user with callno ${callno}`);
  }

  /** The user a number names: the callno itself, or callno after the location number (+49 2302 667 2131, 0049…, 02302…). */
  resolve(number: string, numbering: MockNumbering | undefined): MockPbxUser | undefined {
    const exact = this.byCallno.get(number);
    if (exact) return exact;
    const digits = number.replace(/^\+/, "00").replace(/[^0-9]/g, "");
    if (digits.length === 0) return undefined;
    const direct = this.byCallno.get(digits);
    if (direct) return direct;
    if (numbering?.schema !== "international" || !numbering.countryCode) return undefined;
    const { countryCode, areaCode = "", pabxNumber = "" } = numbering;
    const prefixes = [`00${countryCode}${areaCode}${pabxNumber}`, `0${areaCode}${pabxNumber}`];
    for (const prefix of prefixes) {
      if (digits.startsWith(prefix)) {
        const user = this.byCallno.get(digits.slice(prefix.length));
        if (user) return user;
      }
    }
    return undefined;
  }
}

function normalise(input: MockPbxUserInput): MockPbxUser {
  if (typeof input.callno !== "string" || !CALLNO.test(input.callno))
    throw new RangeError(`callno "${input.callno}": want 1 to 20 digits (an optional + first)`);
  const licence = input.licence ?? "valid";
  if (!LICENCES.includes(licence)) throw new RangeError(`licence "${licence}": use valid, none or expired`);
  return {
    callno: input.callno,
    ...(input.firstName === undefined ? {} : { firstName: input.firstName }),
    ...(input.lastName === undefined ? {} : { lastName: input.lastName }),
    ...(input.emailAddress === undefined ? {} : { emailAddress: input.emailAddress }),
    licence,
    trustedExternal: input.trustedExternal ?? true,
    unifyPhoneRoute: input.unifyPhoneRoute ?? true,
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The number the connector knows a user by: E.164 with international numbering, else the callno. */
export function userNumber(callno: string, n: MockNumbering | undefined): string {
  if (!/^\d+$/.test(callno) || n?.schema !== "international" || !n.countryCode) return callno;
  return `+${n.countryCode}${n.areaCode ?? ""}${n.pabxNumber ?? ""}${callno}`;
}

/**
 * The extension a number dials inside this PBX's own range — the number after the location
 * number (+49 2302 667 2133, 0049…, 02302…), or a short number (up to 6 digits) — else undefined.
 */
export function extensionOf(number: string, n: MockNumbering | undefined): string | undefined {
  if (/^[1-9][0-9]{0,5}$/.test(number)) return number;
  if (n?.schema !== "international" || !n.countryCode) return undefined;
  const digits = number.replace(/^\+/, "00").replace(/[^0-9]/g, "");
  const { countryCode, areaCode = "", pabxNumber = "" } = n;
  for (const prefix of [`00${countryCode}${areaCode}${pabxNumber}`, `0${areaCode}${pabxNumber}`]) {
    const rest = digits.slice(prefix.length);
    if (digits.startsWith(prefix) && /^[0-9]{1,6}$/.test(rest)) return rest;
  }
  return undefined;
}

/** One line per PBX user: callno, name, licence and flags. */
export function describeUser(user: MockPbxUser): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(" ");
  const parts = [`user ${user.callno}${name ? ` (${name})` : ""}:`, `licence ${user.licence},`];
  parts.push(`${user.trustedExternal ? "" : "not "}Trusted External User,`);
  parts.push(`route ${user.unifyPhoneRoute ? "on" : "off"}`);
  return parts.join(" ");
}
