import type { Logger } from "pino";
import { B2bua } from "../b2bua/index.js";
import type { EmulatorConfig } from "../config/index.js";
import { RtpFaultGate } from "../faults/index.js";
import { MediaEngine } from "../media/index.js";
import { MwiService } from "../services/index.js";
import { type ControllableClock, SystemClock } from "../shared/clock.js";
import { WebhookDispatcher } from "../webhooks/index.js";
import type { Cleanup } from "./cleanup.js";
import type { DomainLayer } from "./open-domain.js";
import type { SipLayer } from "./start-sip.js";
import { callDirectory } from "./store-ports.js";

/** Step 3: media, the B2BUA on the SIP router, webhooks; then the plain SIP listeners. */
export interface CallLayer {
  readonly b2bua: B2bua;
  readonly media: MediaEngine;
  readonly webhook: WebhookDispatcher;
  /** Users' voicemail indication, as the PBX reports it over the trunk. */
  readonly mwi: MwiService;
  readonly sipTcp: number | null;
  readonly sipUdp: number | null;
}

export async function startCalls(
  config: EmulatorConfig,
  data: DomainLayer,
  sip: SipLayer,
  env: { clock: ControllableClock; log: Logger; cleanup: Cleanup },
): Promise<CallLayer> {
  const { clock, log, cleanup } = env;
  const { stack, trace } = sip;
  // One gate for every RTP leg: the engine's sessions and the WebRTC legs of client calls.
  const rtpFaults = new RtpFaultGate(data.faults, { timers: new SystemClock() });
  const media = new MediaEngine({
    host: config.host,
    bind: config.bind,
    portRange: config.rtpPorts,
    rtcpIntervalMs: config.rtcpIntervalMs,
    faults: rtpFaults,
    log: (event, detail) => log.debug({ ...detail }, `media: ${event}`),
  });
  const mwi = new MwiService(clock);
  const b2bua = new B2bua({
    directory: callDirectory(data.store),
    service: { tenantOutage: (tenantId) => data.jwt.outage(tenantId) },
    bindings: sip.registrar.bindings,
    clients: sip.clientRegistrar.bindings,
    connections: stack.transport.connections,
    transactions: stack.transactions,
    media,
    clock,
    timers: new SystemClock(),
    host: config.host,
    bind: config.bind,
    sipPort: sip.port,
    domain: config.domain,
    inboundRequestUri: config.inboundRequestUri,
    allow: () => sip.router.allowHeader,
    unmodelled: sip.unmodelled,
    mailboxes: mwi,
    rtpFaults,
  });
  b2bua.install(sip.router);
  b2bua.events.on((e) => {
    const call = b2bua.journal.get(e.callId);
    trace.recordCall(
      e,
      call && {
        tenantId: call.tenantId,
        trunkId: call.trunkId,
        trunkName: call.trunkName,
        sipCallIds: call.legs.map((l) => l.callId),
      },
    );
  });
  const webhook = new WebhookDispatcher({
    clock,
    findCall: (callId) => b2bua.journal.get(callId),
    log: log.child({ component: "webhook" }),
  });
  cleanup.add(() => webhook.close());
  b2bua.events.on((e) => webhook.callEvent(e));
  sip.trunkStatus.on((e) => webhook.connectorStatus(e));
  mwi.changed.on((e) => {
    b2bua.mwi?.mailboxChanged(e.userId);
    webhook.mwiChanged(e);
  });
  if (config.webhookUrl) {
    webhook.configure({
      url: config.webhookUrl,
      ...(config.webhookSecret ? { secret: config.webhookSecret } : {}),
    });
  }
  stack.connectionClosed.on(({ connection, reason }) => b2bua.connectionClosed(connection, reason));
  cleanup.add(async () => {
    await b2bua.close();
    await media.close();
  });
  const sipTcp =
    config.sip.tcpPort === null
      ? null
      : (await stack.transport.listenTcp({ host: config.bind, port: config.sip.tcpPort })).port;
  const sipUdp =
    config.sip.udpPort === null
      ? null
      : (await stack.transport.listenUdp({ host: config.bind, port: config.sip.udpPort })).port;
  return { b2bua, media, webhook, mwi, sipTcp, sipUdp };
}
