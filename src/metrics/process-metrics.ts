import { collectDefaultMetrics, Registry } from "prom-client";

let shared: Registry | undefined;

/**
 * prom-client's default metrics (CPU, memory, heap, GC, handles, event-loop lag) in a
 * registry of their own, made once per process. They describe the process, not one
 * emulator; and collectDefaultMetrics starts a GC observer and an event-loop delay monitor
 * it never stops, so one per emulator would pile up in a test run that starts hundreds.
 * Never prom-client's global registry: an application embedding the emulator may use it.
 */
export function processRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
