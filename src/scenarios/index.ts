export { applyScenario, type ScenarioApplied, type ScenarioDeps } from "./apply-scenario.js";
export { loadScenarioFile, parseScenario, SCENARIO_FAULT_PREFIX, SCENARIO_NAME } from "./parse-scenario.js";
export type {
  PbxExpertMode,
  PbxLicence,
  PbxModel,
  PbxRtpLoad,
  Scenario,
  ScenarioClock,
  ScenarioExpect,
  ScenarioMaintenance,
  ScenarioPbx,
  ScenarioPbxAction,
  ScenarioPbxUser,
  ScenarioRegistrar,
  ScenarioSummary,
} from "./scenario.js";
export { ScenarioCatalog } from "./scenario-catalog.js";
export {
  formatScenarioIssue,
  ScenarioError,
  type ScenarioIssue,
  ScenarioNotFoundError,
  type ScenarioPosition,
} from "./scenario-error.js";
export { ScenarioRunner } from "./scenario-runner.js";
export { defaultScenariosDir } from "./scenarios-dir.js";
