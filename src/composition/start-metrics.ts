import type { EmulatorConfig } from "../config/index.js";
import {
  callMetrics,
  EmulatorMetrics,
  mediaMetrics,
  registrationMetrics,
  serviceMetrics,
  sipMetrics,
} from "../metrics/index.js";
import type { SipTrafficTap } from "../sip/transport/index.js";
import type { DomainLayer } from "./open-domain.js";
import type { CallLayer } from "./start-calls.js";
import type { SipLayer } from "./start-sip.js";

/**
 * Step 3½: the Prometheus metrics, fed by the events and taps each layer already publishes
 * (no layer knows prom-client); the API step serves them at GET /metrics.
 */
export function startMetrics(
  config: EmulatorConfig,
  data: DomainLayer,
  sip: SipLayer,
  calls: CallLayer,
): EmulatorMetrics {
  const metrics = new EmulatorMetrics({ token: config.metricsToken, public: config.metricsPublic });
  const { registry } = metrics;
  const { stack, registrar, clientRegistrar } = sip;
  const tap = sipMetrics(registry, {
    transactions: stack.transactions,
    transportEvents: stack.transportEvents,
  });
  stack.transport.tap = bothTaps(stack.transport.tap, tap);
  registrationMetrics(registry, {
    attempts: registrar.attempts,
    unknownAccounts: registrar.unknownAccounts,
    availableConnectors: () => registrar.bindings.trunkCount,
    trunkBindings: () => registrar.bindings.size,
    clientBindings: () => clientRegistrar.bindings.size,
    shortcutRefreshes: () => sip.refreshShortcut?.taken ?? 0,
  });
  const { journal, events } = calls.b2bua;
  callMetrics(registry, { events, call: (id) => journal.get(id), activeCalls: () => journal.activeCalls() });
  mediaMetrics(registry, calls.media);
  serviceMetrics(registry, {
    faultHits: data.faults,
    webhookOutcomes: calls.webhook.outcomes,
    importedRows: data.users.importedRows,
  });
  return metrics;
}

/** The transport has one tap: the trace's (when tracing) and the metrics' share it. */
function bothTaps(first: SipTrafficTap | undefined, second: SipTrafficTap): SipTrafficTap {
  if (!first) return second;
  return {
    received: (bytes, connection, message) => {
      first.received(bytes, connection, message);
      second.received(bytes, connection, message);
    },
    sent: (bytes, connection, message) => {
      first.sent(bytes, connection, message);
      second.sent(bytes, connection, message);
    },
    opened: (connection) => {
      first.opened?.(connection);
      second.opened?.(connection);
    },
    closed: (connection, reason) => {
      first.closed?.(connection, reason);
      second.closed?.(connection, reason);
    },
  };
}
