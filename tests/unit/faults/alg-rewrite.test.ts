import { describe, expect, it } from "vitest";
import { algRewrite, rewriteContact, rewriteSdp, rewriteVia } from "../../../src/faults/alg-rewrite.js";
import { type FaultRuleError, parseFaultRule, seededRandom } from "../../../src/faults/index.js";
import { parseMessage, serialize } from "../../../src/sip/message/index.js";

const SDP = [
  "v=0",
  "o=osbiz 1 1 IN IP4 192.168.1.20",
  "s=-",
  "c=IN IP4 192.168.1.20",
  "t=0 0",
  "m=audio 30000 RTP/AVP 8",
  "a=sendrecv",
  "",
].join("\r\n");

function message(method: string, body = ""): string {
  return [
    `${method} sip:phoneapp.unify.com SIP/2.0`,
    "Via: SIP/2.0/TLS 192.168.1.20:5061;branch=z9hG4bKa1;rport",
    "Via: SIP/2.0/TLS 10.0.0.1:5060;branch=z9hG4bKa0",
    "From: <sip:3919209257@phoneapp.unify.com>;tag=1",
    "To: <sip:3919209257@phoneapp.unify.com>",
    "Call-ID: alg-1",
    `CSeq: 1 ${method}`,
    "Contact: <sip:3919209257@192.168.1.20:5061;transport=tls>;expires=600",
    ...(body ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

describe("a router's SIP ALG", () => {
  it("puts its public address into the Contact URI, keeping the port unless it opens a new one", () => {
    const contact = "<sip:3919209257@192.168.1.20:5061;transport=tls>;expires=600";
    expect(rewriteContact(contact, "127.0.0.2")).toBe(
      "<sip:3919209257@127.0.0.2:5061;transport=tls>;expires=600",
    );
    expect(rewriteContact(contact, "127.0.0.2", 40000)).toBe(
      "<sip:3919209257@127.0.0.2:40000;transport=tls>;expires=600",
    );
    expect(rewriteContact("sip:[fd00::1]", "127.0.0.2", 5)).toBe("sip:127.0.0.2:5");
    expect(rewriteContact("*", "127.0.0.2")).toBe("*");
  });

  it("rewrites the sent-by host of the top Via and the SDP's c= and o= addresses, not its ports", () => {
    expect(rewriteVia("SIP/2.0/TLS 192.168.1.20:5061;branch=z9hG4bKa1", "127.0.0.2")).toBe(
      "SIP/2.0/TLS 127.0.0.2:5061;branch=z9hG4bKa1",
    );
    const sdp = rewriteSdp(SDP, "127.0.0.2");
    expect(sdp).toContain("o=osbiz 1 1 IN IP4 127.0.0.2\r\n");
    expect(sdp).toContain("c=IN IP4 127.0.0.2\r\n");
    expect(sdp).toContain("m=audio 30000 RTP/AVP 8\r\n");
  });

  it("rewrites a whole message in place: Content-Length follows the new SDP, lower Vias stay", () => {
    const invite = parseMessage(Buffer.from(message("INVITE", SDP)));
    algRewrite(
      invite,
      { type: "alg-rewrite", publicAddress: "127.0.0.2", portPerRefresh: true },
      seededRandom(1),
    );
    expect(invite.headers.getAll("Via")).toEqual([
      "SIP/2.0/TLS 127.0.0.2:5061;branch=z9hG4bKa1;rport",
      "SIP/2.0/TLS 10.0.0.1:5060;branch=z9hG4bKa0",
    ]);
    // Only a REGISTER gets a new port.
    expect(invite.headers.get("Contact")).toBe("<sip:3919209257@127.0.0.2:5061;transport=tls>;expires=600");
    expect(Number(invite.headers.get("Content-Length"))).toBe(invite.body.length);
    const reparsed = parseMessage(serialize(invite));
    expect(reparsed.body.toString()).toContain("c=IN IP4 127.0.0.2");
  });

  it("opens a new public port for each REGISTER with portPerRefresh, drawn from the rule's seed", () => {
    const random = seededRandom(7);
    const ports = [1, 2, 3].map(() => {
      const register = parseMessage(Buffer.from(message("REGISTER")));
      algRewrite(register, { type: "alg-rewrite", publicAddress: "127.0.0.2", portPerRefresh: true }, random);
      return Number(/:(\d+);transport/.exec(register.headers.get("Contact")!)![1]);
    });
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(1024);
    const only = parseMessage(Buffer.from(message("REGISTER")));
    algRewrite(only, { type: "alg-rewrite", publicAddress: "127.0.0.2", rewrite: ["via"] }, random);
    expect(only.headers.get("Contact")).toContain("@192.168.1.20:5061");
    expect(only.topVia.host).toBe("127.0.0.2");
  });

  it("is a SIP fault action on messages from the PBX (direction in) with an IPv4 public address", () => {
    expect(
      parseFaultRule({
        layer: "sip",
        match: { direction: "in", trunk: "3919209257" },
        action: {
          type: "alg-rewrite",
          publicAddress: "127.0.0.2",
          rewrite: ["contact", "sdp"],
          portPerRefresh: true,
        },
      }).action,
    ).toEqual({
      type: "alg-rewrite",
      publicAddress: "127.0.0.2",
      rewrite: ["contact", "sdp"],
      portPerRefresh: true,
    });
    const problems = (() => {
      try {
        parseFaultRule({
          layer: "sip",
          action: {
            type: "alg-rewrite",
            publicAddress: "router.example",
            rewrite: ["body"],
            portPerRefresh: "yes",
          },
        });
      } catch (error) {
        return (error as FaultRuleError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    })();
    expect(problems).toEqual([
      "fault.action: alg-rewrite rewrites what the PBX sends: use direction in",
      "fault.action.publicAddress: must be an IPv4 address, e.g. 127.0.0.2",
      "fault.action.rewrite: must be a non-empty list of contact, via, sdp",
      "fault.action.portPerRefresh: must be true or false",
    ]);
  });
});
