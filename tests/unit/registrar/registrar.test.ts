import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type RegisterAttempt,
  Registrar,
  type RegistrarOptions,
  type RegistrarTrunk,
  type TrunkStatusEvent,
} from "../../../src/registrar/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { Listeners } from "../../../src/shared/listeners.js";
import { parseMessage, type SipRequest, type SipResponse } from "../../../src/sip/message/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import {
  authorizationFor,
  parseChallenge,
  type RegisterParams,
  registerText,
} from "../../support/sip-test-client.js";

const REALM = "phoneapp.unify.com";
const USERNAME = "3919209257";
const PASSWORD = "trunk-pass-1";

const OPTIONS: RegistrarOptions = {
  defaultExpires: 600,
  minExpires: 60,
  realm: REALM,
  maxExpires: 3600,
  maxContactsPerTrunk: 2,
  digestAlgorithms: ["MD5", "SHA-256"],
  nonceTtlMs: 300_000,
  maxAuthFailures: 3,
  duplicateRegistration: "allow",
  lockoutMs: 60_000,
};

const TRUNK: RegistrarTrunk = {
  id: "tk_main",
  tenantId: "tn_acme",
  username: USERNAME,
  password: PASSWORD,
  authRequired: true,
};

let clock: ControllableClock;
let trunks: Map<string, RegistrarTrunk>;
let registrar: Registrar;
let status: TrunkStatusEvent[];
let attempts: RegisterAttempt[];
let connection: FakeConnection;

beforeEach(() => {
  clock = new ControllableClock({ frozen: true, start: 1_700_000_000_000 });
  trunks = new Map([[USERNAME, TRUNK]]);
  const events = new Listeners<TrunkStatusEvent>();
  status = [];
  events.on((e) => status.push(e));
  registrar = new Registrar(OPTIONS, { findByUsername: (u) => trunks.get(u) }, clock, events);
  attempts = [];
  registrar.attempts.on((a) => attempts.push(a));
  connection = new FakeConnection({ reliable: true });
});

afterEach(() => clock.dispose());

const other = `<sip:${USERNAME}@192.0.2.99>`;

type RegisterOptions = Omit<RegisterParams, "user" | "localPort"> & {
  user?: string;
  /** More Contact headers after the first. */
  more?: string[];
  via?: FakeConnection;
  password?: string;
};

