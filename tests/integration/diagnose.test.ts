import tls from "node:tls";
import { afterEach, expect, it } from "vitest";
import { createCertificateAuthority, issueServerCertificate } from "../../src/certs/index.js";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK, writeTemp } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

let emulator: EmulatorHandle;
afterEach(async () => {
  await emulator.close();
});

interface Diagnosis {
  ok: boolean;
  problems: string[];
  warnings: string[];
  notes: string[];
  trunks: { name: string; status: string; problems: string[]; notes: string[]; lines: object }[];
}

async function diagnose(name: string): Promise<Diagnosis> {
  const http = httpClient(emulator);
  const tenant = (await http.admin("GET", "/api/admin/tenants")).body.find(
    (t: { name: string }) => t.name === name,
  );
  const res = await http.admin("GET", `/api/admin/tenants/${tenant.id}/diagnose`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Acme's other seeded trunk (auth: false) is never registered here; only gtc-001 matters. */
const gtc001 = (d: Diagnosis) => d.problems.filter((p) => p.startsWith("gtc-001: "));

it("says in plain words why a trunk is not working, and that it works once registered", async () => {
  emulator = await startTestEmulator({ adminToken: "diag" });
  const never = await diagnose("Acme");
  expect(never.ok).toBe(false);
  expect(gtc001(never)).toEqual([
    expect.stringMatching(
      new RegExp(
        `^gtc-001: Not registered since the emulator started \\(.*\\): no REGISTER has arrived for this trunk — .*TLS to port ${emulator.ports.sip} is reachable from the PBX \\(firewall\\)\\.$`,
      ),
    ),
  ]);

  const wrong = await PbxTestUa.connect(emulator, TRUNK.username, "not-the-password");
  expect((await wrong.register()).status).toBe(403);
  expect(gtc001(await diagnose("Acme"))).toEqual([
    expect.stringMatching(
      /^gtc-001: Not registered since the emulator started \(.*\): the last REGISTER from 127\.0\.0\.1:\d+ was refused at .*: 403 Forbidden: wrong password — enter the trunk user and password the connector wizard gave/,
    ),
  ]);

  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  const good = (await diagnose("Acme")).trunks.find((t) => t.name === "gtc-001")!;
  expect(good).toMatchObject({ status: "available", problems: [], lines: { inUse: 0, limit: 16 } });
  expect(good.notes[0]).toMatch(/^Registered from 127\.0\.0\.1:\d+ over TLS since .* \(0 min\); expires /);

  pbx.close();
  await until(async () => gtc001(await diagnose("Acme")).length > 0, "diagnose to see the drop");
  expect(gtc001(await diagnose("Acme"))).toEqual([
    expect.stringMatching(
      /^gtc-001: Not registered since .* \(connection closed: .*\): the PBX has not registered again — check that it is up/,
    ),
  ]);
  wrong.close();
});

it("names the fault that answers REGISTER, and is ok with no stale hit once it is removed and the trunk registers", async () => {
  emulator = await startTestEmulator({
    adminToken: "diag",
    seedText: `tenants:\n  - name: Solo\n    systems:\n      - systemId: s1\n        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }\n`,
  });
  const http = httpClient(emulator);
  const added = await http.admin("POST", "/api/admin/faults", {
    id: "overload",
    name: "registrar overloaded",
    layer: "sip",
    match: { direction: "in", method: "REGISTER" },
    action: { type: "respond", status: 503, reason: "Service Unavailable", retryAfter: 60 },
  });
  expect(added.status).toBe(201);
  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(503);
  const refused = await diagnose("Solo");
  expect(refused.problems).toEqual([
    expect.stringMatching(
      /^gtc-001: Not registered since the emulator started \(.*\): its REGISTERs are answered 503 Service Unavailable \(Retry-After 60\) by fault "registrar overloaded" \(1 hit, last at .*\), as an overloaded registrar does — remove the fault \(DELETE \/api\/admin\/faults\/overload\) and the PBX registers at its next attempt\.$/,
    ),
  ]);
  expect(refused.notes).toContain(
    '1 fault rule is loaded (GET /api/admin/faults): "registrar overloaded" (1 hit).',
  );

  expect((await http.admin("DELETE", "/api/admin/faults/overload")).status).toBe(204);
  expect((await pbx.register()).status).toBe(200);
  const fixed = await diagnose("Solo");
  expect(fixed).toMatchObject({ ok: true, problems: [], warnings: [] });
  expect(fixed.notes.join("\n")).not.toMatch(/fault/);
  pbx.close();
});

it("names a TLS version mismatch seen in failed handshakes, and forgets it once the PBX registers", async () => {
  emulator = await startTestEmulator({
    adminToken: "diag",
    seedText: `tenants:\n  - name: Solo\n    systems:\n      - systemId: s1\n        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }\n`,
    sip: { port: 0, tls: { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" } },
  });
  const failed = await new Promise<string>((resolve) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port: emulator.ports.sip,
      ca: emulator.certificates.caCertPem!,
      servername: "phoneapp.unify.com",
      maxVersion: "TLSv1.2",
    });
    socket.once("secureConnect", () => resolve("connected"));
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  expect(failed).toBe("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION");
  await until(
    async () => /TLS version/.test((await diagnose("Solo")).problems.join()),
    "the failure recorded",
  );
  expect((await diagnose("Solo")).problems).toEqual([
    expect.stringMatching(
      /^gtc-001: Not registered since the emulator started \(.*\): TLS handshakes from 127\.0\.0\.1 fail \(1 time, last at .*\): the PBX and the connector share no TLS version \(the connector accepts TLSv1\.3–TLSv1\.3\) — enable TLSv1\.3 or later on the PBX\.$/,
    ),
  ]);

  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  expect(await diagnose("Solo")).toMatchObject({ ok: true, problems: [] });
  pbx.close();
});

it("names each JWT state of a video tenant in one sentence; expiring is a warning and ok stays true", async () => {
  emulator = await startTestEmulator({
    adminToken: "diag",
    seedText: [
      "tenants:",
      "  - { name: Vid, flavour: video, clientId: vid-client }",
      "  - { name: Exp, flavour: video, clientId: exp-client, jwt: { status: expired } }",
      "  - { name: Rev, flavour: video, clientId: rev-client, jwt: { status: invalid } }",
      "  - { name: Soon, flavour: video, clientId: soon-client, jwt: { status: expiring } }",
      "  - { name: Open, flavour: openscape, jwt: { status: expired } }",
      "",
    ].join("\n"),
  });
  const stopped = "Unify Phone is not functional for";
  expect((await diagnose("Vid")).problems).toEqual([
    expect.stringMatching(
      new RegExp(
        `^No JWT is configured: ${stopped} Vid \\(calls both ways get 480 "Unify Phone not functional: JWT not set", client REGISTERs 403, new users 409 jwt_not_set\\) — create a JWT for client ID vid-client in the RingCentral JWT creation portal and paste it in the admin app \\(PUT /api/admin/tenants/.*/jwt\\)\\.$`,
      ),
    ),
  ]);
  expect((await diagnose("Exp")).problems).toEqual([
    expect.stringMatching(
      new RegExp(
        `^The JWT expired on .* \\(label "seed"\\): ${stopped} Exp \\(calls both ways get 480 "Unify Phone not functional: JWT expired", client REGISTERs 403, new users 409 jwt_expired\\) — create a new JWT for client ID exp-client`,
      ),
    ),
  ]);
  expect((await diagnose("Rev")).problems).toEqual([
    expect.stringMatching(
      new RegExp(
        `^The JWT "seed" was invalidated \\(revoked in the JWT creation portal\\): ${stopped} Rev \\(calls both ways get 480 "Unify Phone not functional: JWT invalid", client REGISTERs 403, new users 409 jwt_invalid\\) — create a new JWT`,
      ),
    ),
  ]);
  const soon = await diagnose("Soon");
  expect(soon).toMatchObject({ ok: true, problems: [] });
  expect(soon.warnings).toEqual([
    expect.stringMatching(
      /^The JWT expires on .* \(label "seed"\) \(in \d+ days\): everything works until then, when Unify Phone stops for Soon — create a new JWT .* before that\.$/,
    ),
  ]);
  const open = await diagnose("Open");
  expect(open).toMatchObject({ ok: true, problems: [], warnings: [] });
  expect(open.notes).toEqual([
    expect.stringMatching(/^The JWT expired on .* \(no effect on an openscape tenant\)\.$/),
    "No PBX system is provisioned for this tenant yet.",
  ]);
});

it("says no trunk lines are configured when simultaneousCalls is 0", async () => {
  emulator = await startTestEmulator({
    adminToken: "diag",
    seedText: `tenants:\n  - name: Zero\n    systems:\n      - systemId: z1\n        simultaneousCalls: 0\n        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }\n`,
  });
  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  const d = await diagnose("Zero");
  expect(d.trunks[0]!.lines).toEqual({ inUse: 0, limit: 0 });
  expect(d.problems).toEqual([
    "gtc-001: No Unify Phone trunk lines are configured (0/0): every call gets 503 — set the number of simultaneous Unify Phone calls in the connector wizard (OSBiz derives it from the upstream bandwidth).",
  ]);
  pbx.close();
});

it("names the connector's own expired SIP certificate (a --cert-file past its notAfter)", async () => {
  const day = 24 * 60 * 60 * 1000;
  const expired = issueServerCertificate(createCertificateAuthority(), {
    hosts: ["127.0.0.1"],
    notBefore: new Date(Date.now() - 30 * day),
    notAfter: new Date(Date.now() - day),
  });
  emulator = await startTestEmulator({
    adminToken: "diag",
    httpPort: 0,
    certFile: writeTemp("cert.pem", expired.certPem),
    keyFile: writeTemp("key.pem", expired.keyPem),
  });
  // HTTPS serves the same expired certificate: ask over the plain HTTP port.
  const get = async <T>(path: string) =>
    (
      await fetch(`${emulator.urls.http}${path}`, { headers: { authorization: "Bearer diag" } })
    ).json() as Promise<T>;
  const tenants = await get<{ id: string; name: string }[]>("/api/admin/tenants");
  const acme = tenants.find((t) => t.name === "Acme")!;
  const d = await get<Diagnosis>(`/api/admin/tenants/${acme.id}/diagnose`);
  expect(d.problems[0]).toMatch(
    /^The connector's SIP server certificate expired on .*: every PBX that checks certificates aborts the TLS handshake \(certificate has expired\) and cannot register — renew it \(unify-phone-emulator certs --force, or a new --cert-file\) and restart the emulator\.$/,
  );
});

it("follows the JWT on the emulator clock: active, expiring (warning), expired (problem), a new JWT (ok)", async () => {
  emulator = await startTestEmulator({
    adminToken: "diag",
    seedText: "tenants:\n  - { name: Vid, flavour: video, clientId: vid-client, jwt: { status: active } }\n",
  });
  const http = httpClient(emulator);
  const advance = async (by: string) =>
    expect((await http.admin("POST", "/api/admin/clock/advance", { by })).status).toBe(200);
  expect(await diagnose("Vid")).toMatchObject({ ok: true, problems: [], warnings: [] });
  await advance("350d");
  const expiring = await diagnose("Vid");
  expect(expiring).toMatchObject({ ok: true, problems: [] });
  expect(expiring.warnings).toEqual([expect.stringMatching(/^The JWT expires on .* \(in 15 days\)/)]);
  await advance("16d");
  const expired = await diagnose("Vid");
  expect(expired).toMatchObject({ ok: false, warnings: [] });
  expect(expired.problems).toEqual([
    expect.stringMatching(/^The JWT expired on .*: Unify Phone is not functional for Vid \(/),
  ]);

  // The fix the sentence names: a new JWT from the portal, pasted in.
  const minted = await http.admin("POST", "/api/jwt-portal/tokens", {
    clientId: "vid-client",
    label: "renewed",
  });
  expect(minted.status).toBe(201);
  const id = (await http.admin("GET", "/api/admin/tenants")).body.find(
    (t: { name: string }) => t.name === "Vid",
  ).id;
  expect((await http.admin("PUT", `/api/admin/tenants/${id}/jwt`, { token: minted.body.token })).status).toBe(
    200,
  );
  expect(await diagnose("Vid")).toMatchObject({ ok: true, problems: [], warnings: [] });
});

it("names a trunk whose connection keeps dropping with no fault behind it", async () => {
  emulator = await startTestEmulator({ adminToken: "diag" });
  for (let round = 0; round < 2; round++) {
    const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    expect((await pbx.register()).status).toBe(200);
    pbx.close();
    await until(async () => gtc001(await diagnose("Acme")).length > 0, "diagnose to see the drop");
  }
  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  expect(gtc001(await diagnose("Acme"))).toEqual([
    expect.stringMatching(
      /^gtc-001: The trunk dropped 2 times in the last hour \(last at .*: connection closed: .*\) — something on the path cuts the connection: make NAT and firewall session timeouts longer than the PBX's re-registration interval\.$/,
    ),
  ]);
  pbx.close();
});
