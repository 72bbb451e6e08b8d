import dgram from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { parseMessage, type SipMessage } from "../../src/sip/message/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { allEntries, wireBytes } from "./corpus.js";

/**
 * The whole corpus sent to a running emulator, one datagram each (the debug UDP listener,
 * so datagram rules apply: dblreq's trailing bytes, inv2543's missing Content-Length),
 * and the answer compared with what RFC 4475 / 5118 expect of a registrar + UA.
 *
 * The corpus registers AOR users (watson, user, j.user) that are not 10-digit trunk users;
 * the To/From user is mapped to seeded trunks so the registrar cases can succeed.
 */
const USER_MAP: Record<string, string> = {
  "sip:watson@example.com": "sip:2000000001@example.com",
  "sip:user@example.com": "sip:2000000002@example.com",
  "sip:j.user@example.com": "sip:2000000003@example.com",
};

const SEED = `
tenants:
  - name: Corpus
    systems:
      - { systemId: watson, trunk: { username: "2000000001", password: "corpus-password-1", auth: false } }
      - { systemId: user, trunk: { username: "2000000002", password: "corpus-password-2", auth: false } }
      - { systemId: juser, trunk: { username: "2000000003", password: "corpus-password-3" } }
`;

let emulator: EmulatorHandle;
let socket: dgram.Socket;
const inbox: SipMessage[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({ seedText: SEED, sip: { port: 0, udpPort: 0 } });
  socket = dgram.createSocket("udp4");
  socket.on("message", (data) => {
    try {
      inbox.push(parseMessage(data, { datagram: true }));
    } catch {
      // A 400 to a broken request echoes the broken From/To (RFC 3261 §8.2.6 copies them),
      // so it may not re-parse; its status line still tells what we answered.
      const text = data.toString("latin1");
      const status = /^SIP\/2\.0 (\d{3}) /.exec(text)?.[1];
      inbox.push({
        kind: "response",
        status: status ? Number(status) : -1,
        callId: callIdOf(text),
      } as unknown as SipMessage);
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
});

afterAll(async () => {
  socket.close();
  await emulator.close();
});

let sequence = 0;

/**
 * The corpus as a sender would really send it in one session: AOR users mapped to seeded
 * trunks, and each message its own branch. The files reuse `z9hG4bKkdjuw`, so the
 * transaction layer would rightly take later ones for retransmissions of the first
 * (RFC 3261 §17.2.3). The bare cookie of badbranch is left as it is: that is its test.
 */
function prepare(bytes: Buffer): Buffer {
  let text = bytes.toString("latin1");
  sequence++;
  text = text.replace(/branch=z9hG4bK([^;,\s]+)/i, `branch=z9hG4bK$1-${sequence}`);
  for (const [from, to] of Object.entries(USER_MAP)) {
    text = text.replace(
      new RegExp(`^((?:To|From|t|f):\\s*<?)${from.replace(/\./g, "\\.")}`, "gim"),
      `$1${to}`,
    );
  }
  return Buffer.from(text, "latin1");
}

function callIdOf(text: string): string | undefined {
  return /^(?:Call-ID|i)[ \t]*:[ \t]*(.*?)[ \t]*$/im.exec(text.split("\r\n\r\n")[0]!)?.[1];
}

/**
 * Send one datagram and collect the answers to it (same Call-ID) within `waitMs`. Over UDP
 * an INVITE's final response is retransmitted until ACKed (RFC 3261 §17.2.1, Timer G), so
 * answers to earlier messages keep arriving: they are not this message's.
 */
async function exchange(data: Buffer, waitMs: number): Promise<SipMessage[]> {
  const callId = callIdOf(data.toString("latin1"));
  const mine = (m: SipMessage) => (m as { callId?: string }).callId === callId;
  inbox.length = 0;
  socket.send(data, emulator.ports.sipUdp!, "127.0.0.1");
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (inbox.some((m) => mine(m) && m.kind === "response" && m.status >= 200)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return inbox.splice(0).filter(mine);
}

const finalStatus = (answers: SipMessage[]) =>
  answers
    .filter((m) => m.kind === "response" && m.status >= 200)
    .map((m) => (m.kind === "response" ? m.status : 0))[0];

describe.each(allEntries())("$set $file ($title)", (entry) => {
  const numericAlts = entry.expect_alt.filter((a) => /^\d{3}$/.test(a)).map(Number);

  it(`answers as expected: ${entry.expect}${entry.expect_alt.length ? ` (or ${entry.expect_alt.join(", ")})` : ""}`, async () => {
    const data = prepare(wireBytes(entry.set, entry.file));
    if (entry.kind === "response" || entry.expect === "drop") {
      // Responses that match no transaction are dropped: nothing may come back.
      expect(await exchange(data, 150)).toEqual([]);
    } else if (/^\d{3}$/.test(entry.expect)) {
      const status = finalStatus(await exchange(data, 2000));
      if (entry.expect_alt.includes("liberal-accept")) {
        // Repairing the message and processing it is allowed: any answer but silence.
        expect(status).toBeDefined();
      } else {
        expect([Number(entry.expect), ...numericAlts]).toContain(status);
      }
    } else {
      // "parse": accepted as well formed, so any answer but a syntax rejection.
      const status = finalStatus(await exchange(data, 2000));
      expect(status).toBeDefined();
      if (![400, 505].some((s) => numericAlts.includes(s))) expect([400, 505]).not.toContain(status);
    }
    // Whatever came before, the emulator is still serving.
    const probe = Buffer.from(
      "OPTIONS sip:phoneapp.unify.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKprobe" +
        `${Math.random().toString(36).slice(2)}\r\nMax-Forwards: 70\r\nFrom: <sip:p@x>;tag=1\r\nTo: <sip:p@x>\r\n` +
        `Call-ID: probe-${Math.random()}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(finalStatus(await exchange(probe, 2000))).toBe(200);
  });
});

describe("what the registrar stored", () => {
  it("cparam01: unknownparam outside <> is a contact parameter, not part of the bound URI", () => {
    const b = emulator
      .bindings()
      .find((x) => x.aor === "2000000001" && x.contact.includes("gw1.example.net"));
    expect(b).toBeDefined();
    const byCallId = emulator.bindings().filter((x) => x.aor === "2000000001");
    expect(byCallId.some((x) => x.contact === "sip:+19725552222@gw1.example.net;unknownparam")).toBe(true);
  });

  it("regescrt: the escaped Route header stays in the bound Contact URI", () => {
    const b = emulator.bindings().find((x) => x.aor === "2000000002" && x.contact.includes("?"));
    expect(b?.contact).toMatch(/^sip:user@example\.com\?Route=/);
  });
});
