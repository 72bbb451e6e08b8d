import { CstaError, type CstaMessage, isEventName, isResponseName, parseCsta } from "../cti/index.js";
import { Dialog, dialogKeyOfIncoming, newDialogTag } from "../sip/dialog/index.js";
import { createResponse, type SipRequest } from "../sip/message/index.js";
import type { ServerTransaction, TransactionLayer } from "../sip/transaction/index.js";
import { cstaEvent } from "./csta-events.js";
import { serveCsta } from "./csta-services.js";
import { CSTA_CONTENT_TYPE, CstaSession } from "./csta-session.js";
import type { DeskPhoneEvent, DeskPhones } from "./desk-phone.js";
import type { MockEndpoint } from "./mock-endpoint.js";
import { dialogResponse } from "./responses.js";

export interface CstaServerContext {
  readonly phones: DeskPhones;
  /** The callno a CSTA device identifier names, when it is a user of the PBX. */
  readonly resolve: (device: string) => string | undefined;
  readonly transactions: TransactionLayer;
  readonly endpoint: MockEndpoint;
  readonly log: (line: string) => void;
}

/**
 * The PBX side of uaCSTA (ECMA TR/87): the connector opens a session with an INVITE carrying
 * `application/csta+xml`; then each CSTA request arrives in an INFO (answered 200 at SIP
 * level), and its response, and every desk-phone event for the session's monitors, goes back
 * in an INFO of ours. A response leaves before the events its request caused.
 */
export class CstaServer {
  private readonly sessions = new Map<string, CstaSession>();
  private sequence = 0;
  /** Events held back while a request is served, so its response goes first. */
  private held: DeskPhoneEvent[] | undefined;

  constructor(private readonly ctx: CstaServerContext) {
    ctx.phones.on((event) => {
      if (this.held) this.held.push(event);
      else this.dispatch(event);
    });
  }

  /** An INVITE that asks for a CSTA session: its body or its Accept names application/csta+xml. */
  static wants(request: SipRequest): boolean {
    if (request.method !== "INVITE") return false;
    return isCsta(request.headers.get("content-type")) || acceptsCsta(request.headers.get("accept"));
  }

  /** The open sessions (for the console and tests). */
  get open(): readonly CstaSession[] {
    return [...this.sessions.values()];
  }

  /** The session whose dialog an in-dialog request belongs to. */
  find(request: SipRequest): CstaSession | undefined {
    const key = dialogKeyOfIncoming(request);
    return key === undefined ? undefined : this.sessions.get(key);
  }

  /** The session INVITE: 200 with our Contact, or 415 when its body is not CSTA. */
  accept(tx: ServerTransaction): void {
    const request = tx.request;
    const type = request.headers.get("content-type");
    if (request.body.length > 0 && !isCsta(type)) {
      const response = createResponse(
        request,
        415,
        `Unsupported Media Type: a CSTA session takes ${CSTA_CONTENT_TYPE}`,
      );
      response.headers.append("accept", CSTA_CONTENT_TYPE);
      tx.respond(response);
      return;
    }
    const tag = newDialogTag();
    const dialog = Dialog.asUas(request, tag, tx.connection, this.ctx.endpoint, "confirmed");
    const session = new CstaSession(`s${++this.sequence}`, dialog, this.ctx.transactions, this.ctx.log);
    this.sessions.set(dialog.key, session);
    const response = dialogResponse(request, 200, tag, {
      endpoint: this.ctx.endpoint,
      connection: tx.connection,
    });
    response.headers.append("accept", CSTA_CONTENT_TYPE);
    tx.respond(response);
    this.ctx.log(`CSTA session ${session.id} opened by ${request.from.uri.user ?? "the connector"}`);
  }

  /** A request inside a session's dialog: INFO carries CSTA, BYE ends the session. */
  receive(tx: ServerTransaction, session: CstaSession): void {
    const request = tx.request;
    if (!session.dialog.acceptIncoming(request)) {
      tx.respond(createResponse(request, 500, "Server Internal Error: CSeq lower than the last one"));
      return;
    }
    switch (request.method) {
      case "BYE":
        tx.respond(createResponse(request, 200, "OK"));
        this.close(session, "BYE from the connector");
        return;
      case "INFO":
        this.info(tx, session);
        return;
      case "OPTIONS":
        tx.respond(createResponse(request, 200, "OK"));
        return;
      default: {
        const response = createResponse(request, 405, "Method Not Allowed in a CSTA session");
        response.headers.append("allow", "INFO, BYE, OPTIONS, ACK");
        tx.respond(response);
      }
    }
  }

  /** Ends every session (the connection is gone, or the mock stops). */
  closeAll(reason: string): void {
    for (const session of this.sessions.values()) this.close(session, reason);
  }

  private close(session: CstaSession, reason: string): void {
    session.end();
    this.sessions.delete(session.dialog.key);
    this.ctx.log(`CSTA session ${session.id} closed: ${reason}`);
  }

  private info(tx: ServerTransaction, session: CstaSession): void {
    const request = tx.request;
    if (!isCsta(request.headers.get("content-type"))) {
      const response = createResponse(
        request,
        415,
        `Unsupported Media Type: CSTA INFO takes ${CSTA_CONTENT_TYPE}`,
      );
      response.headers.append("accept", CSTA_CONTENT_TYPE);
      tx.respond(response);
      return;
    }
    if (request.body.length === 0) {
      tx.respond(createResponse(request, 400, "Bad Request: INFO without a CSTA body"));
      return;
    }
    tx.respond(createResponse(request, 200, "OK"));
    let message: CstaMessage;
    try {
      message = parseCsta(request.body.toString("utf8"));
    } catch (error) {
      const invokeId = invokeIdOf(request.body.toString("utf8"));
      session.send(errorMessage(error, invokeId));
      return;
    }
    // Responses and events from the connector need no answer of ours.
    if (isResponseName(message.type) || isEventName(message.type)) return;
    this.held = [];
    try {
      session.send(
        serveCsta(message, { phones: this.ctx.phones, resolve: this.ctx.resolve, monitors: session }),
      );
    } catch (error) {
      if (!(error instanceof CstaError)) this.ctx.log(`CSTA ${message.type} failed: ${String(error)}`);
      session.send(errorMessage(error, message.invokeId));
    } finally {
      const events = this.held;
      this.held = undefined;
      for (const event of events) this.dispatch(event);
    }
  }

  private dispatch(event: DeskPhoneEvent): void {
    for (const session of this.sessions.values())
      for (const crossRefId of session.monitorsOf(event.device)) session.send(cstaEvent(event, crossRefId));
  }
}

function errorMessage(error: unknown, invokeId: string | undefined): CstaMessage {
  const invoke = invokeId === undefined ? {} : { invokeId };
  if (error instanceof CstaError)
    return { type: "CSTAErrorCode", ...invoke, category: error.category, value: error.value };
  return { type: "CSTAErrorCode", ...invoke, category: "unspecified", value: "generic" };
}

/** The invokeID attribute of a body the codec refused, when it has a sound one (to correlate the error). */
function invokeIdOf(xml: string): string | undefined {
  return /^\s*(?:<\?xml[^>]*\?>\s*)?<[A-Za-z]+\b[^>]*\binvokeID="([A-Za-z0-9]{1,32})"/.exec(xml)?.[1];
}

function isCsta(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === CSTA_CONTENT_TYPE;
}

function acceptsCsta(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((value) => isCsta(value));
}
