import { ApiError } from "../errors/index.js";
import { EvictionCursor } from "../shared/eviction-cursor.js";
import { Listeners } from "../shared/listeners.js";
import { dialogKeyOfIncoming } from "../sip/dialog/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import { type ConnectionId, type CstaMessage, parseCsta } from "./csta/index.js";
import { CSTA_RESPONSE_TIMEOUT_MS, CstaRequestFailed, CstaSession } from "./csta-session.js";
import type { CstaExchange, CtiSignalling } from "./cti-ports.js";
import {
  applyEvent,
  applyForwardingList,
  type DeskPhone,
  type DeskPhoneView,
  deskPhoneView,
  newDeskPhone,
  statusOf,
} from "./desk-phone-state.js";

/** A user with a desk phone: the CSTA device is the callno. */
export interface DeskUser {
  readonly userId: string;
  readonly tenantId: string;
  readonly trunkId: string;
  readonly device: string;
  /** The user's routing (domain/user.ts): unify-phone clears the desk phone's alerting, alternative forwards. */
  readonly routing?: "default" | "desk-phone" | "unify-phone" | "alternative";
  readonly alternativeNumber?: string;
}

export interface CtiDirectory {
  /** The trunk's users that have a callno (a desk phone on the PBX). */
  deskUsers(trunkId: string): DeskUser[];
  deskUser(userId: string): DeskUser | undefined;
}

export type DeskPhoneNotice =
  | {
      readonly type: "desk-phone.state";
      readonly tenantId: string;
      readonly userId: string;
      readonly at: number;
      readonly state: DeskPhoneView;
    }
  | {
      readonly type: "desk-phone.event";
      readonly tenantId: string;
      readonly userId: string;
      readonly at: number;
      readonly event: string;
      readonly callId?: string;
      readonly cause?: string;
    };

/** A CSTA message about one user's desk phone, for the call journal (b2bua/call-cti.ts). */
export interface CtiCallNote {
  readonly tenantId: string;
  readonly userId: string;
  readonly trunkId: string;
  readonly device: string;
  readonly at: number;
  readonly direction: "in" | "out";
  readonly type: string;
  readonly invokeID?: string;
  readonly cstaCallId?: string;
  readonly calling?: string;
  readonly called?: string;
  /** Events: the desk phone's connection state on that call after the event. */
  readonly local?: string;
}

/** Requests waiting for their response, for the journal; beyond this many the oldest are forgotten. */
const MAX_OPEN_INVOKES = 1000;

/** What the REST asks a desk phone to do. */
export type DeskPhoneAction =
  | { readonly action: "make-call"; readonly to: string }
  | { readonly action: "answer" | "clear" | "hold" | "retrieve"; readonly callId?: string }
  | { readonly action: "transfer"; readonly to: string; readonly callId?: string }
  | { readonly action: "transfer"; readonly heldCallId: string; readonly activeCallId: string }
  | { readonly action: "deflect"; readonly to: string; readonly callId?: string }
  | { readonly action: "consult"; readonly to: string; readonly callId?: string }
  | { readonly action: "alternate"; readonly heldCallId?: string; readonly activeCallId?: string }
  | { readonly action: "monitor-stop" }
  | { readonly action: "dnd"; readonly on: boolean }
  | {
      readonly action: "forwarding";
      readonly type: "forwardImmediate" | "forwardBusy" | "forwardNoAns" | "forwardDND";
      readonly active: boolean;
      readonly destination?: string;
    };

/**
 * The connector's CTI: one CSTA session per registered trunk whose tenant has desk-phone users,
 * each user's device monitored and snapshotted, the desk-phone state kept from the events, and
 * the services the REST calls on a desk phone.
 */
export class CtiService {
  readonly notices = new Listeners<DeskPhoneNotice>();
  readonly exchanges = new Listeners<CstaExchange>();
  /** CSTA messages tied to a user's desk phone (and a call on it, when they name one). */
  readonly callNotes = new Listeners<CtiCallNote>();
  /** invokeID → the phone and CSTA call of a request, so its response is noted there too. */
  private readonly invokes = new Map<string, { phone: DeskPhone; cstaCallId?: string }>();
  private readonly evictInvoke = new EvictionCursor(this.invokes);
  private readonly sessions = new Map<string, { session: CstaSession; ready: Promise<void> }>();
  private readonly phones = new Map<string, DeskPhone>();

  constructor(
    private readonly sip: CtiSignalling,
    private readonly directory: CtiDirectory,
    private readonly log: (message: string, detail?: Record<string, unknown>) => void = () => {},
    private readonly responseTimeoutMs = CSTA_RESPONSE_TIMEOUT_MS,
  ) {}

