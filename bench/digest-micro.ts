/**
 * `node --expose-gc --import tsx bench/digest-micro.ts [ops]`: ns per operation of the
 * registrar's authentication path (DigestVerifier, NonceService, AuthLockout) on parsed OpenScape-style REGISTERs,
 * in-process, no sockets. Each case runs 3 times and the median is printed. Figures only:
 * the machine is shared, nothing is asserted.
 */
import { AuthLockout } from "../src/auth/index.js";
import { DigestVerifier, digestHa1, NonceService } from "../src/registrar/index.js";
import { ControllableClock } from "../src/shared/clock.js";
import {
  parseAuthParams,
  parseMessage,
  readDigestCredentials,
  type SipRequest,
} from "../src/sip/message/index.js";
import { BENCH_DOMAIN, digestTrunk } from "./bench-trunks.js";
import { digestAuthorization } from "./digest-client.js";
import { registerText } from "./sip-wire.js";

/** Trunks cycled through: each has its own nonce, refreshed with nc+1 like the closed-loop bench. */
const USERS = 256;
/** Requests are prepared this many at a time (a multiple of USERS), so the heap stays small as in the server. */
const BATCH = 4 * USERS;
const OPS = BATCH * Math.min(200, Math.max(1, Math.round((Number(process.argv[2]) || 20_000) / BATCH)));
const SOURCE = "127.0.0.1";
const RUNS = 3;

const clock = new ControllableClock();
const trunks = Array.from({ length: USERS }, (_, i) => {
  const { username, password } = digestTrunk(i, "bench");
  return { username, password, ha1: digestHa1("MD5", username, BENCH_DOMAIN, password), ha1Cache: {} };
});

function register(i: number, authorization?: string): SipRequest {
  const text = registerText({
    user: trunks[i % USERS]!.username,
    port: 40_000 + (i % 16),
    branch: `b${i}`,
    tag: `t${i}`,
    callId: `c${i % USERS}`,
    cseq: 1 + Math.floor(i / USERS),
    ...(authorization === undefined ? {} : { authorization }),
  });
  return parseMessage(Buffer.from(text)) as SipRequest;
}

function newVerifier(): DigestVerifier {
  return new DigestVerifier(BENCH_DOMAIN, new NonceService(clock, 300_000), ["MD5"]);
}

function nonceOf(challenge: string): string {
  return /nonce="([^"]+)"/.exec(challenge)![1]!;
}

/** Requests of op `from` to `from + count` of a stream: op i is trunk i % USERS with nc = first + i / nonces. */
function authorizedRequests(
  nonces: readonly string[],
  from: number,
  count: number,
  first: number,
): SipRequest[] {
  const out: SipRequest[] = [];
  for (let i = from; i < from + count; i++) {
    const t = trunks[i % USERS]!;
    const nc = first + Math.floor(i / nonces.length);
    const nonce = nonces[i % nonces.length]!;
    out.push(register(i, digestAuthorization(t.username, t.ha1, nonce, nc, `cn${i % USERS}`)));
  }
  return out;
}

/** With `node --expose-gc`, the garbage of the previous case is collected before a case is timed. */
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * ns per op over `ops` ops run in batches whose inputs `prepare` makes untimed: the median of
 * the batches' wall times, so batches the scheduler preempted (the machine is shared) drop out.
 */
function time<T>(
  ops: number,
  prepare: (from: number, count: number) => T,
  body: (input: T, i: number) => void,
): number {
  const perOp: number[] = [];
  collect();
  for (let from = 0; from < ops; from += BATCH) {
    const input = prepare(from, BATCH);
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) body(input, i);
    perOp.push(Number(process.hrtime.bigint() - start) / BATCH);
  }
  return median(perOp);
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const none = (): undefined => undefined;

function expectOk(kind: string): void {
  if (kind !== "ok") throw new Error(`digest check said ${kind}: the benchmark's requests are wrong`);
}

/** A verifier whose USERS trunks have each used their own nonce once (nc=1). */
function primedVerifier(): { verifier: DigestVerifier; nonces: string[] } {
  const verifier = newVerifier();
  const nonces = trunks.map(() => nonceOf(verifier.challenges(false)[0]!));
  for (const [i, r] of authorizedRequests(nonces, 0, USERS, 1).entries())
    expectOk(verifier.verify(r, trunks[i]!.username, trunks[i]!.password, trunks[i]!.ha1Cache).kind);
  return { verifier, nonces };
}

