import type { Logger } from "pino";
import { createResponse, KNOWN_METHODS, type SipRequest } from "../message/index.js";
import type { ServerTransaction, TransactionUser } from "../transaction/index.js";
import type { SipConnection } from "../transport/index.js";
import { checkRequest, type Rejection, type RouteRequirements } from "./request-checks.js";

export type RequestHandler = (transaction: ServerTransaction) => void;

export interface RouteOptions {
  readonly acceptBody?: readonly string[];
  readonly answers?: string;
  /** Called when a CANCEL matched a pending request of this method (INVITE). */
  readonly onCancel?: (transaction: ServerTransaction, cancel: SipRequest) => void;
  /**
   * SUBSCRIBE/NOTIFY (RFC 6665): only these event packages take the route; a request of another
   * package is treated as if the method had no handler (405, unhandled listener), and the method
   * stays out of Allow — OPTIONS lists the packages in Allow-Events instead.
   */
  readonly events?: readonly string[];
}

/**
 * Where requests no handler takes go (unknown method, known method without a handler, a body
 * type the handler does not understand), with the answer the RFC gives them. The listener must
 * answer the transaction (that answer or another one, e.g. a user's stub).
 */
export type UnhandledRequestListener = (transaction: ServerTransaction, rfcAnswer: Rejection) => void;

/** The rejections that mean "the emulator does not model this", not "this request is broken". */
const UNHANDLED_STATUSES: ReadonlySet<number> = new Set([405, 415, 501]);

interface Route extends RouteOptions {
  readonly handler: RequestHandler;
}

/**
 * The transaction user at the bottom of the application: checks each new request
 * (RFC 3261 §8.2) and hands it to the handler registered for its method, sipgo-style.
 * A handler that throws gets its request answered 500; the server keeps running.
 */
export class SipRouter implements TransactionUser {
  private readonly routes = new Map<string, Route>();
  private ackHandler: ((ack: SipRequest, connection: SipConnection) => void) | undefined;
  private readonly supported: string[] = [];
  private unhandled: UnhandledRequestListener | undefined;
  /** Per route, built once (a route is replaced, never changed; `supported` is shared, not copied). */
  private readonly requirementsOf = new WeakMap<Route, RouteRequirements>();

  constructor(private readonly log: Logger) {
    this.on("OPTIONS", (tx) => this.answerOptions(tx));
  }

  on(method: string, handler: RequestHandler, options: RouteOptions = {}): this {
    if (!KNOWN_METHODS.has(method)) throw new Error(`unknown SIP method ${method}`);
    this.routes.set(method, { handler, ...options });
    return this;
  }

  /** The handler and options of `method`, for a layer that shares the method (CTI INFOs beside DTMF ones). */
  routeOf(method: string): (RouteOptions & { readonly handler: RequestHandler }) | undefined {
    return this.routes.get(method);
  }

  /** Requests no handler takes go here instead of being answered at once (see UnhandledRequestListener). */
  onUnhandled(listener: UnhandledRequestListener): this {
    this.unhandled = listener;
    return this;
  }

  /** ACKs for 2xx responses, which belong to dialogs, not transactions (RFC 3261 §17.1.1.3). */
  onAckFor(handler: (ack: SipRequest, connection: SipConnection) => void): this {
    this.ackHandler = handler;
    return this;
  }

  /**
   * The one Allow list: the methods with a handler, plus ACK and CANCEL, which the transaction
   * layer and the dialog take. OPTIONS, 405 and every call response and INVITE we send use it.
   */
  get allow(): string[] {
    const full = [...this.routes].filter(([, route]) => !route.events).map(([method]) => method);
    return ["ACK", "CANCEL", ...full].filter((m, i, all) => all.indexOf(m) === i);
  }

  /** `allow` as the value of an Allow header. */
  get allowHeader(): string {
    return this.allow.join(", ");
  }

  onRequest(transaction: ServerTransaction): void {
    const request = transaction.request;
    const route = takes(this.routes.get(request.method), request);
    const rejection = checkRequest(request, route && this.requirements(route));
    if (rejection) {
      const answer =
        rejection.status === 405
          ? { ...rejection, headers: { ...rejection.headers, allow: this.allowHeader } }
          : rejection;
      if (this.unhandled && UNHANDLED_STATUSES.has(answer.status) && this.handOver(transaction, answer))
        return;
      const response = createResponse(request, answer.status, answer.reason);
      for (const [name, value] of Object.entries(answer.headers ?? {})) response.headers.set(name, value);
      transaction.respond(response);
      return;
    }
    try {
      route!.handler(transaction);
    } catch (err) {
      this.log.error(
        { err, method: request.method, callId: safe(() => request.callId) },
        "SIP handler failed",
      );
      if (transaction.state === "trying" || transaction.state === "proceeding") {
        transaction.respond(createResponse(request, 500, "Server Internal Error"));
      }
    }
  }

  /** False when the listener threw before answering: the caller answers as the RFC says. */
  private handOver(transaction: ServerTransaction, answer: Rejection): boolean {
    try {
      this.unhandled?.(transaction, answer);
      return true;
    } catch (err) {
      this.log.error({ err, method: transaction.request.method }, "unhandled-request listener failed");
      return transaction.state !== "trying" && transaction.state !== "proceeding";
    }
  }

  onAck(ack: SipRequest, connection: SipConnection): void {
    this.ackHandler?.(ack, connection);
  }

  onCancel(invite: ServerTransaction, cancel: SipRequest): void {
    this.routes.get(invite.method)?.onCancel?.(invite, cancel);
  }

  private requirements(route: Route): RouteRequirements {
    let known = this.requirementsOf.get(route);
    if (known === undefined) {
      known = this.requirementsFor(route);
      this.requirementsOf.set(route, known);
    }
    return known;
  }

  private requirementsFor(route: Route): RouteRequirements {
    return {
      supported: this.supported,
      acceptBody: route.acceptBody ?? [],
      ...(route.answers ? { answers: route.answers } : {}),
    };
  }

  /** RFC 3261 §11.2: what we would do with an INVITE, and keep-alive for the PBX. */
  private answerOptions(transaction: ServerTransaction): void {
    const response = createResponse(transaction.request, 200, "OK");
    response.headers.set("allow", this.allowHeader);
    response.headers.set("accept", "application/sdp");
    response.headers.set("accept-language", "en");
    response.headers.set("supported", this.supported.join(", "));
    const events = [...new Set([...this.routes.values()].flatMap((route) => route.events ?? []))];
    if (events.length > 0) response.headers.set("allow-events", events.join(", "));
    transaction.respond(response);
  }
}

/** The route, unless it serves only some event packages and the request's is not one of them. */
function takes(route: Route | undefined, request: SipRequest): Route | undefined {
  if (!route?.events) return route;
  const event = (request.headers.get("event") ?? "").split(";")[0]!.trim().toLowerCase();
  return route.events.includes(event) ? route : undefined;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
