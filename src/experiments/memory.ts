/**
 * A rough upper estimate of the memory one training run needs, checked before the model is built, so a size
 * that cannot fit (`--batch-size 1000000`, `"contextLength": 1e7`) is refused with the estimate instead of
 * hanging or dying in the allocator.
 *
 * Parameters: position and timestep tables, embeddings, and per block 4 d^2 (attention) + 2 r d^2 (MLP); each
 * parameter is held 4 times (weight, gradient, two AdamW moments). Activations kept for the backward pass: per
 * block and per encoding step, about 16 + 2r vectors of d per token plus 3 score matrices of (K x tokens)^2 per
 * head. float32 throughout. The estimate errs high: it is a guard, not a profile.
 */
import { totalmem } from "node:os";
import { ConfigError } from "../config/index.js";
import { backendName } from "../tensor/index.js";

const GiB = 1024 ** 3;
/** The wasm engine's heap is 32-bit: at most 4 GiB whatever the machine has. */
const WASM_LIMIT = 4 * GiB;

function num(json: Record<string, unknown>, key: string, fallback: number): number {
  const v = json[key];
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/** Estimated bytes to train a model of config `json` on micro-batches of `batchSize` windows. */
export function trainingBytes(json: Record<string, unknown>, batchSize: number): number {
  const d = num(json, "dModel", 128);
  const L = num(json, "nBlocks", 1);
  const r = num(json, "mlpRatio", 4);
  const K = num(json, "contextLength", 1);
  const T = num(json, "T", 1);
  const heads = num(json, "nHeads", 1);
  const maxT = num(json, "maxTimestep", 1);
  const obs = num(json, "obsDim", 1);
  const tokens = json.kind === "dt" ? 3 * K : K;
  const params = (K + maxT + obs + 64) * d + L * (4 + 2 * r) * d * d;
  const perToken = L * T * (16 + 2 * r) * d;
  const scores = L * T * heads * 3 * tokens * tokens;
  const activations = batchSize * (tokens * perToken + scores);
  return 4 * (4 * params + activations);
}

/** The memory a run may use here: 3/4 of the machine's, and at most 4 GiB on the wasm engine. */
export function memoryLimit(): number {
  const machine = 0.75 * totalmem();
  return backendName() === "wasm" ? Math.min(machine, WASM_LIMIT) : machine;
}

/** Refuses a config and batch size whose estimate exceeds `memoryLimit()`, giving both figures. */
export function checkTrainingFits(json: Record<string, unknown>, batchSize: number, limit = memoryLimit()): void {
  const need = trainingBytes(json, batchSize);
  if (need > limit) {
    throw new ConfigError(
      `training needs about ${(need / GiB).toFixed(1)} GiB of memory (batch size ${batchSize}, contextLength ${String(json.contextLength)}, dModel ${String(json.dModel)}), more than the ${(limit / GiB).toFixed(1)} GiB available here; lower the batch size or the model's sizes`,
    );
  }
}
