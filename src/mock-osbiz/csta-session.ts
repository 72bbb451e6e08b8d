import { buildCsta, type CstaMessage } from "../cti/index.js";
import type { Dialog } from "../sip/dialog/index.js";
import type { TransactionLayer } from "../sip/transaction/index.js";
import type { CstaMonitors } from "./csta-services.js";
import { sendRequest } from "./send-request.js";

export const CSTA_CONTENT_TYPE = "application/csta+xml";

/**
 * One uaCSTA session (ECMA TR/87) the connector opened with an INVITE: its dialog, its monitors,
 * and the INFOs the mock sends in it (responses and events), in the order they were made.
 */
export class CstaSession implements CstaMonitors {
  /** Cross-reference id → the callno it watches. */
  readonly monitored = new Map<string, string>();
  private sequence = 0;
  /** INFOs go out one after the other, so the connector sees them in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly dialog: Dialog,
    private readonly transactions: TransactionLayer,
    private readonly log: (line: string) => void,
  ) {}

  start(callno: string): string {
    const crossRefId = `${this.id}m${++this.sequence}`;
    this.monitored.set(crossRefId, callno);
    return crossRefId;
  }

  stop(crossRefId: string): boolean {
    return this.monitored.delete(crossRefId);
  }

  /** The cross-reference ids watching `callno`. */
  monitorsOf(callno: string): string[] {
    return [...this.monitored].filter(([, device]) => device === callno).map(([id]) => id);
  }

  /** Send one CSTA message in an INFO; a refused or unanswered INFO is logged, nothing more. */
  send(message: CstaMessage): void {
    if (this.dialog.state === "terminated") return;
    const body = buildCsta(message);
    this.queue = this.queue.then(async () => {
      if (this.dialog.state === "terminated") return;
      const info = this.dialog.createRequest("INFO", { body, contentType: CSTA_CONTENT_TYPE });
      try {
        const response = await sendRequest(this.transactions, info, this.dialog.connection);
        if (response.status >= 300)
          this.log(`CSTA ${message.type} refused by the connector: ${response.status} ${response.reason}`);
      } catch (error) {
        this.log(`CSTA ${message.type} not delivered: ${(error as Error).message}`);
      }
    });
  }

  end(): void {
    this.dialog.state = "terminated";
    this.monitored.clear();
  }
}
