/**
 * A sweep: a base job config plus axes, expanded to a deterministic, ordered list of independent jobs.
 *
 * File (JSON):
 *   { "name": "demo",
 *     "base": { "train": { "steps": 20, "batchSize": 16 }, "eval": { "episodes": 2 }, "model": { "preset": "tiny" } },
 *     "axes": { "task": [{ "id": "cartpole", "envId": "CartPole-v1", "policy": "expert", "episodes": 20 }],
 *               "model": [{ "name": "STRL", "kind": "strl" }, { "name": "DT", "kind": "dt" }],
 *               "seed": [0, 1],
 *               "train.lr": [0.001, 0.0003] },
 *     "exclude": [{ "task.id": ["cartpole"], "model.name": "DT" }] }
 *
 * Every axis key is a dotted path into the job config; an axis value is set there (objects are merged into what
 * the base has). Axes expand in file order, the first varying slowest, so job K is the same job on every
 * machine. A job is dropped when every key of some `exclude` entry matches (a listed value matches any of its
 * items). The resolved job config is checked for shape here; what only training can check (a model config that
 * does not fit, an env option) fails that job alone when it runs.
 */
import { ConfigError, showValue } from "../config/index.js";
import { POLICY_NAMES, type PolicyName } from "../data/index.js";
import { MODEL_KINDS, type ModelKind } from "../models/index.js";
import { isEnvId, registeredIds } from "../envs/index.js";
import { PRESETS, type Preset } from "./presets.js";

export interface SweepTask {
  /** Row id in tables ("cartpole-expert"). */
  id: string;
  title?: string;
  group?: string;
  envId: string;
  envOptions?: Record<string, unknown>;
  /** Behaviour policy of the collected data. */
  policy: PolicyName;
  /** Episodes of data to collect (seeded by the job's seed). */
  episodes: number;
  /** Evaluate closed-loop at the expert's measured return (default true). */
  closedLoop?: boolean;
  /** This task's model size: every model of the task uses this preset (over the model's own). */
  preset?: Preset;
  /** This task's training budget, over the job's `train` (e.g. locomotion's own steps and batch size). */
  train?: Partial<JobConfig["train"]>;
  /** This task's closed-loop episodes, over the job's `eval`. */
  eval?: Partial<JobConfig["eval"]>;
  /** The closed-loop target return (default: the expert's reference return), e.g. the DT's D4RL targets. */
  targetReturn?: number;
}

export interface SweepModel {
  /** Name in tables ("STRL", "STRL (paper mode)"). */
  name: string;
  kind: ModelKind;
  preset?: Preset;
  /** Model config fields over the preset (e.g. { "causal": false }). */
  config?: Record<string, unknown>;
}

export interface JobConfig {
  task: SweepTask;
  model: SweepModel;
  seed: number;
  train: { steps: number; batchSize?: number; lr?: number; warmupSteps?: number; evalEvery?: number; checkpointEvery?: number };
  eval: { episodes: number };
  /** Keep a spike raster of one decision (spiking models; figures). Default true. */
  raster?: boolean;
}

export interface SweepFile {
  name: string;
  base?: Record<string, unknown>;
  axes: Record<string, unknown[]>;
  exclude?: Array<Record<string, unknown>>;
}

