/**
 * Checks a `ModelBatch` against the model that consumes it (sizes, dtypes, index ranges) and turns its plain
 * arrays into tensors. The batch layout is the one `src/data/windows.ts` produces (a `WindowBatch` is a
 * `ModelBatch`): left-padded, mask 1 on real steps.
 */
import { tensor, type Tensor } from "../../tensor/index.js";
import type { ActionHead, ModelBatch } from "../types.js";

export interface BatchSpec {
  obsDim: number;
  head: ActionHead;
  contextLength: number;
  /** Size of the timestep table (timesteps must lie in [0, maxTimestep)); absent for models without one. */
  maxTimestep?: number;
}

function fail(where: string, msg: string): never {
  throw new RangeError(`${where}: batch ${msg}`);
}

function checkLength(where: string, name: string, a: { length: number }, want: number, shape: string): void {
  if (a.length !== want) fail(where, `${name} has ${a.length} values, expected ${want} for ${shape}`);
}

/** Throws a RangeError naming the field and the value when the batch does not fit the model. */
export function checkBatch(where: string, batch: ModelBatch, spec: BatchSpec): void {
  const { B, K } = batch;
  if (!Number.isInteger(B) || B < 1) fail(where, `B must be a positive integer, got ${B}`);
  if (!Number.isInteger(K) || K < 1) fail(where, `K must be a positive integer, got ${K}`);
  if (K > spec.contextLength) fail(where, `K (${K}) exceeds the model's context length ${spec.contextLength}`);
  const n = B * K;
  const obs = spec.obsDim;
  if (!(batch.states instanceof Float32Array)) fail(where, "states must be a Float32Array");
  checkLength(where, "states", batch.states, n * obs, `[B ${B}, K ${K}, obsDim ${obs}]`);
  if (!(batch.rtg instanceof Float32Array)) fail(where, "rtg must be a Float32Array");
  checkLength(where, "rtg", batch.rtg, n, "[B, K]");
  if (!(batch.mask instanceof Float32Array)) fail(where, "mask must be a Float32Array");
  checkLength(where, "mask", batch.mask, n, "[B, K]");
  for (let i = 0; i < n; i++) {
    const m = batch.mask[i]!;
    if (m !== 0 && m !== 1) fail(where, `mask must hold 0 or 1, got ${m} at ${i}`);
  }
  if (!(batch.timesteps instanceof Int32Array)) fail(where, "timesteps must be an Int32Array");
  checkLength(where, "timesteps", batch.timesteps, n, "[B, K]");
  if (spec.maxTimestep !== undefined) {
    for (let i = 0; i < n; i++) {
      const t = batch.timesteps[i]!;
      if (t < 0 || t >= spec.maxTimestep) fail(where, `timestep ${t} at ${i} is outside the timestep table [0, ${spec.maxTimestep - 1}]`);
    }
  }
  const head = spec.head;
  if (head.kind === "discrete") {
    if (!(batch.actions instanceof Int32Array)) fail(where, "actions must be an Int32Array for a discrete head");
    if (!(batch.prevActions instanceof Int32Array)) fail(where, "prevActions must be an Int32Array for a discrete head");
    checkLength(where, "actions", batch.actions, n, "[B, K]");
    checkLength(where, "prevActions", batch.prevActions, n, "[B, K]");
    for (let i = 0; i < n; i++) {
      const a = batch.actions[i]!;
      if (a < 0 || a >= head.n) fail(where, `action ${a} at ${i} is outside [0, ${head.n - 1}]`);
      const p = batch.prevActions[i]!;
      if (p < 0 || p > head.n) fail(where, `previous action ${p} at ${i} is outside [0, ${head.n}] (${head.n} = placeholder)`);
    }
  } else {
    if (!(batch.actions instanceof Float32Array)) fail(where, "actions must be a Float32Array for a continuous head");
    if (!(batch.prevActions instanceof Float32Array)) fail(where, "prevActions must be a Float32Array for a continuous head");
    checkLength(where, "actions", batch.actions, n * head.dim, `[B, K, dim ${head.dim}]`);
    checkLength(where, "prevActions", batch.prevActions, n * head.dim, `[B, K, dim ${head.dim}]`);
  }
}

/** The padding mask as bytes. mask [B, K] -> [B, K] */
export function keyMaskOf(batch: ModelBatch): Uint8Array {
  const m = new Uint8Array(batch.B * batch.K); // [B, K]
  for (let i = 0; i < m.length; i++) m[i] = batch.mask[i]! > 0 ? 1 : 0;
  return m;
}

/** states [B, K, obsDim] */
export function statesTensor(batch: ModelBatch, obsDim: number): Tensor {
  return tensor(batch.states, [batch.B, batch.K, obsDim]);
}

/** rtg [B, K, 1] */
export function rtgTensor(batch: ModelBatch): Tensor {
  return tensor(batch.rtg, [batch.B, batch.K, 1]);
}
