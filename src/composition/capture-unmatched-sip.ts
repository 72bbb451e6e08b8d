import type { Logger } from "pino";
import type { SipAnswer, UnmatchedCapture, UnmatchedSipRequest } from "../services/index.js";
import type { Rejection, SipRouter, UnhandledRequestListener } from "../sip/core/index.js";
import { createResponse, KNOWN_METHODS, type SipRequest } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";

/** The trunk (and tenant) a request's connection belongs to, when a PBX registered on it. */
export type SipOwnerLookup = (
  connectionId: string,
) => { readonly trunkId: string; readonly trunkUsername: string; readonly tenantId: string } | undefined;

/**
 * SIP requests no handler takes (and those the B2BUA declines as not modelled, through the
 * listener returned) go to the unmatched journal: a user's stub or the default
 * (RFC-appropriate, or the configured status) answers them, with the journal id in a Warning.
 */
export function captureUnhandledSip(
  router: SipRouter,
  capture: UnmatchedCapture,
  ownerOf: SipOwnerLookup,
  log: Logger,
): UnhandledRequestListener {
  const listener: UnhandledRequestListener = (tx, rfcAnswer) => {
    answerUnhandled(tx, rfcAnswer, capture, ownerOf, () => router.allowHeader).catch((err: unknown) => {
      log.error({ err, method: tx.request.method }, "unmatched SIP request: capture failed");
      respond(tx, rfcAnswer);
    });
  };
  router.onUnhandled(listener);
  return listener;
}

async function answerUnhandled(
  tx: ServerTransaction,
  rfc: Rejection,
  capture: UnmatchedCapture,
  ownerOf: SipOwnerLookup,
  allow: () => string,
): Promise<void> {
  const { request, connection } = tx;
  const owner = safely(() => ownerOf(connection.id));
  const contentType = request.headers.get("content-type");
  const event = request.headers.get("event");
  const unmatched: UnmatchedSipRequest = {
    method: request.method,
    requestUri: request.uri,
    headers: [...request.headers.entries()],
    body: request.body.toString("utf8"),
    ...(event === undefined ? {} : { event }),
    ...(contentType === undefined ? {} : { contentType }),
    ...(owner ? { trunkUsername: owner.trunkUsername, tenantId: owner.tenantId } : {}),
  };
  const rfcAnswer: SipAnswer = {
    status: rfc.status,
    reason: rfc.reason,
    headers: Object.entries(rfc.headers ?? {}),
  };
  const { entry, answer } = await capture.captureSip({
    request: unmatched,
    bodyBytes: request.body.length,
    cause: causeOf(request, rfc),
    rfcAnswer,
    flow: {
      transport: connection.protocol,
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      remotePort: connection.remotePort,
    },
    ...(owner ? { trunkId: owner.trunkId } : {}),
    startLine: `${request.method} ${request.uri} SIP/2.0`,
  });
  const stubbed = answer.mappingId !== undefined;
  // RFC 3261 §20.43: a 399 Warning says what happened without changing the answer's meaning.
  const warning: [string, string] = ["warning", `399 emulator "captured as unmatched ${entry.id}"`];
  // A configured status keeps none of the RFC answer's headers, but a 405 must say what is allowed (§21.4.6).
  const own: ReadonlyArray<readonly [string, string]> =
    answer.status === rfc.status
      ? (rfcAnswer.headers ?? [])
      : answer.status === 405
        ? [["allow", allow()]]
        : [];
  const headers = stubbed ? (answer.headers ?? []) : [...own, warning];
  respond(tx, { ...answer, headers });
}

function respond(tx: ServerTransaction, answer: SipAnswer | Rejection): void {
  if (tx.state !== "trying" && tx.state !== "proceeding") return;
  const response = createResponse(tx.request, answer.status, answer.reason);
  const headers = Array.isArray(answer.headers) ? answer.headers : Object.entries(answer.headers ?? {});
  for (const [name, value] of headers as [string, string][]) response.headers.append(name, value);
  if ("body" in answer && answer.body !== undefined && answer.body !== "") {
    response.body = Buffer.from(answer.body, "utf8");
    response.headers.set("content-type", answer.contentType ?? "text/plain");
  }
  tx.respond(response);
}

function causeOf(request: SipRequest, rfc: Rejection): string {
  switch (rfc.status) {
    case 501:
      return KNOWN_METHODS.has(request.method) ? rfc.reason : `unknown method ${request.method}`;
    case 405: {
      const event = request.headers.get("event");
      return `no handler for ${request.method}${event ? ` (event package ${event})` : ""}`;
    }
    default:
      return rfc.reason;
  }
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
