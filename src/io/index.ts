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
export {
  acquireRunLock,
  inspectRunLock,
  removeRunLock,
  describeLock,
  lockTimeoutS,
  heartbeatMs,
  RunLockedError,
  LOCK_FILE,
  DEFAULT_LOCK_TIMEOUT_S,
  type RunLock,
  type LockInfo,
  type LockOwner,
  type LockOptions,
  type AcquireOptions,
} from "./run-lock.js";
export { EventFileWriter, EVENT_FILE_PREFIX, EVENT_FILE_VERSION, crc32c, maskCrc, frameRecord, fileVersionEvent, scalarsEvent } from "./tensorboard-events.js";
