import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_ERRORS, ApiError, isApiErrorCode, problemFor } from "../../../src/errors/index.js";

const codes = Object.keys(API_ERRORS) as (keyof typeof API_ERRORS)[];

/** The `| \`code\` | status |` rows of docs/errors.md's tables. */
function documentedRows(): { code: string; status: number }[] {
  const doc = readFileSync(path.resolve(import.meta.dirname, "../../../docs/errors.md"), "utf8");
  return [...doc.matchAll(/^\| `([a-z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => ({
    code: m[1]!,
    status: Number(m[2]),
  }));
}

describe("the error registry and docs/errors.md", () => {
  it("documents every error code of the registry in docs/errors.md, with the registry's status", () => {
    const rows = documentedRows();
    const missing = codes.filter((code) => !rows.some((row) => row.code === code));
    expect(missing).toEqual([]);
    const wrongStatus = rows
      .filter((row) => isApiErrorCode(row.code) && API_ERRORS[row.code].status !== row.status)
      .map(
        (row) =>
          `${row.code}: docs ${row.status}, registry ${API_ERRORS[row.code as keyof typeof API_ERRORS].status}`,
      );
    expect(wrongStatus).toEqual([]);
  });

  it("documents no code the registry does not have, and each code once", () => {
    const rows = documentedRows();
    expect(rows.filter((row) => !isApiErrorCode(row.code)).map((row) => row.code)).toEqual([]);
    const seen = rows.map((row) => row.code);
    expect(seen.filter((code, i) => seen.indexOf(code) !== i)).toEqual([]);
  });
});

describe("the registry", () => {
  it("gives each code an error status and a title", () => {
    for (const code of codes) {
      const { status, title } = API_ERRORS[code];
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(title.trim(), code).not.toBe("");
    }
  });

  it("knows its own codes only: not unknown ones, nor names every object has", () => {
    expect(isApiErrorCode("tenant_not_found")).toBe(true);
    expect(isApiErrorCode("no_such_code")).toBe(false);
    expect(isApiErrorCode("toString")).toBe(false);
    expect(isApiErrorCode("__proto__")).toBe(false);
  });
});

describe("ApiError", () => {
  it("takes its status and title from the registry, its message from the detail", () => {
    const error = new ApiError("tenant_not_found", 'no tenant "t1"');
    expect(error).toMatchObject({ status: 404, title: "No such tenant", code: "tenant_not_found" });
    expect(error.message).toBe('no tenant "t1"');
    expect(error).toBeInstanceOf(Error);
  });

  it("uses the title as its message without a detail, and keeps extension members", () => {
    const errors = [{ row: 2, field: "emailAddress", code: "invalid_email", message: "not an e-mail" }];
    const error = new ApiError("import_invalid", undefined, { errors, retryAfterSeconds: 3 });
    expect(error.message).toBe(API_ERRORS.import_invalid.title);
    expect(error.extensions).toEqual({ errors, retryAfterSeconds: 3 });
  });
});

describe("problemFor", () => {
  it("builds the RFC 9457 body: a type URI anchored at the code, the registry's title and status", () => {
    expect(problemFor("rate_limited", "retry in 60 s", { retryAfterSeconds: 60 })).toEqual({
      type: "https://unify-phone-emulator.invalid/docs/errors#rate_limited",
      title: API_ERRORS.rate_limited.title,
      status: 429,
      detail: "retry in 60 s",
      code: "rate_limited",
      retryAfterSeconds: 60,
    });
  });

  it("leaves out an empty detail", () => {
    expect(problemFor("not_found", "")).not.toHaveProperty("detail");
    expect(problemFor("not_found")).not.toHaveProperty("detail");
  });
});
