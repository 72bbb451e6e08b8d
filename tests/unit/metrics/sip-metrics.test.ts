import fc from "fast-check";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Tally } from "../../../src/metrics/collected.js";
import { sipMetrics } from "../../../src/metrics/sip-metrics.js";
import { SIP_METHODS } from "../../../src/metrics/sip-start-line.js";
import { Listeners } from "../../../src/shared/listeners.js";
import {
  Headers,
  type SipMessage,
  SipRequest,
  SipResponse,
  serialize,
} from "../../../src/sip/message/index.js";
import type { TransportEvent } from "../../../src/sip/transport/index.js";
import { FakeConnection } from "../../support/fake-connection.js";

function metered() {
  const registry = new Registry();
  const tap = sipMetrics(registry, {
    transactions: { counts: { server: 0, client: 0, retransmitted: 0, absorbed: 0 } },
    transportEvents: new Listeners<TransportEvent>(),
  });
  const traffic = async () =>
    `${await registry.getSingleMetricAsString("upe_sip_requests_total")}\n${await registry.getSingleMetricAsString("upe_sip_responses_total")}`;
  return { tap, traffic };
}

function headers(cseq: string): Headers {
  const h = new Headers();
  h.set("Via", "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKx");
  h.set("From", "<sip:a@example.test>;tag=1");
  h.set("To", "<sip:b@example.test>");
  h.set("Call-ID", "c1");
  h.set("CSeq", cseq);
  return h;
}

const conn = new FakeConnection({ reliable: true });

describe("Tally", () => {
  it("gives each series once, with its label values, in the order it first counted", () => {
    const tally = new Tally();
    tally.add("in", "REGISTER");
    tally.add("out", "OPTIONS");
    tally.add("in", "OPTIONS");
    tally.add("in", "REGISTER");
    expect([...tally.samples()]).toEqual([
      [["in", "REGISTER"], 2],
      [["out", "OPTIONS"], 1],
      [["in", "OPTIONS"], 1],
    ]);
  });
});

describe("the SIP traffic tap", () => {
  it("counts what the parsed message says when the transport hands it over, without reading the bytes", async () => {
    const { tap, traffic } = metered();
    const garbage = Buffer.from("not a SIP message at all");
    tap.received(garbage, conn, new SipRequest("REGISTER", "sip:example.test", headers("1 REGISTER")));
    tap.sent(garbage, conn, new SipResponse(401, "Unauthorized", headers("1 REGISTER")));
    const text = await traffic();
    expect(text).toContain('upe_sip_requests_total{direction="in",method="REGISTER"} 1');
    expect(text).toContain('upe_sip_responses_total{direction="out",method="REGISTER",status_class="4xx"} 1');
  });

  it("counts by the bytes when there is no message (a corrupted send) or its CSeq does not parse", async () => {
    const { tap, traffic } = metered();
    const broken = new SipResponse(200, "OK", headers("one OPTIONS"));
    tap.sent(serialize(broken), conn, broken);
    tap.sent(Buffer.from("SIP/2.0 503 Busy\r\nCSeq: 2 invite\r\n\r\n"), conn);
    tap.received(Buffer.from("\x00\x01garbage-with-no-space"), conn);
    const text = await traffic();
    expect(text).toContain('upe_sip_responses_total{direction="out",method="other",status_class="2xx"} 1');
    expect(text).toContain('upe_sip_responses_total{direction="out",method="INVITE",status_class="5xx"} 1');
    expect(text).not.toContain('direction="in"');
  });

  it("counts any message the same from its parsed form as from its bytes", async () => {
    const method = fc.constantFrom(...SIP_METHODS, "register", "Invite", "FOO", "X-CUSTOM", "UNKNOWNMETHOD");
    const message = fc.oneof(
      fc.record({ kind: fc.constant("request" as const), method, seq: fc.nat(99_999) }),
      fc.record({
        kind: fc.constant("response" as const),
        method,
        seq: fc.nat(99_999),
        status: fc.integer({ min: 100, max: 699 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(message, fc.boolean()), { maxLength: 30 }), async (messages) => {
        const byMessage = metered();
        const byBytes = metered();
        for (const [m, inbound] of messages) {
          const cseq = `${m.seq} ${m.method}`;
          const sip: SipMessage =
            m.kind === "request"
              ? new SipRequest(m.method, "sip:example.test", headers(cseq))
              : new SipResponse(m.status, "Reason", headers(cseq));
          const bytes = serialize(sip);
          if (inbound) {
            byMessage.tap.received(bytes, conn, sip);
            byBytes.tap.received(bytes, conn);
          } else {
            byMessage.tap.sent(bytes, conn, sip);
            byBytes.tap.sent(bytes, conn);
          }
        }
        expect(await byMessage.traffic()).toBe(await byBytes.traffic());
      }),
      { numRuns: 100 },
    );
  });
});
