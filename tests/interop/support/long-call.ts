import { sleep } from "../../support/until.js";
import type { EdgeProxySetup } from "./edge-proxy.js";
import type { JournalCall } from "./journal.js";

/** Past Timer H / the 2xx ACK wait (64·T1 = 32 s) with margin. */
export const HOLD_UP_MS = 41_000;

/**
 * The phone behind Kamailio calls a user and the call is watched, once a second, until it
 * has been up HOLD_UP_MS; resolves with the call then, rejects as soon as it drops. Runs in
 * the background while the other Kamailio scenarios run on their own setup.
 */
export async function holdCallUp(s: EdgeProxySetup, number: string): Promise<JournalCall> {
  const mark = s.phone.mark();
  s.phone.send(`/dial ${s.dialUri(number)}`);
  const answered = await s.api.waitForCall(
    (c) => c.direction === "pbx-to-user" && c.state === "answered",
    "the long call answered",
    15_000,
    s.logs,
  );
  await s.phone.waitFor(/Call established/, "the long call established at the phone", 10_000, mark);
  const answeredAt = Date.now();
  // Bounded: HOLD_UP_MS / 1 s rounds, and at most 90.
  for (let round = 0; Date.now() - answeredAt < HOLD_UP_MS && round < 90; round++) {
    await sleep(1_000);
    const call = await s.api.call(answered.id);
    if (call?.state !== "answered")
      throw new Error(`the long call did not stay up: ${s.api.describe(call)}\n${s.logs()}`);
  }
  return (await s.api.call(answered.id))!;
}
