/** Files: validated configs, safetensors, checkpoint folders. */
export * from "./config.js";
export {
  encodeSafetensors,
  decodeSafetensors,
  readSafetensors,
  writeSafetensors,
  SafetensorsError,
  DTYPE_NAMES,
  MAX_HEADER_BYTES,
  type DType,
  type TensorData,
  type TypedArray,
  type Safetensors,
} from "./safetensors.js";
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FILES,
  CheckpointError,
  saveCheckpoint,
  loadCheckpoint,
  loadModel,
  applyWeights,
  modelWeights,
  modelFactory,
  transposedNames,
  normalisationOf,
  parseCheckpointConfig,
  checkExpectation,
  type BuildModel,
  type CheckpointConfig,
  type Expectation,
  type LoadOptions,
  type LoadedCheckpoint,
  type Normalisation,
  type SaveOptions,
} from "./checkpoint.js";
export {
  FileSystemError,
  explainFsError,
  withFsErrors,
  knownErrno,
  writeFileAtomic,
  cleanStaleTemps,
  checkWritableFolder,
  processAlive,
  syncFolder,
  tempPath,
} from "./fs-safe.js";
export { acquireRunLock, RunLockedError, LOCK_FILE, type RunLock } from "./run-lock.js";
export { checkpointFromBytes, checkpointWeights } from "./checkpoint-weights.js";
