import type { Logger } from "pino";
import { ConnectorEndpoint, RegisteredFlows } from "../b2bua/index.js";
import type { EmulatorConfig } from "../config/index.js";
import { CSTA_CONTENT_TYPE, CtiService } from "../cti/index.js";
import type { User } from "../domain/index.js";
import type { ControllableClock } from "../shared/clock.js";
import { SystemClock } from "../shared/clock.js";
import type { RequestHandler } from "../sip/core/index.js";
import type { Cleanup } from "./cleanup.js";
import type { DomainLayer } from "./open-domain.js";
import type { CallLayer } from "./start-calls.js";
import type { SipLayer } from "./start-sip.js";

/**
 * Step 3b: the desk-phone CTI (docs/cti.md). A CSTA session opens toward each trunk that
 * registers with desk-phone users; its INFOs and BYE share the SIP router with the calls'.
 */
export function startCti(
  config: EmulatorConfig,
  data: DomainLayer,
  sip: SipLayer,
  calls: CallLayer,
  env: { clock: ControllableClock; log: Logger; cleanup: Cleanup },
): CtiService {
  const { stack, router } = sip;
  const store = data.store;
  const reach = new RegisteredFlows(
    sip.registrar.bindings,
    sip.clientRegistrar.bindings,
    stack.transport.connections,
  );
  const log = env.log.child({ component: "cti" });
  const deskUser = (user: User | undefined) =>
    user?.trunkId && user.callno
      ? {
          userId: user.id,
          tenantId: user.tenantId,
          trunkId: user.trunkId,
          device: user.callno,
          routing: user.routing,
          ...(user.alternativeNumber ? { alternativeNumber: user.alternativeNumber } : {}),
        }
      : undefined;
  const cti = new CtiService(
    {
      endpoint: new ConnectorEndpoint(config.host, sip.port),
      domain: config.domain,
      allow: () => router.allowHeader,
      send: (request, connection, delegate) => stack.transactions.sendRequest(request, connection, delegate),
      trunkFlow: (trunkId) => reach.trunkFlow(trunkId),
      trunkDialogFlow: (trunkId) => reach.trunkDialogFlow(trunkId),
      timers: new SystemClock(),
      now: () => env.clock.now(),
      faults: {
        checker: data.faults,
        subjects: (trunkId, devices) => {
          const trunk = store.trunks.get(trunkId);
          const tenant = trunk && store.tenants.get(trunk.tenantId);
          const users = trunk
            ? store.users.listByTenant(trunk.tenantId).filter((u) => u.callno && devices.includes(u.callno))
            : [];
          return {
            trunk: trunk ? [trunk.id, trunk.name, trunk.username] : [trunkId],
            tenant: tenant ? [tenant.id, tenant.name] : [],
            users: [...devices, ...users.map((u) => u.id)],
          };
        },
      },
    },
    {
      deskUsers: (trunkId) => {
        const trunk = store.trunks.get(trunkId);
        if (!trunk) return [];
        return store.users.listByTenant(trunk.tenantId).flatMap((user) => {
          const desk = deskUser(user);
          return desk && desk.trunkId === trunkId ? [desk] : [];
        });
      },
      deskUser: (userId) => deskUser(store.users.get(userId)),
    },
    (message, detail) => log.info(detail ?? {}, message),
  );
  shareInDialog(router, "INFO", cti, [CSTA_CONTENT_TYPE]);
  shareInDialog(router, "BYE", cti, []);
  // After the REGISTER's 200 has gone out: the PBX knows it is registered before our INVITE.
  // `on-demand`: a trunk's session opens at the first desk-phone request; it still closes here.
  const auto = config.ctiSession === "auto";
  sip.trunkStatus.on((e) =>
    setImmediate(() => cti.trunkStatus(e.trunkId, e.status === "available", { open: auto })),
  );
  stack.connectionClosed.on(() => cti.connectionClosed());
  cti.exchanges.on((e) => {
    const trunk = store.trunks.get(e.trunkId);
    sip.trace.recordCsta({
      direction: e.direction,
      type: /<([A-Za-z]+)[\s/>]/.exec(e.xml.replace(/^<\?xml[^>]*\?>/, ""))?.[1] ?? "?",
      message: e.xml,
      trunkId: e.trunkId,
      ...(trunk ? { tenantId: trunk.tenantId, trunkName: trunk.name } : {}),
    });
  });
  cti.notices.on((notice) => calls.webhook.deskPhone(notice));
  // Every CSTA message about a desk phone goes into its call's journal entry (b2bua/call-cti.ts).
  cti.callNotes.on((note) =>
    calls.b2bua.journal.recordCti({
      ...note,
      trunkName: store.trunks.get(note.trunkId)?.name ?? note.trunkId,
    }),
  );
  env.cleanup.add(() => cti.close());
  return cti;
}

/** The method's requests in a CSTA session's dialog go to the CTI, the others where they went. */
function shareInDialog(
  router: SipLayer["router"],
  method: "INFO" | "BYE",
  cti: CtiService,
  bodies: readonly string[],
): void {
  const route: Partial<NonNullable<ReturnType<typeof router.routeOf>>> = router.routeOf(method) ?? {};
  const { handler: previous, ...options } = route;
  const handler: RequestHandler = (tx) => {
    if (!cti.takeInDialog(tx)) previous?.(tx);
  };
  router.on(method, handler, { ...options, acceptBody: [...(options.acceptBody ?? []), ...bodies] });
}
