import { afterAll, beforeAll, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "fault-admin" });
});
afterAll(async () => {
  await emulator.close();
});

it("a fault added over REST answers the trunk's REGISTER 503; trace and diagnose show it; removing it heals", async () => {
  const http = httpClient(emulator);
  const added = await http.admin("POST", "/api/admin/faults", {
    id: "overload",
    name: "Registrar overloaded",
    layer: "sip",
    match: { direction: "in", method: "REGISTER", trunk: "gtc-001" },
    action: { type: "respond", status: 503, reason: "Service Unavailable", retryAfter: 30 },
  });
  expect(added.status).toBe(201);
  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  const refused = await pbx.register();
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toBe("30");
  expect((await http.admin("GET", "/api/admin/faults/overload")).body.hits).toBeGreaterThanOrEqual(1);

  const trace = (await http.admin("GET", "/api/admin/trace?format=json&kind=fault")).body.entries;
  expect(trace[0]).toMatchObject({ kind: "fault", faultId: "overload" });
  const acme = (await http.admin("GET", "/api/admin/tenants")).body.find(
    (t: { name: string }) => t.name === "Acme",
  );
  const diagnosis = (await http.admin("GET", `/api/admin/tenants/${acme.id}/diagnose`)).body;
  expect(diagnosis.problems.join("\n")).toMatch(
    /gtc-001: Not registered since .*: its REGISTERs are answered 503 Service Unavailable \(Retry-After 30\) by fault "Registrar overloaded"/,
  );

  expect((await http.admin("DELETE", "/api/admin/faults/overload")).status).toBe(204);
  expect((await pbx.register()).status).toBe(200);
  pbx.close();
});
