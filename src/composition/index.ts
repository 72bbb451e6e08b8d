export { Cleanup } from "./cleanup.js";
export { type DomainLayer, openDomain } from "./open-domain.js";
export { type ApiPorts, startApi } from "./start-api.js";
export { type CallLayer, startCalls } from "./start-calls.js";
export { startCti } from "./start-cti.js";
export { startMetrics } from "./start-metrics.js";
export { startPresence } from "./start-presence.js";
export {
  mockRtpPorts,
  runPbxActions,
  type ScenarioPbx,
  type ScenarioPbxPlan,
  scenarioPbxPlan,
  startScenarioPbx,
} from "./start-scenario-pbx.js";
export { type SipLayer, startSip } from "./start-sip.js";
export { startStun } from "./start-stun.js";
export {
  type CertificateInfo,
  type ListenerLimits,
  listenerLimits,
  loadCertificates,
  type TlsMaterial,
} from "./tls-material.js";
