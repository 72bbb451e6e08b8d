import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { ADMIN_TOKEN, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";
import { until } from "../support/until.js";

const SEED = acmeSeed();

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let mock: MockOsbiz | undefined;
let lines: string[];
let deskPhone: string;

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN, seedText: SEED, ctiSession: "auto" });
  api = usersClient(emulator);
  const tenant = await api.tenantId("Acme");
  const al = (await api.all(tenant)).find((u) => u.callno === "2131");
  deskPhone = `/api/admin/tenants/${tenant}/users/${al.id}/desk-phone`;
  lines = [];
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 45000, max: 45999 } },
    log: (line) => lines.push(line),
  });
});

afterEach(async () => {
  await mock?.stop();
  mock = undefined;
  await api.close();
  await emulator.close();
});

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function state(): Promise<any> {
  return (await api.call("GET", deskPhone)).body;
}

function untilState(check: (s: Record<string, unknown>) => boolean, what: string): Promise<void> {
  return until(
    async () => check(await state()),
    () => `${what}\n${lines.join("\n")}`,
  );
}

describe("the emulator's CTI with the mock OSBiz's desk phones (uaCSTA over the trunk)", () => {
  it("opens the session on registration, and drives the desk phone both ways", async () => {
    await untilState((s) => s.cti === "connected" && s.monitored === true, "the desk phone monitored");
    expect(mock!.cstaSessions).toHaveLength(1);

    // From the app: DND on the desk phone; from the desk phone: DND off, seen by the cloud.
    const dnd = await api.call("POST", `${deskPhone}/dnd`, { json: { on: true } });
    expect(dnd.status).toBe(200);
    expect(mock!.deskPhone("2131").dnd).toBe(true);
    mock!.deskPhone("2131").setDnd(false);
    await untilState((s) => s.dnd === false, "DND off from the desk phone");

    // A call rings the desk phone; the app answers, holds and clears it there.
    mock!.deskPhone("2131").ring("+4930123456");
    await untilState((s) => s.status === "ringing", "ringing");
    expect((await api.call("POST", `${deskPhone}/answer`, { json: {} })).status).toBe(200);
    expect(mock!.deskPhone("2131").state).toBe("connected");
    await untilState((s) => s.status === "connected", "connected");
    expect((await api.call("POST", `${deskPhone}/hold`, { json: {} })).status).toBe(200);
    expect(mock!.deskPhone("2131").state).toBe("held");
    expect((await api.call("POST", `${deskPhone}/clear`, { json: {} })).status).toBe(200);
    expect(mock!.deskPhone("2131").state).toBe("idle");
    await untilState((s) => s.status === "idle", "idle after clearing");

    // MakeCall: the desk phone calls out (the far end is modelled as answering at once).
    const made = await api.call("POST", `${deskPhone}/make-call`, { json: { to: "004989700" } });
    expect(made.status).toBe(200);
    expect(mock!.deskPhone("2131").snapshot()).toMatchObject({ state: "connected", peer: "004989700" });
    await untilState((s) => s.status === "connected", "connected after MakeCall");
  }, 30_000);
});
