/** ONNX export of strl's models and running the exported policies in ONNX Runtime (docs/onnx.md). */
export { exportOnnx, METADATA_KEYS, SPIKES_PREFIX, type ExportOptions, type ExportSource } from "./onnx-export.js";
export { OPSET, IR_VERSION } from "./graph.js";
export { readModelInfo, type ModelInfo } from "./onnx-proto.js";
export { loadOnnxRuntime, OnnxRuntimeMissing, ORT_VERSION, type OnnxRuntime, type OrtSession, type OrtTensor } from "./onnx-runtime.js";
export { OnnxPolicyRunner, onnxPolicy, onnxPolicyInfo, withOnnxPolicy, type OnnxDecision, type OnnxPolicyInfo } from "./onnx-policy.js";
export { checkpointToOnnx, type ExportedPolicy } from "./export-checkpoint.js";
