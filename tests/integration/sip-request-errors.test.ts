import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import type { SipResponse } from "../../src/sip/message/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { SipTestClient } from "../support/sip-test-client.js";

let emulator: EmulatorHandle;
let client: SipTestClient;
let n = 0;

beforeAll(async () => {
  emulator = await startTestEmulator();
  client = await SipTestClient.connectTls(emulator.ports.sip, { ca: emulator.certificates.caCertPem! });
});

afterAll(async () => {
  client.close();
  await emulator.close();
});

function message(opts: {
  method?: string;
  uri?: string;
  version?: string;
  cseqMethod?: string;
  headers?: string[];
  body?: string;
}): string {
  n++;
  const method = opts.method ?? "OPTIONS";
  const body = opts.body ?? "";
  return [
    `${method} ${opts.uri ?? "sip:phoneapp.unify.com"} ${opts.version ?? "SIP/2.0"}`,
    `Via: SIP/2.0/TLS 127.0.0.1:${client.localPort};branch=z9hG4bKerr${n}`,
    "Max-Forwards: 70",
    `From: <sip:probe@example.test>;tag=f${n}`,
    "To: <sip:phoneapp.unify.com>",
    `Call-ID: err-${n}`,
    `CSeq: ${n} ${opts.cseqMethod ?? method}`,
    ...(opts.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

async function send(opts: Parameters<typeof message>[0]): Promise<SipResponse> {
  return client.request(message(opts));
}

describe("requests the connector answers without a handler", () => {
  it("answers OPTIONS (keep-alive) with 200, Allow, Accept and Supported", async () => {
    const res = await send({});
    expect(res.status).toBe(200);
    expect(res.headers.getAll("allow")).toEqual(
      expect.arrayContaining(["REGISTER", "OPTIONS", "ACK", "CANCEL"]),
    );
    expect(res.headers.get("accept")).toBe("application/sdp");
    expect(res.headers.has("supported")).toBe(true);
    expect(res.to.params.tag).toBeUndefined();
  });

  it("answers Max-Forwards: 0 with 483", async () => {
    const text = message({}).replace("Max-Forwards: 70", "Max-Forwards: 0");
    const res = await client.request(text);
    expect(res.status).toBe(483);
  });

  it("answers an unknown method with 501 naming it", async () => {
    const res = await send({ method: "FROBNICATE" });
    expect(res.status).toBe(501);
    expect(res.reason).toContain("FROBNICATE");
  });

  it("answers a known method the connector does not accept with 405 and Allow", async () => {
    const res = await send({ method: "SUBSCRIBE", headers: ["Event: presence"] });
    expect(res.status).toBe(405);
    expect(res.headers.getAll("allow")).toEqual(expect.arrayContaining(["OPTIONS", "REGISTER"]));
    expect(res.headers.getAll("allow")).not.toContain("SUBSCRIBE");
  });

  it("answers an unsupported Require with 420 listing the tags in Unsupported", async () => {
    const res = await send({ headers: ["Require: foo, bar"] });
    expect(res.status).toBe(420);
    expect(res.headers.getAll("unsupported")).toEqual(["foo", "bar"]);
  });

  it("answers SIP/3.0 with 505", async () => {
    const res = await send({ version: "SIP/3.0" });
    expect(res.status).toBe(505);
  });

  it("answers a tel: Request-URI with 416", async () => {
    const res = await send({ uri: "tel:+4923026672131" });
    expect(res.status).toBe(416);
  });

  it("answers a CSeq method mismatch with 400 and a reason naming the problem", async () => {
    const res = await send({ cseqMethod: "INVITE" });
    expect(res.status).toBe(400);
    expect(res.reason).toMatch(/CSeq/i);
  });

  it("answers a body it cannot understand with 415", async () => {
    const res = await send({ headers: ["Content-Type: application/unknownformat"], body: "xyz" });
    expect(res.status).toBe(415);
  });

  it("keeps serving the connection after each error", async () => {
    const res = await send({});
    expect(res.status).toBe(200);
    expect(client.closed).toBe(false);
  });
});
