import {
  DEFAULT_ROUTING,
  type Locale,
  type Numbering,
  phoneNumberFor,
  type Trunk,
  type UserRole,
  validateRouting,
} from "../../domain/index.js";
import type { UserRecord } from "../../store/index.js";
import { attempt, type CheckedRow, type ProblemSink } from "./row-check.js";

/** A user as the import leaves it. */
export interface WantedUser {
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: Locale;
  role: UserRole;
  trunkId: string;
  callno: string | undefined;
  did: string | undefined;
  phoneNumber: string | undefined;
  routing: UserRecord["routing"];
  alternativeNumber: string | undefined;
  busyBehaviour: UserRecord["busyBehaviour"];
}

type PhoneField = "phoneNumber" | "callno";

export interface PlannedUser {
  readonly row: number;
  /** the tenant's user with this e-mail, if any */
  readonly existing: UserRecord | undefined;
  readonly wanted: WantedUser;
  /** new, or some field differs from `existing` */
  readonly changed: boolean;
}

export interface PlanContext {
  /** every user of the tenant */
  readonly users: readonly UserRecord[];
  readonly trunk: Trunk;
  /** the trunk's numbering, to build phone numbers from callnos */
  readonly numbering: Numbering;
  /** trunk id → name, to name another trunk in a message */
  readonly trunkName: (trunkId: string) => string;
}

const COMPARED = [
  "emailAddress",
  "firstName",
  "lastName",
  "locale",
  "role",
  "trunkId",
  "callno",
  "did",
  "phoneNumber",
  "routing",
  "alternativeNumber",
  "busyBehaviour",
] as const satisfies readonly (keyof WantedUser & keyof UserRecord)[];

/**
 * Matches rows to the tenant's users by e-mail (case-insensitive) and decides each user's
 * final state; adds the problems that need the whole file or the store: duplicate e-mails
 * and phone numbers inside the file, users assigned to another trunk, and phone numbers
 * held by users the file does not renumber. Phone numbers may move between users of the file.
 */
export function planImport(
  ctx: PlanContext,
  checked: readonly CheckedRow[],
  problems: ProblemSink,
): PlannedUser[] {
  const byEmail = new Map(ctx.users.map((u) => [u.emailAddress.toLowerCase(), u]));
  const rowOfEmail = new Map<string, number>();
  const planned: PlannedUser[] = [];
  /** per planned user: the column its phone number comes from */
  const phoneFields: PhoneField[] = [];
  for (const c of checked) {
    if (c.emailKey === undefined) continue;
    const first = rowOfEmail.get(c.emailKey);
    if (first !== undefined) {
      const message = `the same e-mail address as row ${first}`;
      problems.push({ row: c.row, field: "emailAddress", code: "duplicate_email", message });
      continue;
    }
    rowOfEmail.set(c.emailKey, c.row);
    const existing = byEmail.get(c.emailKey);
    if (existing?.trunkId !== undefined && existing.trunkId !== ctx.trunk.id) {
      problems.push({
        row: c.row,
        field: "emailAddress",
        code: "user_on_other_trunk",
        message: `${existing.emailAddress} is assigned to trunk ${ctx.trunkName(existing.trunkId)}; remove it there first`,
      });
      continue;
    }
    if (!c.fields) continue;
    const f = c.fields;
    const callno = f.callno === undefined ? existing?.callno : (f.callno ?? undefined);
    let phoneNumber: string | undefined;
    let from: PhoneField = "phoneNumber";
    if (f.phoneNumber) phoneNumber = f.phoneNumber;
    else if (f.callno === undefined && f.phoneNumber === undefined && existing?.trunkId === ctx.trunk.id) {
      // The file says nothing about numbers of a user already on this trunk: keep them.
      phoneNumber = existing.phoneNumber;
    } else if (callno !== undefined) {
      from = "callno";
      phoneNumber = attempt(problems, c.row, "callno", () => phoneNumberFor(ctx.numbering, callno));
      if (phoneNumber === undefined) continue;
    }
    // As over REST: alternativeNumber is required with routing alternative, dropped otherwise.
    const routing = attempt(problems, c.row, "alternativeNumber", () =>
      validateRouting(existing ?? DEFAULT_ROUTING, {
        routing: f.routing,
        alternativeNumber: f.alternativeNumber,
        busyBehaviour: f.busyBehaviour,
      }),
    );
    if (routing === undefined) continue;
    const wanted: WantedUser = {
      emailAddress: f.emailAddress,
      firstName: f.firstName,
      lastName: f.lastName,
      locale: f.locale,
      role: f.role ?? existing?.role ?? "user",
      trunkId: ctx.trunk.id,
      callno,
      did: f.did === undefined ? existing?.did : (f.did ?? undefined),
      phoneNumber,
      routing: routing.routing,
      alternativeNumber: routing.alternativeNumber,
      busyBehaviour: routing.busyBehaviour,
    };
    const changed = !existing || COMPARED.some((key) => existing[key] !== wanted[key]);
    planned.push({ row: c.row, existing, wanted, changed });
    phoneFields.push(from);
  }
  checkPhoneNumbers(ctx, planned, phoneFields, problems);
  checkLastAdmin(ctx, planned, problems);
  return planned;
}

/** The tenant keeps at least one admin: rows that would demote the last ones are problems. */
function checkLastAdmin(ctx: PlanContext, planned: readonly PlannedUser[], problems: ProblemSink): void {
  const demoted = planned.filter((p) => p.existing?.role === "admin" && p.wanted.role !== "admin");
  if (demoted.length === 0) return;
  const admins = ctx.users.filter((u) => u.role === "admin").length;
  const promoted = planned.filter((p) => p.existing?.role !== "admin" && p.wanted.role === "admin").length;
  if (admins + promoted > demoted.length) return;
  for (const p of demoted) {
    const message = `${p.existing!.emailAddress} is the tenant's last administrator; keep role admin or make another user admin first`;
    problems.push({ row: p.row, field: "role", code: "last_admin", message });
  }
}

function checkPhoneNumbers(
  ctx: PlanContext,
  planned: readonly PlannedUser[],
  phoneFields: readonly PhoneField[],
  problems: ProblemSink,
): void {
  const holders = new Map<string, UserRecord>();
  for (const u of ctx.users) if (u.phoneNumber !== undefined) holders.set(u.phoneNumber, u);
  const inFile = new Set<string>();
  for (const p of planned) if (p.existing) inFile.add(p.existing.id);
  const rowOfNumber = new Map<string, number>();
  planned.forEach((p, i) => {
    const number = p.wanted.phoneNumber;
    if (number === undefined) return;
    const field = phoneFields[i]!;
    const first = rowOfNumber.get(number);
    if (first !== undefined) {
      const message = `phone number ${number} is also the number of row ${first}`;
      problems.push({ row: p.row, field, code: "duplicate_phone_number", message });
      return;
    }
    rowOfNumber.set(number, p.row);
    const holder = holders.get(number);
    // A holder that is in the file gets its own number there (or is a duplicate above).
    if (holder && holder.id !== p.existing?.id && !inFile.has(holder.id)) {
      const message = `phone number ${number} belongs to ${holder.emailAddress}`;
      problems.push({ row: p.row, field, code: "phone_number_taken", message });
    }
  });
}
