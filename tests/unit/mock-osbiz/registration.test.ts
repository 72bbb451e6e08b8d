import { beforeEach, describe, expect, it, vi } from "vitest";
import { MockEndpoint } from "../../../src/mock-osbiz/mock-endpoint.js";
import { Registration, RegistrationError } from "../../../src/mock-osbiz/registration.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { createResponse, parseAuthParams, type SipRequest } from "../../../src/sip/message/index.js";
import { TransactionLayer } from "../../../src/sip/transaction/index.js";
import { FakeConnection } from "../../support/fake-connection.js";

let clock: ControllableClock;
let connection: FakeConnection;
let transactions: TransactionLayer;
let refreshed: number[];
let failures: Error[];

function registration(expires = 120): Registration {
  return new Registration({
    transactions,
    timers: clock,
    endpoint: new MockEndpoint("3919209257"),
    user: "3919209257",
    password: "s3cret-Trunk-1",
    domain: "phoneapp.unify.com",
    expires,
    margin: 0.2,
    onRefreshed: (granted) => refreshed.push(granted),
    onRefreshFailed: (error) => failures.push(error),
  });
}

/** The registrar's answer to the latest REGISTER. */
function answer(status: number, headers: Record<string, string> = {}): void {
  const request = connection.last as SipRequest;
  const response = createResponse(request, status, undefined, "reg1");
  for (const [name, value] of Object.entries(headers)) response.headers.append(name, value);
  transactions.receiveResponse(response, connection);
}

async function sentCount(n: number): Promise<SipRequest> {
  await vi.waitFor(() => expect(connection.sent).toHaveLength(n));
  return connection.last as SipRequest;
}

beforeEach(() => {
  clock = new ControllableClock({ frozen: true });
  connection = new FakeConnection({ reliable: true });
  transactions = new TransactionLayer({
    clock,
    user: { onRequest: () => undefined, onAck: () => undefined, onCancel: () => undefined },
  });
  refreshed = [];
  failures = [];
});

describe("Registration", () => {
  it("answers the challenge, takes the granted expiry from its Contact, and refreshes at 80 %", async () => {
    const reg = registration();
    const done = reg.register(connection);
    const first = await sentCount(1);
    expect(first.uri).toBe("sip:phoneapp.unify.com");
    expect(first.headers.get("contact")).toBe("<sip:3919209257@127.0.0.1:65061;transport=tls>");
    expect(first.headers.get("expires")).toBe("120");
    expect(first.headers.has("authorization")).toBe(false);
    answer(401, { "WWW-Authenticate": 'Digest realm="phoneapp.unify.com", nonce="n1", qop="auth"' });

    const second = await sentCount(2);
    expect(second.callId).toBe(first.callId);
    expect(second.cseq.seq).toBe(2);
    expect(parseAuthParams(second.headers.get("authorization")!).params).toMatchObject({
      nonce: "n1",
      nc: "00000001",
    });
    answer(200, {
      Contact: "<sip:3919209257@127.0.0.1:65061;transport=tls>;expires=100",
    });
    expect(await done).toBe(100);
    expect(reg.expires).toBe(100);

    clock.advance(79_999);
    expect(connection.sent).toHaveLength(2);
    clock.advance(1);
    const refresh = await sentCount(3);
    expect(refresh.callId).toBe(first.callId);
    expect(refresh.cseq.seq).toBe(3);
    // The nonce is reused with the next nonce-count: no new round trip.
    expect(parseAuthParams(refresh.headers.get("authorization")!).params.nc).toBe("00000002");
    answer(200, { Expires: "90" });
    await vi.waitFor(() => expect(refreshed).toEqual([90]));
  });

  it("retries a 423 with Min-Expires", async () => {
    const done = registration(60).register(connection);
    await sentCount(1);
    answer(423, { "Min-Expires": "300" });
    const retry = await sentCount(2);
    expect(retry.headers.get("expires")).toBe("300");
    answer(200);
    expect(await done).toBe(300);
  });

  it("rejects with the status of a refusal and reports a failed refresh", async () => {
    const reg = registration();
    const done = reg.register(connection);
    await sentCount(1);
    answer(403, {});
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistrationError);
    expect((error as RegistrationError).status).toBe(403);
    expect(reg.expires).toBeNull();

    const again = reg.register(connection);
    await sentCount(2);
    answer(200);
    await again;
    clock.advance(96_000);
    await sentCount(3);
    answer(404);
    await vi.waitFor(() => expect(failures).toHaveLength(1));
    expect(failures[0]!.message).toBe("REGISTER refused: 404 Not Found");
  });

  it("unregisters with Expires: 0 and stops refreshing", async () => {
    const reg = registration();
    const done = reg.register(connection);
    await sentCount(1);
    answer(200);
    await done;
    const gone = reg.unregister();
    const unregister = await sentCount(2);
    expect(unregister.headers.get("expires")).toBe("0");
    answer(200);
    await gone;
    expect(reg.expires).toBeNull();
    clock.advance(600_000);
    expect(connection.sent).toHaveLength(2);
  });
});