/** One run of every case: ns per op. */
function run(): Record<string, number> {
  const out: Record<string, number> = {};
  const header = authorizedRequests(["x".repeat(35)], 0, 1, 1)[0]!.headers.get("authorization")!;
  out["parseAuthParams (Authorization)"] = time(OPS, none, () => parseAuthParams(header));
  out["readDigestCredentials (Authorization)"] = time(OPS, none, () => readDigestCredentials(header));

  // Refresh: each op is nc+1 on the nonce a trunk already used.
  const a = primedVerifier();
  out["verify (refresh)"] = time(
    OPS,
    (from, count) => authorizedRequests(a.nonces, from, count, 2),
    (requests, i) => {
      const t = trunks[i % USERS]!;
      expectOk(a.verifier.verify(requests[i]!, t.username, t.password, t.ha1Cache).kind);
    },
  );
  const lockout = new AuthLockout(clock, { maxFailures: 10, lockoutMs: 60_000 });
  out["lockout.succeed"] = time(OPS, none, (_, i) => lockout.succeed(SOURCE, trunks[i % USERS]!.username));
  out["lockout.lockedFor (trusted pair)"] = time(OPS, none, (_, i) =>
    lockout.lockedFor(SOURCE, trunks[i % USERS]!.username),
  );
  out["lockout.lockedFor (unknown pair)"] = time(OPS, none, (_, i) =>
    lockout.lockedFor("127.0.0.2", trunks[i % USERS]!.username),
  );
  const quiet = new AuthLockout(clock, { maxFailures: 10, lockoutMs: 60_000 });
  out["lockout.lockedFor (nothing known)"] = time(OPS, none, (_, i) =>
    quiet.lockedFor(SOURCE, trunks[i % USERS]!.username),
  );

  // Refresh as the registrar does it: check, then the lockout's success.
  const b = primedVerifier();
  const lockoutB = new AuthLockout(clock, { maxFailures: 10, lockoutMs: 60_000 });
  out["REFRESH = verify + succeed"] = time(
    OPS,
    (from, count) => authorizedRequests(b.nonces, from, count, 2),
    (requests, i) => {
      const t = trunks[i % USERS]!;
      expectOk(b.verifier.verify(requests[i]!, t.username, t.password, t.ha1Cache).kind);
      lockoutB.succeed(SOURCE, t.username);
    },
  );

  // Full flow: a REGISTER without credentials gets a challenge, the next one uses its nonce (nc=1).
  const c = { verifier: newVerifier() };
  const lockoutC = new AuthLockout(clock, { maxFailures: 10, lockoutMs: 60_000 });
  out["challenges (issue + format)"] = time(OPS, none, () => c.verifier.challenges(false));
  const firstUses = (from: number, count: number) =>
    Array.from({ length: count }, (_, k) => {
      const t = trunks[k % USERS]!;
      const nonce = nonceOf(c.verifier.challenges(false)[0]!);
      return register(from + k, digestAuthorization(t.username, t.ha1, nonce, 1, `cn${k}`));
    });
  out["verify (first use of a nonce)"] = time(OPS, firstUses, (requests, i) => {
    const t = trunks[i % USERS]!;
    expectOk(c.verifier.verify(requests[i]!, t.username, t.password, t.ha1Cache).kind);
  });
  const bare = Array.from({ length: USERS }, (_, i) => register(i));
  out["FULL = 2×lockedFor + verify(none) + challenges + verify(nc=1) + succeed"] = time(
    OPS,
    firstUses,
    (requests, i) => {
      const t = trunks[i % USERS]!;
      lockoutC.lockedFor(SOURCE, t.username);
      if (c.verifier.verify(bare[i % USERS]!, t.username, t.password, t.ha1Cache).kind !== "challenge")
        throw new Error("no challenge");
      c.verifier.challenges(false);
      lockoutC.lockedFor(SOURCE, t.username);
      expectOk(c.verifier.verify(requests[i]!, t.username, t.password, t.ha1Cache).kind);
      lockoutC.succeed(SOURCE, t.username);
    },
  );
  return out;
}

const runs = Array.from({ length: RUNS }, run);
console.log(`digest micro-benchmark: ${OPS} ops per case, median of ${RUNS} runs (ns per op)`);
for (const name of Object.keys(runs[0]!)) {
  const values = runs.map((r) => r[name]!);
  console.log(
    `${name.padEnd(74)} ${median(values).toFixed(0).padStart(7)}   (${values.map((v) => v.toFixed(0)).join(", ")})`,
  );
}
clock.dispose();
