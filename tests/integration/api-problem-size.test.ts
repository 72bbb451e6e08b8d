import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  emulator = await startTestEmulator({ seedText: "tenants:\n  - name: Acme\n" });
  http = httpClient(emulator);
});

afterAll(async () => {
  await emulator.close();
});

describe("schema problems stay small, however many fields are wrong", () => {
  it("a 1 MB body of 60,000 unknown properties: 1,000 errors listed, the rest counted", async () => {
    const extra = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`p${i}`, 1]));
    const answer = await http.admin("POST", "/api/admin/tenants", { name: "Big", ...extra });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("validation_failed");
    expect(answer.text.length).toBeLessThan(200 * 1024);
    expect(answer.body.errors).toHaveLength(1000);
    expect(answer.body.errors[0]).toEqual({
      field: "body.p0",
      code: "additionalProperties",
      message: "must NOT have additional properties",
    });
    expect(answer.body.errorsOmitted).toBe(59_000);
    expect(answer.body.detail).toBe(
      "60000 schema violations in body; the first 1000 are listed, 59000 left out",
    );
  });

  it("a property name of 500 KB is named clipped", async () => {
    const answer = await http.admin("POST", "/api/admin/tenants", { name: "Big", ["q".repeat(500_000)]: 1 });
    expect(answer.status).toBe(400);
    expect(answer.text.length).toBeLessThan(2048);
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: `body.${"q".repeat(94)}…` })]);
  });

  it("a few problems are all listed, with the validator's own detail", async () => {
    const answer = await http.admin("POST", "/api/admin/tenants", { name: "", flavour: "x", more: 1 });
    expect(answer.status).toBe(400);
    expect(answer.body.errorsOmitted).toBeUndefined();
    expect(answer.body.errors.length).toBeGreaterThanOrEqual(2);
    expect(answer.body.errors.length).toBeLessThan(10);
  });
});
