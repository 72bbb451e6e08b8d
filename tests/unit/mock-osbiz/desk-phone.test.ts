import { beforeEach, describe, expect, it } from "vitest";
import { DeskPhoneError, type DeskPhoneEvent, DeskPhones } from "../../../src/mock-osbiz/desk-phone.js";

const USERS = new Set(["2131", "2132", "2133"]);
let phones: DeskPhones;
let events: DeskPhoneEvent[];

beforeEach(() => {
  phones = new DeskPhones((callno) => USERS.has(callno));
  events = [];
  phones.on((event) => events.push(event));
});

/** "type@device" of each event, in order. */
function seen(): string[] {
  return events.map((e) => `${e.type}@${e.device}`);
}

describe("a desk phone", () => {
  it("rings, is answered, held, retrieved and hung up, with an event for each step", () => {
    const al = phones.get("2131");
    const call = al.ring("+4930123456");
    expect(al.state).toBe("ringing");
    expect(al.snapshot()).toMatchObject({ state: "ringing", peer: "+4930123456", call });
    al.answer();
    al.hold();
    expect(al.state).toBe("held");
    al.retrieve();
    al.hangup();
    expect(al.state).toBe("idle");
    expect(seen()).toEqual([
      "Delivered@2131",
      "Established@2131",
      "Held@2131",
      "Retrieved@2131",
      "ConnectionCleared@2131",
    ]);
    expect(events.every((e) => !("call" in e) || e.call.id === call.id)).toBe(true);
  });

  it("refuses operations its state does not allow", () => {
    const al = phones.get("2131");
    expect(() => al.answer()).toThrow(DeskPhoneError);
    expect(() => al.hold()).toThrow(/cannot hold while idle/);
    expect(() => al.hangup()).toThrow(/cannot hang up while idle/);
    al.ring("2132");
    expect(() => al.retrieve()).toThrow(/cannot retrieve while ringing/);
    expect(() => al.ring("2133")).toThrow(expect.objectContaining({ kind: "busy" }));
  });

  it("knows only the PBX's users, also after one is removed", () => {
    expect(() => phones.get("9999")).toThrow(expect.objectContaining({ kind: "invalidDevice" }));
    let removed = false;
    const gone = new DeskPhones((callno) => callno === "2131" && !removed);
    gone.get("2131");
    removed = true;
    expect(() => gone.get("2131")).toThrow(/no user with callno 2131/);
    expect(() => phones.get("2131").ring("not a number")).toThrow(DeskPhoneError);
  });

  it("calls another desk phone: it rings, and answering connects both", () => {
    const al = phones.get("2131");
    const bo = phones.get("2132");
    al.makeCall("2132");
    expect(al.state).toBe("dialing");
    expect(bo.state).toBe("ringing");
    bo.answer();
    expect([al.state, bo.state]).toEqual(["connected", "connected"]);
    bo.hangup();
    expect([al.state, bo.state]).toEqual(["idle", "idle"]);
    expect(seen()).toEqual([
      "ServiceInitiated@2131",
      "Originated@2131",
      "Delivered@2132",
      "Delivered@2131",
      "Established@2132",
      "Established@2131",
      "ConnectionCleared@2132",
      "ConnectionCleared@2131",
    ]);
  });

  it("calls a number outside: the far end is modelled as answering at once", () => {
    const al = phones.get("2131");
    al.makeCall("+4989123");
    expect(al.state).toBe("connected");
    expect(seen()).toEqual([
      "ServiceInitiated@2131",
      "Originated@2131",
      "Delivered@2131",
      "Established@2131",
    ]);
  });

  it("is busy while do-not-disturb is on, and says so with an event", () => {
    const al = phones.get("2131");
    al.setDnd(true);
    expect(events.at(-1)).toEqual({ type: "DoNotDisturb", device: "2131", on: true });
    expect(() => al.ring("2132")).toThrow(/busy \(do not disturb\)/);
    al.setDnd(false);
    al.ring("2132");
    expect(al.state).toBe("ringing");
  });

  it("forwards immediately to another desk phone, which rings", () => {
    const al = phones.get("2131");
    al.setForwarding("forwardImmediate", "2133");
    expect(events.at(-1)).toEqual({
      type: "Forwarding",
      device: "2131",
      forwardingType: "forwardImmediate",
      on: true,
      destination: "2133",
    });
    phones.get("2132").makeCall("2131");
    expect(al.state).toBe("idle");
    expect(phones.get("2133").state).toBe("ringing");
    phones.get("2133").answer();
    expect(phones.get("2132").state).toBe("connected");
    al.setForwarding("forwardImmediate", undefined);
    expect(al.forwarding("forwardImmediate")).toBeUndefined();
    expect(() => al.setForwarding("forwardBusy", "2131")).toThrow(DeskPhoneError);
  });

  it("forwards on busy when set, instead of refusing", () => {
    const al = phones.get("2131");
    al.setForwarding("forwardBusy", "+4989123");
    al.setDnd(true);
    al.ring("2132");
    expect(al.state).toBe("idle");
    expect(events.some((e) => e.type === "Diverted" && e.to === "+4989123")).toBe(true);
  });

  it("deflects a ringing call to another desk phone", () => {
    const al = phones.get("2131");
    al.ring("+4930123456");
    al.deflect("2132");
    expect(al.state).toBe("idle");
    expect(phones.get("2132").snapshot()).toMatchObject({ state: "ringing", peer: "+4930123456" });
    expect(seen()).toContain("Diverted@2131");
  });

  it("transfers a connected call in one step to another desk phone, which rings for the other party", () => {
    const al = phones.get("2131");
    const bo = phones.get("2132");
    bo.makeCall("2131");
    al.answer();
    events = [];
    al.transfer("2133");
    expect(al.state).toBe("idle");
    expect(bo.snapshot()).toMatchObject({ state: "dialing", peer: "2133" });
    expect(phones.get("2133").snapshot()).toMatchObject({ state: "ringing", peer: "2132" });
    phones.get("2133").answer();
    expect(bo.state).toBe("connected");
    expect(seen()).toEqual([
      "Transferred@2131",
      "Transferred@2132",
      "Delivered@2133",
      "Delivered@2132",
      "Established@2133",
      "Established@2132",
    ]);
  });

  it("clears the call when the transfer target is busy", () => {
    const al = phones.get("2131");
    phones.get("2132").makeCall("2131");
    al.answer();
    phones.get("2133").setDnd(true);
    expect(() => al.transfer("2133")).toThrow(/busy/);
    expect([al.state, phones.get("2132").state]).toEqual(["idle", "idle"]);
    expect(events.at(-1)).toMatchObject({ type: "ConnectionCleared", device: "2132" });
    expect(() => al.transfer("2133")).toThrow(/cannot transfer while idle/);
  });

  it("takes a ring from another user as that user's desk phone calling, and never from itself", () => {
    phones.get("2131").ring("2132");
    expect(phones.get("2132").snapshot()).toMatchObject({ state: "dialing", peer: "2131" });
    expect(() => phones.get("2133").ring("2133")).toThrow(/cannot call itself/);
  });

  it("does not forward or deflect a call back to its caller", () => {
    phones.get("2133").setForwarding("forwardImmediate", "2132");
    phones.get("2132").makeCall("2133");
    expect(phones.get("2133").state).toBe("ringing");
    expect(() => phones.get("2133").deflect("2132")).toThrow(/cannot deflect the call to 2132/);
    expect(phones.get("2133").state).toBe("ringing");
  });

  it("ends a forwarding loop after a few hops", () => {
    phones.get("2131").setForwarding("forwardImmediate", "2132");
    phones.get("2132").setForwarding("forwardImmediate", "2131");
    expect(() => phones.get("2133").makeCall("2131")).not.toThrow();
    expect(events.filter((e) => e.type === "Diverted").length).toBeLessThan(20);
  });
});