export interface Job {
  index: number;
  /** Folder name under `jobs/`: "0003-cartpole-expert-strl-s1". */
  id: string;
  config: JobConfig;
  /** The value each axis gave this job, in axis order. */
  axes: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Keys that reach an object's prototype when assigned: refused anywhere in a sweep or a plan. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The path of the first key inside `v` (objects and arrays, any depth) that is a prototype key or a dotted path
 * through one (axis and exclude keys are dotted config paths), or undefined.
 */
export function prototypeKeyIn(v: unknown, path = ""): string | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  for (const k of Object.keys(v)) {
    const here = Array.isArray(v) ? `${path}[${k}]` : path === "" ? k : `${path}.${k}`;
    if (k.split(".").some((part) => PROTOTYPE_KEYS.has(part))) return here;
    const inner = prototypeKeyIn((v as Record<string, unknown>)[k], here);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

/** Sets an own data property (never a prototype setter). */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

/** Deep merge of plain objects (arrays and scalars replace); only own properties are read or written. */
export function merge(a: unknown, b: unknown): unknown {
  if (!isObject(a) || !isObject(b)) return structuredClone(b);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) define(out, k, structuredClone(v));
  for (const [k, v] of Object.entries(b)) define(out, k, Object.hasOwn(out, k) ? merge(out[k], v) : structuredClone(v));
  return out;
}

/** Sets `value` at dotted `path` in `obj` (merging objects), creating objects on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  if (keys.some((k) => PROTOTYPE_KEYS.has(k))) throw new ConfigError(`config path '${path}' names a prototype key`);
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(own(o, k))) define(o, k, {});
    o = o[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  define(o, last, Object.hasOwn(o, last) ? merge(o[last], value) : structuredClone(value));
}

export function getPath(obj: unknown, path: string): unknown {
  let o = obj;
  for (const k of path.split(".")) o = isObject(o) ? own(o, k) : undefined;
  return o;
}

/** The most jobs one sweep may plan (counted over the axes, before `exclude`). */
export const MAX_JOBS = 100_000;
/** Seeds are 32-bit (the random streams' seed range, as every command's --seed). */
export const MAX_SEED = 0xffffffff;

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Checks a parsed sweep file; throws a ConfigError naming the first problem. */
export function checkSweep(raw: unknown, where = "sweep", maxJobs = MAX_JOBS): SweepFile {
  if (!isObject(raw)) throw new ConfigError(`${where}: must be a JSON object, got ${showValue(raw)}`);
  const proto = prototypeKeyIn(raw);
  if (proto !== undefined) throw new ConfigError(`${where}: key '${proto}' is not allowed ('__proto__', 'constructor' and 'prototype' are never config keys)`);
  for (const k of Object.keys(raw)) if (!["name", "base", "axes", "exclude", "description"].includes(k)) throw new ConfigError(`${where}: unknown key '${k}' (known: name, description, base, axes, exclude)`);
  if (typeof raw.name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(raw.name)) throw new ConfigError(`${where}: name must be letters, digits, '_', '.' or '-', got ${showValue(raw.name)}`);
  if (raw.base !== undefined && !isObject(raw.base)) throw new ConfigError(`${where}: base must be an object`);
  if (!isObject(raw.axes) || Object.keys(raw.axes).length === 0) throw new ConfigError(`${where}: axes must be a non-empty object of key: [values]`);
  for (const [k, vs] of Object.entries(raw.axes)) {
    if (!KEY_RE.test(k)) throw new ConfigError(`${where}: axis key '${k}' must be a dotted config path (e.g. "train.lr")`);
    if (!Array.isArray(vs) || vs.length === 0) throw new ConfigError(`${where}: axis '${k}' must be a non-empty array of values`);
  }
  // The size first, from the axes' lengths alone: a grid too large is refused before any job is made.
  const lengths = Object.values(raw.axes).map((vs) => (vs as unknown[]).length);
  let combinations = 1;
  for (const n of lengths) combinations *= n;
  if (combinations > maxJobs) {
    throw new ConfigError(`${where}: its axes give ${lengths.join(" x ")} = ${combinations.toLocaleString("en-US")} jobs (before exclude), over the limit of ${maxJobs.toLocaleString("en-US")} jobs per sweep; split it into smaller sweeps`);
  }
  for (const [k, vs] of Object.entries(raw.axes) as Array<[string, unknown[]]>) {
    const seen = new Set<string>();
    for (const v of vs) {
      const text = JSON.stringify(v);
      if (seen.has(text)) throw new ConfigError(`${where}: axis '${k}' lists ${text.slice(0, 60)} twice (each value plans its own jobs: a duplicate would run the same jobs again)`);
      seen.add(text);
    }
  }
  if (raw.exclude !== undefined && (!Array.isArray(raw.exclude) || !raw.exclude.every(isObject))) throw new ConfigError(`${where}: exclude must be an array of objects`);
  return raw as unknown as SweepFile;
}

function slug(v: unknown): string {
  return String(v).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "x";
}

const matches = (want: unknown, got: unknown): boolean =>
  Array.isArray(want) ? want.some((w) => JSON.stringify(w) === JSON.stringify(got)) : JSON.stringify(want) === JSON.stringify(got);

function fail(where: string, what: string, v: unknown, must: string): never {
  throw new ConfigError(`${where}: ${what} must be ${must}, got ${showValue(v)}`);
}

function checkKeys(where: string, o: Record<string, unknown>, known: string[]): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new ConfigError(`${where}: unknown key '${k}' (known: ${known.join(", ")})`);
}

const posInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 1;

/** Checks a `train` object (a job's, where `steps` is required, or a task's overrides). */
function checkTrain(where: string, tr: Record<string, unknown>, field: "train" | "task.train"): void {
  checkKeys(`${where} ${field}`, tr, ["steps", "batchSize", "lr", "warmupSteps", "evalEvery", "checkpointEvery"]);
  if ((field === "train" || tr.steps !== undefined) && !posInt(tr.steps)) fail(where, `${field}.steps`, tr.steps, "an integer >= 1");
  for (const k of ["batchSize", "evalEvery", "checkpointEvery"]) if (tr[k] !== undefined && !posInt(tr[k])) fail(where, `${field}.${k}`, tr[k], "an integer >= 1");
  if (tr.warmupSteps !== undefined && !(Number.isSafeInteger(tr.warmupSteps) && (tr.warmupSteps as number) >= 0)) fail(where, `${field}.warmupSteps`, tr.warmupSteps, "an integer >= 0");
  if (tr.lr !== undefined && !(typeof tr.lr === "number" && tr.lr > 0)) fail(where, `${field}.lr`, tr.lr, "a number > 0");
}

/**
 * What a job runs with once its task's overrides apply: the task's preset over the model's, its `train` and
 * `eval` fields over the job's.
 */
export function effectiveJob(c: JobConfig): { preset: Preset; train: JobConfig["train"]; eval: JobConfig["eval"] } {
  return { preset: c.task.preset ?? c.model.preset ?? "tiny", train: { ...c.train, ...c.task.train }, eval: { ...c.eval, ...c.task.eval } };
}

