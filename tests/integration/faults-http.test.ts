import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance, type onRequestAsyncHookHandler } from "fastify";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { installErrorHandler } from "../../src/api/error-handler.js";
import { faultHttp } from "../../src/api/plugins/fault-hook.js";
import { faultRoutes } from "../../src/api/routes/faults.js";
import { problemSchema } from "../../src/api/schemas/common.js";
import { ApiError } from "../../src/errors/index.js";
import { FaultEngine, type FaultHitEvent } from "../../src/faults/index.js";
import { ControllableClock } from "../../src/shared/clock.js";

const ADMIN = "admin-token-for-fault-tests";
const START = Date.parse("2030-01-01T00:00:00Z");
/** Long enough to see that a response has not come; nothing asserts how long anything takes. */
const QUIET_MS = 300;

let app: FastifyInstance | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.close();
  await app?.close();
  app = undefined;
  agent = undefined;
});

async function start() {
  const timers = new ControllableClock({ frozen: true });
  const engine = new FaultEngine(new ControllableClock({ start: START, frozen: true }));
  const hits: FaultHitEvent[] = [];
  engine.onHit((e) => hits.push(e));
  const server = Fastify({ forceCloseConnections: true });
  app = server;
  server.addSchema(problemSchema);
  installErrorHandler(server);
  faultHttp(server, engine, {
    timers,
    tenantByApiKey: (key) => (key === "acme-key" ? { id: "ten-1", name: "Acme" } : undefined),
  });
  const requireAdmin: onRequestAsyncHookHandler = async (req) => {
    if (req.headers.authorization !== `Bearer ${ADMIN}`) throw new ApiError("admin_token_invalid");
  };
  faultRoutes(server, { auth: { requireAdmin, requireApiKey: requireAdmin }, faults: engine });
  server.get("/api/v1/connector", async () => ({ ok: true }));
  server.post("/api/v1/users", async () => ({ created: true }));
  await server.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  agent = new Agent();
  const dispatcher = agent;
  const call = async (
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ) => {
    const res = await request(`${base}${path}`, {
      method: method as "GET",
      dispatcher,
      headers: {
        ...options.headers,
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, {
      headers: { authorization: `Bearer ${ADMIN}` },
      ...(body === undefined ? {} : { body }),
    });
  return { engine, timers, hits, call, admin };
}

describe("HTTP faults", () => {
  it("answers with the rule's status and an RFC 9457 problem, before routing", async () => {
    const s = await start();
    const id = s.engine.add({
      layer: "http",
      match: { method: "GET", path: "/api/v1/*" },
      action: { type: "respond", status: 503, retryAfter: 30 },
    }).id;
    const res = await s.call("GET", "/api/v1/connector?verbose=1");
    expect(res.status).toBe(503);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.headers["retry-after"]).toBe("30");
    expect(res.body).toMatchObject({
      status: 503,
      code: "fault_injected",
      detail: `fault ${id} answered GET /api/v1/connector`,
      instance: "/api/v1/connector?verbose=1",
    });
    expect((await s.call("POST", "/api/v1/users")).status).toBe(200);
    expect(s.engine.get(id)?.hits).toBe(1);
    expect(s.hits).toEqual([
      expect.objectContaining({
        point: "http.request",
        detail: "respond 503 Retry-After 30: GET /api/v1/connector from 127.0.0.1",
      }),
    ]);
  });

  it("matches a tenant by its API key and answers with a registry code", async () => {
    const s = await start();
    s.engine.add({
      layer: "http",
      match: { tenant: "acme", pathPattern: "^/api/v1/(connector|users)$" },
      action: { type: "respond", status: 401, code: "api_key_invalid", detail: "the key was regenerated" },
    });
    const acme = await s.call("GET", "/api/v1/connector", { headers: { "x-api-key": "acme-key" } });
    expect(acme.status).toBe(401);
    expect(acme.body).toMatchObject({ code: "api_key_invalid", detail: "the key was regenerated" });
    expect((await s.call("GET", "/api/v1/connector", { headers: { "x-api-key": "other" } })).status).toBe(
      200,
    );
    expect((await s.call("GET", "/api/v1/connector")).status).toBe(200);
  });

  it("delays a request until the timer clock has moved on", async () => {
    const s = await start();
    s.engine.add({ layer: "http", match: { path: "/api/v1/**" }, action: { type: "delay", ms: 10_000 } });
    let settled = false;
    const pending = s.call("GET", "/api/v1/connector").finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(settled).toBe(false);
    s.timers.advance(10_000);
    expect((await pending).status).toBe(200);
  });

  it("closes the socket in the middle of the response", async () => {
    const s = await start();
    s.engine.add({ layer: "http", match: { path: "/api/v1/connector" }, action: { type: "close" } });
    await expect(s.call("GET", "/api/v1/connector")).rejects.toThrow(/other side closed|socket|terminated/i);
    expect((await s.call("POST", "/api/v1/users")).status).toBe(200);
  });

  it("never faults the fault API itself, so a rule can always be removed", async () => {
    const s = await start();
    s.engine.add({ layer: "http", match: { path: "/**" }, action: { type: "respond", status: 500 } });
    expect((await s.call("GET", "/api/v1/connector")).status).toBe(500);
    expect((await s.admin("GET", "/api/admin/faults")).status).toBe(200);
    expect((await s.admin("DELETE", "/api/admin/faults")).body).toEqual({ removed: 1 });
    expect((await s.call("GET", "/api/v1/connector")).status).toBe(200);
  });
});

describe("/api/admin/faults", () => {
  it("adds, lists, reads and removes rules", async () => {
    const s = await start();
    const created = await s.admin("POST", "/api/admin/faults", {
      id: "busy",
      name: "registrar overload",
      layer: "sip",
      match: { direction: "in", method: "REGISTER" },
      action: { type: "respond", status: 503, retryAfter: 60 },
      when: { probability: 0.5, seed: 11 },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe("/api/admin/faults/busy");
    expect(created.body).toEqual({
      id: "busy",
      name: "registrar overload",
      layer: "sip",
      match: { direction: "in", method: "REGISTER" },
      action: { type: "respond", status: 503, retryAfter: 60 },
      when: { probability: 0.5, seed: 11 },
      hits: 0,
      lastHitAt: null,
      createdAt: "2030-01-01T00:00:00.000Z",
    });
    const second = await s.admin("POST", "/api/admin/faults", { layer: "tls", action: { type: "refuse" } });
    expect(second.body).toMatchObject({ id: "f1", when: { seed: expect.any(Number) } });
    expect((await s.admin("GET", "/api/admin/faults")).body.map((r: { id: string }) => r.id)).toEqual([
      "busy",
      "f1",
    ]);
    expect((await s.admin("GET", "/api/admin/faults/busy")).body.name).toBe("registrar overload");
    expect((await s.admin("DELETE", "/api/admin/faults/busy")).status).toBe(204);
    const gone = await s.admin("GET", "/api/admin/faults/busy");
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe("fault_not_found");
    expect((await s.admin("DELETE", "/api/admin/faults/busy")).body.code).toBe("fault_not_found");
    expect((await s.admin("DELETE", "/api/admin/faults")).body).toEqual({ removed: 1 });
  });

  it("refuses an invalid rule with every problem named, and an id in use", async () => {
    const s = await start();
    const bad = await s.admin("POST", "/api/admin/faults", {
      layer: "sip",
      match: { direction: "out" },
      action: { type: "respond", status: 42 },
      when: { everyNth: 0 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe("fault_invalid");
    expect(bad.body.errors).toEqual([
      {
        field: "fault.action",
        code: "invalid",
        message: "respond answers incoming requests: use direction in",
      },
      { field: "fault.action.status", code: "invalid", message: "must be an integer from 200 to 699" },
      { field: "fault.when.everyNth", code: "invalid", message: "must be an integer from 1 to 1000000000" },
    ]);
    expect((await s.admin("POST", "/api/admin/faults", { layer: "sip" })).status).toBe(400);
    await s.admin("POST", "/api/admin/faults", { id: "x", layer: "tls", action: { type: "stall" } });
    const taken = await s.admin("POST", "/api/admin/faults", {
      id: "x",
      layer: "tls",
      action: { type: "stall" },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe("fault_id_taken");
  });

  it("requires the admin token", async () => {
    const s = await start();
    expect((await s.call("GET", "/api/admin/faults")).status).toBe(401);
    expect(
      (await s.call("POST", "/api/admin/faults", { body: { layer: "tls", action: { type: "refuse" } } }))
        .status,
    ).toBe(401);
    expect(s.engine.list()).toEqual([]);
  });
});
