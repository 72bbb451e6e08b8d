import { describe, expect, it } from "vitest";
import {
  buildCsta,
  type CstaMessage,
  CtiService,
  type CtiSignalling,
  type DeskPhoneNotice,
  parseCsta,
} from "../../../src/cti/index.js";
import { ApiError } from "../../../src/errors/index.js";
import { createResponse, type SipRequest } from "../../../src/sip/message/index.js";
import type { ClientTransaction, ClientTransactionDelegate } from "../../../src/sip/transaction/index.js";
import type { SipConnection } from "../../../src/sip/transport/index.js";

/**
 * CtiService over a fake trunk: the "PBX" answers the session INVITE 200 and each CSTA request
 * in the 200 of its INFO (one of the two response paths), except the types told to stay silent.
 * Timers are manual, so the 5 s response timeout is fired by the test, not waited for.
 */
function harness(options: { silent?: string[]; refuse?: string[] } = {}) {
  const timers: { due: number; fn: () => void; cleared: boolean }[] = [];
  const sent: SipRequest[] = [];
  const connection = {
    id: "c1",
    protocol: "tls",
    reliable: true,
    remoteAddress: "127.0.0.1",
    remotePort: 5061,
    localAddress: "127.0.0.1",
    localPort: 65061,
    open: true,
    send: () => true,
    close: () => {},
  } as unknown as SipConnection;
  const reply = (m: CstaMessage): CstaMessage => {
    if (options.refuse?.includes(m.type))
      return { type: "CSTAErrorCode", category: "operation", value: "invalidDeviceID" };
    switch (m.type) {
      case "MonitorStart":
        return { type: "MonitorStartResponse", monitorCrossRefID: "m1" };
      case "SnapshotDevice":
        return {
          type: "SnapshotDeviceResponse",
          crossRefIDorSnapshotData: [
            { connectionIdentifier: { callID: "5", deviceID: "2131" }, localConnectionState: "alerting" },
          ],
        };
      case "GetDoNotDisturb":
        return { type: "GetDoNotDisturbResponse", doNotDisturbOn: true };
      case "GetForwarding":
        return {
          type: "GetForwardingResponse",
          forwardingList: [{ forwardingType: "forwardImmediate", forwardStatus: true, forwardDN: "2132" }],
        };
      default:
        return { type: `${m.type}Response` } as CstaMessage;
    }
  };
  const sip: CtiSignalling = {
    endpoint: {
      via: () => "SIP/2.0/TLS 127.0.0.1:65061",
      contact: () => "sip:connector@127.0.0.1:65061;transport=tls",
    },
    domain: "phoneapp.unify.com",
    allow: () => "INVITE, ACK, BYE, INFO",
    send: (request: SipRequest, _connection: SipConnection, delegate: ClientTransactionDelegate) => {
      sent.push(request);
      if (request.method === "INVITE") delegate.onResponse(createResponse(request, 200, "OK", "pbx1"));
      if (request.method === "INFO") {
        const message = parseCsta(request.body.toString("utf8"));
        if (!options.silent?.includes(message.type)) {
          const response = createResponse(request, 200, "OK");
          response.headers.set("content-type", "application/csta+xml");
          response.body = Buffer.from(
            buildCsta({ ...reply(message), invokeId: message.invokeId } as CstaMessage),
          );
          queueMicrotask(() => delegate.onResponse(response));
        }
      }
      return {} as ClientTransaction;
    },
    trunkFlow: () => ({ binding: { contact: "sip:3919209257@127.0.0.1:5061;transport=tls" }, connection }),
    trunkDialogFlow: () => () => connection,
    timers: {
      setTimer: (due, fn) => {
        const timer = { due, fn, cleared: false };
        timers.push(timer);
        return timer;
      },
      clearTimer: (handle) => {
        (handle as unknown as { cleared: boolean }).cleared = true;
      },
    },
    now: () => 1_700_000_000_000,
  };
  const user = { userId: "u1", tenantId: "t1", trunkId: "k1", device: "2131" };
  const cti = new CtiService(sip, {
    deskUsers: () => [user],
    deskUser: (id) => (id === "u1" ? user : undefined),
  });
  const notices: DeskPhoneNotice[] = [];
  cti.notices.on((n) => notices.push(n));
  const fireTimers = () => {
    for (const timer of timers.splice(0)) if (!timer.cleared) timer.fn();
  };
  return { cti, sent, notices, fireTimers, connection };
}

const apiCode = async (
  promise: Promise<unknown>,
): Promise<{ code: string; status: number; extensions: unknown }> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError)
      return { code: error.code, status: error.status, extensions: error.extensions };
    throw error;
  }
  throw new Error("resolved");
};

describe("CtiService", () => {
  it("on demand: opens the session, monitors, snapshots, reads DND and forwarding, then acts", async () => {
    const { cti, sent, notices } = harness();
    const phone = await cti.act("u1", { action: "answer" });
    expect(sent.map((r) => (r.method === "INFO" ? parseCsta(r.body.toString()).type : r.method))).toEqual([
      "INVITE",
      "MonitorStart",
      "SnapshotDevice",
      "GetDoNotDisturb",
      "GetForwarding",
      "AnswerCall",
    ]);
    expect(sent[0]!.uri).toBe("sip:csta@127.0.0.1:5061;transport=tls");
    expect(parseCsta(sent.at(-1)!.body.toString())).toMatchObject({
      callToBeAnswered: { callID: "5", deviceID: "2131" },
    });
    expect(phone).toMatchObject({ cti: "connected", monitored: true, status: "ringing", dnd: true });
    expect(phone.forwarding).toEqual([{ type: "forwardImmediate", active: true, destination: "2132" }]);
    expect(notices.some((n) => n.type === "desk-phone.state")).toBe(true);
  });

  it("a request the PBX leaves unanswered fails as cti_timeout (504) when its timer fires", async () => {
    const { cti, fireTimers } = harness({ silent: ["SetDoNotDisturb"] });
    await cti.act("u1", { action: "answer" });
    const pending = apiCode(cti.act("u1", { action: "dnd", on: true }));
    // The session answers in microtasks; let the request go out before firing its timer.
    await new Promise((resolve) => setImmediate(resolve));
    fireTimers();
    expect(await pending).toMatchObject({ code: "cti_timeout", status: 504 });
  });

  it("a CSTAErrorCode answer is cti_refused (502) with the error", async () => {
    const { cti } = harness({ refuse: ["MakeCall"] });
    expect(await apiCode(cti.act("u1", { action: "make-call", to: "2132" }))).toMatchObject({
      code: "cti_refused",
      status: 502,
      extensions: { cstaError: { category: "operation", value: "invalidDeviceID" } },
    });
  });

  it("an unknown user is desk_phone_not_found; no registered flow is cti_not_connected", async () => {
    const { cti } = harness();
    expect(await apiCode(cti.act("nobody", { action: "answer" }))).toMatchObject({
      code: "desk_phone_not_found",
    });
    expect(cti.deskPhone("u1")).toMatchObject({ cti: "disconnected", monitored: false, status: "idle" });
  });

  it("the trunk going away closes the session: the next action opens a new one", async () => {
    const { cti, sent } = harness();
    await cti.act("u1", { action: "answer" });
    cti.trunkStatus("k1", false);
    expect(sent.at(-1)!.method).toBe("BYE");
    expect(cti.deskPhone("u1")).toMatchObject({ cti: "disconnected", monitored: false });
    await cti.act("u1", { action: "answer" });
    expect(sent.filter((r) => r.method === "INVITE")).toHaveLength(2);
  });
});
