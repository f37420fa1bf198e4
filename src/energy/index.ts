/** Energy estimation (MACs vs synaptic operations), per layer and per decision. */
export * from "./energy.js";
export * from "./units.js";
