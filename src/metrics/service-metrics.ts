import { Counter, type Registry } from "prom-client";
import type { FaultHitEvent } from "../faults/index.js";
import type { ImportRows } from "../services/index.js";
import type { Listeners } from "../shared/listeners.js";
import type { WebhookOutcome } from "../webhooks/index.js";
import { LabelCap } from "./label-cap.js";

/** Distinct fault rule ids with their own series; later rules are counted as `other`. */
export const MAX_FAULT_RULE_LABELS = 100;

export interface ServiceSources {
  readonly faultHits: { onHit(listener: (event: FaultHitEvent) => void): () => void };
  readonly webhookOutcomes: Pick<Listeners<WebhookOutcome>, "on">;
  readonly importedRows: Pick<Listeners<ImportRows>, "on">;
}

/** Fault rule hits, webhook deliveries, user import rows. */
export function serviceMetrics(registry: Registry, sources: ServiceSources): void {
  const rules = new LabelCap(MAX_FAULT_RULE_LABELS);
  const hits = new Counter({
    name: "upe_fault_hits_total",
    help: `Fault rules that acted, by rule id (the first ${MAX_FAULT_RULE_LABELS} rules seen; later ones as "other") and injection point`,
    labelNames: ["rule", "point"],
    registers: [registry],
  });
  sources.faultHits.onHit((e) => hits.inc({ rule: rules.value(e.faultId), point: e.point }));

  const webhooks = new Counter({
    name: "upe_webhook_deliveries_total",
    help: "Webhook POSTs by outcome: delivered, failed (given up after the retries or on a 4xx), dropped (pushed out of the full queue)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const outcome of ["delivered", "failed", "dropped"] as const) webhooks.inc({ outcome }, 0);
  sources.webhookOutcomes.on((outcome) => webhooks.inc({ outcome }));

  const rows = new Counter({
    name: "upe_user_import_rows_total",
    help: "Rows of user imports (CSV/JSON) after checking: ok (no problem) or failed (at least one); any failed row refuses its whole import",
    labelNames: ["result", "dry_run"],
    registers: [registry],
  });
  sources.importedRows.on(({ dryRun, valid, invalid }) => {
    const dry_run = String(dryRun);
    rows.inc({ result: "ok", dry_run }, valid);
    rows.inc({ result: "failed", dry_run }, invalid);
  });
}
