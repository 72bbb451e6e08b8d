import { describe, expect, it } from "vitest";
import {
  type ConsoleCall,
  type ConsoleMock,
  describeCall,
  MockConsole,
} from "../../../src/mock-osbiz/index.js";
import type { ExpertModeDrift } from "../../../src/mock-osbiz/mock-options.js";
import { PbxUserDirectory } from "../../../src/mock-osbiz/pbx-users.js";
import { RtpChannelPool } from "../../../src/mock-osbiz/rtp-channels.js";

type Action = string;

function fakeCall(id: string, overrides: Partial<ConsoleCall> = {}, actions: Action[] = []): ConsoleCall {
  return {
    id,
    direction: "outgoing",
    from: "3919209257",
    to: "+4923026672131",
    state: "answered",
    status: 200,
    reason: "OK",
    endCause: null,
    onHold: false,
    active: true,
    media: null,
    dtmf: [],
    hangup: async () => {
      actions.push(`hangup ${id}`);
    },
    hold: async () => {
      actions.push(`hold ${id}`);
    },
    retrieve: async () => {
      actions.push(`retrieve ${id}`);
    },
    sendDtmf: async (digits, via) => {
      actions.push(`dtmf ${id} ${digits} ${via}`);
    },
    transfer: async (to) => {
      actions.push(`transfer ${id} ${to}`);
      return { status: 200, reason: "OK" };
    },
    ...overrides,
  };
}

function setup(calls: ConsoleCall[], callResult: Promise<unknown> = Promise.resolve()) {
  const printed: string[] = [];
  const dialed: string[] = [];
  const changes: string[] = [];
  // The PBX's real user list and channel pool; the connection changes are recorded.
  const users = new PbxUserDirectory("X1");
  const pool = new RtpChannelPool(60);
  const mock: ConsoleMock = {
    users: () => users.list(),
    addUser: (u) => void users.add(u),
    updateUser: (callno, patch) => void users.update(callno, patch),
    removeUser: (callno) => users.remove(callno),
    occupyRtpChannels: (n, kind) => pool.occupy(n, kind),
    releaseRtpChannels: (n, kind) => pool.release(n, kind),
    rtpChannelsInUse: () => pool.use(),
    applyExpertModeChange: async (drift: ExpertModeDrift) => {
      changes.push(`expert ${JSON.stringify(drift)}`);
    },
    changePublicAddress: async (address) => {
      changes.push(`public-ip ${address}`);
    },
    calls,
    registered: true,
    system: {
      trunkId: "gtc-001",
      sip: {
        host: "127.0.0.1",
        port: 65061,
        transport: "tls",
        domain: "phoneapp.unify.com",
        username: "3919209257",
        password: "x",
        registerInterval: 600,
      },
    },
    call: (to) => {
      dialed.push(to);
      return callResult;
    },
  };
  return { commands: new MockConsole(mock, (line) => printed.push(line)), printed, dialed, changes };
}

