/** strl: Spike-Transformer Reinforcement Learning for Node and the browser. */
export * as tensor from "./tensor/index.js";
export * as snn from "./snn/index.js";
export * as energy from "./energy/index.js";
export * as envs from "./envs/index.js";
export * as data from "./data/index.js";
export * as models from "./models/index.js";
export * as train from "./train/index.js";
export * as evaluation from "./eval/index.js";
export * as io from "./io/index.js";
export * as checkpoint from "./checkpoint/index.js";
export * as config from "./config/index.js";
export * as report from "./report/index.js";
export * as onnx from "./export/index.js";
export { trainOnDataset, headOf, buildModelJSON, type TrainRunOptions, type TrainRun } from "./experiments/pipeline.js";
export { compareModels, type CompareOptions, type CompareResult, type ModelSpec, type ModelOutcome } from "./experiments/compare.js";
export { VERSION } from "./version.js";
