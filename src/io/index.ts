/**
 * Files that know nothing of models: safetensors, atomic writes with fsync, run locks. The config base is
 * re-exported so that `io.ConfigError` and friends keep working (checkpoints moved to src/checkpoint).
 */
export * from "../config/index.js";
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
  FileSystemError,
  explainFsError,
  withFsErrors,
  knownErrno,
  writeFileAtomic,
  cleanStaleTemps,
  checkWritableFolder,
  makeFolders,
  type FolderOps,
  processAlive,
  syncFolder,
  tempPath,
} from "./fs-safe.js";
export { acquireRunLock, RunLockedError, LOCK_FILE, type RunLock } from "./run-lock.js";
