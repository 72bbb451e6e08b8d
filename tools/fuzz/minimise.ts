/**
 * Delta debugging (Zeller's ddmin, complement removal only): drops ever smaller chunks of
 * `input` while `reproduces` still says yes. Bounded by a number of tests and a deadline;
 * returns the smallest input found so far when either runs out.
 */
export async function minimise(
  input: Buffer,
  reproduces: (candidate: Buffer) => Promise<boolean>,
  budget: { maxTests: number; deadline: number },
): Promise<{ bytes: Buffer; tests: number }> {
  let current = input;
  let n = 2;
  let tests = 0;
  const exhausted = () => tests >= budget.maxTests || Date.now() >= budget.deadline;
  while (current.length >= 2 && !exhausted()) {
    const chunk = Math.ceil(current.length / n);
    let reduced = false;
    for (let start = 0; start < current.length && !exhausted(); start += chunk) {
      const complement = Buffer.concat([current.subarray(0, start), current.subarray(start + chunk)]);
      tests++;
      if (await reproduces(complement)) {
        current = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(n * 2, current.length);
    }
  }
  return { bytes: current, tests };
}
