import type { SipRequest, SipResponse } from "../sip/message/index.js";
import type { TransactionLayer } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";

/** Why a request got no final response. */
export class NoResponseError extends Error {
  override readonly name = "NoResponseError";
}

/**
 * Send a request through a client transaction and resolve with its first final response
 * (provisional ones go to `onProvisional`). Rejects on Timer B/F or a transport failure.
 */
export function sendRequest(
  transactions: TransactionLayer,
  request: SipRequest,
  connection: SipConnection,
  onProvisional?: (response: SipResponse) => void,
): Promise<SipResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    transactions.sendRequest(request, connection, {
      onResponse: (response) => {
        if (response.status < 200) onProvisional?.(response);
        else if (!settled) {
          settled = true;
          resolve(response);
        }
      },
      onTimeout: () => reject(new NoResponseError(`no final response to ${request.method} (timeout)`)),
      onTransportError: () =>
        reject(new NoResponseError(`${request.method} not answered: the connection to the connector failed`)),
    });
  });
}
