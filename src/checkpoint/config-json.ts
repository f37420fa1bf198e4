/**
 * config.json of a checkpoint: its types, the format constants, and validation (of the file's content and of a
 * checkpoint against what a caller expects: observation size, action head, env id, model kind).
 */
import type { ActionHead, ModelKind } from "../models/types.js";
import { VERSION } from "../version.js";
import { canonicalEnvId } from "../envs/aliases.js";

/** The checkpoint format version this strl writes and reads. */
export const CHECKPOINT_FORMAT = 1;
export const CHECKPOINT_FILES = {
  config: "config.json",
  model: "model.safetensors",
  optimizer: "optimizer.safetensors",
  trainer: "trainer.json",
} as const;
const MODEL_KINDS: readonly ModelKind[] = ["strl", "ann-strl", "dt", "bc"];

/** Observation and return normalisation, as the training data used it. */
export interface Normalisation {
  /** [obsDim] mean subtracted from each observation */
  stateMean: number[];
  /** [obsDim] std each observation is divided by (> 0) */
  stateStd: number[];
  /** returns-to-go are divided by this (> 0) */
  rtgScale: number;
}

/** The normalisation of a `WindowSampler` (its `stats` and `config.rtgScale`). */
export function normalisationOf(stats: { mean: ArrayLike<number>; std: ArrayLike<number> }, rtgScale: number): Normalisation {
  return { stateMean: Array.from(stats.mean), stateStd: Array.from(stats.std), rtgScale };
}

/** The content of config.json. */
export interface CheckpointConfig {
  format: "strl-checkpoint";
  format_version: number;
  strl_version: string;
  model: {
    kind: ModelKind;
    /** The model config's toJSON(). */
    config: Record<string, unknown>;
    head: ActionHead;
    context_length: number;
    num_params: number;
  };
  /** `options`: the env options the data were collected with (e.g. a maze size), for evaluation. */
  env: { id: string; obs_dim: number; options?: Record<string, unknown> };
  normalisation: Normalisation;
  tensors: {
    /** "pytorch": Linear weights stored [out, in]. */
    layout: "pytorch";
    dtype: "F32";
    /** Names of the tensors stored transposed relative to strl's in-memory layout. */
    transposed: string[];
  };
}

export class CheckpointError extends Error {
  constructor(dir: string, message: string) {
    super(`checkpoint ${dir}: ${message}`);
    this.name = "CheckpointError";
  }
}

export function checkNormalisation(where: string, n: unknown, obsDim: number): Normalisation {
  const fail = (msg: string): never => {
    throw new CheckpointError(where, msg);
  };
  if (typeof n !== "object" || n === null) return fail("normalisation must be an object with stateMean, stateStd and rtgScale");
  const o = n as Record<string, unknown>;
  for (const key of ["stateMean", "stateStd"] as const) {
    const a = o[key];
    if (!Array.isArray(a) || a.some((x) => typeof x !== "number" || !Number.isFinite(x))) fail(`normalisation.${key} must be an array of finite numbers`);
    if ((a as number[]).length !== obsDim) fail(`normalisation.${key} has ${(a as number[]).length} entries but the observation size is ${obsDim}`);
  }
  if ((o.stateStd as number[]).some((x) => !(x > 0))) fail("normalisation.stateStd must be > 0 everywhere");
  if (typeof o.rtgScale !== "number" || !(o.rtgScale > 0) || !Number.isFinite(o.rtgScale)) fail(`normalisation.rtgScale must be a finite number > 0, got ${String(o.rtgScale)}`);
  return { stateMean: [...(o.stateMean as number[])], stateStd: [...(o.stateStd as number[])], rtgScale: o.rtgScale as number };
}

/** What a caller expects of a checkpoint; each mismatch is an error naming both values. */
export interface Expectation {
  /** Observation size of the environment the policy will act in. */
  obsDim?: number;
  /** The environment's action space as a head (discrete n, or continuous dim). */
  action?: ActionHead;
  envId?: string;
  kind?: ModelKind;
}

function describeHead(h: ActionHead): string {
  return h.kind === "discrete" ? `${h.n} discrete actions` : `a continuous action of size ${h.dim}`;
}

function checkHead(dir: string, h: unknown): ActionHead {
  const o = h as Record<string, unknown> | null;
  if (o && o.kind === "discrete" && Number.isInteger(o.n) && (o.n as number) >= 1) return { kind: "discrete", n: o.n as number };
  if (
    o &&
    o.kind === "continuous" &&
    Number.isInteger(o.dim) &&
    (o.dim as number) >= 1 &&
    Array.isArray(o.low) &&
    Array.isArray(o.high) &&
    o.low.length === o.dim &&
    o.high.length === o.dim
  ) {
    return { kind: "continuous", dim: o.dim as number, low: [...(o.low as number[])], high: [...(o.high as number[])] };
  }
  throw new CheckpointError(dir, `config.json: model.head is not a valid action head: ${JSON.stringify(h)}`);
}

