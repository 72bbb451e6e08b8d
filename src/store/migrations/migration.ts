/** One schema step; `up` runs inside a transaction, then PRAGMA user_version = version. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}
