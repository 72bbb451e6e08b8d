import { describe, expect, it } from "vitest";
import { callOutcome } from "../../../src/metrics/index.js";
import { registrationFailureCause } from "../../../src/metrics/registration-metrics.js";
import { tlsFailureReason } from "../../../src/metrics/tls-failure-reason.js";

describe("bounded causes", () => {
  it("names a refused REGISTER's cause from its status and reason phrase", () => {
    expect(registrationFailureCause(403, "Forbidden: wrong password")).toBe("wrong_credentials");
    expect(registrationFailureCause(403, "Forbidden: too many failed authentication attempts")).toBe(
      "locked_out",
    );
    expect(
      registrationFailureCause(
        403,
        "Forbidden: trunk already registered from another connection (cloned system?)",
      ),
    ).toBe("duplicate_registration");
    expect(registrationFailureCause(403, "Forbidden: at most 10 contacts per trunk")).toBe(
      "too_many_contacts",
    );
    expect(registrationFailureCause(423, "Interval Too Brief")).toBe("interval_too_brief");
    expect(registrationFailureCause(400, "Bad Request: malformed Contact")).toBe("bad_request");
    expect(registrationFailureCause(500, "Server Internal Error: out-of-order REGISTER")).toBe(
      "out_of_order",
    );
    expect(registrationFailureCause(503, "Service Unavailable: maintenance")).toBe("service_unavailable");
    expect(registrationFailureCause(488, "whatever")).toBe("other");
  });

  it("names a failed TLS handshake's reason from Node's and OpenSSL's words", () => {
    expect(tlsFailureReason("TLS handshake not finished in time")).toBe("timeout");
    expect(tlsFailureReason("error:0A00010B:SSL routines::wrong version number")).toBe("not_tls");
    expect(tlsFailureReason("error:0A000102:SSL routines::unsupported protocol")).toBe("protocol_version");
    expect(tlsFailureReason("error:0A0000C1:SSL routines::no shared cipher")).toBe("no_shared_cipher");
    expect(tlsFailureReason("error:0A000418:SSL routines::tlsv1 alert unknown ca")).toBe("certificate");
    expect(tlsFailureReason("error:0A00042E:SSL routines::tlsv1 alert protocol version")).toBe(
      "protocol_version",
    );
    expect(tlsFailureReason("error:0A000410:SSL routines::sslv3 alert handshake failure")).toBe("alert");
    expect(
      tlsFailureReason("Client network socket disconnected before secure TLS connection was established"),
    ).toBe("disconnected");
    expect(tlsFailureReason("TLS accept failed: boom")).toBe("internal");
    expect(tlsFailureReason("something new")).toBe("other");
  });

  it("names an ended call's outcome from its answer or its final status", () => {
    expect(callOutcome({ answeredAt: 5, finalStatus: 200 })).toBe("answered");
    expect(callOutcome({ answeredAt: null, finalStatus: 486 })).toBe("busy");
    expect(callOutcome({ answeredAt: null, finalStatus: 603 })).toBe("declined");
    expect(callOutcome({ answeredAt: null, finalStatus: 487 })).toBe("cancelled");
    expect(callOutcome({ answeredAt: null, finalStatus: 480 })).toBe("unavailable");
    expect(callOutcome({ answeredAt: null, finalStatus: 302 })).toBe("redirected");
    expect(callOutcome({ answeredAt: null, finalStatus: 503 })).toBe("failed");
    expect(callOutcome({ answeredAt: null, finalStatus: null })).toBe("abandoned");
  });
});
