/**
 * Checkpoints: one folder per checkpoint, written atomically.
 *
 *   config.json             format + version, strl version, model kind + config + action head + context length,
 *                           env id + observation size, observation / return normalisation, tensor layout
 *   model.safetensors       the weights, float32, PyTorch layout (see below)
 *   optimizer.safetensors   AdamW moments `<param>.exp_avg`, `<param>.exp_avg_sq` (same layout), metadata `step`
 *   trainer.json            the trainer's state (update count, RNG states, training config) for resuming
 *
 * The last two are present together or not at all. Tensor names are the model's dotted parameter names
 * (`blocks.0.attn.q.weight`). strl's `Linear` keeps its weight as [in, out]; the files hold every Linear weight
 * transposed to PyTorch's `nn.Linear` layout [out, in] (config.json lists them under `tensors.transposed`), so
 * `safetensors.torch.load_file` gives tensors that `load_state_dict` accepts as they are. Embedding tables
 * [num, dim], LayerNorm `weight`/`bias` [dim] and every other tensor are stored as strl holds them.
 *
 * Saving writes a new version folder `<dir>.v<n>` and switches the pointer `<dir>` (a relative symbolic link) to
 * it in one atomic rename (see switch.ts), so a kill at any point leaves `<dir>` complete, and a load
 * whose pointer is missing or dangling reads the newest complete version by itself.
 * Loading validates every file (weights must be finite) and reports the first problem as a `CheckpointError`
 * naming the folder; `weightsOnly` loads skip a damaged training state with a warning instead.
 */
import { mkdir, open, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Linear, tensor, tidy, type AdamWState, type NamedArray, type Variable } from "../tensor/index.js";
import { modelFromJSON } from "../models/factory.js";
import type { ModelKind, PolicyModel } from "../models/types.js";
import { VERSION } from "../version.js";
import { errorLine } from "../config/index.js";
import { readSafetensors, SafetensorsError, writeSafetensors, type TensorData } from "../io/safetensors.js";
import { resolveCheckpoint, switchCheckpoint, type SwitchStep } from "./switch.js";
import { checkpointWeights, fromFile, toFile } from "./weights.js";
import {
  CHECKPOINT_FILES,
  CHECKPOINT_FORMAT,
  CheckpointError,
  checkExpectation,
  checkNormalisation,
  parseCheckpointConfig,
  type CheckpointConfig,
  type Expectation,
  type Normalisation,
} from "./config-json.js";
export * from "./config-json.js";

export interface SaveOptions {
  model: PolicyModel;
  envId: string;
  /** Env options the data were collected with (stored as `env.options`, used by evaluation). */
  envOptions?: Record<string, unknown>;
  normalisation: Normalisation;
  /** Observation size; default the length of `normalisation.stateMean`. */
  obsDim?: number;
  /** Optimiser state (with `trainer`, makes the checkpoint resumable). */
  optimizer?: AdamWState;
  /** Trainer state, stored as trainer.json. */
  trainer?: Record<string, unknown>;
  /** Called after each step of the atomic switch (crash tests kill the writer there). */
  onStep?: (step: SwitchStep) => void | Promise<void>;
}

/** Names of the parameters that are `Linear` weights (stored transposed), in parameter order. */
export function transposedNames(model: PolicyModel): string[] {
  const linears = new Set(model.namedModules().filter(([, m]) => m instanceof Linear).map(([n]) => `${n}.weight`));
  return model.namedParameters().map(([n]) => n).filter((n) => linears.has(n));
}

async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The model's parameters as host arrays in strl layout, by name. */
export function modelWeights(model: PolicyModel): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, p] of model.namedParameters()) out.set(name, { shape: [...p.shape], data: p.dataSync() as Float32Array });
  return out;
}

/**
 * Writes a checkpoint folder `dir` atomically. An existing `dir` is replaced only if it is a strl checkpoint
 * (or empty); any other folder is refused.
 */
