export type { DigestAlgorithmName, EmulatorConfig, LogLevel, TlsVersion } from "./config.js";
export { defaultConfig } from "./default-config.js";
export { ConfigError, type EmulatorOptions, optionsFromSources, resolveConfig } from "./load-config.js";
export { type ConfigPath, OPTIONS, type OptionKey, type OptionSpec, type OptionValue } from "./options.js";