/** Checks the shape of one resolved job config. */
export function checkJobConfig(c: unknown, where: string): JobConfig {
  if (!isObject(c)) fail(where, "the job config", c, "an object");
  checkKeys(where, c, ["task", "model", "seed", "train", "eval", "raster"]);
  const t = c.task;
  if (!isObject(t)) fail(where, "task", t, "an object");
  checkKeys(`${where} task`, t, ["id", "title", "group", "envId", "envOptions", "policy", "episodes", "closedLoop", "preset", "train", "eval", "targetReturn"]);
  if (typeof t.id !== "string" || t.id === "") fail(where, "task.id", t.id, "a non-empty string");
  if (typeof t.envId !== "string" || !isEnvId(t.envId)) fail(where, "task.envId", t.envId, `a registered env (${registeredIds().join(", ")})`);
  if (!(POLICY_NAMES as readonly unknown[]).includes(t.policy)) fail(where, "task.policy", t.policy, `one of ${POLICY_NAMES.join(", ")}`);
  if (!posInt(t.episodes)) fail(where, "task.episodes", t.episodes, "an integer >= 1");
  if (t.envOptions !== undefined && !isObject(t.envOptions)) fail(where, "task.envOptions", t.envOptions, "an object");
  if (t.closedLoop !== undefined && typeof t.closedLoop !== "boolean") fail(where, "task.closedLoop", t.closedLoop, "true or false");
  if (t.preset !== undefined && !(PRESETS as readonly unknown[]).includes(t.preset)) fail(where, "task.preset", t.preset, `one of ${PRESETS.join(", ")}`);
  if (t.targetReturn !== undefined && !(typeof t.targetReturn === "number" && Number.isFinite(t.targetReturn))) fail(where, "task.targetReturn", t.targetReturn, "a finite number");
  if (t.train !== undefined) {
    if (!isObject(t.train)) fail(where, "task.train", t.train, "an object");
    checkTrain(where, t.train, "task.train");
  }
  if (t.eval !== undefined) {
    if (!isObject(t.eval)) fail(where, "task.eval", t.eval, "an object");
    checkKeys(`${where} task.eval`, t.eval, ["episodes"]);
    if (t.eval.episodes !== undefined && !posInt(t.eval.episodes)) fail(where, "task.eval.episodes", t.eval.episodes, "an integer >= 1");
  }
  const m = c.model;
  if (!isObject(m)) fail(where, "model", m, "an object");
  checkKeys(`${where} model`, m, ["name", "kind", "preset", "config"]);
  if (typeof m.name !== "string" || m.name === "") fail(where, "model.name", m.name, "a non-empty string");
  if (!(MODEL_KINDS as readonly unknown[]).includes(m.kind)) fail(where, "model.kind", m.kind, `one of ${MODEL_KINDS.join(", ")}`);
  if (m.preset !== undefined && !(PRESETS as readonly unknown[]).includes(m.preset)) fail(where, "model.preset", m.preset, `one of ${PRESETS.join(", ")}`);
  if (m.config !== undefined && !isObject(m.config)) fail(where, "model.config", m.config, "an object");
  if (!Number.isSafeInteger(c.seed) || (c.seed as number) < 0) fail(where, "seed", c.seed, "an integer >= 0");
  if ((c.seed as number) > MAX_SEED) fail(where, "seed", c.seed, `an integer <= ${MAX_SEED} (32 bits, as every --seed)`);
  const tr = c.train;
  if (!isObject(tr)) fail(where, "train", tr, "an object");
  checkTrain(where, tr, "train");
  const ev = c.eval ?? { episodes: 5 };
  if (!isObject(ev) || !posInt(ev.episodes)) fail(where, "eval.episodes", isObject(ev) ? ev.episodes : ev, "an integer >= 1");
  checkKeys(`${where} eval`, ev, ["episodes"]);
  if (c.raster !== undefined && typeof c.raster !== "boolean") fail(where, "raster", c.raster, "true or false");
  return { ...(c as unknown as JobConfig), eval: ev as JobConfig["eval"] };
}

/** The ordered job list of a sweep (throws a ConfigError on a malformed sweep or job, or more than `maxJobs`). */
export function expandSweep(raw: unknown, where = "sweep", maxJobs = MAX_JOBS): Job[] {
  const s = checkSweep(raw, where, maxJobs);
  const axes = Object.entries(s.axes);
  const jobs: Job[] = [];
  const counters = axes.map(() => 0);
  for (;;) {
    const cfg = structuredClone(s.base ?? {}) as Record<string, unknown>;
    const picked: Record<string, unknown> = {};
    axes.forEach(([k, vs], i) => {
      picked[k] = vs[counters[i]!];
      setPath(cfg, k, vs[counters[i]!]);
    });
    const excluded = (s.exclude ?? []).some((e) => Object.entries(e).every(([k, want]) => matches(want, getPath(cfg, k))));
    if (!excluded) {
      const index = jobs.length;
      const config = checkJobConfig(cfg, `${where}: job ${index} (${axes.map(([k]) => `${k}=${JSON.stringify(getPath(cfg, k) ?? null).slice(0, 40)}`).join(", ")})`);
      const id = [String(index).padStart(4, "0"), slug(config.task.id), slug(config.model.name), `s${config.seed}`].join("-");
      jobs.push({ index, id, config, axes: picked });
    }
    let i = axes.length - 1;
    while (i >= 0 && ++counters[i]! === axes[i]![1].length) counters[i--] = 0;
    if (i < 0) break;
  }
  if (jobs.length === 0) throw new ConfigError(`${where}: every job is excluded`);
  return jobs;
}

/** The axes beyond task, model and seed: they split a table row (e.g. "train.lr=0.001"). */
export function extraAxes(job: Job): Array<[string, unknown]> {
  return Object.entries(job.axes).filter(([k]) => !["task", "model", "seed"].includes(k) && !k.startsWith("task.") && !k.startsWith("model.") && k !== "seed");
}
