/**
 * Datasets and checkpoints checked against the environment they are used with: the env id must be registered,
 * its options must build it, and the observation width and action space must match. Every mismatch is a
 * `ConfigError` naming what differs (the CLI prints it as one line), found before any training or rollout.
 * A MuJoCo env id needs `await readyForEnv(id)` first (these checks are synchronous).
 */
import { ConfigError } from "../config/index.js";
import { isEnvId, make, readyFor, registeredIds, type Env, type Space } from "../envs/index.js";
import type { ActionHead } from "../models/index.js";
import type { Dataset } from "../data/index.js";

/** Loads what env `id` needs before `make` (the MuJoCo simulator for the locomotion envs; nothing for the others):
 *  `envs.readyFor`, under the name the CLI's checks import. */
export const readyForEnv: (id: string) => Promise<void> = readyFor;

/** Builds env `id` with `options`, as a `ConfigError` naming `what` when the id or the options are bad. */
export function buildEnv(what: string, id: string, options?: Record<string, unknown>): Env {
  if (!isEnvId(id)) throw new ConfigError(`${what}: unknown environment '${id}'; known: ${registeredIds().join(", ")}`);
  try {
    return make(id, options);
  } catch (e) {
    throw new ConfigError(`${what}: the options ${JSON.stringify(options ?? {})} do not build '${id}': ${(e as Error).message.split("\n")[0]}`);
  }
}

function obsWidth(env: Env): number {
  return env.observationSpace.shape.reduce((a, b) => a * b, 1);
}

function spaceText(s: Space | ActionHead): string {
  if (s.kind === "discrete") return `Discrete(${s.n})`;
  if (s.kind === "box") return `Box(${s.shape.reduce((a, b) => a * b, 1)})`;
  return `Box(${s.dim})`;
}

/** Refuses a dataset whose observation width or action space differs from env `id`'s (built with `options`). */
export function checkDatasetFitsEnv(what: string, ds: Dataset, id: string, options?: Record<string, unknown>): void {
  const env = buildEnv(what, id, options);
  env.close?.(); // only its spaces are read below
  const w = obsWidth(env);
  if (ds.obsDim !== w) throw new ConfigError(`${what}: observations have ${ds.obsDim} values per step but '${id}' gives ${w}`);
  const a = env.actionSpace;
  const b = ds.actionSpace;
  const same = a.kind === "discrete" ? b.kind === "discrete" && b.n === a.n : b.kind === "box" && ds.actDim === a.shape.reduce((x, y) => x * y, 1);
  if (!same) throw new ConfigError(`${what}: the action space is ${spaceText(b)} but '${id}' has ${spaceText(a)}`);
}

/** Refuses a checkpoint whose env id, options, observation size or action head do not fit its environment. */
export function checkCheckpointFitsEnv(what: string, env: { id: string; obs_dim: number; options?: Record<string, unknown> }, head: ActionHead): void {
  const e = buildEnv(what, env.id, env.options);
  e.close?.(); // only its spaces are read below
  const w = obsWidth(e);
  if (env.obs_dim !== w) throw new ConfigError(`${what}: the model reads ${env.obs_dim} observation values but '${env.id}' gives ${w}`);
  const a = e.actionSpace;
  const same = a.kind === "discrete" ? head.kind === "discrete" && head.n === a.n : head.kind === "continuous" && head.dim === a.shape.reduce((x, y) => x * y, 1);
  if (!same) throw new ConfigError(`${what}: the model's action head is ${spaceText(head)} but '${env.id}' has ${spaceText(a)}`);
}
