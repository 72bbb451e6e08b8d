export type { Fault, HttpMapping, Mapping, Predicate, SipMapping } from "./mapping.js";
export { MappingError } from "./mapping-error.js";
export { loadMappingFiles, type MappingFile, mappingFilesIn } from "./mapping-files.js";
export { type MappingJson, mappingJson } from "./mapping-json.js";
export { parseMapping } from "./parse-mapping-rest.js";
export { draftMapping, recordDraft } from "./recorder.js";
export {
  answeredById,
  type MappingState,
  StubEngine,
  type StubEngineDeps,
} from "./stub-engine.js";
export { tenantView } from "./tenant-view.js";