/** Run one REGISTER through the registrar; returns the one response it sent. */
function send({
  user = USERNAME,
  more = [],
  via = connection,
  ...params
}: RegisterOptions = {}): SipResponse {
  const text = registerText({
    ...params,
    user,
    localPort: 5061,
    callId: params.callId ?? "reg-1",
    extraHeaders: more.map((c) => `Contact: ${c}`),
  });
  const sent: SipResponse[] = [];
  registrar.handleRegister({
    respond: (r) => sent.push(r),
    request: parseMessage(Buffer.from(text)) as SipRequest,
    connection: via,
    id: "tx",
    state: "trying",
    method: "REGISTER",
  });
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

/** 401, then the MD5 answer to it. */
function register(options: RegisterOptions = {}): SipResponse {
  const first = send(options);
  expect(first.status).toBe(401);
  const challenge = parseChallenge(first.headers.getAll("www-authenticate")[0]!);
  const password = options.password ?? PASSWORD;
  const authorization = authorizationFor({ challenge, user: USERNAME, password, uri: `sip:${REALM}` });
  return send({ ...options, cseq: (options.cseq ?? 1) + 1, authorization });
}

const contactA = `<sip:${USERNAME}@198.51.100.1:5061;transport=tls>`;
const contactB = `<sip:${USERNAME}@203.0.113.9:5061;transport=tls>`;

describe("Registrar (trunk) registration", () => {
  it("binds the trunk's contact with the trunk's identity and reports the outcome", () => {
    const response = register({ contact: contactA, contactParams: ';+sip.instance="<urn:uuid:1>"' });
    expect(response.status).toBe(200);
    expect(response.headers.getAll("contact")).toEqual([
      `${contactA};+sip.instance="<urn:uuid:1>";expires=600`,
    ]);
    expect(registrar.bindings.forTrunk(TRUNK.id)).toEqual([
      {
        trunkId: TRUNK.id,
        tenantId: TRUNK.tenantId,
        aor: USERNAME,
        contact: `sip:${USERNAME}@198.51.100.1:5061;transport=tls`,
        contactParams: { "+sip.instance": '"<urn:uuid:1>"' },
        callId: "reg-1",
        cseq: 2,
        registeredAt: clock.now(),
        expiresAt: clock.now() + 600_000,
        connectionId: connection.id,
        transport: "TLS",
        remote: { address: "127.0.0.1", port: 5070 },
      },
    ]);
    expect(registrar.bindings.trunksOnConnection(connection.id)).toEqual([TRUNK.id]);
    expect(status).toEqual([
      {
        trunkId: TRUNK.id,
        tenantId: TRUNK.tenantId,
        status: "available",
        reason: "registered",
        at: clock.now(),
      },
    ]);
    expect(attempts).toEqual([
      { trunkId: TRUNK.id, status: 200, reason: "OK", at: clock.now(), remote: "127.0.0.1:5070" },
    ]);
  });

  it("checks the password the directory has now: a trunk replaced with a new password refuses the old one", () => {
    expect(register().status).toBe(200);
    trunks.set(USERNAME, { ...TRUNK, password: "trunk-pass-2" });
    expect(register({ callId: "reg-2", password: PASSWORD }).status).toBe(403);
    expect(register({ callId: "reg-3", password: "trunk-pass-2" }).status).toBe(200);
  });

  it("registers without digest when the trunk does not require authentication", () => {
    trunks.set(USERNAME, { ...TRUNK, authRequired: false });
    expect(send().status).toBe(200);
    expect(registrar.bindings.size).toBe(1);
  });

  it("answers an unknown user like a wrong password and tells only unknownAccounts why", () => {
    const unknown: string[] = [];
    registrar.unknownAccounts.on((a) => unknown.push(`${a.status} ${a.reason}`));
    const user = "1111111111";
    const first = send({ user });
    expect(first.status).toBe(401);
    const offered = first.headers.getAll("www-authenticate").map(parseChallenge);
    expect(offered.map((c) => [c.algorithm, c.qop])).toEqual([
      ["MD5", "auth"],
      ["SHA-256", "auth"],
    ]);
    const authorization = authorizationFor({
      challenge: offered[0]!,
      user,
      password: PASSWORD,
      uri: `sip:${REALM}`,
    });
    const final = send({ user, cseq: 2, authorization });
    expect([final.status, final.reason]).toEqual([403, "Forbidden: wrong password"]);
    expect(attempts).toEqual([]);
    expect(unknown).toEqual(["403 no trunk with user 1111111111"]);
  });

  it("reports a wrong password as 403 but not the 401 challenge, then locks the source out", () => {
    for (let i = 0; i < OPTIONS.maxAuthFailures; i++)
      expect(register({ password: "wrong" }).status).toBe(403);
    expect(attempts.map((a) => a.status)).toEqual([403, 403, 403]);
    const locked = send();
    expect(locked.status).toBe(403);
    expect(locked.headers.get("retry-after")).toBe("60");
    expect(attempts.at(-1)?.reason).toBe("Forbidden: too many failed authentication attempts");
  });

  it("caps the contacts per trunk", () => {
    expect(register({ contact: contactA, more: [contactB] }).status).toBe(200);
    const over = register({ contact: other, callId: "other" });
    expect(over.status).toBe(403);
    expect(over.reason).toBe("Forbidden: at most 2 contacts per trunk");
  });

  it("answers 423 with Min-Expires and reports it", () => {
    const brief = register({ expires: 10 });
    expect(brief.status).toBe(423);
    expect(brief.headers.get("min-expires")).toBe("60");
    expect(attempts.at(-1)).toMatchObject({ status: 423, reason: "Interval Too Brief" });
  });

  it("expires the binding on the emulator clock and publishes unavailable", () => {
    register({ expires: 60 });
    clock.advance(59_999);
    expect(registrar.bindings.trunkCount).toBe(1);
    clock.advance(1);
    expect(registrar.bindings.trunkCount).toBe(0);
    expect(status.at(-1)).toMatchObject({ status: "unavailable", reason: "expired" });
  });
});

describe("Registrar duplicate-registration policy", () => {
  const clone = () => new FakeConnection({ reliable: true });

  it("allow: registrations over two connections live side by side", () => {
    register({ contact: contactA, callId: "a" });
    expect(register({ contact: contactB, callId: "b", via: clone() }).status).toBe(200);
    expect(registrar.bindings.size).toBe(2);
  });

  it("reject: the second connection gets 403 and the first keeps the trunk", () => {
    registrar.duplicatePolicy = "reject";
    register({ contact: contactA, callId: "a" });
    const response = register({ contact: contactB, callId: "b", via: clone() });
    expect(response.status).toBe(403);
    expect(response.reason).toContain("cloned system");
    expect(registrar.bindings.forTrunk(TRUNK.id).map((b) => b.connectionId)).toEqual([connection.id]);
  });

  it("last-wins: the newcomer takes over without the trunk ever looking unavailable", () => {
    registrar.duplicatePolicy = "last-wins";
    const via = clone();
    register({ contact: contactA, more: [other], callId: "a" });
    // Both old contacts are displaced, so the cap of 2 is not exceeded.
    expect(register({ contact: contactB, callId: "b", via }).status).toBe(200);
    expect(registrar.bindings.forTrunk(TRUNK.id).map((b) => b.connectionId)).toEqual([via.id]);
    expect(status.map((e) => e.status)).toEqual(["available"]);
  });

  it("a REGISTER from elsewhere that only removes takes nothing over, under any policy", () => {
    for (const policy of ["reject", "last-wins", "flap"] as const) {
      registrar.duplicatePolicy = policy;
      register({ contact: contactA, callId: `a-${policy}` });
      const removal = register({ contact: contactB, expires: 0, callId: `b-${policy}`, via: clone() });
      expect(removal.status).toBe(200);
      expect(registrar.bindings.forTrunk(TRUNK.id).map((b) => b.connectionId)).toEqual([connection.id]);
    }
    expect(status.map((e) => e.status)).toEqual(["available"]);
  });

  it("flap: the old registration goes first, so the trunk drops and comes back", () => {
    registrar.duplicatePolicy = "flap";
    register({ contact: contactA, callId: "a" });
    register({ contact: contactB, callId: "b", via: clone() });
    expect(registrar.bindings.forTrunk(TRUNK.id).map((b) => b.contact)).toEqual([
      `sip:${USERNAME}@203.0.113.9:5061;transport=tls`,
    ]);
    expect(status.map((e) => e.status)).toEqual(["available", "unavailable", "available"]);
    expect(status[1]!.reason).toBe("taken over by a registration from another connection (cloned system?)");
  });
});
