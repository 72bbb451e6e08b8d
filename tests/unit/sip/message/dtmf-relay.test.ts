import { describe, expect, it } from "vitest";
import { dtmfFromInfo, Headers, SipRequest } from "../../../../src/sip/message/index.js";

function info(contentType: string | undefined, body: string): SipRequest {
  const headers = new Headers();
  if (contentType) headers.set("content-type", contentType);
  return new SipRequest("INFO", "sip:x@example.com", headers, Buffer.from(body));
}

describe("dtmfFromInfo", () => {
  it("reads application/dtmf-relay and application/dtmf bodies", () => {
    expect(dtmfFromInfo(info("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"))).toBe("5");
    expect(dtmfFromInfo(info("Application/DTMF-Relay; charset=x", "signal = #\r\n"))).toBe("#");
    expect(dtmfFromInfo(info("application/dtmf", "d"))).toBe("D");
  });

  it("finds nothing in other bodies or a bad signal", () => {
    expect(dtmfFromInfo(info("text/plain", "Signal=5"))).toBeUndefined();
    expect(dtmfFromInfo(info(undefined, "Signal=5"))).toBeUndefined();
    expect(dtmfFromInfo(info("application/dtmf-relay", "Signal=X"))).toBeUndefined();
  });
});
