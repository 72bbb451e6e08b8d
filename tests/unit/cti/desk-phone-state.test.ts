import { describe, expect, it } from "vitest";
import { applyEvent, newDeskPhone, statusOf } from "../../../src/cti/desk-phone-state.js";
import type { CstaMessage } from "../../../src/cti/index.js";

const phone = () => newDeskPhone({ userId: "u1", tenantId: "t1", trunkId: "k1", device: "2131" }, 0);
const conn = (callID: string, deviceID = "2131") => ({ callID, deviceID });
const base = { monitorCrossRefID: "m1" };

describe("desk-phone state from CSTA events", () => {
  it("rings on Delivered to the device, connects on Established, holds, retrieves, clears", () => {
    const p = phone();
    const steps: [CstaMessage, string][] = [
      [
        {
          type: "DeliveredEvent",
          ...base,
          connection: conn("9"),
          alertingDevice: "2131",
          callingDevice: "100",
          calledDevice: "2131",
        },
        "ringing",
      ],
      [
        {
          type: "EstablishedEvent",
          ...base,
          establishedConnection: conn("9"),
          answeringDevice: "2131",
          callingDevice: "100",
          calledDevice: "2131",
        },
        "connected",
      ],
      [{ type: "HeldEvent", ...base, heldConnection: conn("9"), holdingDevice: "2131" }, "held"],
      [
        { type: "RetrievedEvent", ...base, retrievedConnection: conn("9"), retrievingDevice: "2131" },
        "connected",
      ],
      [
        { type: "ConnectionClearedEvent", ...base, droppedConnection: conn("9"), releasingDevice: "100" },
        "idle",
      ],
    ];
    for (const [event, status] of steps) {
      expect(applyEvent(p, event, 1)).toBe(true);
      expect(p.status).toBe(status);
    }
    expect(p.calls.size).toBe(0);
  });

  it("an outgoing call whose far end rings is connected for the caller; localConnectionInfo wins", () => {
    const p = phone();
    applyEvent(
      p,
      {
        type: "DeliveredEvent",
        ...base,
        connection: conn("3", "200"),
        alertingDevice: "200",
        callingDevice: "2131",
        calledDevice: "200",
      },
      1,
    );
    expect(p.status).toBe("connected");
    applyEvent(
      p,
      {
        type: "HeldEvent",
        ...base,
        heldConnection: conn("3"),
        holdingDevice: "200",
        localConnectionInfo: "hold",
      },
      2,
    );
    expect(p.status).toBe("held");
  });

  it("Transfered and Diverted away from the device drop its calls; DND and forwarding events set them", () => {
    const p = phone();
    p.calls.set("4", "connected");
    applyEvent(
      p,
      {
        type: "TransferedEvent",
        ...base,
        primaryOldCall: conn("4"),
        transferringDevice: "2131",
        transferredToDevice: "2132",
      },
      1,
    );
    expect(p.status).toBe("idle");
    p.calls.set("5", "alerting");
    applyEvent(
      p,
      {
        type: "DivertedEvent",
        ...base,
        connection: conn("5"),
        divertingDevice: "2131",
        newDestination: "2132",
      },
      2,
    );
    expect(p.status).toBe("idle");
    applyEvent(p, { type: "DoNotDisturbEvent", ...base, device: "2131", doNotDisturbOn: true }, 3);
    applyEvent(
      p,
      {
        type: "ForwardingEvent",
        ...base,
        device: "2131",
        forwardingType: "forwardBusy",
        forwardStatus: true,
        forwardTo: "2132",
      },
      4,
    );
    expect(p.dnd).toBe(true);
    expect(p.forwarding.get("forwardBusy")).toEqual({ active: true, destination: "2132" });
    expect(p.updatedAt).toBe(4);
  });

  it("ignores responses (not events) and orders talking over ringing over holding", () => {
    expect(applyEvent(phone(), { type: "MonitorStopResponse" }, 1)).toBe(false);
    expect(
      statusOf(
        new Map([
          ["1", "hold"],
          ["2", "alerting"],
        ]),
      ),
    ).toBe("ringing");
    expect(
      statusOf(
        new Map([
          ["1", "hold"],
          ["2", "connected"],
        ]),
      ),
    ).toBe("connected");
  });
});
