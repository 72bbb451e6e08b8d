import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClientPresenceEvent } from "../../../src/registrar/client-bindings.js";
import {
  type ClientAccount,
  ClientRegistrar,
  type ClientRegistrarOptions,
  isClientAor,
} from "../../../src/registrar/client-registrar.js";
import { type DigestAlgorithm, digestHa1, digestResponse } from "../../../src/registrar/digest.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import {
  parseAuthParams,
  parseMessage,
  parseUri,
  type SipRequest,
  type SipResponse,
} from "../../../src/sip/message/index.js";
import type { ServerTransaction } from "../../../src/sip/transaction/index.js";
import { FakeConnection } from "../../support/fake-connection.js";

const REALM = "phoneapp.unify.com";
const USER = "us_k3v9q2m7xa";
const PASSWORD = "client-pass-1";

const OPTIONS: ClientRegistrarOptions = {
  realm: REALM,
  defaultExpires: 600,
  minExpires: 60,
  maxExpires: 3600,
  maxContactsPerUser: 3,
  nonceTtlMs: 300_000,
  digestAlgorithms: ["MD5", "SHA-256"],
  maxAuthFailures: 3,
  lockoutMs: 60_000,
};

function account(userId = USER, password = PASSWORD, realm = REALM): ClientAccount {
  return {
    userId,
    tenantId: "tn_acme",
    realm,
    ha1: {
      MD5: digestHa1("MD5", userId, realm, password),
      "SHA-256": digestHa1("SHA-256", userId, realm, password),
    },
  };
}

let clock: ControllableClock;
let accounts: Map<string, ClientAccount>;
let registrar: ClientRegistrar;
let presence: ClientPresenceEvent[];
let connection: FakeConnection;

beforeEach(() => {
  clock = new ControllableClock({ frozen: true, start: 1_700_000_000_000 });
  accounts = new Map([[USER, account()]]);
  registrar = new ClientRegistrar(OPTIONS, { findClientAccount: (id) => accounts.get(id) }, clock);
  presence = [];
  registrar.bindings.onPresence((e) => presence.push(e));
  connection = new FakeConnection({ reliable: true, protocol: "WSS" });
});

afterEach(() => clock.dispose());

interface RegisterOptions {
  user?: string;
  callId?: string;
  cseq?: number;
  contacts?: string[];
  expires?: number;
  authorization?: string;
  via?: FakeConnection;
}

let seq = 0;

/** Run one REGISTER through the registrar; returns the response it sent. */
function send(o: RegisterOptions = {}): SipResponse {
  const user = o.user ?? USER;
  const contacts = o.contacts ?? ["<sip:ab12cd@df7jal23ls0d.invalid;transport=ws>"];
  const text = [
    `REGISTER sip:${REALM} SIP/2.0`,
    `Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK${++seq}`,
    "Max-Forwards: 70",
    `To: <sip:${user}@${REALM}>`,
    `From: <sip:${user}@${REALM}>;tag=f${seq}`,
    `Call-ID: ${o.callId ?? "reg-call-1"}`,
    `CSeq: ${o.cseq ?? seq} REGISTER`,
    ...contacts.map((c) => `Contact: ${c}`),
    ...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]),
    ...(o.authorization ? [`Authorization: ${o.authorization}`] : []),
    "User-Agent: SIP.js/0.21.2",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const request = parseMessage(Buffer.from(text)) as SipRequest;
  const sent: SipResponse[] = [];
  const tx: ServerTransaction = {
    id: `tx${seq}`,
    method: "REGISTER",
    request,
    connection: o.via ?? connection,
    state: "trying",
    respond: (r) => sent.push(r),
  };
  registrar.handleRegister(tx);
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

function challenge(response: SipResponse, algorithm: DigestAlgorithm): Record<string, string> {
  const offered = response.headers.getAll("www-authenticate").map((v) => parseAuthParams(v).params);
  const found = offered.find((p) => p.algorithm === algorithm);
  expect(found).toBeDefined();
  return found!;
}