describe("MockConsole", () => {
  it("acts on the latest active call without an id, and on the named one with it", async () => {
    const actions: Action[] = [];
    const calls = [
      fakeCall("1", {}, actions),
      fakeCall("2", {}, actions),
      fakeCall("3", { active: false, state: "ended" }, actions),
    ];
    const { commands } = setup(calls);
    await commands.execute("hangup");
    await commands.execute("hold 1");
    await commands.execute("retrieve 1");
    await commands.execute("dtmf 12# 1 info");
    await commands.execute("dtmf 5");
    await commands.execute("transfer +4930999 1");
    expect(actions).toEqual([
      "hangup 2",
      "hold 1",
      "retrieve 1",
      "dtmf 1 12# info",
      "dtmf 2 5 rfc4733",
      "transfer 1 +4930999",
    ]);
  });

  it("places calls in the background and prints a failure when it comes", async () => {
    const { commands, printed, dialed } = setup([], Promise.reject(new Error("486 Busy Here")));
    expect(await commands.execute("call +4923026672131")).toBeUndefined();
    expect(dialed).toEqual(["+4923026672131"]);
    await new Promise((r) => setImmediate(r));
    expect(printed).toEqual(["call to +4923026672131: 486 Busy Here"]);
  });

  it("reports usage and unknown calls instead of throwing, and quits on quit", async () => {
    const { commands, printed } = setup([]);
    await commands.execute("call");
    await commands.execute("hangup 7");
    await commands.execute("hold");
    await commands.execute("frobnicate");
    expect(printed).toEqual([
      "call: usage: call <number>",
      "hangup: no call 7",
      "hold: no active call",
      'unknown command "frobnicate" (help lists the commands)',
    ]);
    expect(await commands.execute("  quit  ")).toBe("quit");
    expect(await commands.execute("")).toBeUndefined();
  });

  it("prints status and one line per call", async () => {
    const ended = fakeCall("2", {
      active: false,
      state: "ended",
      status: 486,
      reason: "Busy Here",
      endCause: "486 Busy Here",
    });
    const { commands, printed } = setup([
      fakeCall("1", { onHold: true, dtmf: [{ digit: "5", via: "info" }] }),
      ended,
    ]);
    await commands.execute("status");
    await commands.execute("calls");
    expect(printed).toEqual([
      "gtc-001 (3919209257@phoneapp.unify.com) registered at 127.0.0.1:65061; 1 active call(s)",
      "#1 outgoing 3919209257 -> +4923026672131 answered (200 OK) on hold DTMF 5",
      "#2 outgoing 3919209257 -> +4923026672131 ended (486 Busy Here) - 486 Busy Here",
    ]);
    expect(describeCall(ended)).toBe(printed[2]);
  });

  it("manages the PBX's users: add, change the flags, list, remove", async () => {
    const { commands, printed } = setup([]);
    await commands.execute("user add 2131 licence=none first=Al last=Ace");
    await commands.execute("user 2131 licence=expired trusted=false,route=off");
    await commands.execute("user add 2132:route=off");
    await commands.execute("users");
    await commands.execute("user remove 2132");
    await commands.execute("user 2131 colour=blue");
    await commands.execute("user 2199 licence=valid");
    expect(printed).toEqual([
      "user 2131 (Al Ace): licence none, Trusted External User, route on",
      "user 2131 (Al Ace): licence expired, not Trusted External User, route off",
      "user 2132: licence valid, Trusted External User, route off",
      "user 2131 (Al Ace): licence expired, not Trusted External User, route off",
      "user 2132: licence valid, Trusted External User, route off",
      "user 2132 removed",
      'user: user field "colour": use licence, trusted, route, first, last or email',
      "user: no user with callno 2199",
    ]);
  });

  it("occupies and releases RTP channels, applies Expert Mode changes and a new public address", async () => {
    const { commands, printed, changes } = setup([]);
    await commands.execute("rtp occupy 10 itsp");
    await commands.execute("rtp occupy 5 device-at-home");
    await commands.execute("rtp release 4 itsp");
    await commands.execute("rtp occupy 99 itsp");
    await commands.execute("expert port=5999,transport=tcp");
    await commands.execute("expert colour=blue");
    await commands.execute("public-ip 127.0.0.2");
    expect(printed).toEqual([
      "RTP channels: 10/60 in use (ITSP 10, Device@Home 0, Unify Phone 0)",
      "RTP channels: 15/60 in use (ITSP 10, Device@Home 5, Unify Phone 0)",
      "RTP channels: 11/60 in use (ITSP 6, Device@Home 5, Unify Phone 0)",
      "rtp: cannot occupy 99 RTP channels: 49 of 60 free",
      "Expert Mode change applied: registered",
      'expert: Expert Mode field "colour": use port, domain or transport',
      "registered from 127.0.0.2",
    ]);
    expect(changes).toEqual(['expert {"registrarPort":5999,"transport":"tcp"}', "public-ip 127.0.0.2"]);
  });
});
