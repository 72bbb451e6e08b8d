export { type DocumentPath, formatDocumentPath, parseDocumentPath } from "./document-path.js";
export {
  formatPlacedProblem,
  type Locate,
  type PlacedProblem,
  type Problem,
  placeProblems,
  type SourcePosition,
} from "./problem.js";
export { type ExplainError, type Fields, ProblemReader, strip } from "./problem-reader.js";
export { locateInYaml, type ParsedText, parseSourceText } from "./source-text.js";
