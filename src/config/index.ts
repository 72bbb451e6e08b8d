export {
  type DigestAlgorithmName,
  defaultConfig,
  type EmulatorConfig,
  type LogLevel,
  type TlsVersion,
} from "./config.js";
export { ConfigError, type EmulatorOptions, optionsFromSources, resolveConfig } from "./load-config.js";
export { OPTIONS, type OptionKey, type OptionSpec } from "./options.js";
