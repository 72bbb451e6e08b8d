/**
 * Delta debugging (Zeller's ddmin, complement removal only): drops ever smaller chunks of
 * `input` (bytes of a message, or messages of a sequence) while `reproduces` still says yes.
 * Bounded by a number of tests and a deadline; returns the smallest input found so far when
 * either runs out.
 */
export async function minimise<T>(
  input: readonly T[],
  reproduces: (candidate: T[]) => Promise<boolean>,
  budget: { maxTests: number; deadline: number },
): Promise<{ items: T[]; tests: number }> {
  let current = [...input];
  let n = 2;
  let tests = 0;
  const exhausted = () => tests >= budget.maxTests || Date.now() >= budget.deadline;
  while (current.length >= 2 && !exhausted()) {
    const chunk = Math.ceil(current.length / n);
    let reduced = false;
    for (let start = 0; start < current.length && !exhausted(); start += chunk) {
      const complement = [...current.slice(0, start), ...current.slice(start + chunk)];
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
  return { items: current, tests };
}

/** ddmin over the bytes of one message. */
export async function minimiseBytes(
  input: Buffer,
  reproduces: (candidate: Buffer) => Promise<boolean>,
  budget: { maxTests: number; deadline: number },
): Promise<{ bytes: Buffer; tests: number }> {
  const result = await minimise([...input], (bytes) => reproduces(Buffer.from(bytes)), budget);
  return { bytes: Buffer.from(result.items), tests: result.tests };
}