function authorization(
  ch: Record<string, string>,
  algorithm: DigestAlgorithm,
  options: { user?: string; password?: string; nc?: string } = {},
): string {
  const user = options.user ?? USER;
  const nc = options.nc ?? "00000001";
  const cnonce = "c0ffee";
  const uri = `sip:${REALM}`;
  const response = digestResponse({
    algorithm,
    username: user,
    realm: ch.realm!,
    password: options.password ?? PASSWORD,
    method: "REGISTER",
    uri,
    nonce: ch.nonce!,
    qop: { nc, cnonce },
  });
  return `Digest username="${user}", realm="${ch.realm}", nonce="${ch.nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

/** 401, then the answer to the challenge of `algorithm`. */
function register(o: RegisterOptions & { algorithm?: DigestAlgorithm; password?: string } = {}): SipResponse {
  const algorithm = o.algorithm ?? "MD5";
  const first = send(o);
  expect(first.status).toBe(401);
  const ch = challenge(first, algorithm);
  return send({
    ...o,
    authorization: authorization(ch, algorithm, o.password ? { password: o.password } : {}),
  });
}

describe("isClientAor", () => {
  it("is true for user ids, false for trunk usernames and user-less URIs", () => {
    expect(isClientAor(parseUri(`sip:${USER}@${REALM}`))).toBe(true);
    expect(isClientAor(parseUri(`sip:3919209257@${REALM}`))).toBe(false);
    expect(isClientAor(parseUri(`sip:${REALM}`))).toBe(false);
  });
});

describe("ClientRegistrar authentication", () => {
  it("challenges with every configured algorithm in order, qop=auth, our realm", () => {
    const response = send();
    expect(response.status).toBe(401);
    const offered = response.headers.getAll("www-authenticate").map((v) => parseAuthParams(v).params);
    expect(offered.map((p) => p.algorithm)).toEqual(["MD5", "SHA-256"]);
    expect(offered.every((p) => p.realm === REALM && p.qop === "auth")).toBe(true);
    expect(registrar.bindings.size).toBe(0);
  });

  it.each(["MD5", "SHA-256"] as const)("registers with %s checked against the stored HA1", (algorithm) => {
    const response = register({ algorithm });
    expect(response.status).toBe(200);
    expect(response.headers.getAll("contact")).toEqual([
      "<sip:ab12cd@df7jal23ls0d.invalid;transport=ws>;expires=600",
    ]);
    const [binding] = registrar.bindings.forUser(USER);
    expect(binding).toMatchObject({
      userId: USER,
      tenantId: "tn_acme",
      aor: `sip:${USER}@${REALM}`,
      contact: "sip:ab12cd@df7jal23ls0d.invalid;transport=ws",
      connectionId: connection.id,
      transport: "WSS",
      userAgent: "SIP.js/0.21.2",
    });
    expect(presence).toEqual([
      expect.objectContaining({ userId: USER, status: "online", reason: "registered" }),
    ]);
  });

  it("refuses a wrong password with 403 and locks the source out after repeated failures", () => {
    for (let i = 0; i < OPTIONS.maxAuthFailures; i++) {
      const response = register({ password: "wrong-password" });
      expect(response.status).toBe(403);
      expect(response.reason).toContain("wrong password");
    }
    const locked = send();
    expect(locked.status).toBe(403);
    expect(locked.headers.get("retry-after")).toBe("60");
    expect(registrar.bindings.size).toBe(0);
  });

  it("answers 404 for a user without a client password", () => {
    const response = send({ user: "us_nopassword" });
    expect(response.status).toBe(404);
    expect(response.reason).toContain("us_nopassword");
  });

  it("refuses an account whose HA1s were computed for another realm", () => {
    accounts.set(USER, account(USER, PASSWORD, "old.example.com"));
    const response = send();
    expect(response.status).toBe(403);
    expect(response.reason).toContain("old.example.com");
  });

  it("answers an expired nonce with a fresh challenge marked stale", () => {
    const ch = challenge(send(), "MD5");
    clock.advance(OPTIONS.nonceTtlMs + 1);
    const response = send({ authorization: authorization(ch, "MD5") });
    expect(response.status).toBe(401);
    expect(challenge(response, "MD5").stale).toBe("true");
  });

  it("re-challenges a replayed nonce count", () => {
    const ch = challenge(send(), "MD5");
    expect(send({ authorization: authorization(ch, "MD5") }).status).toBe(200);
    expect(send({ authorization: authorization(ch, "MD5") }).status).toBe(401);
    expect(send({ authorization: authorization(ch, "MD5", { nc: "00000002" }) }).status).toBe(200);
  });

  it("refuses credentials of another user with 403", () => {
    accounts.set("us_other", account("us_other", "other-pass-1"));
    const ch = challenge(send(), "MD5");
    const response = send({
      authorization: authorization(ch, "MD5", { user: "us_other", password: "other-pass-1" }),
    });
    expect(response.status).toBe(403);
  });
});

describe("ClientRegistrar bindings (RFC 3261 §10.3)", () => {
  it("answers 423 with Min-Expires for a too brief interval and caps long ones", () => {
    const brief = register({ expires: 30 });
    expect(brief.status).toBe(423);
    expect(brief.headers.get("min-expires")).toBe("60");
    const long = register({ expires: 86_400 });
    expect(long.headers.get("contact")).toMatch(/;expires=3600$/);
  });

  it("keeps several clients per user, up to the cap", () => {
    const contacts = ["a", "b", "c", "d"].map((u) => `<sip:${u}@x.invalid;transport=ws>`);
    for (const [i, c] of contacts.slice(0, 3).entries())
      expect(register({ contacts: [c], callId: `c${i}` }).status).toBe(200);
    expect(registrar.bindings.forUser(USER)).toHaveLength(3);
    const over = register({ contacts: [contacts[3]!], callId: "c3" });
    expect(over.status).toBe(403);
    expect(over.reason).toContain("at most 3 clients");
    expect(presence.filter((e) => e.status === "online")).toHaveLength(1);
  });

  it("unregisters one contact with expires 0 and all with *; the last one going publishes offline", () => {
    register({ contacts: ["<sip:a@x.invalid>"], callId: "a" });
    register({ contacts: ["<sip:b@x.invalid>"], callId: "b" });
    expect(register({ contacts: ["<sip:a@x.invalid>;expires=0"], callId: "a" }).status).toBe(200);
    expect(registrar.bindings.forUser(USER).map((b) => b.contact)).toEqual(["sip:b@x.invalid"]);
    expect(presence.map((e) => e.status)).toEqual(["online"]);
    expect(register({ contacts: ["*"], expires: 0, callId: "b" }).status).toBe(200);
    expect(registrar.bindings.forUser(USER)).toEqual([]);
    expect(presence.at(-1)).toMatchObject({ status: "offline", reason: "unregistered" });
  });

  it("rejects * without Expires: 0", () => {
    expect(register({ contacts: ["*"], expires: 60 }).status).toBe(400);
  });

  it("refuses an out-of-order CSeq of the same Call-ID with 500", () => {
    expect(register({ callId: "same", cseq: 10 }).status).toBe(200);
    // The 401 round binds nothing, so the same CSeq may carry the credentials.
    expect(register({ callId: "same", cseq: 5 }).status).toBe(500);
  });

  it("drops the clients of a closed connection only", () => {
    const other = new FakeConnection({ reliable: true, protocol: "WSS" });
    register({ contacts: ["<sip:a@x.invalid>"], callId: "a" });
    register({ contacts: ["<sip:b@x.invalid>"], callId: "b", via: other });
    registrar.connectionClosed(connection.id, "closed by peer");
    expect(registrar.bindings.forUser(USER).map((b) => b.connectionId)).toEqual([other.id]);
    registrar.connectionClosed(other.id, "closed by peer");
    expect(registrar.bindings.forUser(USER)).toEqual([]);
    expect(presence.at(-1)).toMatchObject({ status: "offline", reason: "connection closed: closed by peer" });
  });

  it("expires bindings on the emulator clock; a refresh extends and keeps registeredAt", () => {
    register({ expires: 600, callId: "r" });
    const registeredAt = registrar.bindings.forUser(USER)[0]!.registeredAt;
    clock.advance(500_000);
    register({ expires: 600, callId: "r" });
    expect(registrar.bindings.forUser(USER)[0]!.registeredAt).toBe(registeredAt);
    clock.advance(599_000);
    expect(registrar.bindings.forUser(USER)).toHaveLength(1);
    clock.advance(1_000);
    expect(registrar.bindings.forUser(USER)).toEqual([]);
    expect(presence.at(-1)).toMatchObject({ status: "offline", reason: "expired" });
  });
});

describe("a tenant that is not functional (its JWT)", () => {
  let outage: { cause: string } | undefined;
  beforeEach(() => {
    outage = { cause: "JWT expired" };
    registrar = new ClientRegistrar(OPTIONS, { findClientAccount: (id) => accounts.get(id) }, clock, {
      tenantOutage: (tenantId) => (tenantId === "tn_acme" ? outage : undefined),
    });
  });

  it("challenges first, then answers 403 with the cause and binds nothing", () => {
    expect(register().status).toBe(403);
    expect(register().reason).toBe("Forbidden: Unify Phone not functional: JWT expired");
    expect(registrar.bindings.forUser(USER)).toEqual([]);
  });

  it("asks on every REGISTER: functional again, the client registers", () => {
    expect(register().status).toBe(403);
    outage = undefined;
    expect(register().status).toBe(200);
  });
});
