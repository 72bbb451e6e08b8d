import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One row of a conformance expectations.json (RFC 4475 / RFC 5118 torture messages). */
export interface CorpusEntry {
  file: string;
  section: string;
  title: string;
  valid: boolean;
  kind: "request" | "response";
  method?: string;
  expect: string;
  expect_alt: string[];
  note: string;
  size: number;
  sha256: string;
}

export type CorpusSet = "rfc4475" | "rfc5118";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/conformance");

export function loadExpectations(set: CorpusSet): CorpusEntry[] {
  return JSON.parse(readFileSync(join(ROOT, set, "expectations.json"), "utf8")) as CorpusEntry[];
}

/** The archived bytes, unchanged. */
export function rawBytes(set: CorpusSet, file: string): Buffer {
  return readFileSync(join(ROOT, set, file));
}

/** Files whose archive copy lacks the empty line ending the header section (see the INDEX.md files). */
const MISSING_FINAL_CRLF = new Set([
  "baddn.dat",
  "ipv6-bug-abnf-3-colons.dat",
  "ipv6-correct-abnf-2-colons.dat",
]);

/** RFC 5118 archive quirks: Content-Length does not match the body (INDEX.md, §4.6 and §4.8). */
const WRONG_CONTENT_LENGTH = new Set(["ipv6-in-sdp.dat", "mult-ip-in-sdp.dat"]);

/**
 * The message as it would be on the wire. RFC 4475 files are used as archived (plus the
 * missing final CRLF of baddn). RFC 5118 files are archived with LF line ends: the header
 * section is converted to CRLF, the body is kept as archived, and the two Content-Length
 * values the archive gets wrong are set to the body length.
 */
export function wireBytes(set: CorpusSet, file: string): Buffer {
  const raw = rawBytes(set, file);
  if (set === "rfc4475")
    return MISSING_FINAL_CRLF.has(file) ? Buffer.concat([raw, Buffer.from("\r\n")]) : raw;
  const text = raw.toString("utf8");
  const blank = text.indexOf("\n\n");
  let head = blank === -1 ? text : text.slice(0, blank + 1);
  const body = blank === -1 ? "" : text.slice(blank + 2);
  if (MISSING_FINAL_CRLF.has(file)) head = head.endsWith("\n") ? head : `${head}\n`;
  if (WRONG_CONTENT_LENGTH.has(file)) {
    head = head.replace(/^Content-Length: \d+$/m, `Content-Length: ${Buffer.byteLength(body)}`);
  }
  return Buffer.from(`${head.replaceAll("\n", "\r\n")}\r\n${body}`, "utf8");
}

/** Every corpus file with its set, for parameterised tests. */
export function allEntries(): Array<CorpusEntry & { set: CorpusSet }> {
  return (["rfc4475", "rfc5118"] as const).flatMap((set) =>
    loadExpectations(set).map((entry) => ({ ...entry, set })),
  );
}
