import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import { ADMIN_TOKEN, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";
import { until } from "../support/until.js";

const CALLER = "004930123456";
const AL = "+4923026672131";

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let mock: MockOsbiz | undefined;
let lines: string[];
let user: string;

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN, seedText: acmeSeed(), ctiSession: "auto" });
  api = usersClient(emulator);
  const tenant = await api.tenantId("Acme");
  const al = (await api.all(tenant)).find((u) => u.callno === "2131");
  user = `/api/admin/tenants/${tenant}/users/${al.id}`;
  lines = [];
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 47000, max: 47999 } },
    log: (line) => lines.push(line),
  });
  await untilDesk((s) => s.cti === "connected" && s.monitored === true, "the desk phone monitored");
});

afterEach(async () => {
  await mock?.stop();
  mock = undefined;
  await api.close();
  await emulator.close();
});

async function behaviour(callBehaviour: Record<string, unknown>): Promise<void> {
  expect((await api.call("PATCH", user, { json: { callBehaviour } })).status).toBe(200);
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function desk(): Promise<any> {
  return (await api.call("GET", `${user}/desk-phone`)).body;
}

function untilDesk(check: (s: Record<string, unknown>) => boolean, what: string): Promise<void> {
  return until(
    async () => check(await desk()),
    () => `${what}\n${lines.join("\n")}`,
  );
}

describe("twinning with the real emulator: the desk phone rings with the trunk call (CSTA over TLS)", () => {
  it("answered on the desk phone from the app (CSTA AnswerCall): the trunk leg is cancelled; then pulled to the app", async () => {
    await behaviour({ mode: "no-answer" });
    const placed = mock!.call(AL, { fromCallno: CALLER });
    await untilDesk((s) => s.status === "ringing", "the desk phone ringing as the connector sees it");
    expect((await api.call("POST", `${user}/desk-phone/answer`, { json: {} })).status).toBe(200);
    const trunkLeg = await placed;
    expect(trunkLeg.status).toBe(487);
    expect(trunkLeg.endCause).toContain("Call completed elsewhere");
    expect(mock!.deskPhone("2131").snapshot()).toMatchObject({ state: "connected", peer: CALLER });
    await untilDesk((s) => s.status === "connected", "connected on the desk phone");

    // Pull: SingleStepTransferCall to the user's own number moves the caller to the Unify Phone side.
    await behaviour({ mode: "answer", ringMs: 100 });
    const pulled = await api.call("POST", `${user}/desk-phone/transfer`, { json: { to: "2131" } });
    expect(pulled.status).toBe(200);
    expect(mock!.deskPhone("2131").state).toBe("idle");
    await until(
      () => mock!.calls.some((c) => c.from === CALLER && c.to === AL && c.state === "answered"),
      () => `the pulled call answered\n${lines.join("\n")}`,
    );
    await untilDesk((s) => s.status === "idle", "the desk phone idle after the pull");
  }, 30_000);

  it("answered by the connector first: the desk phone stops ringing", async () => {
    await behaviour({ mode: "answer", ringMs: 1500 });
    const placed = mock!.call(AL, { fromCallno: CALLER });
    await untilDesk((s) => s.status === "ringing", "the desk phone ringing");
    expect((await placed).state).toBe("answered");
    expect(mock!.deskPhone("2131").state).toBe("idle");
    await untilDesk((s) => s.status === "idle", "the desk phone idle once the app answered");
  }, 30_000);

  it("consults, alternates and transfers on the desk phone through the REST (CSTA over TLS)", async () => {
    const desk = mock!.deskPhone("2131");
    const first = desk.ring(CALLER).id;
    await untilDesk((s) => s.status === "ringing", "ringing");
    expect((await api.call("POST", `${user}/desk-phone/answer`, { json: {} })).status).toBe(200);
    const consulted = await api.call("POST", `${user}/desk-phone/consult`, { json: { to: "004989700" } });
    expect(consulted.status).toBe(200);
    const second = desk.snapshot().call!.id;
    expect(desk.snapshot()).toMatchObject({
      state: "connected",
      peer: "004989700",
      held: { call: { id: first } },
    });
    await untilDesk(
      (s) =>
        JSON.stringify(s.calls) ===
        JSON.stringify([
          { callId: first, state: "hold" },
          { callId: second, state: "connected" },
        ]),
      "one held and one connected call",
    );
    const alternate = { json: { heldCallId: first, activeCallId: second } };
    expect((await api.call("POST", `${user}/desk-phone/alternate`, alternate)).status).toBe(200);
    expect(desk.snapshot()).toMatchObject({ call: { id: first }, held: { call: { id: second } } });
    const transfer = { json: { heldCallId: second, activeCallId: first } };
    expect((await api.call("POST", `${user}/desk-phone/transfer`, transfer)).status).toBe(200);
    expect(desk.state).toBe("idle");
    await untilDesk((s) => s.status === "idle", "idle after the transfer");
  }, 30_000);
});
