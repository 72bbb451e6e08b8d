import { execFile, spawnSync } from "node:child_process";
import dgram from "node:dgram";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SipTraceEntry, TraceEntry } from "../../src/traces/index.js";
import { registerText, SipTestClient } from "../support/sip-test-client.js";
import {
  ADMIN_TOKEN,
  optionsText,
  startTraceStack,
  TRUNK_OWNER,
  type TraceStack,
  tempDir,
} from "../support/trace-stack.js";

const run = promisify(execFile);
const hasTshark = spawnSync("tshark", ["--version"]).status === 0;
if (!hasTshark)
  console.warn("tshark is not installed: the pcap-through-tshark test is skipped (apt-get install tshark)");

let stack: TraceStack | undefined;
const clients: SipTestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack?.close();
  stack = undefined;
});

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function trace(s: TraceStack, query = "") {
  const res = await s.app.inject({ method: "GET", url: `/api/admin/trace${query}`, headers: auth });
  expect(res.statusCode).toBe(200);
  return res;
}

async function traceJson(s: TraceStack, query = ""): Promise<TraceEntry[]> {
  return (await trace(s, query)).json<{ entries: TraceEntry[] }>().entries;
}

async function connectTls(s: TraceStack): Promise<SipTestClient> {
  const c = await SipTestClient.connectTls(s.ports.tls, { ca: s.ca });
  clients.push(c);
  return c;
}

/** What a PBX trunk does first: probe with OPTIONS, register, then hang up the connection. */
async function pbxSession(s: TraceStack) {
  const c = await connectTls(s);
  const options = optionsText("opt-1", c.localPort);
  expect((await c.request(options)).status).toBe(200);
  const register = registerText({
    user: "3919209257",
    localPort: c.localPort,
    callId: "reg-1",
    expires: 600,
  });
  expect((await c.request(register)).status).toBe(200);
  const pbxPort = c.localPort;
  c.close();
  await vi.waitFor(() =>
    expect(s.recorder.entries().some((e) => e.kind === "connection" && e.event === "closed")).toBe(true),
  );
  return { pbxPort, options, register };
}

const sipOnly = (entries: TraceEntry[]) => entries.filter((e): e is SipTraceEntry => e.kind === "sip");

