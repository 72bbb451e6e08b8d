import type { FaultChecker } from "../faults/index.js";
import type { Clock } from "../shared/clock.js";
import type { DialogFlow, LocalEndpoint } from "../sip/dialog/index.js";
import type { SipRequest } from "../sip/message/index.js";
import type { ClientTransaction, ClientTransactionDelegate } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";

/** What a CSTA session needs of the connector's SIP side (the B2BUA's flows and transactions). */
export interface CtiSignalling {
  readonly endpoint: LocalEndpoint;
  readonly domain: string;
  allow(): string;
  send(
    request: SipRequest,
    connection: SipConnection,
    delegate: ClientTransactionDelegate,
  ): ClientTransaction;
  /** The trunk's current registered flow: its Contact and connection (b2bua/flows.ts). */
  trunkFlow(trunkId: string): { binding: { contact: string }; connection: SipConnection } | undefined;
  trunkDialogFlow(trunkId: string): DialogFlow;
  readonly timers: Pick<Clock, "setTimer" | "clearTimer">;
  now(): number;
  /** The fault rules of `layer: csta` (docs/faults.md); absent: no CSTA faults. */
  readonly faults?: CtiFaults;
}

/** What the CSTA fault gates need: the rules, and who a trunk and its devices are. */
export interface CtiFaults {
  readonly checker: FaultChecker;
  /** Identifiers for matching: the trunk's id/name/username, its tenant's, and the devices' users. */
  subjects(
    trunkId: string,
    devices: readonly string[],
  ): { trunk: readonly string[]; tenant: readonly string[]; users: readonly string[] };
}

/** One CSTA message on the wire, for the trace and the journal. */
export interface CstaExchange {
  readonly trunkId: string;
  readonly direction: "in" | "out";
  readonly xml: string;
  readonly at: number;
}

export const CSTA_CONTENT_TYPE = "application/csta+xml";
