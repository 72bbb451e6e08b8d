import type { Dialog } from "../sip/dialog/index.js";
import type { TransactionLayer } from "../sip/transaction/index.js";
import { sendRequest } from "./send-request.js";

/** Duration we announce per digit, in ms (the usual SIP INFO value). */
const DURATION_MS = 160;

/** DTMF over SIP INFO, `application/dtmf-relay`: one INFO per digit, each waiting for its 200. */
export async function sendInfoDigits(
  transactions: TransactionLayer,
  dialog: Dialog,
  digits: string,
): Promise<void> {
  for (const digit of digits) {
    const info = dialog.createRequest("INFO", {
      body: `Signal=${digit}\r\nDuration=${DURATION_MS}\r\n`,
      contentType: "application/dtmf-relay",
    });
    const response = await sendRequest(transactions, info, dialog.connection);
    if (response.status >= 300) throw new Error(`INFO refused: ${response.status} ${response.reason}`);
  }
}
