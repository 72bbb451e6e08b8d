import type { Logger } from "pino";
import type { Clock } from "../../shared/clock.js";
import { Listeners } from "../../shared/listeners.js";
import type { SipMessage } from "../message/index.js";
import { TransactionLayer } from "../transaction/index.js";
import {
  type SipConnection,
  type SipFaultHooks,
  type TransportEvent,
  TransportLayer,
  type TransportLimits,
  type TransportUser,
} from "../transport/index.js";
import type { SipRouter } from "./sip-router.js";

export interface ConnectionClosedEvent {
  readonly connection: SipConnection;
  readonly reason: string;
}

/**
 * The SIP layers stacked: transport → transaction → router. The only place that knows
 * all three; the application sees the router and the connection events.
 */
export class SipStack implements TransportUser {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly connectionClosed = new Listeners<ConnectionClosedEvent>();
  /** What the transport noticed (failed TLS handshakes, refused connections): logged, and told to listeners. */
  readonly transportEvents = new Listeners<TransportEvent>();
  private stopping: Promise<void> | undefined;

  constructor(
    limits: TransportLimits,
    timerClock: Clock,
    router: SipRouter,
    private readonly log: Logger,
    /** Fault injection at `sip.in`, between the transport and the transaction layer. */
    private readonly faults?: SipFaultHooks,
  ) {
    this.transport = new TransportLayer(limits, this);
    this.transactions = new TransactionLayer({ clock: timerClock, user: router });
  }

  onMessage(message: SipMessage, connection: SipConnection): void {
    if (!this.faults) {
      this.deliver(message, connection);
      return;
    }
    try {
      this.faults.incoming(message, connection, () => this.deliver(message, connection));
    } catch (err) {
      this.log.error(
        { err, connectionId: connection.id },
        "fault injection failed on a received SIP message",
      );
    }
  }

  private deliver(message: SipMessage, connection: SipConnection): void {
    // Last line of defence: one bad message must never take the process down.
    try {
      if (message.kind === "request") {
        this.transactions.receiveRequest(message, connection);
        return;
      }
      // RFC 3261 §8.1.3.3: a UAC discards a response with more than one Via.
      if (message.headers.count("via") !== 1) {
        this.log.debug({ connectionId: connection.id }, "dropped response with more than one Via");
        return;
      }
      this.transactions.receiveResponse(message, connection);
    } catch (err) {
      this.log.error({ err, connectionId: connection.id }, "unexpected error while handling a SIP message");
    }
  }

  onConnectionClosed(connection: SipConnection, reason: string): void {
    this.transactions.connectionClosed(connection);
    this.connectionClosed.emit({ connection, reason });
    this.log.debug({ connectionId: connection.id, reason }, "SIP connection closed");
  }

  onConnectionOpened(connection: SipConnection): void {
    this.log.debug(
      { connectionId: connection.id, remote: `${connection.remoteAddress}:${connection.remotePort}` },
      "SIP connection opened",
    );
  }

  onTransportEvent(event: TransportEvent): void {
    this.log.info({ ...event }, `SIP transport: ${event.type}`);
    this.transportEvents.emit(event);
  }

  /**
   * Graceful shutdown, done within `graceMs` whatever peers do: stop accepting, run
   * `endCalls` (BYE every live call while its connection is open), let pending server
   * transactions answer, close every connection and destroy those still open at the
   * deadline. Later calls return the first one's promise.
   */
  shutdown(graceMs: number, endCalls?: () => void | Promise<void>): Promise<void> {
    this.stopping ??= this.stop(graceMs, endCalls);
    return this.stopping;
  }

  private async stop(graceMs: number, endCalls?: () => void | Promise<void>): Promise<void> {
    const deadline = Date.now() + graceMs;
    const left = () => Math.max(0, deadline - Date.now());
    this.transport.stopAccepting();
    try {
      await endCalls?.();
    } catch (err) {
      this.log.warn({ err }, "ending calls on shutdown failed");
    }
    await this.transactions.drain(left());
    await this.transport.close(left());
    this.transactions.close();
  }
}
