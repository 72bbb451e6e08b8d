import { isToken } from "./char-classes.js";
import { headerKey, headerName, isListHeader } from "./header-names.js";
import { firstElement, splitList } from "./list-split.js";

/** One header field line. `raw` is the line exactly as received, kept for byte-exact re-serialisation. */
export interface HeaderEntry {
  readonly key: string;
  readonly name: string;
  readonly value: string;
  readonly raw: string | undefined;
  elements?: string[];
}

let getEntries: (headers: Headers) => HeaderEntry[];
let getRevision: (headers: Headers) => number;

function elementsOf(entry: HeaderEntry): string[] {
  entry.elements ??= splitList(entry.value);
  return entry.elements;
}

function makeEntry(name: string, value: string): HeaderEntry {
  if (!isToken(name)) throw new TypeError(`invalid header name: ${JSON.stringify(name)}`);
  if (value.includes("\r") || value.includes("\n")) {
    throw new TypeError(`header value of ${name} contains CR or LF`);
  }
  const { key, display } = headerName(name);
  return { key, name: display, value, raw: undefined };
}

/**
 * Ordered multimap of header fields. Names are case-insensitive and compact forms are the
 * same field ("v" is "Via"); list headers (Via, Contact, Route, ...) are read element by
 * element, split on top-level commas, while each stored line keeps its original value.
 */
export class Headers {
  #entries: HeaderEntry[] = [];
  #revision = 0;

  static {
    getEntries = (headers) => headers.#entries;
    getRevision = (headers) => headers.#revision;
  }

  constructor(init?: Iterable<readonly [name: string, value: string]>) {
    if (init) for (const [name, value] of init) this.#entries.push(makeEntry(name, value));
  }

  /** First value; for list headers the first element. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    const list = isListHeader(key);
    for (const entry of this.#entries) {
      if (entry.key !== key) continue;
      if (!list) return entry.value;
      const first = entry.elements ? entry.elements[0] : firstElement(entry.value);
      if (first) return first;
    }
    return undefined;
  }

  /** Every value in order; list headers contribute one item per element. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const out: string[] = [];
    for (const entry of this.#entries) {
      if (entry.key !== key) continue;
      if (list) out.push(...elementsOf(entry));
      else out.push(entry.value);
    }
    return out;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#entries.some((entry) => entry.key === key);
  }

  count(name: string): number {
    const key = headerKey(name);
    const list = isListHeader(key);
    let n = 0;
    for (const entry of this.#entries) {
      if (entry.key === key) n += list ? elementsOf(entry).length : 1;
    }
    return n;
  }

  /** Replaces every line of `name` (at the position of the first one) with one line per value. */
  set(name: string, value: string | readonly string[]): void {
    const added = typeof value === "string" ? [makeEntry(name, value)] : value.map((v) => makeEntry(name, v));
    const key = headerKey(name);
    if (!this.#entries.some((entry) => entry.key === key)) {
      // The common case (a header added to a response being built): no copy of the list.
      for (const entry of added) this.#entries.push(entry);
      this.#revision++;
      return;
    }
    const at = this.#entries.findIndex((entry) => entry.key === key);
    const kept = this.#entries.filter((entry) => entry.key !== key);
    kept.splice(at === -1 ? kept.length : at, 0, ...added);
    this.#entries = kept;
    this.#revision++;
  }

  /**
   * Replaces the first value of `name` (for a list header its first element; the rest of
   * that line stay as lines of their own), leaving every other line as it is: the transport
   * stamping received/rport on the top Via, without rebuilding the whole list.
   */
  replaceFirst(name: string, value: string): void {
    const key = headerKey(name);
    const at = this.#entries.findIndex((entry) => entry.key === key);
    if (at === -1) {
      this.append(name, value);
      return;
    }
    const entry = this.#entries[at]!;
    // No comma: one element, whatever the header (the usual top Via line).
    const rest = isListHeader(key) && entry.value.includes(",") ? elementsOf(entry).slice(1) : [];
    if (rest.length === 0) this.#entries[at] = makeEntry(entry.name, value);
    else
      this.#entries.splice(at, 1, makeEntry(entry.name, value), ...rest.map((v) => makeEntry(entry.name, v)));
    this.#revision++;
  }

  append(name: string, value: string): void {
    this.#entries.push(makeEntry(name, value));
    this.#revision++;
  }

  /** Inserts before the first line of `name` (our Via / Record-Route on top), or first of all. */
  prepend(name: string, value: string): void {
    const entry = makeEntry(name, value);
    const at = this.#entries.findIndex((e) => e.key === entry.key);
    this.#entries.splice(at === -1 ? 0 : at, 0, entry);
    this.#revision++;
  }

  delete(name: string): void {
    const key = headerKey(name);
    this.#entries = this.#entries.filter((entry) => entry.key !== key);
    this.#revision++;
  }

  /** Lines in wire order as [display name, value]; canonical spelling for known fields. */
  *entries(): IterableIterator<[name: string, value: string]> {
    for (const entry of this.#entries) yield [entry.name, entry.value];
  }
}

/** The live entry array (parser, serializer and response builder use it directly). */
export function headerEntries(headers: Headers): HeaderEntry[] {
  return getEntries(headers);
}

/** Changes whenever the headers are modified; message getters use it to invalidate caches. */
export function headersRevision(headers: Headers): number {
  return getRevision(headers);
}
