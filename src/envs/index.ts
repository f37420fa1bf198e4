/** Environment registry, with every built-in environment registered on import. */
export * from "./core.js";
export { canonicalEnvId, ENV_ALIASES, type EnvAlias } from "./aliases.js";
import "./grid/register.js";
import "./control/register.js";
