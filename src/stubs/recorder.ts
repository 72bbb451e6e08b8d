import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { redactBody, redactHeaders } from "../services/index.js";
import type { UnmatchedHttpRequest } from "./stub-port.js";

/** Longest sample of the request body written into a draft, as a comment. */
const SAMPLE_BYTES = 2000;

/** `POST /api/v2/systems/abc` → "post-api-v2-systems-abc" (bounded, file-name safe). */
export function draftName(method: string, requestPath: string): string {
  const slug = `${method}-${requestPath}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 100);
  return slug === "" ? "root" : slug;
}

/**
 * Control characters the PBX sent are not copied into the draft: an escape sequence would
 * reach the terminal of whoever runs `cat` on it.
 */
const NOT_PRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]/g;

/** Paths a draft can match exactly: what `path` accepts without taking it for a template. */
const RECORDABLE_PATH = /^\/[^{}\r\n]{0,1999}$/;

/**
 * The draft mapping `--record` writes for a request no mapping answered: method + exact
 * path, answering 200 with an empty JSON object, so the PBX gets past the step and the
 * user edits the answer. What was seen (headers with secrets redacted, the start of the
 * body) goes in comments above it.
 */
export function draftMapping(req: UnmatchedHttpRequest): string {
  const id = `recorded-${draftName(req.method, req.path)}`.slice(0, 64);
  const headers = redactHeaders(
    Object.entries(req.headers).flatMap(([k, v]) =>
      v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((one): [string, string] => [k, one]),
    ),
  );
  const contentType = req.headers["content-type"];
  const body = redactBody(
    req.body.toString("utf8"),
    Array.isArray(contentType) ? contentType[0] : contentType,
  );
  const comment = [
    `Recorded by --record from ${req.method} ${req.url}`,
    "Edit the response (and loosen the match) to answer what the client expects; see docs/stubs.md.",
    "Headers seen (secrets redacted):",
    ...headers.map(([k, v]) => `  ${k}: ${v}`),
    ...(body === ""
      ? []
      : [
          "Body seen:",
          ...body
            .slice(0, SAMPLE_BYTES)
            .split(/\r?\n/)
            .map((line) => `  ${line}`),
        ]),
  ]
    .map((line) => `# ${line.replace(/[\r\n]/g, " ").replace(NOT_PRINTABLE, "?")}`)
    .join("\n");
  const mapping = {
    id,
    request: { method: req.method.toUpperCase(), path: req.path },
    response: { status: 200, jsonBody: {} },
  };
  return `${comment}\n${stringify(mapping)}`;
}

/**
 * Writes one draft per distinct method + path into `<dir>`, never over an existing file
 * (an edited draft is the user's). Returns the file written, or undefined.
 */
export function recordDraft(dir: string, req: UnmatchedHttpRequest): string | undefined {
  // A path a draft could not match as written (braces, `*`, too long) is not recorded.
  if (!RECORDABLE_PATH.test(req.path)) return undefined;
  const file = path.join(dir, `${draftName(req.method, req.path)}.yaml`);
  if (existsSync(file)) return undefined;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, draftMapping(req), { flag: "wx" });
  return file;
}