  /** The trunk registered or went away (the registrar's connector status events). */
  trunkStatus(trunkId: string, available: boolean, options: { open: boolean } = { open: true }): void {
    if (!available) {
      this.sessions.get(trunkId)?.session.close("the trunk is not registered", true);
      return;
    }
    if (options.open && this.directory.deskUsers(trunkId).length > 0) {
      this.ensureSession(trunkId).catch((error) =>
        this.log("CSTA session did not open", { trunkId, error: String(error) }),
      );
    }
  }

  /** The open session of the trunk, opening it (and monitoring its users) on demand. */
  private ensureSession(trunkId: string): Promise<CstaSession> {
    const existing = this.sessions.get(trunkId);
    if (existing && existing.session.state !== "closed") return existing.ready.then(() => existing.session);
    const session = new CstaSession(
      trunkId,
      this.sip,
      {
        event: (message) => this.onEvent(trunkId, message),
        exchange: (exchange) => {
          this.exchanges.emit(exchange);
          this.noteExchange(exchange);
        },
        closed: (reason) => this.onClosed(trunkId, session, reason),
      },
      this.responseTimeoutMs,
    );
    const ready = session.open().then(() => this.monitorAll(trunkId, session));
    this.sessions.set(trunkId, { session, ready });
    return ready.then(() => session);
  }

  private async monitorAll(trunkId: string, session: CstaSession): Promise<void> {
    for (const user of this.directory.deskUsers(trunkId)) {
      try {
        await this.monitor(user, session);
      } catch (error) {
        this.log("desk phone not monitored", { userId: user.userId, error: String(error) });
      }
    }
  }

  private async monitor(user: DeskUser, session: CstaSession): Promise<void> {
    const phone = newDeskPhone(user, this.sip.now());
    this.phones.set(user.userId, phone);
    const started = expect(
      await session.request({ type: "MonitorStart", monitorObject: user.device }),
      "MonitorStartResponse",
    );
    phone.monitorCrossRefID = started.monitorCrossRefID;
    const snapshot = expect(
      await session.request({ type: "SnapshotDevice", snapshotObject: user.device }),
      "SnapshotDeviceResponse",
    );
    for (const call of snapshot.crossRefIDorSnapshotData)
      phone.calls.set(call.connectionIdentifier.callID, call.localConnectionState);
    phone.status = statusOf(phone.calls);
    const dnd = expect(
      await session.request({ type: "GetDoNotDisturb", device: user.device }),
      "GetDoNotDisturbResponse",
    );
    phone.dnd = dnd.doNotDisturbOn;
    const forwarding = expect(
      await session.request({ type: "GetForwarding", device: user.device }),
      "GetForwardingResponse",
    );
    applyForwardingList(phone, forwarding.forwardingList);
    this.publishState(phone);
    await this.forwardForRouting(user, phone, session);
  }

  /** Routing alternative: the desk phone forwards immediately to the alternative number (SetForwarding). */
  private async forwardForRouting(user: DeskUser, phone: DeskPhone, session: CstaSession): Promise<void> {
    if (user.routing !== "alternative" || !user.alternativeNumber) return;
    const now = phone.forwarding.get("forwardImmediate");
    if (now?.active && now.destination === user.alternativeNumber) return;
    await this.perform(session, phone, {
      action: "forwarding",
      type: "forwardImmediate",
      active: true,
      destination: user.alternativeNumber,
    });
  }

  /**
   * The user's routing changed (users REST): entering alternative sets the desk phone's
   * immediate forwarding to the alternative number, leaving it switches that forwarding off.
   * Opens the trunk's CSTA session when needed; an error (no session, PBX refusal) is thrown.
   */
  async routingChanged(
    userId: string,
    previous: { routing: string; alternativeNumber?: string },
  ): Promise<void> {
    const user = this.directory.deskUser(userId);
    if (!user) return;
    if (user.routing === "alternative" && user.alternativeNumber) {
      if (previous.routing === "alternative" && previous.alternativeNumber === user.alternativeNumber) return;
      await this.act(userId, {
        action: "forwarding",
        type: "forwardImmediate",
        active: true,
        destination: user.alternativeNumber,
      });
    } else if (previous.routing === "alternative") {
      await this.act(userId, { action: "forwarding", type: "forwardImmediate", active: false });
    }
  }

