import type { TimerHandle } from "../shared/clock.js";
import { newCallId } from "../shared/ids.js";
import { Dialog, newDialogTag } from "../sip/dialog/index.js";
import { createResponse, Headers, SipRequest, type SipResponse } from "../sip/message/index.js";
import { newBranch, type ServerTransaction } from "../sip/transaction/index.js";
import {
  buildCsta,
  CstaError,
  type CstaMessage,
  isEventName,
  isResponseName,
  parseCsta,
} from "./csta/index.js";
import { cstaFault } from "./csta-fault-gate.js";
import { CSTA_CONTENT_TYPE, type CstaExchange, type CtiSignalling } from "./cti-ports.js";

/** Why a CSTA request got no response. */
export class CstaRequestFailed extends Error {
  constructor(
    readonly reason: "timeout" | "closed",
    detail: string,
  ) {
    super(detail);
    this.name = "CstaRequestFailed";
  }
}

interface Pending {
  readonly resolve: (message: CstaMessage) => void;
  readonly reject: (error: Error) => void;
  readonly timer: TimerHandle;
}

export type SessionState = "connecting" | "open" | "closed";

export interface SessionHooks {
  event(message: CstaMessage): void;
  exchange(exchange: CstaExchange): void;
  closed(reason: string): void;
}

/** How long a CSTA request waits for its response before the caller hears "timeout". */
export const CSTA_RESPONSE_TIMEOUT_MS = 5_000;
/** At most this many requests wait for a response at once (bounds the pending map). */
const MAX_PENDING = 256;

/**
 * One uaCSTA session (ECMA TR/87) with a trunk's PBX: an INVITE from the connector over the
 * trunk's registered flow (`Accept: application/csta+xml`, no body), answered 200 by the PBX;
 * then CSTA requests, responses and events in INFO requests inside that dialog, each answered
 * 200 at SIP level. Responses are matched to requests by invokeID.
 */
export class CstaSession {
  state: SessionState = "connecting";
  private dialog: Dialog | undefined;
  private ack: SipRequest | undefined;
  private readonly pending = new Map<string, Pending>();
  private nextInvoke = 1;

  constructor(
    readonly trunkId: string,
    private readonly sip: CtiSignalling,
    private readonly hooks: SessionHooks,
    private readonly responseTimeoutMs = CSTA_RESPONSE_TIMEOUT_MS,
  ) {}

  get dialogKey(): string | undefined {
    return this.dialog?.key;
  }

  /** Send the INVITE; resolves when the PBX answered 2xx, rejects on anything else. */
  open(): Promise<void> {
    const flow = this.sip.trunkFlow(this.trunkId);
    if (!flow) {
      this.close("the trunk is not registered");
      return Promise.reject(new CstaRequestFailed("closed", "the trunk is not registered"));
    }
    const refused = cstaFault(this.sip.faults, "csta.session", this.trunkId, undefined)?.action;
    if (refused?.type === "session-refuse") {
      // As if the PBX had answered the INVITE so; nothing goes on the wire.
      const answer = `${refused.status ?? 403} ${refused.reason ?? "Forbidden"}`;
      this.close(`the PBX refused the CSTA session: ${answer}`);
      return Promise.reject(new CstaRequestFailed("closed", `CSTA session refused: ${answer}`));
    }
    const { connection, binding } = flow;
    const headers = new Headers();
    headers.append("via", `${this.sip.endpoint.via(connection)};branch=${newBranch()}`);
    headers.append("max-forwards", "70");
    headers.append("from", `<sip:connector@${this.sip.domain}>;tag=${newDialogTag()}`);
    headers.append("to", `<sip:csta@${this.sip.domain}>`);
    headers.append("call-id", newCallId());
    headers.append("cseq", "1 INVITE");
    headers.append("contact", `<${this.sip.endpoint.contact(connection)}>`);
    headers.append("allow", this.sip.allow());
    headers.append("accept", CSTA_CONTENT_TYPE);
    const invite = new SipRequest("INVITE", cstaUri(binding.contact), headers);
    return new Promise((resolve, reject) => {
      this.sip.send(invite, connection, {
        onResponse: (response) => {
          if (response.status < 200) return;
          if (response.status >= 300) {
            this.close(`the PBX refused the CSTA session: ${response.status} ${response.reason}`);
            reject(
              new CstaRequestFailed("closed", `CSTA session refused: ${response.status} ${response.reason}`),
            );
            return;
          }
          this.established(invite, response, connection);
          resolve();
        },
        onTimeout: () => {
          this.close("the PBX did not answer the CSTA session INVITE");
          reject(new CstaRequestFailed("timeout", "the PBX did not answer the CSTA session INVITE"));
        },
        onTransportError: () => {
          this.close("the trunk connection failed");
          reject(new CstaRequestFailed("closed", "the trunk connection failed"));
        },
      });
    });
  }

