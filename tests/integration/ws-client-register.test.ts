import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClientPresenceEvent } from "../../src/registrar/client-bindings.js";
import { type ClientAccount, ClientRegistrar } from "../../src/registrar/client-registrar.js";
import { type DigestAlgorithm, digestHa1, digestResponse } from "../../src/registrar/digest.js";
import { ControllableClock } from "../../src/shared/clock.js";
import { parseAuthParams, type SipResponse } from "../../src/sip/message/index.js";
import { until } from "../support/until.js";
import { RawWsClient, startWsStack, type WsStack } from "../support/ws-support.js";

const REALM = "phoneapp.unify.com";
const USER = "us_k3v9q2m7xa";
const PASSWORD = "client-pass-1";

let clock: ControllableClock;
let stack: WsStack;
let registrar: ClientRegistrar;
let presence: ClientPresenceEvent[];
const clients: RawWsClient[] = [];

beforeEach(async () => {
  clock = new ControllableClock({ frozen: true });
  const accounts = new Map<string, ClientAccount>([
    [
      USER,
      {
        userId: USER,
        tenantId: "tn_acme",
        realm: REALM,
        ha1: {
          MD5: digestHa1("MD5", USER, REALM, PASSWORD),
          "SHA-256": digestHa1("SHA-256", USER, REALM, PASSWORD),
        },
      },
    ],
  ]);
  registrar = new ClientRegistrar(
    {
      realm: REALM,
      defaultExpires: 600,
      minExpires: 60,
      maxExpires: 3600,
      maxContactsPerUser: 10,
      nonceTtlMs: 300_000,
      digestAlgorithms: ["MD5", "SHA-256"],
      maxAuthFailures: 10,
      lockoutMs: 60_000,
    },
    { findClientAccount: (id) => accounts.get(id) },
    clock,
  );
  presence = [];
  registrar.bindings.onPresence((e) => presence.push(e));
  // Wired as the emulator does: REGISTER to the registrar, connection loss to its bindings.
  stack = await startWsStack({
    setup: (router, sip) => {
      router.on("REGISTER", (tx) => registrar.handleRegister(tx));
      sip.connectionClosed.on(({ connection, reason }) => registrar.connectionClosed(connection.id, reason));
    },
  });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack.close();
  clock.dispose();
});

async function connect(): Promise<RawWsClient> {
  const client = await RawWsClient.connect(stack.port, stack.ca);
  clients.push(client);
  return client;
}

function registerText(o: {
  cseq: number;
  callId: string;
  contactUser: string;
  authorization?: string;
}): string {
  return [
    `REGISTER sip:${REALM} SIP/2.0`,
    `Via: SIP/2.0/WSS ${o.contactUser}.invalid;branch=z9hG4bK${randomBytes(6).toString("hex")}`,
    "Max-Forwards: 70",
    `To: <sip:${USER}@${REALM}>`,
    `From: <sip:${USER}@${REALM}>;tag=${randomBytes(4).toString("hex")}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} REGISTER`,
    `Contact: <sip:${o.contactUser}@${o.contactUser}.invalid;transport=ws>;expires=600`,
    ...(o.authorization ? [`Authorization: ${o.authorization}`] : []),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

/** REGISTER over the WebSocket, answer the challenge of `algorithm` with `password`. */
async function register(
  client: RawWsClient,
  algorithm: DigestAlgorithm,
  password = PASSWORD,
  contactUser = "ab12cd",
): Promise<SipResponse> {
  const callId = `reg-${randomBytes(4).toString("hex")}`;
  const first = await client.request(registerText({ cseq: 1, callId, contactUser }));
  expect(first.status).toBe(401);
  const challenge = first.headers
    .getAll("www-authenticate")
    .map((v) => parseAuthParams(v).params)
    .find((p) => p.algorithm === algorithm)!;
  const uri = `sip:${REALM}`;
  const response = digestResponse({
    algorithm,
    username: USER,
    realm: REALM,
    password,
    method: "REGISTER",
    uri,
    nonce: challenge.nonce!,
    qop: { nc: "00000001", cnonce: "abcdef" },
  });
  const authorization = `Digest username="${USER}", realm="${REALM}", nonce="${challenge.nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=00000001, cnonce="abcdef"`;
  return client.request(registerText({ cseq: 2, callId, contactUser, authorization }));
}

describe("client REGISTER over SIP/WebSocket", () => {
  it.each(["MD5", "SHA-256"] as const)(
    "registers with %s digest checked against stored HA1s",
    async (algorithm) => {
      const client = await connect();
      const response = await register(client, algorithm);
      expect(response.status).toBe(200);
      expect(response.headers.get("contact")).toBe("<sip:ab12cd@ab12cd.invalid;transport=ws>;expires=600");
      const [binding] = registrar.bindings.forUser(USER);
      const [connection] = [...stack.stack.transport.connections.values()];
      expect(binding).toMatchObject({ connectionId: connection!.id, transport: "WSS" });
      expect(binding!.remote.address).toBe("127.0.0.1");
    },
  );

  it("refuses a wrong password with 403", async () => {
    const client = await connect();
    const response = await register(client, "MD5", "not-the-password");
    expect(response.status).toBe(403);
    expect(registrar.bindings.forUser(USER)).toEqual([]);
  });

  it("keeps one binding per client connection and drops a client's binding when its WebSocket closes", async () => {
    const a = await connect();
    const b = await connect();
    expect((await register(a, "MD5", PASSWORD, "clienta")).status).toBe(200);
    expect((await register(b, "SHA-256", PASSWORD, "clientb")).status).toBe(200);
    expect(registrar.bindings.forUser(USER)).toHaveLength(2);
    expect(new Set(registrar.bindings.forUser(USER).map((x) => x.connectionId)).size).toBe(2);
    a.close();
    await until(() => registrar.bindings.forUser(USER).length === 1);
    expect(registrar.bindings.forUser(USER)[0]!.contact).toContain("clientb");
    expect(presence.map((e) => e.status)).toEqual(["online"]);
    b.close();
    await until(() => registrar.bindings.forUser(USER).length === 0);
    expect(presence.at(-1)).toMatchObject({ status: "offline" });
    expect(presence.at(-1)!.reason).toMatch(/^connection closed: /);
  });
});
