/** Checkpoint folders: a model, its normalisation and (for resuming) the optimiser and trainer state. */
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
} from "./save-load.js";
export { checkpointFromBytes, checkpointWeights } from "./weights.js";
export { SWITCH_STEPS, resolveCheckpoint, checkpointVersions, type SwitchStep, type Resolved } from "./switch.js";
