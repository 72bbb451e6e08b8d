import { beforeEach, describe, expect, it } from "vitest";
import { runDeskCommand } from "../../../src/mock-osbiz/desk-console.js";
import { DeskPhoneError, type DeskPhoneEvent, DeskPhones } from "../../../src/mock-osbiz/desk-phone.js";
import { MockConsole } from "../../../src/mock-osbiz/mock-console.js";

const USERS = new Set(["2131", "2132", "2133"]);
const OUTSIDE = "+4930123456";
let phones: DeskPhones;
let events: DeskPhoneEvent[];

beforeEach(() => {
  phones = new DeskPhones((callno) => USERS.has(callno));
  events = [];
  phones.on((event) => events.push(event));
});

function seen(): string[] {
  return events.map((e) => `${e.type}@${e.device}`);
}

/** 2131 talks to a party outside, then consults 2132 (ringing). */
function consulting() {
  const al = phones.get("2131");
  const first = al.ring(OUTSIDE);
  al.answer();
  events.length = 0;
  const second = al.consult("2132");
  return { al, first, second };
}

describe("a desk phone's consultation call (two calls: one held, one active)", () => {
  it("holds the first call and calls the consulted party: Held, ServiceInitiated, Originated, Delivered", () => {
    const { al, first, second } = consulting();
    expect(seen()).toEqual([
      "Held@2131",
      "ServiceInitiated@2131",
      "Originated@2131",
      "Delivered@2132",
      "Delivered@2131",
    ]);
    expect(al.snapshot()).toMatchObject({
      state: "dialing",
      call: second,
      held: { call: first, peer: OUTSIDE },
    });
    expect(() => al.hold()).toThrow(DeskPhoneError);
    expect(() => al.consult("2133")).toThrow(DeskPhoneError);
  });

  it("alternates between the two calls, then joins them (Transferred with both calls)", () => {
    const { al, first, second } = consulting();
    phones.get("2132").answer();
    events.length = 0;
    al.alternate();
    expect(al.snapshot()).toMatchObject({ state: "connected", call: first, held: { call: second } });
    expect(seen()).toEqual(["Held@2131", "Held@2132", "Retrieved@2131"]);
    al.alternate();
    events.length = 0;
    const joined = al.transferCalls();
    expect(joined).toEqual({ id: first.id, calling: OUTSIDE, called: "2132" });
    expect(events[0]).toMatchObject({ type: "Transferred", device: "2131", call: first, secondary: second });
    expect(al.snapshot()).toMatchObject({ state: "idle" });
    expect(al.snapshot().held).toBeUndefined();
    expect(phones.get("2132").snapshot()).toMatchObject({ state: "connected", peer: OUTSIDE, call: joined });
  });

  it("transfers while the consulted phone still rings: it rings on with the first caller", () => {
    const { al } = consulting();
    al.transferCalls();
    expect(phones.get("2132").snapshot()).toMatchObject({ state: "ringing", peer: OUTSIDE });
    phones.get("2132").answer();
    expect(phones.get("2132").state).toBe("connected");
  });

  it("clearing the consultation call leaves the first one held; a busy consulted party too", () => {
    const { al, first } = consulting();
    al.hangup();
    expect(al.snapshot()).toMatchObject({ state: "held", call: first });
    expect(al.snapshot().held).toBeUndefined();
    al.retrieve();
    phones.get("2133").setDnd(true);
    expect(() => al.consult("2133")).toThrow(DeskPhoneError);
    expect(al.snapshot()).toMatchObject({ state: "held", call: first });
  });

  it("the held call's far end hangs up: the consultation call goes on alone", () => {
    const bo = phones.get("2132");
    const call = bo.makeCall("2131");
    const al = phones.get("2131");
    al.answer();
    const consult = al.consult(OUTSIDE);
    bo.hangup();
    expect(al.snapshot()).toMatchObject({ state: "connected", call: consult });
    expect(al.snapshot().held).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "ConnectionCleared", device: "2131", call });
  });
});

describe("the console's consult / alternate / transfer and refer commands", () => {
  it("desk 2131 consult 2132, alternate, transfer (without a number: joins the calls)", () => {
    const printed: string[] = [];
    const run = (line: string) =>
      runDeskCommand(
        (n) => phones.get(n),
        line.split(" "),
        (l) => printed.push(l),
      );
    run(`2131 ring ${OUTSIDE}`);
    run("2131 answer");
    run("2131 consult 2133");
    expect(printed.at(-1)).toBe(
      `desk 2131 dialing with 2133 (call dc2), holding ${OUTSIDE} (call dc1); DND off; forwarding off`,
    );
    run("2133 answer");
    run("2131 alternate");
    expect(printed.at(-1)).toContain(`connected with ${OUTSIDE} (call dc1), holding 2133 (call dc2)`);
    run("2131 transfer");
    expect(printed.at(-1)).toBe("desk 2131 idle; DND off; forwarding off");
  });

  it("refer on|off switches REFER on the mock", async () => {
    const printed: string[] = [];
    const mock = { referEnabled: true } as unknown as ConstructorParameters<typeof MockConsole>[0];
    const console = new MockConsole(mock, (line) => printed.push(line));
    await console.execute("refer off");
    expect((mock as { referEnabled: boolean }).referEnabled).toBe(false);
    expect(printed.at(-1)).toBe("REFER on trunk calls refused with 501");
    await console.execute("refer maybe");
    expect(printed.at(-1)).toContain("usage: refer on|off");
  });
});
