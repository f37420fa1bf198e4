/** Energy estimation (MACs vs synaptic operations), per layer and per decision. */
export * from "./op-energy.js";
export * from "./memory.js";
export * from "./units.js";
