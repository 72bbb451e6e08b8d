export { type EmulatorHandle, type EmulatorPorts, type StartOptions, startEmulator } from "./app.js";
export type { EmulatorConfig, EmulatorOptions } from "./config/index.js";
export type { Binding, TrunkStatusEvent } from "./registrar/index.js";
export { EmulatorApiError, EmulatorClient } from "./rest-client/index.js";
