import { afterEach, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

let emulator: EmulatorHandle;
afterEach(async () => {
  await emulator.close();
});

async function diagnose(name: string) {
  const http = httpClient(emulator);
  const tenant = (await http.admin("GET", "/api/admin/tenants")).body.find(
    (t: { name: string }) => t.name === name,
  );
  const res = await http.admin("GET", `/api/admin/tenants/${tenant.id}/diagnose`);
  expect(res.status).toBe(200);
  return res.body;
}

it("says in plain words why a trunk is not working, and that it works once registered", async () => {
  emulator = await startTestEmulator({ adminToken: "diag" });
  const never = await diagnose("Acme");
  expect(never.ok).toBe(false);
  expect(never.problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^gtc-001: Not registered since the emulator started.*firewall/),
    ]),
  );

  const wrong = await PbxTestUa.connect(emulator, TRUNK.username, "not-the-password");
  expect((await wrong.register()).status).toBe(403);
  const refused = await diagnose("Acme");
  expect(refused.problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /gtc-001: The last REGISTER from 127\.0\.0\.1:\d+ was refused at .*: 403 Forbidden: wrong password/,
      ),
    ]),
  );

  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  const good = (await diagnose("Acme")).trunks.find((t: { name: string }) => t.name === "gtc-001");
  expect(good).toMatchObject({ status: "available", problems: [], lines: { inUse: 0, limit: 16 } });
  expect(good.notes[0]).toMatch(/^Registered from 127\.0\.0\.1:\d+ over TLS since /);

  pbx.close();
  await until(async () => (await diagnose("Acme")).problems.length > 0, "diagnose to see the drop");
  const dropped = await diagnose("Acme");
  expect(dropped.problems).toEqual(
    expect.arrayContaining([expect.stringMatching(/gtc-001: Not registered since .* \(connection closed: /)]),
  );
  wrong.close();
});

it("names a missing or expired JWT for video tenants", async () => {
  emulator = await startTestEmulator({
    adminToken: "diag",
    seedText:
      "tenants:\n  - name: Vid\n    flavour: video\n  - name: Exp\n    flavour: video\n    jwt: { status: expired }\n",
  });
  expect((await diagnose("Vid")).problems).toEqual(
    expect.arrayContaining([expect.stringMatching(/^No JWT is configured/)]),
  );
  expect((await diagnose("Exp")).problems).toEqual(
    expect.arrayContaining([expect.stringMatching(/^The JWT expired on /)]),
  );
});
