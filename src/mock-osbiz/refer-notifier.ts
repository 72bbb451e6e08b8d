import type { MockCall } from "./mock-call.js";

/** How long the implicit subscription of a REFER lasts, and how long a transfer may take (s). */
export const REFER_EXPIRES_S = 60;

/**
 * The implicit subscription of a REFER we accepted (RFC 3515 §2.4.4): NOTIFYs in the referred
 * call's dialog, each with the progress as a message/sipfrag status line; the final one (≥ 200)
 * terminates it. NOTIFYs go one after the other, in order; a call that has ended takes none.
 */
export class ReferNotifier {
  private queue: Promise<void> = Promise.resolve();
  private over = false;

  constructor(
    private readonly call: MockCall,
    /** `id` of the Event header: the REFER's CSeq, needed from the second REFER of a dialog on. */
    private readonly id: number | undefined,
    private readonly log: (line: string) => void,
    /** RFC 4488 `Refer-Sub: false`: no subscription, no NOTIFY. */
    private readonly silent = false,
  ) {}

  get finished(): boolean {
    return this.over;
  }

  /** One NOTIFY: `SIP/2.0 <status> <reason>`; a final status ends the subscription. */
  notify(status: number, reason: string): Promise<void> {
    if (this.over) return this.queue;
    const final = status >= 200;
    if (final) this.over = true;
    if (this.silent) return this.queue;
    const state = final ? "terminated;reason=noresource" : `active;expires=${REFER_EXPIRES_S}`;
    this.queue = this.queue.then(async () => {
      if (!this.call.active) return;
      try {
        const response = await this.call.request("NOTIFY", {
          headers: {
            event: this.id === undefined ? "refer" : `refer;id=${this.id}`,
            "subscription-state": state,
          },
          contentType: "message/sipfrag;version=2.0",
          body: `SIP/2.0 ${status} ${reason}\r\n`,
        });
        if (response.status >= 300)
          this.log(`call ${this.call.id}: NOTIFY ${status} refused: ${response.status} ${response.reason}`);
      } catch (error) {
        this.log(`call ${this.call.id}: NOTIFY ${status} not delivered: ${(error as Error).message}`);
      }
    });
    return this.queue;
  }
}
