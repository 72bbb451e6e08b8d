export { type CallFacts, type CallSources, callMetrics, callOutcome } from "./call-metrics.js";
export { EmulatorMetrics, type MetricsOptions } from "./emulator-metrics.js";
export { LabelCap } from "./label-cap.js";
export { type MediaSources, mediaMetrics } from "./media-metrics.js";
export { type RegistrationSources, registrationMetrics } from "./registration-metrics.js";
export { type ServiceSources, serviceMetrics } from "./service-metrics.js";
export { type SipSources, sipMetrics } from "./sip-metrics.js";
