/** strl: Spike-Transformer Reinforcement Learning for Node and the browser. */
export * as tensor from "./tensor/index.js";
export * as snn from "./snn/index.js";
export * as energy from "./energy/index.js";
export * as envs from "./envs/index.js";
export { VERSION } from "./version.js";
