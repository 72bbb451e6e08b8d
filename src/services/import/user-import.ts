import type { Trunk } from "../../domain/index.js";
import { ApiError, type FieldProblem } from "../../errors/index.js";
import type { Store, UserRecord } from "../../store/index.js";
import { readCsvRows } from "./csv-rows.js";
import type { RawRow } from "./import-columns.js";
import { type PlannedUser, planImport, type WantedUser } from "./import-plan.js";
import { readJsonRows } from "./json-rows.js";
import { listedProblems, ProblemList } from "./problem-list.js";
import { type CheckedRow, RowChecker } from "./row-check.js";

export interface ImportRequest {
  /** the trunk's name, e.g. "gtc-001" */
  readonly trunk: string;
  /** only validate and count */
  readonly dryRun: boolean;
  readonly format: "csv" | "json";
  /** the raw bytes for CSV; the parsed array or `{ users: [...] }` for JSON */
  readonly body: Buffer | unknown;
}

export interface ImportResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly dryRun: boolean;
  /** only on a dry run: what would refuse the real import although every row is valid */
  readonly warnings?: FieldProblem[];
}

/** The rows of one import that got as far as being checked, for monitoring. */
export interface ImportRows {
  readonly dryRun: boolean;
  /** Rows without a problem (in a refused import: the rows that were fine, yet not written). */
  readonly valid: number;
  /** Rows with at least one problem; the import is refused when there is any. */
  readonly invalid: number;
}

/** Why users cannot be provisioned onto a trunk now (its connector is unavailable), or undefined. */
export type ConnectorCheck = (trunk: Trunk) => string | undefined;

/**
 * Imports users into one trunk: reads every row, checks them all, and writes nothing
 * unless every row is valid; then creates and updates in ONE transaction. Users match
 * by e-mail; a matched user whose fields already equal the row is `unchanged`.
 */
export async function importUsers(
  store: Store,
  tenantId: string,
  request: ImportRequest,
  connectorCheck: ConnectorCheck = () => undefined,
  report: (rows: ImportRows) => void = () => {},
): Promise<ImportResult> {
  // Provisioning needs an available connector (HowTo §2.4): a real import stops before reading;
  // a dry run still validates every row and reports the connector as a warning.
  const unavailable = connectorCheck(trunkNamed(store, tenantId, request.trunk));
  if (unavailable && !request.dryRun) throw connectorUnavailable(unavailable);
  // Rows are checked on their own while they are read; only checked rows are kept.
  const problems = new ProblemList();
  const checker = new RowChecker(trunkNamed(store, tenantId, request.trunk).name, problems);
  const checked: CheckedRow[] = [];
  const sink = (raw: RawRow) => {
    checked.push(checker.check(raw));
  };
  if (request.format === "csv") await readCsvRows(request.body as Buffer, sink, problems);
  else readJsonRows(request.body, sink, problems);
  // From here on everything is synchronous: the store cannot change between checks and write.
  const trunk = trunkNamed(store, tenantId, request.trunk);
  const planned = planImport(
    {
      users: store.users.listRecords(tenantId),
      trunk,
      numbering: store.systems.get(trunk.systemRef)?.numbering ?? { schema: "international" },
      trunkName: (id) => store.trunks.get(id)?.name ?? id,
    },
    checked,
    problems,
  );
  const invalid = problems.rowCount;
  report({ dryRun: request.dryRun, valid: Math.max(0, checked.length - invalid), invalid });
  if (problems.total > 0) throw invalidImport(problems);
  if (!request.dryRun) write(store, tenantId, planned);
  let created = 0;
  let updated = 0;
  for (const p of planned) {
    if (!p.existing) created++;
    else if (p.changed) updated++;
  }
  const result = { created, updated, unchanged: planned.length - created - updated, dryRun: request.dryRun };
  if (!unavailable) return result;
  return { ...result, warnings: [{ field: "trunk", code: "connector_unavailable", message: unavailable }] };
}

/** 409 `connector_unavailable`, the message naming the trunk. */
export function connectorUnavailable(message: string): ApiError {
  return new ApiError("connector_unavailable", message, {
    errors: [{ field: "trunk", code: "connector_unavailable", message }],
  });
}

function trunkNamed(store: Store, tenantId: string, name: string): Trunk {
  const trunk = store.trunks.getByName(tenantId, name);
  if (!trunk) {
    const message = `no trunk ${name} in this tenant`;
    throw new ApiError("trunk_not_found", message, {
      errors: [{ field: "trunk", code: "trunk_not_found", message }],
    });
  }
  return trunk;
}

function invalidImport(problems: ProblemList): ApiError {
  const extensions = listedProblems(problems);
  const listed =
    problems.omitted > 0
      ? `; the first ${extensions.errors.length} are listed, ${problems.omitted} left out`
      : "";
  return new ApiError(
    "import_invalid",
    `${problems.total} problem(s) in ${problems.rowCount} row(s); nothing was written${listed}`,
    extensions,
  );
}

function write(store: Store, tenantId: string, planned: readonly PlannedUser[]): void {
  const creates: WantedUser[] = [];
  const updates: UserRecord[] = [];
  for (const { existing, wanted, changed } of planned) {
    if (!existing) creates.push(wanted);
    else if (changed) updates.push({ ...wanted, id: existing.id });
  }
  store.users.writeMany(tenantId, { creates, updates });
}
