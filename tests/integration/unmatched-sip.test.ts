import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import type { StubResponder, UnmatchedSipRequest } from "../../src/services/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let pbx: PbxTestUa;

beforeAll(async () => {
  emulator = await startTestEmulator({ unmatchedBodyLimit: 32 });
  http = httpClient(emulator);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
});

afterAll(async () => {
  pbx?.client.close();
  await emulator?.close();
});

/** The journal id the answer's Warning names. */
function idOf(warning: string | undefined): string {
  const id = /captured as unmatched (um_\d+)/.exec(warning ?? "")?.[1];
  if (!id) throw new Error(`no journal id in Warning ${warning}`);
  return id;
}

async function entry(id: string) {
  const res = await http.admin("GET", `/api/admin/unmatched/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe("SIP requests the emulator does not handle", () => {
  it("an unknown method: 501 naming it, captured with the trunk, tenant, flow and redacted Authorization", async () => {
    const res = await pbx.client.request(
      pbx.outOfDialog("FROBNICATE", { headers: ['Authorization: Digest username="x", response="abc123"'] }),
    );
    expect(res.status).toBe(501);
    expect(res.reason).toBe("Not Implemented: method FROBNICATE");
    const e = await entry(idOf(res.headers.get("warning")));
    const trunk = emulator.store.trunks.getByUsername(TRUNK.username)!;
    expect(e).toMatchObject({
      kind: "sip",
      method: "FROBNICATE",
      requestUri: "sip:+4923026672131@phoneapp.unify.com",
      status: 501,
      reason: "Not Implemented: method FROBNICATE",
      cause: "unknown method FROBNICATE",
      transport: "TLS",
      remoteAddress: "127.0.0.1",
      remotePort: pbx.port,
      trunkId: trunk.id,
      trunkUsername: TRUNK.username,
      tenantId: trunk.tenantId,
      answeredBy: "default",
    });
    const headers = Object.fromEntries(e.headers as [string, string][]);
    expect(headers.Authorization).toBe("Digest …(redacted, 31 chars)");
  });

  it("PUBLISH and MESSAGE (known, no handler): 405 with Allow, captured with body capped", async () => {
    const text = "hello from the PBX, a rather long instant message";
    const message = await pbx.client.request(pbx.outOfDialog("MESSAGE", { body: text }));
    expect(message.status).toBe(405);
    expect(message.reason).toContain("MESSAGE");
    expect(message.headers.getAll("allow")).toContain("INVITE");
    const e = await entry(idOf(message.headers.get("warning")));
    expect(e).toMatchObject({
      method: "MESSAGE",
      contentType: "text/plain",
      bodyBytes: text.length,
      bodyTruncated: true,
    });
    expect(e.body).toBe(text.slice(0, 32));

    const publish = await pbx.client.request(
      pbx.outOfDialog("PUBLISH", {
        headers: ["Event: presence"],
        body: "<presence/>",
        contentType: "application/pidf+xml",
      }),
    );
    expect(publish.status).toBe(405);
    expect(await entry(idOf(publish.headers.get("warning")))).toMatchObject({
      method: "PUBLISH",
      event: "presence",
      cause: "no handler for PUBLISH (event package presence)",
    });
  });

  it("SUBSCRIBE to an unknown event package is captured with its event", async () => {
    const res = await pbx.client.request(
      pbx.outOfDialog("SUBSCRIBE", { headers: ["Event: x-osbiz-wizard", "Expires: 60"] }),
    );
    expect(res.status).toBe(405);
    expect(res.reason).toBe("Method Not Allowed: the connector does not accept SUBSCRIBE");
    expect(await entry(idOf(res.headers.get("warning")))).toMatchObject({
      method: "SUBSCRIBE",
      event: "x-osbiz-wizard",
    });
  });

  it("INFO with a body type no handler understands: 415 with Accept, captured", async () => {
    const res = await pbx.client.request(
      pbx.outOfDialog("INFO", { body: "<xml/>", contentType: "application/x-osbiz-info+xml" }),
    );
    expect(res.status).toBe(415);
    expect(res.headers.get("accept")).toContain("application/dtmf-relay");
    expect(await entry(idOf(res.headers.get("warning")))).toMatchObject({
      method: "INFO",
      contentType: "application/x-osbiz-info+xml",
      status: 415,
    });
  });

  it("is listed with kind=sip and has a trace entry with the message, Authorization redacted", async () => {
    const res = await pbx.client.request(
      pbx.outOfDialog("FROBNICATE", { headers: ['Authorization: Digest username="y", response="zzz999"'] }),
    );
    const id = idOf(res.headers.get("warning"));
    const list = await http.admin("GET", "/api/admin/unmatched?kind=sip");
    expect(list.body[0].id).toBe(id);
    expect(list.body.every((e: { kind: string }) => e.kind === "sip")).toBe(true);
    let traced: { message: string; trunkId?: string } | undefined;
    await until(async () => {
      const trace = await http.admin("GET", "/api/admin/trace?kind=unmatched");
      traced = trace.body.entries.find((t: { unmatchedId: string }) => t.unmatchedId === id);
      return traced !== undefined;
    }, "the unmatched trace entry");
    expect(traced!.message).toContain("FROBNICATE sip:+4923026672131@phoneapp.unify.com SIP/2.0");
    expect(traced!.message).toContain("Authorization: Digest …(redacted");
    expect(traced!.message).not.toContain("zzz999");
    expect(traced!.trunkId).toBe(emulator.store.trunks.getByUsername(TRUNK.username)!.id);
  });

  it("a StubResponder's answer goes out instead, and the journal names its mapping", async () => {
    const seen: UnmatchedSipRequest[] = [];
    const fake: StubResponder = {
      answerHttp: async () => undefined,
      answerSip: async (req) => {
        seen.push(req);
        if (req.event !== "x-osbiz-wizard") return undefined;
        return {
          status: 200,
          reason: "OK (stubbed)",
          headers: [["Expires", "60"]],
          body: "subscribed",
          contentType: "text/plain",
          mappingId: "sip-map-1",
        };
      },
    };
    emulator.unmatched.useStubs(fake);
    try {
      const res = await pbx.client.request(
        pbx.outOfDialog("SUBSCRIBE", { headers: ["Event: x-osbiz-wizard"] }),
      );
      expect(res.status).toBe(200);
      expect(res.reason).toBe("OK (stubbed)");
      expect(res.headers.get("expires")).toBe("60");
      expect(res.body.toString()).toBe("subscribed");
      expect(seen[0]).toMatchObject({
        method: "SUBSCRIBE",
        event: "x-osbiz-wizard",
        trunkUsername: TRUNK.username,
      });
      const [latest] = (await http.admin("GET", "/api/admin/unmatched?kind=sip&limit=1")).body;
      expect(latest).toMatchObject({
        method: "SUBSCRIBE",
        status: 200,
        answeredBy: { mappingId: "sip-map-1" },
      });

      const other = await pbx.client.request(pbx.outOfDialog("SUBSCRIBE", { headers: ["Event: dialog"] }));
      expect(other.status).toBe(405);
    } finally {
      emulator.unmatched.useStubs(undefined);
    }
  });
});

describe("--unmatched-sip-status", () => {
  it("405 for an unknown method comes with the Allow list", async () => {
    const other = await startTestEmulator({ unmatchedSipStatus: 405 });
    const ua = await PbxTestUa.connect(other, TRUNK.username, TRUNK.password);
    try {
      const res = await ua.client.request(ua.outOfDialog("FROBNICATE"));
      expect(res.status).toBe(405);
      expect(res.reason).toBe("Method Not Allowed: unknown method FROBNICATE");
      expect(res.headers.getAll("allow")).toEqual(expect.arrayContaining(["INVITE", "REGISTER", "OPTIONS"]));
    } finally {
      ua.client.close();
      await other.close();
    }
  });

  it("replaces the RFC's status, with its reason phrase and the cause", async () => {
    const other = await startTestEmulator({ unmatchedSipStatus: 489 });
    const ua = await PbxTestUa.connect(other, TRUNK.username, TRUNK.password);
    try {
      const res = await ua.client.request(ua.outOfDialog("SUBSCRIBE", { headers: ["Event: x-unknown"] }));
      expect(res.status).toBe(489);
      expect(res.reason).toBe("Bad Event: no handler for SUBSCRIBE (event package x-unknown)");
      expect(res.headers.has("allow")).toBe(false);
      expect(res.headers.get("warning")).toMatch(/captured as unmatched um_\d+/);
    } finally {
      ua.client.close();
      await other.close();
    }
  });
});