  private onEvent(trunkId: string, event: CstaMessage): void {
    const crossRef = "monitorCrossRefID" in event ? event.monitorCrossRefID : undefined;
    const phone = [...this.phones.values()].find(
      (p) => p.trunkId === trunkId && p.monitorCrossRefID === crossRef,
    );
    if (!phone) return;
    const before = JSON.stringify(deskPhoneView(phone, true));
    if (!applyEvent(phone, event, this.sip.now())) return;
    const cstaCallId = callIdOf(event);
    this.callNotes.emit({
      ...this.noteBase(phone, "in", event.type, this.sip.now()),
      ...(cstaCallId ? { cstaCallId, local: phone.calls.get(cstaCallId) ?? "null" } : {}),
      ...parties(event),
    });
    this.notices.emit({
      type: "desk-phone.event",
      tenantId: phone.tenantId,
      userId: phone.userId,
      at: this.sip.now(),
      event: event.type,
      ...(callIdOf(event) ? { callId: callIdOf(event) as string } : {}),
      ...("cause" in event && event.cause ? { cause: event.cause } : {}),
    });
    if (JSON.stringify(deskPhoneView(phone, true)) !== before) this.publishState(phone);
    if (event.type === "DeliveredEvent" && event.alertingDevice === phone.device)
      this.stopRingingForRouting(trunkId, phone, event.connection.callID);
  }

  /**
   * Routing unify-phone: only the app rings, so the desk phone's alerting connection is
   * cleared as soon as its Delivered event arrives (ClearConnection; docs/cti.md says why not DeflectCall).
   */
  private stopRingingForRouting(trunkId: string, phone: DeskPhone, callID: string): void {
    if (this.directory.deskUser(phone.userId)?.routing !== "unify-phone") return;
    const session = this.sessions.get(trunkId)?.session;
    if (session?.state !== "open") return;
    session
      .request({ type: "ClearConnection", connectionToBeCleared: { callID, deviceID: phone.device } })
      .then((answer) => expect(answer, "ClearConnectionResponse"))
      .catch((error) =>
        this.log("desk phone alerting not cleared (routing unify-phone)", {
          userId: phone.userId,
          error: String(error),
        }),
      );
  }

  /** Requests and their responses (events are noted in onEvent, after the state took them). */
  private noteExchange(exchange: CstaExchange): void {
    let message: CstaMessage;
    try {
      message = parseCsta(exchange.xml);
    } catch {
      return;
    }
    if (message.type.endsWith("Event")) return;
    const invokeID = message.invokeId;
    let phone: DeskPhone | undefined;
    let cstaCallId = anyCallId(message);
    if (exchange.direction === "out") {
      phone = this.phoneOfRequest(exchange.trunkId, message);
      if (phone && invokeID) {
        if (this.invokes.size >= MAX_OPEN_INVOKES) this.evictInvoke.evictOldest();
        this.invokes.set(`${exchange.trunkId}|${invokeID}`, { phone, ...(cstaCallId ? { cstaCallId } : {}) });
      }
    } else if (invokeID) {
      const open = this.invokes.get(`${exchange.trunkId}|${invokeID}`);
      this.invokes.delete(`${exchange.trunkId}|${invokeID}`);
      phone = open?.phone;
      cstaCallId = cstaCallId ?? open?.cstaCallId;
    }
    if (!phone) return;
    this.callNotes.emit({
      ...this.noteBase(phone, exchange.direction, message.type, exchange.at),
      ...(invokeID ? { invokeID } : {}),
      ...(cstaCallId ? { cstaCallId } : {}),
    });
  }

  private noteBase(phone: DeskPhone, direction: "in" | "out", type: string, at: number) {
    return {
      tenantId: phone.tenantId,
      userId: phone.userId,
      trunkId: phone.trunkId,
      device: phone.device,
      at,
      direction,
      type,
    };
  }

  /** The desk phone a request is about: the device it names, or its monitor. */
  private phoneOfRequest(trunkId: string, message: CstaMessage): DeskPhone | undefined {
    const fields = message as unknown as Record<string, unknown>;
    const devices = new Set<string>();
    for (const value of Object.values(fields)) {
      if (typeof value === "string") devices.add(value);
      else if (value && typeof value === "object" && "deviceID" in value) devices.add(String(value.deviceID));
    }
    for (const phone of this.phones.values()) {
      if (phone.trunkId !== trunkId) continue;
      if (devices.has(phone.device) || (phone.monitorCrossRefID && devices.has(phone.monitorCrossRefID)))
        return phone;
    }
    return undefined;
  }

  private onClosed(trunkId: string, session: CstaSession, reason: string): void {
    if (this.sessions.get(trunkId)?.session !== session) return;
    this.sessions.delete(trunkId);
    this.log("CSTA session closed", { trunkId, reason });
    for (const phone of this.phones.values()) {
      if (phone.trunkId !== trunkId) continue;
      phone.monitorCrossRefID = undefined;
      this.publishState(phone);
    }
  }

