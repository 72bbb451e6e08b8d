import type { Trunk } from "../../domain/index.js";
import { ApiError, type FieldProblem } from "../../errors/index.js";
import type { Store, UserRecord } from "../../store/index.js";
import { readCsvRows } from "./csv-rows.js";
import type { RawRow } from "./import-columns.js";
import { type PlannedUser, planImport, type WantedUser } from "./import-plan.js";
import { readJsonRows } from "./json-rows.js";
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
}

/** A 422 lists at most this many problems (its `detail` counts them all). */
const MAX_LISTED_PROBLEMS = 1000;

/**
 * Imports users into one trunk: reads every row, checks them all, and writes nothing
 * unless every row is valid; then creates and updates in ONE transaction. Users match
 * by e-mail; a matched user whose fields already equal the row is `unchanged`.
 */
export async function importUsers(
  store: Store,
  tenantId: string,
  request: ImportRequest,
): Promise<ImportResult> {
  // Rows are checked on their own while they are read; only checked rows are kept.
  const checker = new RowChecker(trunkNamed(store, tenantId, request.trunk).name);
  const checked: CheckedRow[] = [];
  const sink = (raw: RawRow) => {
    checked.push(checker.check(raw));
  };
  const readProblems =
    request.format === "csv"
      ? await readCsvRows(request.body as Buffer, sink)
      : readJsonRows(request.body, sink);
  // From here on everything is synchronous: the store cannot change between checks and write.
  const trunk = trunkNamed(store, tenantId, request.trunk);
  const problems = readProblems.concat(checker.problems);
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
  if (problems.length > 0) throw invalidImport(problems);
  if (!request.dryRun) write(store, tenantId, planned);
  let created = 0;
  let updated = 0;
  for (const p of planned) {
    if (!p.existing) created++;
    else if (p.changed) updated++;
  }
  return { created, updated, unchanged: planned.length - created - updated, dryRun: request.dryRun };
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

function invalidImport(problems: FieldProblem[]): ApiError {
  const sorted = [...problems].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  const rows = new Set(sorted.map((p) => p.row)).size;
  const listed = sorted.length > MAX_LISTED_PROBLEMS ? `; the first ${MAX_LISTED_PROBLEMS} are listed` : "";
  return new ApiError(
    "import_invalid",
    `${sorted.length} problem(s) in ${rows} row(s); nothing was written${listed}`,
    { errors: sorted.slice(0, MAX_LISTED_PROBLEMS) },
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
