import tls from "node:tls";
import { afterEach } from "vitest";
import type { EmulatorHandle, StartOptions } from "../../src/index.js";
import { MockOsbiz, type MockOsbizOptions } from "../../src/mock-osbiz/index.js";
import { ScenarioCatalog } from "../../src/scenarios/index.js";
import { startTestEmulator } from "./emulator.js";
import { httpClient } from "./http.js";

export const ADMIN = "scenario-admin";
/** The key every shipped scenario gives tenant Acme's PBX (api-key-regenerated aside). */
export const ACME_KEY = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";
export const VIDCO_KEY = "vidco-key-0001-hxlppFPkvSwdJ4jN2ikG";
export const ACME_TRUNK = { username: "3919209257", password: "s3cret-Trunk-1" };
export const AL = "+4923026672131";
export const catalog = new ScenarioCatalog();

/** Each test file its own RTP ranges (files run in parallel). */
export interface PortRanges {
  readonly emulator: { min: number; max: number };
  readonly mock: { min: number; max: number };
}

/**
 * An emulator for scenario tests: nothing seeded (every scenario brings its tenants), the
 * scenario applied the way support applies it at runtime, and helpers that look at it the
 * way the PBX and the admin app do.
 */
export async function scenarioEmulator(
  ports: PortRanges,
  options: StartOptions & { seedText?: string } = {},
) {
  const emulator = await startTestEmulator({
    adminToken: ADMIN,
    seedText: "tenants: []\n",
    rtpPorts: ports.emulator,
    ...options,
  });
  const http = httpClient(emulator);
  const mocks: MockOsbiz[] = [];
  const tenantId = async (name: string): Promise<string> => {
    const tenants = (await http.admin("GET", "/api/admin/tenants")).body as { id: string; name: string }[];
    const tenant = tenants.find((t) => t.name === name);
    if (!tenant) throw new Error(`no tenant ${name}`);
    return tenant.id;
  };
  return {
    emulator,
    http,
    /** POST /api/admin/scenarios/{name}/apply; the answer must be 200. */
    apply: async (name: string) => {
      const res = await http.admin("POST", `/api/admin/scenarios/${name}/apply`);
      if (res.status !== 200) throw new Error(`apply ${name}: ${res.status} ${res.text}`);
      return res.body;
    },
    tenantId,
    connectors: async (tenant: string) =>
      (await http.admin("GET", `/api/admin/tenants/${await tenantId(tenant)}/connectors`)).body as {
        name: string;
        systemId: string;
        status: string;
      }[],
    diagnose: async (tenant: string) =>
      (await http.admin("GET", `/api/admin/tenants/${await tenantId(tenant)}/diagnose`)).body as {
        problems: string[];
        warnings: string[];
        notes: string[];
        trunks: { name: string; lines: { inUse: number; limit: number }; problems: string[] }[];
      },
    faults: async () => (await http.admin("GET", "/api/admin/faults")).body as { id: string; hits: number }[],
    /** The mock OSBiz as support runs it: `mock-osbiz --api-key … --system-id osbiz-mock`. */
    mock: async (options: Partial<MockOsbizOptions> = {}) => {
      const mock = await MockOsbiz.start({
        url: emulator.urls.https,
        apiKey: ACME_KEY,
        ca: emulator.certificates.caCertPem!,
        systemId: "osbiz-mock",
        rtp: { bind: "127.0.0.1", portRange: ports.mock },
        ...options,
      });
      mocks.push(mock);
      return mock;
    },
    close: async () => {
      for (const mock of mocks.splice(0)) await mock.stop();
      await emulator.close();
    },
  };
}

export type ScenarioEmulator = Awaited<ReturnType<typeof scenarioEmulator>>;

/**
 * For one test file: starts scenario emulators on `ports` and closes the test's emulator
 * after each test. `withScenario` starts one with a scenario applied.
 */
export function scenarioPerTest(ports: PortRanges) {
  let current: ScenarioEmulator | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const start = async (options: StartOptions & { seedText?: string } = {}) =>
    (current = await scenarioEmulator(ports, options));
  const withScenario = async (name: string): Promise<ScenarioEmulator> => {
    const s = await start();
    await s.apply(name);
    return s;
  };
  return { start, withScenario };
}

/** A PBX's TLS handshake with the emulator's SIP port: its error code, or "ok" with the protocol. */
export function handshake(
  emulator: EmulatorHandle,
  options: tls.ConnectionOptions = {},
): Promise<{ ok: true; protocol: string | null } | { ok: false; code: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port: emulator.ports.sip,
      servername: "phoneapp.unify.com",
      ca: emulator.certificates.caCertPem!,
      ...options,
    });
    socket.once("secureConnect", () => {
      resolve({ ok: true, protocol: socket.getProtocol() });
      socket.destroy();
    });
    socket.once("error", (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: error.code ?? error.message }),
    );
  });
}
