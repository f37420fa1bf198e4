/** Training: AdamW, schedules, clipping, gradient accumulation, offline validation, logging, the loop. */
export { AdamW, type AdamWOptions, type AdamWState, type NamedArray } from "./adamw.js";
export { learningRate, checkSchedule, SCHEDULES, type ScheduleKind, type ScheduleOptions } from "./schedule.js";
export { clipByGlobalNorm, globalNorm } from "./clip.js";
export { accumulateGradients, type LossAndGrads } from "./grads.js";
export { evaluateOffline, realSteps, type OfflineMetrics } from "./validate.js";
export { createLogger, progressLine, formatDuration, OUTPUT_MODES, type Logger, type LogRecord, type OutputMode, type TextSink } from "./log.js";
export {
  train,
  TRAIN_SPEC,
  CHECKPOINT_SUBDIR,
  BEST_SUBDIR,
  LOG_FILE,
  type TrainConfig,
  type TrainOptions,
  type TrainResult,
  type TrainerState,
  type HasRandomStreams,
  type BestCheckpoint,
} from "./trainer.js";
export { spikeHealthWarnings, SATURATED_RATE } from "./spike-health.js";
