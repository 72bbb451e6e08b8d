/**
 * Waiting in tests without timing assertions: the server reacts asynchronously to what a
 * client did, so tests poll for the outcome and fail only after a generous deadline.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it holds; throws `timed out waiting for <what>` after `limitMs`
 * (`what` may be a function, to describe the state at the time of failure).
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string) = "the condition",
  limitMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await sleep(5);
  }
}
