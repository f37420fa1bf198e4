/** Validated configs: field checkers, `parseConfig` and `ConfigError` (the base every config of strl builds on). */
export * from "./fields.js";
export { bytesText, oneLine, errorLine } from "./text.js";
