import https from "node:https";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

// The browser phone over HTTP: its page and policy, sip.js from the installed package (and
// nothing else from the disk), and the client-authenticated REST the page uses.

const AL_PASSWORD = "al-client-pass-1";
const BO_PASSWORD = "bo-client-pass-1";
const SIPJS_VERSION = "0.21.2";
const VENDOR = `/phone/vendor/sip.js@${SIPJS_VERSION}/`;

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  emulator = await startTestEmulator({
    seedText: acmeSeed(
      '{ emailAddress: bo@acme.test, firstName: Bo, lastName: Bee, locale: en-US, callno: "2132", system: osbiz-1 }',
    )
      .replace(
        'callno: "2131", system: osbiz-1 }',
        `callno: "2131", system: osbiz-1, clientPassword: "${AL_PASSWORD}" }`,
      )
      .replace(
        'callno: "2132", system: osbiz-1 }',
        `callno: "2132", system: osbiz-1, clientPassword: "${BO_PASSWORD}" }`,
      ),
  });
  http = httpClient(emulator);
});

afterAll(async () => {
  await emulator?.close();
});

/** A GET with the path sent exactly as written (undici and fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(emulator.urls.https);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: url.hostname, port: url.port, path, method: "GET", ca: emulator.certificates.caCertPem! },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const signIn = (body: Record<string, string>) => http.call("POST", "/api/client/session", { body });
const asClient = (token: string, method: string, path: string, body?: unknown) =>
  http.call(method, path, {
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body }),
  });

describe("GET /phone", () => {
  it("serves the page under a strict CSP that lets it reach only this origin and its wss://…/ws", async () => {
    const page = await http.call("GET", "/phone");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    const host = new URL(emulator.urls.https).host;
    const csp = String(page.headers["content-security-policy"]);
    expect(csp.split("; ")).toEqual(
      expect.arrayContaining([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        `connect-src 'self' wss://${host}`,
        "frame-ancestors 'none'",
      ]),
    );
    expect(csp).not.toContain("unsafe");
    expect(page.headers["permissions-policy"]).toBe("microphone=(self), camera=()");
    expect(page.text).toContain(`<meta name="upe-sipjs" content="${VENDOR}index.js">`);
    expect(page.text).toContain('<script type="module" src="/ui/phone.js"></script>');
    for (const file of ["phone.js", "phone-sip.js", "phone-api.js", "phone-view.js", "phone.css"]) {
      expect((await http.call("GET", `/ui/${file}`)).status, file).toBe(200);
    }
  });

  it("a Host header that is not a host stays out of the policy", async () => {
    const url = new URL(emulator.urls.https);
    const csp = await new Promise<string>((resolve, reject) => {
      https
        .get(
          {
            host: url.hostname,
            port: url.port,
            path: "/phone",
            headers: { host: "evil; script-src *" },
            ca: emulator.certificates.caCertPem!,
            servername: "localhost",
          },
          (res) => {
            res.resume();
            resolve(String(res.headers["content-security-policy"]));
          },
        )
        .on("error", reject);
    });
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain("evil");
  });
});

describe("sip.js for the browser", () => {
  it("serves the package's ESM files under a versioned path, cached as immutable", async () => {
    for (const file of [
      "index.js",
      "api/user-agent.js",
      "platform/web/session-description-handler/index.js",
    ]) {
      const res = await http.call("GET", `${VENDOR}${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
      expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
    expect((await http.call("GET", `${VENDOR}index.js`)).text).toContain('export * from "./api/index.js"');
  });

  it("answers 404 for everything else: other versions, non-.js files, traversal in any spelling", async () => {
    const attempts = [
      `${VENDOR}index.d.ts`,
      `${VENDOR}version.d.ts`,
      `${VENDOR}`,
      `${VENDOR}api`,
      `${VENDOR}../package.json`,
      `${VENDOR}..%2fpackage.json`,
      `${VENDOR}%2e%2e/package.json`,
      `${VENDOR}%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json`,
      `${VENDOR}../../../../../../etc/passwd`,
      `${VENDOR}..\\package.json`,
      `${VENDOR}api/../index.js`,
      `${VENDOR}/index.js`,
      "/phone/vendor/sip.js@0.0.1/index.js",
      "/phone/vendor/sip.js/index.js",
      "/phone/vendor/../../package.json",
      "/phone/vendor/%2e%2e/%2e%2e/src/main.ts",
      "/phone/vendor/werift/lib/index.js",
      "/ui/../package.json",
      "/ui/phone.html",
    ];
    for (const path of attempts) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('"version"');
      expect(res.body, path).not.toContain("root:");
    }
  });
});

describe("client REST (/api/client/*)", () => {
  it("signs in by tenant name and callno, e-mail or user id; acts for that user only", async () => {
    const acme = (await http.admin("GET", "/api/admin/tenants")).body[0];
    const users = (await http.admin("GET", `/api/admin/tenants/${acme.id}/users`)).body.items as {
      id: string;
      emailAddress: string;
    }[];
    const al = users.find((u) => u.emailAddress === "al@acme.test")!;
    const bo = users.find((u) => u.emailAddress === "bo@acme.test")!;

    const byCallno = await signIn({ tenant: "acme", user: "2131", password: AL_PASSWORD });
    expect(byCallno.status).toBe(201);
    expect(byCallno.headers["cache-control"]).toBe("no-store");
    expect(byCallno.body).toMatchObject({
      user: { id: al.id, tenantId: acme.id, callno: "2131", phoneNumber: "+4923026672131" },
      sip: {
        aor: `sip:${al.id}@phoneapp.unify.com`,
        authorizationUsername: al.id,
        domain: "phoneapp.unify.com",
        webSocketPath: "/ws",
      },
    });
    expect(byCallno.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(byCallno.body)).not.toContain(AL_PASSWORD);
    // Neither the password nor the token reach the trace (HTTP entries are method, path, status).
    const trace = (await http.admin("GET", "/api/admin/trace")).text;
    expect(trace).toContain("/api/client/session");
    expect(trace).not.toContain(AL_PASSWORD);
    expect(trace).not.toContain(byCallno.body.token);
    expect((await signIn({ tenant: acme.id, user: "bo@acme.test", password: BO_PASSWORD })).status).toBe(201);
    expect((await signIn({ tenant: "Acme", user: al.id, password: AL_PASSWORD })).status).toBe(201);
    expect((await signIn({ tenant: "Acme", user: "+4923026672131", password: AL_PASSWORD })).status).toBe(
      201,
    );

    const token = byCallno.body.token as string;
    const me = await asClient(token, "GET", "/api/client/me");
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(al.id);

    // One journal entry each (the trunk is not registered: refused, but journaled).
    for (const fromUser of [al.id, bo.id]) {
      const placed = await http.admin("POST", "/api/admin/calls", { fromUser, to: "+4923026679999" });
      expect(placed.body.code).toBe("trunk_not_registered");
    }
    const calls = await asClient(token, "GET", "/api/client/calls");
    expect(calls.status).toBe(200);
    expect(calls.headers["x-total-count"]).toBe("1");
    expect(calls.body).toHaveLength(1);
    expect(calls.body[0]).toMatchObject({ userId: al.id, direction: "user-to-pbx", to: "+4923026679999" });
    expect((await asClient(token, "GET", "/api/client/calls?limit=1")).body).toHaveLength(1);
    const bad = await asClient(token, "GET", "/api/client/calls?limit=x");
    expect([bad.status, bad.body.code]).toEqual([400, "validation_failed"]);
  });

  it("refuses a wrong password, an unknown user or tenant alike, without saying which", async () => {
    const attempts = [
      { tenant: "Acme", user: "2131", password: "wrong-password-1" },
      { tenant: "Acme", user: "2199", password: AL_PASSWORD },
      { tenant: "Nobody", user: "2131", password: AL_PASSWORD },
      { tenant: "Acme", user: "al@acme.test", password: BO_PASSWORD },
    ];
    for (const body of attempts) {
      const res = await signIn(body);
      expect(res.status).toBe(401);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe("client_sign_in_failed");
      expect(res.text).not.toContain(body.password);
    }
    const missing = await signIn({ tenant: "Acme", user: "2131" });
    expect([missing.status, missing.body.code]).toEqual([400, "validation_failed"]);
  });

  it("needs a live session: none, garbage, signed out, or the password changed since", async () => {
    expect((await http.call("GET", "/api/client/me")).body.code).toBe("client_session_missing");
    expect((await asClient("not-a-token", "GET", "/api/client/me")).body.code).toBe("client_session_invalid");
    // An admin token is not a client session.
    expect((await asClient(emulator.adminToken!, "GET", "/api/client/calls")).status).toBe(401);

    const first = (await signIn({ tenant: "Acme", user: "2132", password: BO_PASSWORD })).body;
    expect((await asClient(first.token, "DELETE", "/api/client/session")).status).toBe(204);
    expect((await asClient(first.token, "GET", "/api/client/me")).body.code).toBe("client_session_invalid");

    const second = (await signIn({ tenant: "Acme", user: "2132", password: BO_PASSWORD })).body;
    const path = `/api/admin/tenants/${second.user.tenantId}/users/${second.user.id}/client-password`;
    expect((await http.admin("PUT", path, { password: "bo-client-pass-2" })).status).toBe(204);
    const after = await asClient(second.token, "GET", "/api/client/me");
    expect([after.status, after.body.code]).toEqual([401, "client_session_invalid"]);
    expect((await signIn({ tenant: "Acme", user: "2132", password: BO_PASSWORD })).status).toBe(401);
    expect((await signIn({ tenant: "Acme", user: "2132", password: "bo-client-pass-2" })).status).toBe(201);
  });

  it("sets DND as the app (the connector's presence, as the admin sees it) and reads it back", async () => {
    const { token, user } = (await signIn({ tenant: "Acme", user: "2131", password: AL_PASSWORD })).body;
    const res = await asClient(token, "PUT", "/api/client/presence", { dnd: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dnd: true, dndSource: "app" });
    expect((await asClient(token, "GET", "/api/client/me")).body.presence).toMatchObject({ dnd: true });
    const admin = await http.admin("GET", `/api/admin/tenants/${user.tenantId}/users/${user.id}/presence`);
    expect(admin.body).toMatchObject({ dnd: true, dndSource: "app" });
    expect((await asClient(token, "PUT", "/api/client/presence", { dnd: false })).body.dnd).toBe(false);
    const bad = await asClient(token, "PUT", "/api/client/presence", { dnd: "yes" });
    expect([bad.status, bad.body.code]).toEqual([400, "validation_failed"]);
  });

  it("locks a user's sign-in after 10 wrong passwords (429 + Retry-After)", async () => {
    // From an address of its own, so the other tests' failures do not count here.
    const dispatcher = new Agent({
      localAddress: "127.0.0.5",
      connect: { ca: emulator.certificates.caCertPem! },
    });
    const attempt = async (password: string) => {
      const res = await request(`${emulator.urls.https}/api/client/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenant: "Acme", user: "+4923026672131", password }),
        dispatcher,
      });
      const body = (await res.body.json()) as { code?: string };
      return { status: res.statusCode, code: body.code, retryAfter: Number(res.headers["retry-after"]) };
    };
    try {
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await attempt(`guess-${i}-xxxx`);
        codes.push(res.code);
        if (res.status === 429) {
          expect(res.retryAfter).toBeGreaterThan(0);
          break;
        }
      }
      expect(codes).toEqual([...Array(10).fill("client_sign_in_failed"), "rate_limited"]);
      // Locked even with the right password, until the lock ends.
      expect((await attempt(AL_PASSWORD)).status).toBe(429);
    } finally {
      await dispatcher.close();
    }
  });
});