  private established(
    invite: SipRequest,
    response: SipResponse,
    connection: Parameters<CtiSignalling["send"]>[1],
  ): void {
    // A retransmitted 2xx gets the same ACK again (RFC 3261 §13.2.2.4).
    if (this.dialog) {
      if (this.ack) this.dialog.sendStateless(this.ack);
      return;
    }
    const dialog = Dialog.asUac(invite, response, connection, this.sip.endpoint);
    dialog.followFlow(this.sip.trunkDialogFlow(this.trunkId));
    this.dialog = dialog;
    this.ack = dialog.createAck(invite.cseq.seq);
    dialog.sendStateless(this.ack);
    if (this.state === "connecting") this.state = "open";
  }

  /** Send a CSTA request and wait for its response (CSTAErrorCode included) or the timeout. */
  request(message: CstaMessage): Promise<CstaMessage> {
    const dialog = this.dialog;
    if (this.state !== "open" || !dialog) {
      return Promise.reject(new CstaRequestFailed("closed", "no CSTA session with the PBX"));
    }
    if (this.pending.size >= MAX_PENDING) {
      return Promise.reject(new CstaRequestFailed("timeout", "too many CSTA requests waiting for the PBX"));
    }
    const invokeId = String(this.nextInvoke);
    this.nextInvoke = (this.nextInvoke % 999_999) + 1;
    const xml = buildCsta({ ...message, invokeId } as CstaMessage);
    return new Promise((resolve, reject) => {
      const timer = this.sip.timers.setTimer(this.responseTimeoutMs, () => {
        this.pending.delete(invokeId);
        reject(
          new CstaRequestFailed(
            "timeout",
            `the PBX did not answer ${message.type} within ${this.responseTimeoutMs} ms`,
          ),
        );
      });
      this.pending.set(invokeId, { resolve, reject, timer });
      const fault = cstaFault(this.sip.faults, "csta.request", this.trunkId, message)?.action;
      if (fault?.type === "error") {
        // The rule's CSTAErrorCode stands in for the PBX's answer.
        this.sip.timers.clearTimer(timer);
        this.pending.delete(invokeId);
        resolve({ type: "CSTAErrorCode", category: fault.category, value: fault.value, invokeId });
        return;
      }
      // no-response: the request is held back, so nothing answers it before the timeout.
      if (fault?.type !== "no-response") this.sendInfo(xml);
    });
  }

  private sendInfo(xml: string): void {
    const dialog = this.dialog;
    if (!dialog) return;
    const info = dialog.createRequest("INFO", {
      body: xml,
      contentType: CSTA_CONTENT_TYPE,
      headers: { "content-disposition": "signal;handling=required" },
    });
    this.hooks.exchange({ trunkId: this.trunkId, direction: "out", xml, at: this.sip.now() });
    this.sip.send(info, dialog.connection, {
      // A PBX may carry the CSTA response in the 200 itself; take it like one in an INFO.
      onResponse: (response) => {
        if (response.status >= 200 && response.status < 300 && response.body.length > 0) {
          this.receive(response.body.toString("utf8"));
        }
      },
    });
  }

