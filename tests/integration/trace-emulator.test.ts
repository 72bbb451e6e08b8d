import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";

const hasTshark = spawnSync("tshark", ["--version"]).status === 0;
if (!hasTshark) console.warn("tshark not installed (Debian package tshark): skipping the pcap decode check");

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "trace-admin" });
});
afterAll(async () => {
  await emulator.close();
});

it("the running emulator traces REGISTER, REST calls and call events; the pcap decodes as SIP", async () => {
  const pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  const http = httpClient(emulator);
  await http.admin("GET", "/api/admin/tenants?secret=hunter2");
  const json = (await http.admin("GET", "/api/admin/trace?format=json")).body;
  const sip = json.entries.filter((e: { kind: string }) => e.kind === "sip");
  expect(sip.map((e: { direction: string }) => e.direction)).toEqual(["in", "out", "in", "out"]);
  expect(sip[3]).toMatchObject({ trunkName: "gtc-001" });
  const httpEntries = json.entries.filter((e: { kind: string }) => e.kind === "http");
  expect(JSON.stringify(httpEntries)).not.toContain("hunter2");
  expect(JSON.stringify(httpEntries)).not.toContain("trace-admin");

  const text = (await http.admin("GET", "/api/admin/trace?format=text")).text;
  expect(text).toContain("REGISTER");
  if (!hasTshark) return;
  const res = await request(`${emulator.urls.https}/api/admin/trace?format=pcap`, {
    headers: { authorization: "Bearer trace-admin" },
    dispatcher: new Agent({ connect: { ca: emulator.certificates.caCertPem! } }),
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), "upe-pcap-")), "trace.pcap");
  writeFileSync(file, Buffer.from(await res.body.arrayBuffer()));
  const decoded = spawnSync(
    "tshark",
    ["-r", file, "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code"],
    {
      encoding: "utf8",
    },
  );
  const lines = decoded.stdout
    .trim()
    .split("\n")
    .map((l) => l.trim());
  expect(lines).toEqual(["REGISTER", "401", "REGISTER", "200"]);
  pbx.close();
});
