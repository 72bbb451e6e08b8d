export { EmulatorApiError } from "./emulator-api-error.js";
export { EmulatorClient, type EmulatorClientOptions } from "./emulator-client.js";
export type * from "./types.js";