  /** Is this in-dialog request ours? */
  owns(key: string | undefined): boolean {
    return key !== undefined && key === this.dialog?.key;
  }

  /** An INFO in the session's dialog: 200 at SIP level; bad CSTA gets a CSTAErrorCode back. */
  info(tx: ServerTransaction): void {
    const request = tx.request;
    if (!this.dialog?.acceptIncoming(request)) {
      tx.respond(
        createResponse(request, 500, "Server Internal Error: CSeq lower than the last one in this dialog"),
      );
      return;
    }
    const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (request.body.length > 0 && type !== CSTA_CONTENT_TYPE) {
      const response = createResponse(request, 415, "Unsupported Media Type");
      response.headers.set("accept", CSTA_CONTENT_TYPE);
      tx.respond(response);
      return;
    }
    tx.respond(createResponse(request, 200, "OK"));
    if (request.body.length > 0) this.receive(request.body.toString("utf8"));
  }

  /** BYE from the PBX ends the session. */
  bye(tx: ServerTransaction): void {
    tx.respond(createResponse(tx.request, 200, "OK"));
    this.close("the PBX ended the CSTA session (BYE)");
  }

  private receive(xml: string): void {
    this.hooks.exchange({ trunkId: this.trunkId, direction: "in", xml, at: this.sip.now() });
    let message: CstaMessage;
    try {
      message = parseCsta(xml);
    } catch (error) {
      if (!(error instanceof CstaError)) throw error;
      const invokeId = /invokeID="([A-Za-z0-9]{1,32})"/.exec(xml)?.[1];
      this.sendInfo(
        buildCsta({
          type: "CSTAErrorCode",
          category: error.category,
          value: error.value,
          ...(invokeId ? { invokeId } : {}),
        }),
      );
      return;
    }
    if (isResponseName(message.type)) {
      const pending = message.invokeId === undefined ? undefined : this.pending.get(message.invokeId);
      if (!pending) return; // late (after its timeout) or not ours: nothing waits for it
      this.pending.delete(message.invokeId as string);
      this.sip.timers.clearTimer(pending.timer);
      pending.resolve(message);
      return;
    }
    if (isEventName(message.type)) {
      if (cstaFault(this.sip.faults, "csta.event", this.trunkId, message)?.action.type === "drop-event")
        return;
      this.hooks.event(message);
      return;
    }
    // A request from the PBX: the connector offers no CSTA services to it.
    this.sendInfo(
      buildCsta({
        type: "CSTAErrorCode",
        category: "operation",
        value: "requestIncompatibleWithObject",
        ...(message.invokeId ? { invokeId: message.invokeId } : {}),
      }),
    );
  }

  /** End the session: BYE when the dialog still has an open connection; waiting requests fail. */
  close(reason: string, sendBye = false): void {
    if (this.state === "closed") return;
    this.state = "closed";
    const dialog = this.dialog;
    if (sendBye && dialog?.connection.open) {
      this.sip.send(dialog.createRequest("BYE"), dialog.connection, { onResponse: () => {} });
    }
    for (const [id, pending] of this.pending) {
      this.sip.timers.clearTimer(pending.timer);
      pending.reject(new CstaRequestFailed("closed", `CSTA session closed: ${reason}`));
      this.pending.delete(id);
    }
    this.hooks.closed(reason);
  }

  /** The connection under the dialog closed: without a re-registered flow the session is gone. */
  connectionLost(): boolean {
    if (this.state === "closed" || !this.dialog || this.dialog.connection.open) return false;
    this.close("the trunk connection closed");
    return true;
  }
}

/** Request-URI of the session INVITE: the trunk's registered Contact with user `csta`. */
function cstaUri(contact: string): string {
  const m = /^(sips?):(?:[^@;?]*@)?(.*)$/i.exec(contact);
  return m ? `${m[1]}:csta@${m[2]}` : contact;
}