/** Parses and validates config.json's content. */
export function parseCheckpointConfig(dir: string, raw: unknown): CheckpointConfig {
  const fail = (msg: string): never => {
    throw new CheckpointError(dir, `config.json: ${msg}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("must be a JSON object");
  const c = raw as Record<string, unknown>;
  if (c.format !== "strl-checkpoint") fail(`format is ${JSON.stringify(c.format)}, expected "strl-checkpoint" (not a strl checkpoint)`);
  if (c.format_version !== CHECKPOINT_FORMAT) {
    fail(`unknown format version ${JSON.stringify(c.format_version)}: this strl (${VERSION}) reads version ${CHECKPOINT_FORMAT}` +
      (typeof c.format_version === "number" && c.format_version > CHECKPOINT_FORMAT ? "; it was written by a newer strl" : ""));
  }
  const m = c.model as Record<string, unknown> | undefined;
  if (!m || typeof m !== "object") return fail("model section is missing");
  if (!MODEL_KINDS.includes(m.kind as ModelKind)) fail(`model.kind ${JSON.stringify(m.kind)} is not one of ${MODEL_KINDS.join(", ")}`);
  if (typeof m.config !== "object" || m.config === null || Array.isArray(m.config)) fail("model.config must be an object");
  if (!Number.isInteger(m.context_length) || (m.context_length as number) < 1) fail(`model.context_length must be a positive integer, got ${JSON.stringify(m.context_length)}`);
  if (!Number.isInteger(m.num_params) || (m.num_params as number) < 0) fail(`model.num_params must be a non-negative integer, got ${JSON.stringify(m.num_params)}`);
  if ((m.config as Record<string, unknown>).kind !== undefined && (m.config as Record<string, unknown>).kind !== m.kind) {
    fail(`model.config.kind ${JSON.stringify((m.config as Record<string, unknown>).kind)} contradicts model.kind ${JSON.stringify(m.kind)}`);
  }
  const head = checkHead(dir, m.head);
  const env = c.env as Record<string, unknown> | undefined;
  if (!env || typeof env.id !== "string" || !Number.isInteger(env.obs_dim) || (env.obs_dim as number) < 1) {
    fail(`env must be { id: string, obs_dim: positive integer }, got ${JSON.stringify(env)}`);
  }
  const obsDim = env!.obs_dim as number;
  const envOptions = env!.options;
  if (envOptions !== undefined && (typeof envOptions !== "object" || envOptions === null || Array.isArray(envOptions))) {
    fail(`env.options must be an object, got ${JSON.stringify(envOptions)}`);
  }
  const normalisation = checkNormalisation(`${dir}: config.json`, c.normalisation, obsDim);
  const t = c.tensors as Record<string, unknown> | undefined;
  if (!t || t.layout !== "pytorch" || t.dtype !== "F32" || !Array.isArray(t.transposed) || t.transposed.some((x) => typeof x !== "string")) {
    fail(`tensors must be { layout: "pytorch", dtype: "F32", transposed: string[] }, got ${JSON.stringify(t)}`);
  }
  return {
    format: "strl-checkpoint",
    format_version: CHECKPOINT_FORMAT,
    strl_version: typeof c.strl_version === "string" ? c.strl_version : "unknown",
    model: {
      kind: m.kind as ModelKind,
      config: m.config as Record<string, unknown>,
      head,
      context_length: m.context_length as number,
      num_params: m.num_params as number,
    },
    // A checkpoint written under an older env id (envs/aliases.ts) loads under the current one.
    env: { id: canonicalEnvId(env!.id as string), obs_dim: obsDim, ...(envOptions ? { options: { ...(envOptions as Record<string, unknown>) } } : {}) },
    normalisation,
    tensors: { layout: "pytorch", dtype: "F32", transposed: [...(t!.transposed as string[])] },
  };
}

/** Checks a checkpoint's sizes against what the caller expects, naming both sides. */
export function checkExpectation(dir: string, config: CheckpointConfig, expect: Expectation): void {
  if (expect.obsDim !== undefined && expect.obsDim !== config.env.obs_dim) {
    throw new CheckpointError(dir, `trained for observations of size ${config.env.obs_dim} (${config.env.id}), but the environment has observations of size ${expect.obsDim}`);
  }
  if (expect.action) {
    const a = expect.action;
    const h = config.model.head;
    const same = a.kind === h.kind && (a.kind === "discrete" ? a.n === (h as { n: number }).n : a.dim === (h as { dim: number }).dim);
    if (!same) throw new CheckpointError(dir, `trained for ${describeHead(h)} (${config.env.id}), but the environment has ${describeHead(a)}`);
  }
  if (expect.envId !== undefined && expect.envId !== config.env.id) {
    throw new CheckpointError(dir, `trained on '${config.env.id}', not on '${expect.envId}'`);
  }
  if (expect.kind !== undefined && expect.kind !== config.model.kind) {
    throw new CheckpointError(dir, `holds a '${config.model.kind}' model, not a '${expect.kind}' model`);
  }
}
