export { IMPORT_COLUMNS, IMPORT_MAX_ROWS, REQUIRED_COLUMNS } from "./import-columns.js";
export {
  type ConnectorCheck,
  connectorUnavailable,
  type ImportRequest,
  type ImportResult,
  importUsers,
} from "./user-import.js";