  private publishState(phone: DeskPhone): void {
    this.notices.emit({
      type: "desk-phone.state",
      tenantId: phone.tenantId,
      userId: phone.userId,
      at: this.sip.now(),
      state: this.view(phone),
    });
  }

  private view(phone: DeskPhone): DeskPhoneView {
    return deskPhoneView(phone, this.sessions.get(phone.trunkId)?.session.state === "open");
  }

  /** The user's desk phone as last known; undefined when the user has none. */
  deskPhone(userId: string): DeskPhoneView | undefined {
    const phone = this.phones.get(userId);
    if (phone) return this.view(phone);
    const user = this.directory.deskUser(userId);
    return user ? deskPhoneView(newDeskPhone(user, this.sip.now()), false) : undefined;
  }

  /** The user's desk phone if the CTI has seen it (no directory lookup: asked per incoming call). */
  knownDeskPhone(userId: string): DeskPhoneView | undefined {
    const phone = this.phones.get(userId);
    return phone && this.view(phone);
  }

  /** Run a REST action on the user's desk phone; ApiError cti_* when the link or the PBX says no. */
  async act(
    userId: string,
    request: DeskPhoneAction,
  ): Promise<DeskPhoneView & { result?: Record<string, unknown> }> {
    const user = this.directory.deskUser(userId);
    if (!user)
      throw new ApiError("desk_phone_not_found", "the user has no desk phone (no callno on a trunk)");
    const session = await this.sessionFor(user.trunkId);
    let phone = this.phones.get(userId);
    if (!phone?.monitorCrossRefID) {
      await this.run(() => this.monitor(user, session));
      phone = this.phones.get(userId) as DeskPhone;
    }
    const result = await this.run(() => this.perform(session, phone, request));
    return { ...this.view(phone), ...(result ? { result } : {}) };
  }

  private async sessionFor(trunkId: string): Promise<CstaSession> {
    if (!this.sip.trunkFlow(trunkId)) {
      throw new ApiError("cti_not_connected", "no CSTA session: the user's trunk is not registered");
    }
    return this.run(() => this.ensureSession(trunkId));
  }

