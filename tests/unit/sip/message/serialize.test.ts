import { describe, expect, it } from "vitest";
import {
  Headers,
  parseMessage,
  SipRequest,
  SipResponse,
  serialize,
} from "../../../../src/sip/message/index.js";
import { allEntries, wireBytes } from "../../../conformance/corpus.js";

/** Valid corpus messages that cannot come back byte for byte, and why. */
const NOT_BYTE_EXACT: Record<string, string> = {
  "wsinv.dat": "folded header lines are written unfolded",
  "semiuri.dat": "folded header lines are written unfolded",
  "esc01.dat": "folded header lines are written unfolded",
  "inv2543.dat": "no Content-Length: serialize adds one",
};

describe("serialize", () => {
  const valid = allEntries().filter((entry) => entry.valid);

  it.each(valid.filter((e) => !(e.file in NOT_BYTE_EXACT)).map((e) => [e.file, e] as const))(
    "%s round-trips byte for byte",
    (_file, entry) => {
      const data = wireBytes(entry.set, entry.file);
      const message = parseMessage(data, { datagram: true });
      const end = data.indexOf("\r\n\r\n") + 4 + message.body.length;
      expect(serialize(message).equals(data.subarray(0, end))).toBe(true);
    },
  );

  it.each(Object.keys(NOT_BYTE_EXACT))("%s re-serializes to an equivalent message", (file) => {
    const message = parseMessage(wireBytes("rfc4475", file), { datagram: true });
    const again = parseMessage(serialize(message));
    expect([...again.headers.entries()].filter(([name]) => name !== "Content-Length")).toEqual(
      [...message.headers.entries()].filter(([name]) => name !== "Content-Length"),
    );
    expect(again.body.equals(message.body)).toBe(true);
  });

  it("writes a built request with canonical names and a computed Content-Length", () => {
    const headers = new Headers([
      ["v", "SIP/2.0/TLS emulator.test;branch=z9hG4bKx"],
      ["call-id", "abc"],
      ["Content-Length", "999"],
      ["cseq", "1 MESSAGE"],
      ["l", "7"],
    ]);
    const request = new SipRequest("MESSAGE", "sip:2131@pbx.test", headers, Buffer.from("hé"));
    expect(serialize(request).toString()).toBe(
      "MESSAGE sip:2131@pbx.test SIP/2.0\r\nVia: SIP/2.0/TLS emulator.test;branch=z9hG4bKx\r\nCall-ID: abc\r\n" +
        "Content-Length: 3\r\nCSeq: 1 MESSAGE\r\n\r\nhé",
    );
  });

  it("appends Content-Length when absent and writes the status line", () => {
    const response = new SipResponse(200, "OK", new Headers([["To", "<sip:a@b>;tag=1"]]));
    expect(serialize(response).toString()).toBe(
      "SIP/2.0 200 OK\r\nTo: <sip:a@b>;tag=1\r\nContent-Length: 0\r\n\r\n",
    );
  });

  it("keeps a received Content-Length line only while it still matches the body", () => {
    const message = parseMessage(
      Buffer.from(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS h\r\nl:  3\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\nabc",
      ),
    );
    expect(serialize(message).toString()).toContain("\r\nl:  3\r\n");
    message.body = Buffer.from("abcd");
    expect(serialize(message).toString()).toContain("\r\nContent-Length: 4\r\nCall-ID: c\r\n");
  });

  it("writes changed headers with canonical names, untouched ones as received", () => {
    const message = parseMessage(
      Buffer.from(
        "OPTIONS sip:a@b SIP/2.0\r\nv:  SIP/2.0/UDP h;branch=z9hG4bK1\r\ni:c\r\nCSeq: 1 OPTIONS\r\nf: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\nl: 0\r\n\r\n",
      ),
    );
    message.headers.prepend("Via", "SIP/2.0/TLS proxy.test;branch=z9hG4bK2");
    message.headers.set("To", "<sip:c@d>;tag=2");
    expect(serialize(message).toString()).toBe(
      "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TLS proxy.test;branch=z9hG4bK2\r\nv:  SIP/2.0/UDP h;branch=z9hG4bK1\r\n" +
        "i:c\r\nCSeq: 1 OPTIONS\r\nf: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nl: 0\r\n\r\n",
    );
  });

  it("copies binary bodies unchanged", () => {
    const body = Buffer.from([0, 255, 13, 10, 13, 10, 0]);
    const request = new SipRequest("INFO", "sip:a@b", new Headers(), body);
    const out = serialize(request);
    expect(out.subarray(out.length - body.length).equals(body)).toBe(true);
    expect(out.toString("latin1")).toContain("Content-Length: 7\r\n\r\n");
  });
});