describe("trace of SIP traffic", () => {
  it("records every message in and out as on the wire, with its flow, in order", async () => {
    stack = await startTraceStack();
    const { pbxPort, options, register } = await pbxSession(stack);
    const entries = (await traceJson(stack)).filter((e) => e.kind !== "http");
    expect(
      entries.map((e) => (e.kind === "sip" ? `${e.direction} ${e.summary.startLine.split(" ")[0]}` : e.kind)),
    ).toEqual(["connection", "in OPTIONS", "out SIP/2.0", "in REGISTER", "out SIP/2.0", "connection"]);
    const [opened, optIn, optOut, regIn, regOut, closed] = entries as [
      TraceEntry,
      SipTraceEntry,
      SipTraceEntry,
      SipTraceEntry,
      SipTraceEntry,
      TraceEntry,
    ];
    // Received bytes exactly as sent: the Via is not yet stamped with rport/received.
    expect(optIn.message).toBe(options);
    expect(regIn.message).toBe(register);
    expect(optOut.message).toContain(`;rport=${pbxPort}`);
    expect(optIn).toMatchObject({
      transport: "TLS",
      local: { address: "127.0.0.1", port: stack.ports.tls },
      peer: { address: "127.0.0.1", port: pbxPort },
      summary: { method: "OPTIONS", callId: "opt-1", cseq: "1 OPTIONS" },
    });
    expect(optOut.summary).toMatchObject({ status: 200, callId: "opt-1" });
    expect(regOut).toMatchObject({ ...TRUNK_OWNER, summary: { status: 200, callId: "reg-1" } });
    expect(opened).toMatchObject({ kind: "connection", event: "opened", connectionId: optIn.connectionId });
    expect(closed).toMatchObject({ kind: "connection", event: "closed", connectionId: optIn.connectionId });
    expect(new Set(entries.map((e) => e.seq)).size).toBe(entries.length);
  });

  it("filters by trunk (the connection's early messages included), Call-ID, kind and limit", async () => {
    stack = await startTraceStack();
    await pbxSession(stack);
    const other = await connectTls(stack);
    await other.request(optionsText("stranger", other.localPort));

    const byTrunk = sipOnly(await traceJson(stack, "?trunk=gtc-001"));
    expect(byTrunk.map((e) => e.summary.callId)).toEqual(["opt-1", "opt-1", "reg-1", "reg-1"]);
    expect(await traceJson(stack, "?tenant=t-acme&kind=sip")).toHaveLength(4);
    const byCall = sipOnly(await traceJson(stack, "?callId=reg-1"));
    expect(byCall.map((e) => e.direction)).toEqual(["in", "out"]);
    const last = await traceJson(stack, "?kind=sip&limit=1");
    expect(last).toMatchObject([{ kind: "sip", summary: { callId: "stranger", status: 200 } }]);
  });

  it("filters by emulator time (ISO 8601 or epoch ms)", async () => {
    stack = await startTraceStack();
    const c = await connectTls(stack);
    await c.request(optionsText("early", c.localPort));
    stack.clock.advance(60_000);
    const cut = stack.clock.now();
    await c.request(optionsText("late", c.localPort));
    for (const since of [String(cut), new Date(cut).toISOString()]) {
      const ids = sipOnly(await traceJson(stack, `?since=${encodeURIComponent(since)}`)).map(
        (e) => e.summary.callId,
      );
      expect(ids).toEqual(["late", "late"]);
    }
    const bad = await stack.app.inject({
      method: "GET",
      url: "/api/admin/trace?since=yesterday",
      headers: auth,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "validation_failed" });
  });

  it("renders a text ladder", async () => {
    stack = await startTraceStack();
    const { pbxPort } = await pbxSession(stack);
    const res = await trace(stack, "?format=text&kind=sip,connection");
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    const pbx = `PBX 127.0.0.1:${pbxPort}`;
    const connector = `connector 127.0.0.1:${stack.ports.tls}`;
    expect(res.body).toContain(`${pbx} ──OPTIONS──▶ ${connector}  TLS`);
    expect(res.body).toContain(`${pbx} ◀──200 OK── ${connector}  TLS  [tenant t-acme, trunk gtc-001]`);
    expect(res.body).toContain("        │ REGISTER sip:phoneapp.unify.com SIP/2.0\n");
    expect(res.body).toMatch(/TLS connection closed: .*\(closed by peer\)/);
  });

  it("appends the same entries to the trace file", async () => {
    const file = path.join(tempDir(), "trace.jsonl");
    stack = await startTraceStack({ traceFile: file });
    await pbxSession(stack);
    const entries = await traceJson(stack);
    await stack.recorder.close();
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as TraceEntry);
    // The file holds entries as recorded; the API adds owners learnt later on the connection.
    const view = (e: TraceEntry) => [e.seq, e.kind, e.kind === "sip" ? e.message : ""];
    expect(lines.slice(0, entries.length).map(view)).toEqual(entries.map(view));
  });

  it.skipIf(!hasTshark)(
    "exports a pcap that tshark decodes as the same SIP messages as the JSON",
    async () => {
      stack = await startTraceStack();
      await pbxSession(stack);
      const tcp = await SipTestClient.connectTcp(stack.ports.tcp);
      clients.push(tcp);
      await tcp.request(optionsText("over-tcp", tcp.localPort, "TCP"));
      const udp = dgram.createSocket("udp4");
      await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
      const answered = new Promise<Buffer>((resolve) => udp.once("message", resolve));
      udp.send(optionsText("over-udp", udp.address().port, "UDP"), stack.ports.udp, "127.0.0.1");
      await answered;
      udp.close();

      const entries = sipOnly(await traceJson(stack));
      const res = await trace(stack, "?format=pcap");
      expect(res.headers["content-type"]).toBe("application/vnd.tcpdump.pcap");
      expect(res.headers["content-disposition"]).toMatch(
        /^attachment; filename="upe-trace-\d{8}T\d{6}Z\.pcap"$/,
      );
      const file = path.join(tempDir(), "trace.pcap");
      writeFileSync(file, res.rawPayload);
      const { stdout } = await run("tshark", [
        "-r",
        file,
        "-Y",
        "sip",
        "-T",
        "fields",
        "-e",
        "sip.Method",
        "-e",
        "sip.Status-Code",
        "-e",
        "sip.Call-ID",
      ]);
      const decoded = stdout.trimEnd().split("\n");
      const expected = entries.map(
        (e) => `${e.summary.method ?? ""}\t${e.summary.status ?? ""}\t${e.summary.callId}`,
      );
      expect(decoded).toEqual(expected);
      expect(decoded).toContain("OPTIONS\t\tover-udp");
      expect(decoded).toContain("\t200\tover-tcp");
      expect(decoded).toContain("REGISTER\t\treg-1");
    },
  );
});

describe("trace of REST calls", () => {
  it("records method, path, route, status, latency and request id — never the token or secret query values", async () => {
    stack = await startTraceStack();
    const denied = await stack.app.inject({
      method: "GET",
      url: "/api/admin/trace",
      headers: { authorization: "Bearer wrong-token" },
    });
    expect(denied.statusCode).toBe(401);
    const invalid = await stack.app.inject({
      method: "GET",
      url: "/api/admin/trace?format=json&apiKey=s3cr3t-value",
      headers: auth,
    });
    expect(invalid.statusCode).toBe(400);
    const entries = await traceJson(stack, "?kind=http");
    expect(entries).toMatchObject([
      { kind: "http", method: "GET", path: "/api/admin/trace", route: "/api/admin/trace", status: 401 },
      { kind: "http", method: "GET", path: "/api/admin/trace?format=json&apiKey=***", status: 400 },
    ]);
    for (const e of entries) {
      expect(e.kind === "http" && e.latencyMs).toBeGreaterThanOrEqual(0);
      expect(e.kind === "http" && e.requestId).toMatch(/\S/);
    }
    const all = JSON.stringify(entries);
    expect(all).not.toContain("s3cr3t-value");
    expect(all).not.toContain("wrong-token");
    expect(all).not.toContain(ADMIN_TOKEN);
  });

  it("needs the admin token and DELETE empties the buffer", async () => {
    stack = await startTraceStack();
    const c = await connectTls(stack);
    await c.request(optionsText("before-clear", c.localPort));
    const anonymous = await stack.app.inject({ method: "DELETE", url: "/api/admin/trace" });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: "admin_token_missing" });
    const cleared = await stack.app.inject({ method: "DELETE", url: "/api/admin/trace", headers: auth });
    expect(cleared.statusCode).toBe(204);
    const res = (await trace(stack)).json<{
      buffer: { size: number; recorded: number };
      entries: TraceEntry[];
    }>();
    expect(res.entries).toMatchObject([{ kind: "http", method: "DELETE", status: 204 }]);
    expect(res.buffer.recorded).toBeGreaterThan(res.buffer.size);
  });
});
