export { IMPORT_COLUMNS, IMPORT_MAX_ROWS, REQUIRED_COLUMNS } from "./import-columns.js";
export {
  type ConnectorCheck,
  connectorUnavailable,
  type ImportRequest,
  type ImportResult,
  type ImportRows,
  importUsers,
} from "./user-import.js";
