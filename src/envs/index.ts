/** Environment registry, with every built-in environment registered on import. */
export * from "./core.js";
import "./grid/register.js";
import "./control/register.js";
