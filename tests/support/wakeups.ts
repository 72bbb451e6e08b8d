/**
 * How the raw test clients wait for "something arrived" without polling: waiters sleep until
 * the next wake() (data, close) or their deadline.
 */
export class Wakeups {
  private waiters: Array<() => void> = [];

  /** Resolves at the next wake(), or after `ms`. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Wait until `ready()` holds; throws `failure` at the deadline. */
  async until(ready: () => boolean, timeoutMs: number, failure: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(failure);
      await this.next(deadline - Date.now());
    }
  }
}