export async function saveCheckpoint(dir: string, opts: SaveOptions): Promise<void> {
  const { model } = opts;
  const obsDim = opts.obsDim ?? opts.normalisation.stateMean.length;
  if (!Number.isInteger(obsDim) || obsDim < 1) throw new CheckpointError(dir, `obsDim must be a positive integer, got ${obsDim}`);
  const normalisation = checkNormalisation(dir, opts.normalisation, obsDim);
  if (typeof opts.envId !== "string" || opts.envId.length === 0) throw new CheckpointError(dir, `envId must be a non-empty string, got ${String(opts.envId)}`);
  if ((opts.optimizer === undefined) !== (opts.trainer === undefined)) {
    throw new CheckpointError(dir, "optimizer and trainer state must be saved together (both or neither)");
  }
  const flipped = new Set(transposedNames(model));
  const config: CheckpointConfig = {
    format: "strl-checkpoint",
    format_version: CHECKPOINT_FORMAT,
    strl_version: VERSION,
    model: {
      kind: model.kind,
      config: model.config.toJSON(),
      head: model.head,
      context_length: model.contextLength,
      num_params: model.numParams(),
    },
    env: { id: opts.envId, obs_dim: obsDim, ...(opts.envOptions ? { options: { ...opts.envOptions } } : {}) },
    normalisation,
    tensors: { layout: "pytorch", dtype: "F32", transposed: [...flipped] },
  };
  const weights = [...modelWeights(model)].map(([n, a]) => [n, toFile(a, flipped.has(n))] as [string, TensorData]);

  await switchCheckpoint(
    dir,
    async (tmp) => {
      await writeFileSynced(join(tmp, CHECKPOINT_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
      await writeSafetensors(join(tmp, CHECKPOINT_FILES.model), weights, { format: "pt", strl_version: VERSION, layout: "pytorch" });
      if (opts.optimizer && opts.trainer) {
        const opt = opts.optimizer;
        const tensors: Array<[string, TensorData]> = [];
        for (const [key, a] of opt.tensors) {
          const param = key.replace(/\.exp_avg(_sq)?$/, "");
          tensors.push([key, toFile(a, flipped.has(param))]);
        }
        await writeSafetensors(join(tmp, CHECKPOINT_FILES.optimizer), tensors, { step: String(opt.step), optimizer: "AdamW", layout: "pytorch" });
        await writeFileSynced(join(tmp, CHECKPOINT_FILES.trainer), `${JSON.stringify(opts.trainer, null, 2)}\n`);
      }
    },
    { refuse: (reason) => new CheckpointError(dir, reason), onStep: opts.onStep },
  );
}

export interface LoadOptions {
  /** Check every weight's name and shape against this model's parameters. */
  model?: PolicyModel;
  expect?: Expectation;
  /** Fail unless optimizer.safetensors and trainer.json are present (for resuming). */
  requireTrainingState?: boolean;
  /** Only the weights are needed (evaluation): a missing or damaged training state is reported through `warn`. */
  weightsOnly?: boolean;
  /** Receives warnings of `weightsOnly` loads (default: ignored). */
  warn?: (message: string) => void;
}

export interface LoadedCheckpoint {
  dir: string;
  config: CheckpointConfig;
  /** Weights in strl's layout (Linear weights [in, out]), in file order. */
  weights: Map<string, NamedArray>;
  /** Optimiser state in strl's layout, when the checkpoint is resumable. */
  optimizer?: AdamWState;
  /** Parsed trainer.json, when the checkpoint is resumable. */
  trainer?: Record<string, unknown>;
  /** Set when the checkpoint's pointer was missing or dangling (an interrupted save) and this earlier version was read. */
  recoveredFrom?: string;
}

async function readJson(dir: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, file), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(dir, code === "ENOENT" ? `${file} is missing` : `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(dir, `${file} is not valid JSON (truncated or corrupt): ${errorLine(e)}`);
  }
}

async function readTensors(dir: string, file: string): Promise<Map<string, TensorData> & { metadata?: Record<string, string> }> {
  try {
    const st = await readSafetensors(join(dir, file));
    return Object.assign(st.tensors, { metadata: st.metadata });
  } catch (e) {
    if (e instanceof SafetensorsError) {
      const msg = e.message.replace(`${join(dir, file)}: `, "");
      throw new CheckpointError(dir, `${file}: ${msg === "file not found" ? "is missing" : msg}`);
    }
    throw e;
  }
}

/** Checks named arrays against parameters: the same names, each with the same shape. */
function checkAgainstParams(dir: string, file: string, got: Map<string, NamedArray>, params: Array<[string, Variable]>): void {
  for (const [name, p] of params) {
    const a = got.get(name);
    if (!a) throw new CheckpointError(dir, `${file}: missing tensor '${name}' (the model has it, shape [${p.shape.join(", ")}])`);
    if (a.shape.length !== p.shape.length || a.shape.some((d, i) => d !== p.shape[i])) {
      throw new CheckpointError(dir, `${file}: tensor '${name}' has shape [${a.shape.join(", ")}] but the model expects [${p.shape.join(", ")}] (in strl's layout)`);
    }
  }
  const names = new Set(params.map(([n]) => n));
  for (const name of got.keys()) if (!names.has(name)) throw new CheckpointError(dir, `${file}: unexpected tensor '${name}' (the model has no such parameter)`);
}

/**
 * Reads and validates a checkpoint folder. With `opts.model`, every weight must match one of its parameters
 * by name and shape; with `opts.expect`, the observation/action sizes, env id and model kind must match.
 */
export async function loadCheckpoint(dir: string, opts: LoadOptions = {}): Promise<LoadedCheckpoint> {
  const resolved = await resolveCheckpoint(dir);
  if (!resolved) throw new CheckpointError(dir, "folder not found");
  const loaded = await loadResolved(resolved.path, opts);
  if (resolved.recovered) loaded.recoveredFrom = resolved.path;
  return loaded;
}

/** Reads the checkpoint files in `dir` (a resolved folder). */
async function loadResolved(dir: string, opts: LoadOptions): Promise<LoadedCheckpoint> {
  const config = parseCheckpointConfig(dir, await readJson(dir, CHECKPOINT_FILES.config));
  if (opts.expect) checkExpectation(dir, config, opts.expect);
  const flipped = new Set(config.tensors.transposed);
  const weights = checkpointWeights(dir, config, await readTensors(dir, CHECKPOINT_FILES.model));
  if (opts.model) {
    checkExpectation(dir, config, { action: opts.model.head, kind: opts.model.kind });
    checkAgainstParams(dir, CHECKPOINT_FILES.model, weights, opts.model.namedParameters());
  }

  const out: LoadedCheckpoint = { dir, config, weights };
  if (opts.weightsOnly) {
    try {
      await loadTrainingState(dir, out, opts);
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      opts.warn?.(`${e.message.split("\n")[0]} (the weights are fine: going on without the training state)`);
      delete out.optimizer;
      delete out.trainer;
    }
    return out;
  }
  await loadTrainingState(dir, out, opts);
  return out;
}

/** Reads optimizer.safetensors and trainer.json into `out` (both or neither must exist). */
async function loadTrainingState(dir: string, out: LoadedCheckpoint, opts: LoadOptions): Promise<void> {
  const weights = out.weights;
  const flipped = new Set(out.config.tensors.transposed);
  const hasOpt = await exists(join(dir, CHECKPOINT_FILES.optimizer));
  const hasTrainer = await exists(join(dir, CHECKPOINT_FILES.trainer));
  if (hasOpt !== hasTrainer) {
    const missing = hasOpt ? CHECKPOINT_FILES.trainer : CHECKPOINT_FILES.optimizer;
    throw new CheckpointError(dir, `${missing} is missing (the training state needs both ${CHECKPOINT_FILES.optimizer} and ${CHECKPOINT_FILES.trainer})`);
  }
  if (!hasOpt) {
    if (opts.requireTrainingState) {
      throw new CheckpointError(dir, `${CHECKPOINT_FILES.optimizer} and ${CHECKPOINT_FILES.trainer} are missing: this checkpoint holds weights only and cannot resume training`);
    }
    return;
  }
  const optRaw = await readTensors(dir, CHECKPOINT_FILES.optimizer);
  const step = Number(optRaw.metadata?.step);
  if (!Number.isInteger(step) || step < 0) {
    throw new CheckpointError(dir, `${CHECKPOINT_FILES.optimizer}: metadata 'step' must be a non-negative integer, got ${JSON.stringify(optRaw.metadata?.step)}`);
  }
  const moments = new Map<string, NamedArray>();
  for (const [key, t] of optRaw) {
    const m = /^(.*)\.exp_avg(_sq)?$/.exec(key);
    if (!m || !weights.has(m[1]!)) throw new CheckpointError(dir, `${CHECKPOINT_FILES.optimizer}: unexpected tensor '${key}' (expected <param>.exp_avg / <param>.exp_avg_sq)`);
    if (t.dtype !== "F32") throw new CheckpointError(dir, `${CHECKPOINT_FILES.optimizer}: tensor '${key}' is ${t.dtype}, expected F32`);
    const moment = fromFile(t, flipped.has(m[1]!) && t.shape.length === 2);
    const w = weights.get(m[1]!)!;
    if (moment.shape.length !== w.shape.length || moment.shape.some((d, i) => d !== w.shape[i])) {
      // both shapes as the file stores them; strl's own layout too only where it differs (transposed weights)
      const flip = flipped.has(m[1]!) && w.shape.length === 2;
      const fileShape = flip ? [...w.shape].reverse() : w.shape;
      const strlLayout = flip ? ` ([${w.shape.join(", ")}] in strl's layout)` : "";
      throw new CheckpointError(dir, `${CHECKPOINT_FILES.optimizer}: tensor '${key}' has shape [${t.shape.join(", ")}], its parameter [${fileShape.join(", ")}]${strlLayout}`);
    }
    // A NaN moment turns every weight NaN on the first update (which a LIF layer then reports as its input): say so here.
    const raw = t.data as Float32Array; // the file's layout: the index is the file's
    const bad = raw.findIndex((v) => !Number.isFinite(v) || (m[2] !== undefined && v < 0));
    if (bad >= 0) {
      const what = Number.isFinite(raw[bad]) ? `a negative second moment (${raw[bad]})` : `a non-finite value (${raw[bad]})`;
      throw new CheckpointError(dir, `${CHECKPOINT_FILES.optimizer}: tensor '${key}' holds ${what} at flat index ${bad}: the optimizer state is not finite, so training cannot resume from it (the weights can still be evaluated)`);
    }
    moments.set(key, moment);
  }
  for (const name of weights.keys()) {
    for (const suffix of [".exp_avg", ".exp_avg_sq"]) {
      if (!moments.has(name + suffix)) throw new CheckpointError(dir, `${CHECKPOINT_FILES.optimizer}: missing tensor '${name}${suffix}'`);
    }
  }
  out.optimizer = { step, tensors: moments };
  const trainer = await readJson(dir, CHECKPOINT_FILES.trainer);
  if (typeof trainer !== "object" || trainer === null || Array.isArray(trainer)) throw new CheckpointError(dir, `${CHECKPOINT_FILES.trainer} must be a JSON object`);
  out.trainer = trainer as Record<string, unknown>;
}

/** Copies checkpoint weights into `model` (names and shapes checked first, nothing assigned on a mismatch). */
export function applyWeights(model: PolicyModel, weights: Map<string, NamedArray>, dir = "(weights)"): void {
  const params = model.namedParameters();
  checkAgainstParams(dir, CHECKPOINT_FILES.model, weights, params);
  for (const [name, p] of params) {
    const a = weights.get(name)!;
    tidy(() => p.assign(tensor(a.data, a.shape, "float32")));
  }
}

/**
 * Checks the config's table sizes against the weights' shapes before a model is built (a config edited to
 * `contextLength: 1e7` would otherwise allocate for minutes): the learned position table `embed.pos` is
 * [contextLength, dModel] and the timestep table `embed.timestep.weight` is [maxTimestep, dModel].
 */
function checkSizesAgainstWeights(dir: string, ck: LoadedCheckpoint): void {
  const cfg = ck.config.model.config;
  const tables: Array<[string, string]> = [["embed.pos", "contextLength"], ["embed.timestep.weight", "maxTimestep"]];
  for (const [name, key] of tables) {
    const w = ck.weights.get(name);
    if (!w || !(key in cfg)) continue;
    const want = [cfg[key], cfg.dModel ?? w.shape[1]];
    if (w.shape.length !== 2 || w.shape[0] !== want[0] || w.shape[1] !== want[1]) {
      throw new CheckpointError(dir, `config.json: model.config.${key} = ${String(cfg[key])} and dModel = ${String(cfg.dModel)} do not fit tensor '${name}' of shape [${w.shape.join(", ")}]`);
    }
  }
}

/** Builds an untrained model of `kind` from its config JSON (the model config's toJSON()). */
export type BuildModel = (kind: ModelKind, config: Record<string, unknown>) => PolicyModel;

/** The default model factory: `modelFromJSON` of src/models (dispatching on the config's `kind`). */
export async function modelFactory(): Promise<BuildModel> {
  return (kind, config) => modelFromJSON({ ...config, kind });
}

/**
 * Loads a checkpoint and builds its model (through `modelFactory`, or `build` when given), with the weights
 * applied and the model in eval mode.
 */
export async function loadModel(
  dir: string,
  opts: { expect?: Expectation; build?: BuildModel; warn?: (message: string) => void } = {},
): Promise<{ model: PolicyModel; checkpoint: LoadedCheckpoint }> {
  const checkpoint = await loadCheckpoint(dir, { expect: opts.expect, weightsOnly: true, warn: opts.warn });
  checkSizesAgainstWeights(dir, checkpoint);
  const build = opts.build ?? (await modelFactory());
  let model: PolicyModel;
  try {
    model = build(checkpoint.config.model.kind, checkpoint.config.model.config);
  } catch (e) {
    throw new CheckpointError(dir, `config.json: cannot build the '${checkpoint.config.model.kind}' model from its config: ${(e as Error).message}`);
  }
  try {
    applyWeights(model, checkpoint.weights, dir);
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.eval();
  return { model, checkpoint };
}
