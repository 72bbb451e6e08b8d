import {
  formatUri,
  isDigits,
  type NameAddr,
  parseNameAddrShared,
  type SipRequest,
} from "../sip/message/index.js";
import type { ContactBinding } from "./contact-bindings.js";

/** RFC 3261 §21.4.24 */
const INTERVAL_TOO_BRIEF = 423;
/** Expires values above 2^32-1 are not valid delta-seconds (RFC 4475 §3.1.2.4). */
const MAX_DELTA_SECONDS = 4294967295;

/** A final non-2xx answer to a REGISTER, thrown from anywhere in its handling. */
export class RegisterRejection extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(reason);
  }
}

export interface ExpiresLimits {
  readonly defaultExpires: number;
  readonly minExpires: number;
  readonly maxExpires: number;
}

/** One Contact of a REGISTER: bind `key` for `expires` seconds, or unbind it when 0. */
export interface ContactChange {
  readonly contact: NameAddr;
  /** The Contact URI as a binding stores it. */
  readonly key: string;
  /** The Contact's parameters as a binding stores them (all but expires). */
  readonly params: Readonly<Record<string, string | null>>;
  readonly expires: number;
}

/** What a binding keeps of a Contact: its URI as the key, its parameters but expires. */
interface BindingForm {
  readonly key: string;
  readonly params: Readonly<Record<string, string | null>>;
}

/** Per shared Contact parse: a refresh repeats the same Contact text, so this is worked out once. */
const forms = new WeakMap<NameAddr, BindingForm>();

function bindingForm(contact: NameAddr): BindingForm {
  let form = forms.get(contact);
  if (form === undefined) {
    const { expires: _dropped, ...params } = contact.params;
    form = { key: formatUri(contact.uri), params: Object.freeze(params) };
    forms.set(contact, form);
  }
  return form;
}

/** What a REGISTER asks for: "*" (remove every binding) or per-contact changes. */
export function readContactChanges(request: SipRequest, limits: ExpiresLimits): ContactChange[] | "*" {
  const contacts = request.headers.getAll("contact");
  const headerExpires = parseExpires(request.headers.get("expires"), "Expires header");
  if (contacts.length === 1 && contacts[0]!.trim() === "*") {
    // RFC 3261 §10.3 step 6: "*" only alone and only with Expires: 0.
    if (headerExpires !== 0) throw new RegisterRejection(400, "Bad Request: Contact * requires Expires: 0");
    return "*";
  }
  if (contacts.some((c) => c.trim() === "*"))
    throw new RegisterRejection(400, "Bad Request: Contact * must be the only Contact");
  return contacts.map((text) => {
    let contact: NameAddr;
    try {
      contact = parseNameAddrShared(text);
    } catch {
      throw new RegisterRejection(400, "Bad Request: malformed Contact");
    }
    const own = parseExpires(contact.params.expires ?? undefined, "Contact expires parameter");
    const requested = own ?? headerExpires ?? limits.defaultExpires;
    if (requested > 0 && requested < limits.minExpires) {
      throw new RegisterRejection(INTERVAL_TOO_BRIEF, "Interval Too Brief", {
        "min-expires": String(limits.minExpires),
      });
    }
    const { key, params } = bindingForm(contact);
    return { contact, key, params, expires: Math.min(requested, limits.maxExpires) };
  });
}

/** A binding as a Contact of the 200 OK, with the seconds it has left (RFC 3261 §10.3 step 8). */
export function formatBindingContact(binding: ContactBinding, now: number): string {
  const remaining = remainingSeconds(binding, now);
  let text = `<${binding.contact}>`;
  const params = binding.contactParams;
  for (const name in params) {
    const value = params[name];
    text += value === null ? `;${name}` : `;${name}=${value}`;
  }
  return `${text};expires=${remaining}`;
}

/** The seconds a binding has left, as the Contact of a 200 says them. */
export function remainingSeconds(binding: ContactBinding, now: number): number {
  return Math.max(0, Math.round((binding.expiresAt - now) / 1000));
}

function parseExpires(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!isDigits(text)) throw new RegisterRejection(400, `Bad Request: ${what} is not a number of seconds`);
  const n = Number(text);
  // Larger than delta-seconds allows: treat as "as long as you let me".
  return n > MAX_DELTA_SECONDS ? Number.MAX_SAFE_INTEGER : n;
}
