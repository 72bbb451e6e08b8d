import { isUtf8 } from "node:buffer";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CsvError, parse } from "csv-parse";
import { ApiError } from "../../errors/index.js";
import {
  columnIgnoringCase,
  IMPORT_MAX_ROWS,
  type ImportColumn,
  isImportColumn,
  REQUIRED_COLUMNS,
  type RowSink,
} from "./import-columns.js";
import { listedProblems, ProblemList } from "./problem-list.js";

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** The body is fed to the parser in slices; the event loop gets a turn between them. */
const SLICE = 256 * 1024;
/** The export's formula neutralisation (a leading "'"), undone so a round trip is lossless. */
const NEUTRALISED = /^'[=+\-@\t\r]/;
/** Header problems quoted in a 422's `detail` (all of them are counted, the list is capped). */
const HEADER_PROBLEMS_IN_DETAIL = 5;
/**
 * Longest record (header or row) read, in characters. A valid row is far shorter (its longest
 * cell, an e-mail address, has 254); the bound spares the parser a 10 MB record (seconds of CPU).
 */
const MAX_RECORD_CHARS = 64 * 1024;

/**
 * Reads a CSV user file with csv-parse's streaming parser: UTF-8 with or without BOM, CRLF
 * or LF, quoted fields, "," or (when the header line uses it) ";" as delimiter. Blank
 * lines are skipped but counted, so `row` is the spreadsheet row (header = 1; a quoted
 * field with line breaks stays one row). Each row goes to `sink`; the problems found while
 * reading (syntax, field counts) go to `problems`, which is returned. File-level problems,
 * a bad header among them, throw ApiError.
 */
export async function readCsvRows(
  body: Buffer,
  sink: RowSink,
  problems: ProblemList = new ProblemList(),
): Promise<ProblemList> {
  if (!isUtf8(body)) {
    throw new ApiError("import_not_utf8", 'the file is not UTF-8; save it as "CSV UTF-8 (comma delimited)"');
  }
  const start = body.subarray(0, 3).equals(BOM) ? 3 : 0;
  const reader = new CsvReader(sink, problems);
  const parser = parse({
    delimiter: delimiterOf(body, start),
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  });
  let failed = false;
  const finished = new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("close", resolve);
    parser.on("error", (error) => {
      failed = true;
      reject(error);
    });
  });
  // Awaited below; this only keeps an early rejection from being reported as unhandled.
  finished.catch(() => undefined);
  parser.on("data", (fields: string[]) => reader.record(fields));
  for (let at = start; at < body.length && !failed && !reader.stopped; at += SLICE) {
    parser.write(body.subarray(at, at + SLICE));
    await nextTurn();
  }
  if (reader.stopped) parser.destroy();
  else parser.end();
  try {
    await finished;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const row = reader.line + 1;
    if (error.code !== "CSV_MAX_RECORD_SIZE") {
      reader.problems.push({ row, field: "", code: "csv_syntax", message: error.message });
    } else if (reader.headerRead) {
      const message = `row ${row} is longer than ${MAX_RECORD_CHARS} characters; reading stopped there`;
      reader.problems.push({ row, field: "", code: "row_too_long", message });
    } else {
      throw headerTooLong(row);
    }
  }
  if (reader.tooMany) throw tooManyRows();
  return reader.result();
}

function headerTooLong(row: number): ApiError {
  const message = `the header row is longer than ${MAX_RECORD_CHARS} characters`;
  return new ApiError(
    "import_header_invalid",
    `${message}; expected ${REQUIRED_COLUMNS.join(",")} and at most the optional columns`,
    { errors: [{ row, field: "", code: "header_too_long", message }] },
  );
}

export function tooManyRows(): ApiError {
  return new ApiError("import_too_many_rows", `an import may have at most ${IMPORT_MAX_ROWS} rows`);
}

function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) if (field.trim() !== "") return false;
  return true;
}

