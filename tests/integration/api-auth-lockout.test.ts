import { Agent, request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";

// Issue 9.4 on the REST side: failures count per target (admin, API key) as well as per
// source, a success only halves the count, and each further lock lasts twice as long.

const ADMIN = "right-admin-token";
let emulator: EmulatorHandle;
const agents: Agent[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN });
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await emulator.close();
});

/** A caller whose requests come from `localAddress` (a loopback address, 127.0.0.x). */
function from(localAddress = "127.0.0.1") {
  const dispatcher = new Agent({ localAddress, connect: { ca: emulator.certificates.caCertPem! } });
  agents.push(dispatcher);
  const get = async (path: string, headers: Record<string, string>) => {
    const res = await request(`${emulator.urls.https}${path}`, { headers, dispatcher });
    const body = (await res.body.json()) as { code?: string };
    return { status: res.statusCode, code: body.code, retryAfter: Number(res.headers["retry-after"]) };
  };
  return {
    admin: (token: string) => get("/api/admin/tenants", { authorization: `Bearer ${token}` }),
    pbx: (apiKey: string) => get("/api/connector/v1/systems/osbiz-1", { "x-api-key": apiKey }),
  };
}

async function apiKey(): Promise<string> {
  const [tenant] = (await emulator.client.tenants.list()) as { apiKey: string }[];
  return tenant!.apiKey;
}

describe("REST lockouts", () => {
  it("a valid API key between guesses halves the count instead of clearing it", async () => {
    const key = await apiKey();
    const pbx = from();
    for (let i = 0; i < 9; i++) expect((await pbx.pbx(`guess-a-${i}`)).code).toBe("api_key_invalid");
    expect((await pbx.pbx(key)).status).toBe(200);
    const answers: string[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await pbx.pbx(`guess-b-${i}`);
      answers.push(res.code!);
      if (res.status === 429) break;
    }
    // 9 failures halved to 4: the 6th further guess locks, the 7th request is refused.
    expect(answers).toEqual([...Array(6).fill("api_key_invalid"), "rate_limited"]);
  });

  it("backs off exponentially: each further lock of a source lasts twice as long", async () => {
    const caller = from();
    const lockAfterGuesses = async () => {
      for (let i = 0; i < 10; i++) expect((await caller.admin(`guess-${i}`)).status).toBe(401);
      const locked = await caller.admin(ADMIN);
      expect(locked.code).toBe("rate_limited");
      return locked.retryAfter;
    };
    expect(await lockAfterGuesses()).toBe(60);
    emulator.clock.advance(61_000);
    expect(await lockAfterGuesses()).toBe(120);
  });

  it("counts admin failures across sources, without locking out the admin's own address", async () => {
    const admin = from("127.0.0.1");
    expect((await admin.admin(ADMIN)).status).toBe(200);
    for (let i = 2; i <= 11; i++) expect((await from(`127.0.0.${i}`).admin(`guess-${i}`)).status).toBe(401);
    const stranger = await from("127.0.0.12").admin(ADMIN);
    expect([stranger.status, stranger.code]).toEqual([429, "rate_limited"]);
    expect(stranger.retryAfter).toBe(60);
    expect((await admin.admin(ADMIN)).status).toBe(200);
  });
});