  /** CstaRequestFailed → 504 / 409; a CSTAErrorCode answer → 502 (see `expect`). */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof CstaRequestFailed) {
        throw error.reason === "timeout"
          ? new ApiError("cti_timeout", error.message)
          : new ApiError("cti_not_connected", error.message);
      }
      throw error;
    }
  }

  private async perform(
    session: CstaSession,
    phone: DeskPhone,
    request: DeskPhoneAction,
  ): Promise<Record<string, unknown> | undefined> {
    const device = phone.device;
    const conn = (callId: string | undefined, ...prefer: string[]): ConnectionId => ({
      callID: callId ?? pickCall(phone, prefer),
      deviceID: device,
    });
    switch (request.action) {
      case "make-call": {
        const made = expect(
          await session.request({
            type: "MakeCall",
            callingDevice: device,
            calledDirectoryNumber: request.to,
          }),
          "MakeCallResponse",
        );
        return { callId: made.callingDevice.callID };
      }
      case "answer":
        expect(
          await session.request({ type: "AnswerCall", callToBeAnswered: conn(request.callId, "alerting") }),
          "AnswerCallResponse",
        );
        return undefined;
      case "clear":
        expect(
          await session.request({
            type: "ClearConnection",
            connectionToBeCleared: conn(request.callId, "connected", "alerting", "hold", "initiated"),
          }),
          "ClearConnectionResponse",
        );
        return undefined;
      case "hold":
        expect(
          await session.request({ type: "HoldCall", callToBeHeld: conn(request.callId, "connected") }),
          "HoldCallResponse",
        );
        return undefined;
      case "retrieve":
        expect(
          await session.request({ type: "RetrieveCall", callToBeRetrieved: conn(request.callId, "hold") }),
          "RetrieveCallResponse",
        );
        return undefined;
      case "transfer":
        if ("heldCallId" in request) {
          expect(
            await session.request({
              type: "TransferCall",
              heldCall: conn(request.heldCallId),
              activeCall: conn(request.activeCallId),
            }),
            "TransferCallResponse",
          );
          return undefined;
        }
        expect(
          await session.request({
            type: "SingleStepTransferCall",
            activeCall: conn(request.callId, "connected", "hold"),
            transferredTo: request.to,
          }),
          "SingleStepTransferCallResponse",
        );
        return undefined;
      case "deflect":
        expect(
          await session.request({
            type: "DeflectCall",
            callToBeDiverted: conn(request.callId, "alerting"),
            newDestination: request.to,
          }),
          "DeflectCallResponse",
        );
        return undefined;
      case "consult": {
        const made = expect(
          await session.request({
            type: "ConsultationCall",
            existingCall: conn(request.callId, "connected"),
            consultedDevice: request.to,
          }),
          "ConsultationCallResponse",
        );
        return { callId: made.initiatedCall.callID };
      }
      case "alternate":
        expect(
          await session.request({
            type: "AlternateCall",
            heldCall: conn(request.heldCallId, "hold"),
            activeCall: conn(request.activeCallId, "connected", "initiated", "alerting"),
          }),
          "AlternateCallResponse",
        );
        return undefined;
      case "monitor-stop":
        expect(
          await session.request({ type: "MonitorStop", monitorCrossRefID: phone.monitorCrossRefID ?? "" }),
          "MonitorStopResponse",
        );
        phone.monitorCrossRefID = undefined;
        this.publishState(phone);
        return undefined;
      case "dnd":
        expect(
          await session.request({ type: "SetDoNotDisturb", device, doNotDisturbOn: request.on }),
          "SetDoNotDisturbResponse",
        );
        phone.dnd = request.on;
        this.publishState(phone);
        return undefined;
      case "forwarding":
        expect(
          await session.request({
            type: "SetForwarding",
            device,
            forwardingType: request.type,
            activateForward: request.active,
            ...(request.destination ? { forwardDN: request.destination } : {}),
          }),
          "SetForwardingResponse",
        );
        phone.forwarding.set(request.type, {
          active: request.active,
          ...(request.destination ? { destination: request.destination } : {}),
        });
        this.publishState(phone);
        return undefined;
    }
  }

  /** Is this in-dialog request (INFO, BYE) for a CSTA session? Then the session answers it. */
  takeInDialog(tx: ServerTransaction): boolean {
    const key = dialogKeyOfIncoming(tx.request);
    for (const { session } of this.sessions.values()) {
      if (!session.owns(key)) continue;
      if (tx.request.method === "BYE") session.bye(tx);
      else session.info(tx);
      return true;
    }
    return false;
  }

  /** A SIP connection closed: sessions that lost their flow end. */
  connectionClosed(): void {
    for (const { session } of [...this.sessions.values()]) session.connectionLost();
  }

  close(): void {
    for (const { session } of [...this.sessions.values()]) session.close("the emulator stops", true);
  }
}

/** The response of the expected type, or ApiError cti_refused with the PBX's CSTAErrorCode. */
function expect<N extends CstaMessage["type"]>(
  message: CstaMessage,
  type: N,
): Extract<CstaMessage, { type: N }> {
  if (message.type === type) return message as Extract<CstaMessage, { type: N }>;
  if (message.type === "CSTAErrorCode") {
    throw new ApiError("cti_refused", `the PBX refused: ${message.category} ${message.value}`, {
      cstaError: { category: message.category, value: message.value },
    });
  }
  throw new ApiError("cti_refused", `the PBX answered ${message.type} where ${type} was expected`);
}

/** The device's call in the first preferred state; 409 when it has none. */
function pickCall(phone: DeskPhone, prefer: readonly string[]): string {
  for (const state of prefer) {
    for (const [callId, callState] of phone.calls) if (callState === state) return callId;
  }
  throw new ApiError("desk_phone_no_call", `the desk phone has no call in state ${prefer.join(" or ")}`);
}

function callIdOf(event: CstaMessage): string | undefined {
  for (const key of [
    "connection",
    "establishedConnection",
    "heldConnection",
    "retrievedConnection",
    "droppedConnection",
    "initiatedConnection",
    "originatedConnection",
    "primaryOldCall",
  ]) {
    const value = (event as unknown as Record<string, unknown>)[key] as ConnectionId | undefined;
    if (value?.callID) return value.callID;
  }
  return undefined;
}

/** The CSTA callID any connection field of a request or response names. */
function anyCallId(message: CstaMessage): string | undefined {
  for (const value of Object.values(message as unknown as Record<string, unknown>)) {
    if (value && typeof value === "object" && "callID" in value) return String(value.callID);
  }
  return undefined;
}

/** The calling and called device of an event that names them. */
function parties(event: CstaMessage): { calling?: string; called?: string } {
  const fields = event as unknown as Record<string, unknown>;
  return {
    ...(typeof fields.callingDevice === "string" ? { calling: fields.callingDevice } : {}),
    ...(typeof fields.calledDevice === "string" ? { called: fields.calledDevice } : {}),
  };
}