/** ";" when the header line has more semicolons than commas (Excel in German locales). */
function delimiterOf(body: Buffer, start: number): string {
  let commas = 0;
  let semicolons = 0;
  for (let i = start; i < body.length; i++) {
    const byte = body[i];
    if (byte === 0x0a && commas + semicolons > 0) break;
    if (byte === 0x2c) commas++;
    else if (byte === 0x3b) semicolons++;
  }
  return semicolons > commas ? ";" : ",";
}

class CsvReader {
  /** spreadsheet row of the last record */
  line = 0;
  tooMany = false;
  private dataRows = 0;
  private columns: (ImportColumn | undefined)[] | undefined;
  private readonly headerProblems = new ProblemList();

  constructor(
    private readonly sink: RowSink,
    readonly problems: ProblemList,
  ) {}

  /** The header record has been read (valid or not). */
  get headerRead(): boolean {
    return this.columns !== undefined || this.headerProblems.total > 0;
  }

  /** Nothing more to read: too many rows, or a header that is not valid. */
  get stopped(): boolean {
    return this.tooMany || this.headerProblems.total > 0;
  }

  record(fields: string[]): void {
    this.line++;
    if (this.stopped || isBlank(fields)) return;
    const columns = this.columns;
    if (!columns) {
      this.header(fields);
      return;
    }
    if (++this.dataRows > IMPORT_MAX_ROWS) {
      this.tooMany = true;
      return;
    }
    if (fields.length !== columns.length) {
      this.problems.push({
        row: this.line,
        field: "",
        code: "column_count",
        message: `row ${this.line} has ${fields.length} fields, the header has ${columns.length}`,
      });
      return;
    }
    const values: Partial<Record<ImportColumn, string>> = {};
    for (let i = 0; i < columns.length; i++) {
      const value = fields[i]!.trim();
      values[columns[i]!] = value.startsWith("'") && NEUTRALISED.test(value) ? value.slice(1) : value;
    }
    this.sink({ row: this.line, values });
  }

  result(): ProblemList {
    const header = this.headerProblems;
    if (header.total > 0) {
      const listed = header.listed();
      const quoted = listed.slice(0, HEADER_PROBLEMS_IN_DETAIL).map((p) => p.message);
      const more = header.total - quoted.length;
      const rest = more > 0 ? ` and ${more} more` : "";
      const cut = header.omitted > 0 ? `; the first ${listed.length} are listed` : "";
      throw new ApiError(
        "import_header_invalid",
        `the header row is not valid: ${quoted.join("; ")}${rest}${cut}`,
        listedProblems(header),
      );
    }
    if (!this.columns) {
      throw new ApiError(
        "import_empty",
        `the file has no header row; expected at least ${REQUIRED_COLUMNS.join(",")}`,
      );
    }
    return this.problems;
  }

  private header(fields: string[]): void {
    const row = this.line;
    const problems = this.headerProblems;
    const names = new Set(fields.map((cell) => cell.trim().toLowerCase()));
    // Missing columns first: a long header of unknown ones must not push them out of the list.
    // (A wrongly cased one is not missing: it gets header_wrong_case below.)
    for (const required of REQUIRED_COLUMNS) {
      if (!names.has(required.toLowerCase())) {
        problems.push({ row, field: required, code: "header_missing", message: `"${required}" is missing` });
      }
    }
    const seen = new Set<string>();
    const columns = fields.map((cell, i) => {
      const name = cell.trim();
      if (name === "") {
        problems.push({ row, field: "", code: "header_empty", message: `column ${i + 1} has no name` });
        return undefined;
      }
      if (!isImportColumn(name)) {
        const meant = columnIgnoringCase(name);
        problems.push(
          meant
            ? { row, field: name, code: "header_wrong_case", message: `"${name}" must be spelled "${meant}"` }
            : { row, field: name, code: "header_unknown", message: `"${name}" is not a known column` },
        );
        return undefined;
      }
      if (seen.has(name)) {
        problems.push({ row, field: name, code: "header_duplicate", message: `"${name}" appears twice` });
      }
      seen.add(name);
      return name;
    });
    if (problems.total === 0) this.columns = columns;
  }
}
