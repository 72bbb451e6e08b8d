import type { TransferResult } from "./mock-call.js";

/**
 * Follows the implicit subscription of a REFER (RFC 3515 §2.4.4): each NOTIFY carries the
 * referred call's status line as message/sipfrag; the transfer is over with a final
 * status (≥ 200) or when the subscription is terminated.
 */
export class ReferWatch {
  readonly done: Promise<TransferResult>;
  private settle!: (result: TransferResult) => void;
  private fail!: (error: Error) => void;
  private over = false;

  constructor(private readonly onProgress: (line: string) => void) {
    this.done = new Promise((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    // Whoever awaits `done` still sees the rejection; nobody awaiting it is no crash.
    this.done.catch(() => undefined);
  }

  get finished(): boolean {
    return this.over;
  }

  /** One NOTIFY: the first line of its sipfrag body, and whether Subscription-State is terminated. */
  notify(line: string, terminated: boolean): void {
    if (this.over) return;
    this.onProgress(line);
    const m = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/.exec(line);
    const status = m ? Number(m[1]) : 0;
    if (status < 200 && !terminated) return;
    this.over = true;
    this.settle({ status, reason: m?.[2] ?? "" });
  }

  abort(error: Error): void {
    if (this.over) return;
    this.over = true;
    this.fail(error);
  }
}
