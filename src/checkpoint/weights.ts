/**
 * The model weights of a checkpoint, from decoded model.safetensors tensors to strl's layout, with no file
 * access: shared by `loadCheckpoint` (Node) and the browser page, which fetches the same files over HTTP
 * (`checkpointFromBytes`).
 */
import type { NamedArray } from "../tensor/index.js";
import { errorLine } from "../config/index.js";
import { decodeSafetensors, SafetensorsError, type TensorData } from "../io/safetensors.js";
import { CHECKPOINT_FILES, CheckpointError, parseCheckpointConfig, type CheckpointConfig } from "./config-json.js";

/** Transposes a row-major [r, c] matrix to [c, r]. */
export function transpose2d(data: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j]!;
  return out;
}

/** strl layout -> file layout (transposes [in, out] to [out, in] when `flip`). */
export function toFile(a: NamedArray, flip: boolean): TensorData {
  if (!flip) return { dtype: "F32", shape: [...a.shape], data: a.data };
  const [r, c] = a.shape as [number, number];
  return { dtype: "F32", shape: [c, r], data: transpose2d(a.data, r, c) };
}

/** file layout -> strl layout. */
export function fromFile(t: TensorData, flip: boolean): NamedArray {
  const data = t.data as Float32Array;
  if (!flip) return { shape: [...t.shape], data };
  const [r, c] = t.shape as [number, number];
  return { shape: [c, r], data: transpose2d(data, r, c) };
}

/** model.safetensors' tensors -> weights in strl's layout, checked against config.json (dtype, transposes, count). */
export function checkpointWeights(dir: string, config: CheckpointConfig, raw: Map<string, TensorData>): Map<string, NamedArray> {
  const file = CHECKPOINT_FILES.model;
  const flipped = new Set(config.tensors.transposed);
  const weights = new Map<string, NamedArray>();
  let count = 0;
  for (const [name, t] of raw) {
    if (t.dtype !== "F32") throw new CheckpointError(dir, `${file}: tensor '${name}' is ${t.dtype}, expected F32`);
    if (flipped.has(name) && t.shape.length !== 2) throw new CheckpointError(dir, `${file}: tensor '${name}' is listed as transposed but has shape [${t.shape.join(", ")}]`);
    const bad = (t.data as Float32Array).findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CheckpointError(dir, `${file}: tensor '${name}' holds a non-finite value (${t.data[bad]}) at flat index ${bad}; the weights are unusable`);
    weights.set(name, fromFile(t, flipped.has(name)));
    count += t.data.length;
  }
  for (const name of flipped) if (!weights.has(name)) throw new CheckpointError(dir, `${file}: missing tensor '${name}' (listed in config.json)`);
  if (count !== config.model.num_params) {
    throw new CheckpointError(dir, `${file} holds ${count} values but config.json says the model has ${config.model.num_params}`);
  }
  return weights;
}

/** A checkpoint from the bytes of its config.json and model.safetensors (e.g. fetched by a browser). */
export function checkpointFromBytes(dir: string, configText: string, modelBytes: Uint8Array): { config: CheckpointConfig; weights: Map<string, NamedArray> } {
  let raw: unknown;
  try {
    raw = JSON.parse(configText);
  } catch (e) {
    throw new CheckpointError(dir, `${CHECKPOINT_FILES.config} is not valid JSON (truncated or corrupt): ${errorLine(e)}`);
  }
  const config = parseCheckpointConfig(dir, raw);
  let tensors: Map<string, TensorData>;
  try {
    tensors = decodeSafetensors(modelBytes, CHECKPOINT_FILES.model).tensors;
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(dir, e.message);
    throw e;
  }
  return { config, weights: checkpointWeights(dir, config, tensors) };
}
