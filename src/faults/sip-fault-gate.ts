import type { Clock } from "../shared/clock.js";
import { newTag } from "../shared/ids.js";
import {
  createResponse,
  Headers,
  type SipMessage,
  SipRequest,
  SipResponse,
  serialize,
} from "../sip/message/index.js";
import type { SipConnection, SipFaultHooks } from "../sip/transport/index.js";
import { delayMs } from "./action-fields.js";
import { algRewrite } from "./alg-rewrite.js";
import type { FaultChecker, FaultDecision, SipFaultContext } from "./fault-points.js";
import type { SipFaultAction } from "./fault-rule.js";
import { corruptSipBytes } from "./sip-corruption.js";

/** Who a message concerns, beyond what the message itself says; the composition root resolves it. */
export interface SipSubjects {
  /** id, name and username of the trunk */
  readonly trunk?: readonly string[];
  /** id and name of the tenant */
  readonly tenant?: readonly string[];
  /** ids and numbers of users */
  readonly users?: readonly string[];
}

export type SipSubjectResolver = (message: SipMessage, connection: SipConnection) => SipSubjects;

export interface SipFaultGateOptions {
  readonly subjects?: SipSubjectResolver;
  /** Timers for delays: the protocol clock (real time); tests pass a frozen ControllableClock. */
  readonly timers: Clock;
}

/** A connection that can be aborted with a TCP RST (StreamConnection). */
interface Resettable {
  reset(reason: string): void;
}

const WARN_AGENT = "unify-phone-emulator";

/**
 * Applies SIP faults where they happen: `sip.in` between the transport and the transaction
 * layer (answer instead of processing, delay, drop, modify, close/reset the connection),
 * `sip.out` between the serializer and the socket (drop, delay, garble, modify, close/reset
 * instead of sending).
 */
export class SipFaultGate implements SipFaultHooks {
  constructor(
    private readonly engine: FaultChecker,
    private readonly options: SipFaultGateOptions,
  ) {}

  /** A framed message arrived: `deliver` hands it to the transaction layer. */
  incoming(message: SipMessage, connection: SipConnection, deliver: () => void): void {
    if (!this.engine.hasRulesFor("sip.in")) {
      deliver();
      return;
    }
    const decision = this.engine.check("sip.in", this.context(message, connection, "in"));
    const action = decision?.action;
    if (!decision || !action) {
      deliver();
    } else if (action.type === "respond") {
      if (message.kind === "request") connection.send(faultResponse(message, action));
    } else if (action.type === "delay") {
      this.options.timers.setTimer(delayMs(action, decision.random), () => {
        if (connection.open) deliver();
      });
    } else if (action.type === "modify") {
      modifyHeaders(message.headers, action);
      deliver();
    } else if (action.type === "alg-rewrite") {
      algRewrite(message, action, decision.random);
      deliver();
    } else if (action.type === "close" || action.type === "reset") {
      this.disconnect(decision, connection);
    }
    // drop (and corrupt, which never reaches sip.in): the message is not processed.
  }

  /** A message is about to be written: `write` puts bytes on the wire (with the message they are). */
  outgoing(
    message: SipMessage,
    connection: SipConnection,
    write: (data: Buffer, message?: SipMessage) => void,
  ): void {
    if (!this.engine.hasRulesFor("sip.out")) {
      write(serialize(message), message);
      return;
    }
    const decision = this.engine.check("sip.out", this.context(message, connection, "out"));
    const action = decision?.action;
    if (!decision || !action) {
      write(serialize(message), message);
    } else if (action.type === "delay") {
      // Serialised now, so the bytes are the message as it was; the taps then scan the bytes.
      const data = serialize(message);
      this.options.timers.setTimer(delayMs(action, decision.random), () => {
        if (connection.open) write(data);
      });
    } else if (action.type === "corrupt") {
      write(corruptSipBytes(serialize(message), action.mode ?? "start-line", decision.random));
    } else if (action.type === "modify") {
      // A copy: the transaction keeps the original for retransmissions and traces.
      const copy = cloneMessage(message);
      modifyHeaders(copy.headers, action);
      write(serialize(copy), copy);
    } else if (action.type === "close" || action.type === "reset") {
      this.disconnect(decision, connection);
    }
    // drop (and respond, which never reaches sip.out): nothing is written.
  }

  /** close: graceful (TLS close_notify, FIN); reset: TCP RST where the transport can. */
  private disconnect(decision: FaultDecision<"sip.in" | "sip.out">, connection: SipConnection): void {
    const reason = `fault ${decision.faultId}: ${decision.action.type}`;
    if (decision.action.type === "reset" && isResettable(connection)) connection.reset(reason);
    else connection.close(reason);
  }

  private context(message: SipMessage, connection: SipConnection, direction: "in" | "out"): SipFaultContext {
    const resolver = this.options.subjects;
    let subjects: SipSubjects | undefined;
    const resolve = (): SipSubjects => {
      subjects ??= resolver ? safely(() => resolver(message, connection), {}) : {};
      return subjects;
    };
    const method = message.kind === "request" ? message.method : safely(() => message.cseq.method, "");
    return {
      kind: message.kind,
      method,
      ...(message.kind === "response" ? { status: message.status } : {}),
      header: (name) => message.headers.getAll(name),
      get trunk() {
        return resolve().trunk ?? [];
      },
      get tenant() {
        return resolve().tenant ?? [];
      },
      get users() {
        return [...messageUsers(message), ...(resolve().users ?? [])];
      },
      get summary() {
        const what = message.kind === "request" ? method : `${message.status} (${method})`;
        const peer = `${connection.remoteAddress}:${connection.remotePort} (${connection.id})`;
        return direction === "in" ? `${what} from ${peer}` : `${what} to ${peer}`;
      },
    };
  }
}

/** RFC 3261 §8.2.6: a final response of our own instead of the handler's. */
function faultResponse(
  request: SipRequest,
  action: Extract<SipFaultAction, { type: "respond" }>,
): SipResponse {
  const response = createResponse(request, action.status, action.reason, newTag());
  if (action.retryAfter !== undefined) response.headers.set("Retry-After", String(action.retryAfter));
  if (action.warning !== undefined) {
    // RFC 3261 §20.43: warn-code SP warn-agent SP quoted warn-text; 399 is "miscellaneous".
    const text = action.warning.replace(/["\\]/g, "\\$&");
    response.headers.set("Warning", `399 ${WARN_AGENT} "${text}"`);
  }
  return response;
}

function modifyHeaders(headers: Headers, action: Extract<SipFaultAction, { type: "modify" }>): void {
  if (action.removeHeader !== undefined) headers.delete(action.removeHeader);
  if (action.setHeader !== undefined) headers.set(action.setHeader.name, action.setHeader.value);
}

function cloneMessage(message: SipMessage): SipMessage {
  const headers = new Headers(message.headers.entries());
  return message.kind === "request"
    ? new SipRequest(message.method, message.uri, headers, message.body)
    : new SipResponse(message.status, message.reason, headers, message.body);
}

/** The user parts of the Request-URI, From and To: the numbers a call is about. */
function messageUsers(message: SipMessage): string[] {
  const users: string[] = [];
  const add = (read: () => string | undefined) => {
    const user = safely(read, undefined);
    if (user) users.push(user);
  };
  if (message.kind === "request") add(() => message.requestUri.user);
  add(() => message.from.uri.user);
  add(() => message.to.uri.user);
  return users;
}

function isResettable(connection: SipConnection): connection is SipConnection & Resettable {
  return typeof (connection as Partial<Resettable>).reset === "function";
}

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
