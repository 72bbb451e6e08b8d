import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import type { StubResponder } from "../../src/services/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { EventStreamClient } from "../support/event-stream-client.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

const API_KEY = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";
const BEARER = "Bearer abcdefghijklmnopqrstuvwxyz0123456789A";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let webhook: WebhookReceiver;

beforeAll(async () => {
  emulator = await startTestEmulator({ unmatchedBodyLimit: 200 });
  http = httpClient(emulator);
  webhook = await WebhookReceiver.start();
  const put = await http.admin("PUT", "/api/admin/webhook", { url: webhook.url, events: ["unmatched.*"] });
  expect(put.status).toBe(200);
});

afterAll(async () => {
  await emulator?.close();
  await webhook?.close();
});

describe("HTTP requests that match no route", () => {
  it("are answered 404 problem+json naming method, path and journal id, and captured with secrets redacted", async () => {
    const res = await http.call("POST", "/api/connector/v2/wizard/activate?token=tok-123&site=lab", {
      headers: { authorization: BEARER, "x-api-key": API_KEY, cookie: "sid=42" },
      body: { userName: "admin", password: "pbx-Secret-9", nested: { clientSecret: "xyz" } },
    });
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body.code).toBe("not_found");
    expect(res.body.detail).toContain("POST /api/connector/v2/wizard/activate");
    const id: string = res.body.unmatchedId;
    expect(id).toMatch(/^um_\d+$/);

    const got = await http.admin("GET", `/api/admin/unmatched/${id}`);
    expect(got.status).toBe(200);
    const entry = got.body;
    expect(entry).toMatchObject({
      id,
      kind: "http",
      method: "POST",
      path: "/api/connector/v2/wizard/activate",
      query: { site: "lab", token: "…(redacted, 7 chars)" },
      status: 404,
      answeredBy: "default",
      contentType: "application/json",
      remoteAddress: "127.0.0.1",
    });
    expect(entry.tenantId).toBe(emulator.store.tenants.getByApiKey(API_KEY)?.id);
    const headers = Object.fromEntries(entry.headers as [string, string][]);
    expect(headers.authorization).toBe("Bearer …(redacted, 37 chars)");
    expect(headers["x-api-key"]).toBe(`…(redacted, ${API_KEY.length} chars)`);
    expect(headers.cookie).toBe("…(redacted, 6 chars)");
    expect(got.text).not.toContain(API_KEY);
    expect(got.text).not.toContain("pbx-Secret-9");
    expect(got.text).not.toContain("abcdefghij");
    expect(JSON.parse(entry.body)).toEqual({
      userName: "admin",
      password: "…(redacted, 12 chars)",
      nested: { clientSecret: "…(redacted, 3 chars)" },
    });
  });

  it("keeps a body only up to --unmatched-body-limit, whatever its type, and says so", async () => {
    const xml = `<activate>${"x".repeat(300)}</activate>`;
    const res = await http.call("PUT", "/unknown/xml", { raw: xml, contentType: "application/xml" });
    expect(res.status).toBe(404);
    const entry = (await http.admin("GET", `/api/admin/unmatched/${res.body.unmatchedId}`)).body;
    expect(entry.bodyBytes).toBe(Buffer.byteLength(xml));
    expect(entry.bodyTruncated).toBe(true);
    expect(entry.body).toBe(xml.slice(0, 200));
  });

  it("redacts password fields of a JSON body too long to parse once cut", async () => {
    const body = { password: "cut-Secret-77", filler: "y".repeat(300) };
    const res = await http.call("POST", "/unknown/long", { body });
    const entry = (await http.admin("GET", `/api/admin/unmatched/${res.body.unmatchedId}`)).body;
    expect(entry.bodyTruncated).toBe(true);
    expect(entry.body).not.toContain("cut-Secret-77");
    expect(entry.body).toContain("redacted");
  });

  it("a malformed JSON body to an unknown path is still captured and answered 404", async () => {
    const res = await http.call("POST", "/unknown/bad-json", {
      raw: '{"a":',
      contentType: "application/json",
    });
    expect(res.status).toBe(404);
    expect(res.body.unmatchedId).toMatch(/^um_/);
  });

  it("lists newest first, filters by kind, pages with x-total-count, and clears", async () => {
    for (const p of ["/p/1", "/p/2", "/p/3"]) expect((await http.call("GET", p)).status).toBe(404);
    const page = await http.admin("GET", "/api/admin/unmatched?kind=http&limit=2&offset=0");
    expect(page.status).toBe(200);
    expect(Number(page.headers["x-total-count"])).toBeGreaterThanOrEqual(3);
    expect(page.body.map((e: { path: string }) => e.path)).toEqual(["/p/3", "/p/2"]);
    const next = await http.admin("GET", "/api/admin/unmatched?kind=http&limit=1&offset=2");
    expect(next.body[0].path).toBe("/p/1");
    expect((await http.admin("GET", "/api/admin/unmatched?kind=sip")).body).toEqual([]);
    expect((await http.admin("GET", "/api/admin/unmatched?kind=ftp")).status).toBe(400);
    expect((await http.admin("GET", "/api/admin/unmatched/um_999999")).body.code).toBe("unmatched_not_found");
    expect((await http.call("GET", "/api/admin/unmatched")).status).toBe(401);

    const cleared = await http.admin("DELETE", "/api/admin/unmatched");
    expect(cleared.status).toBe(200);
    expect(cleared.body.removed).toBeGreaterThanOrEqual(3);
    expect((await http.admin("GET", "/api/admin/unmatched")).body).toEqual([]);
  });

  it("goes to the trace as an unmatched entry with the full message, secrets redacted", async () => {
    const res = await http.call("POST", "/trace/me?password=tr-Pass-1", {
      headers: { authorization: BEARER },
      body: { a: 1 },
    });
    const id = res.body.unmatchedId;
    let entry: { message: string; target: string; status: number } | undefined;
    await until(async () => {
      const trace = await http.admin("GET", "/api/admin/trace?kind=unmatched");
      entry = trace.body.entries?.find((e: { unmatchedId: string }) => e.unmatchedId === id);
      return entry !== undefined;
    }, "the unmatched trace entry");
    expect(entry).toMatchObject({
      target: "/trace/me",
      status: 404,
      answeredBy: "default",
      protocol: "http",
    });
    expect(entry!.message).toContain("POST /trace/me?password=…(redacted, 9 chars) HTTP/1.1");
    expect(entry!.message).toContain("authorization: Bearer …(redacted, 37 chars)");
    expect(entry!.message).toContain('{"a":1}');
    expect(entry!.message).not.toContain("tr-Pass-1");
  });

  it("is delivered to the webhook as unmatched.request", async () => {
    const res = await http.call("DELETE", "/hooked");
    const id = res.body.unmatchedId;
    await until(() => webhook.delivered.some((r) => r.json.unmatched?.id === id), "the webhook delivery");
    const delivery = webhook.delivered.find((r) => r.json.unmatched?.id === id)!;
    expect(delivery.headers["x-upe-event"]).toBe("unmatched.request");
    expect(delivery.json).toMatchObject({
      type: "unmatched.request",
      unmatched: {
        id,
        kind: "http",
        method: "DELETE",
        target: "/hooked",
        status: 404,
        answeredBy: "default",
      },
    });
    expect(delivery.json.unmatched.journal).toBe(`/api/admin/unmatched/${id}`);
  });

  it("is published on the live event stream as an unmatched event", async () => {
    const events = await EventStreamClient.open(emulator);
    try {
      await events.next("ready");
      const res = await http.call("PATCH", "/live/one");
      const event = await events.next("unmatched", (d) => d.id === res.body.unmatchedId);
      expect(event.data).toMatchObject({
        kind: "http",
        method: "PATCH",
        target: "/live/one",
        status: 404,
        answeredBy: "default",
      });
    } finally {
      await events.close();
    }
  });

  it("is answered by a StubResponder when it answers, journaled with the mapping id", async () => {
    const asked: string[] = [];
    const fake: StubResponder = {
      answerHttp: async (req) => {
        asked.push(`${req.method} ${req.path} ${req.body.toString()} ${req.headers["x-api-key"]}`);
        if (req.path !== "/stubbed") return undefined;
        return {
          status: 201,
          headers: { "content-type": "application/json", "x-stub": "yes" },
          body: '{"ok":true}',
          mappingId: "map-1",
        };
      },
      answerSip: async () => undefined,
    };
    emulator.unmatched.useStubs(fake);
    try {
      const res = await http.call("POST", "/stubbed", { headers: { "x-api-key": API_KEY }, body: { q: 1 } });
      expect(res.status).toBe(201);
      expect(res.headers["x-stub"]).toBe("yes");
      expect(res.body).toEqual({ ok: true });
      // The stub sees the request as it came (it matches on it); the journal keeps it redacted.
      expect(asked).toContain(`POST /stubbed {"q":1} ${API_KEY}`);
      const [latest] = (await http.admin("GET", "/api/admin/unmatched?limit=1")).body;
      expect(latest).toMatchObject({ path: "/stubbed", status: 201, answeredBy: { mappingId: "map-1" } });

      const other = await http.call("GET", "/not-stubbed");
      expect(other.status).toBe(404);
      expect(
        (await http.admin("GET", `/api/admin/unmatched/${other.body.unmatchedId}`)).body.answeredBy,
      ).toBe("default");
    } finally {
      emulator.unmatched.useStubs(undefined);
    }
  });

  it("leaves matched routes alone: a known route's 404 is not captured", async () => {
    await http.admin("DELETE", "/api/admin/unmatched");
    const res = await http.admin("GET", "/api/admin/calls/call-999999");
    expect(res.status).toBe(404);
    expect(res.body.unmatchedId).toBeUndefined();
    expect((await http.admin("GET", "/api/admin/unmatched")).body).toEqual([]);
  });
});

describe("--unmatched-http-status", () => {
  it("changes the default status", async () => {
    const other = await startTestEmulator({ unmatchedHttpStatus: 501 });
    try {
      const res = await httpClient(other).call("GET", "/nowhere");
      expect(res.status).toBe(501);
      expect(res.body).toMatchObject({ status: 501, code: "not_found" });
      expect(res.body.unmatchedId).toMatch(/^um_/);
    } finally {
      await other.close();
    }
  });
});
