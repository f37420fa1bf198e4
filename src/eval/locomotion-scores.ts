/**
 * Normalised scores of strl's MuJoCo locomotion envs (Hopper-v5, Walker2d-v5, HalfCheetah-v5, Gymnasium v5), from
 * two sources of reference returns kept side by side, never mixed:
 *
 * - D4RL's references (random / expert of D4RL's `infos.py`, docs/scores.md). D4RL measured them on its v2 envs
 *   (mujoco-py); v5 returns are close but not identical, so every score from them carries `D4RL_ON_V5_LABEL`.
 * - strl's own references: the mean return, with its standard error, of strl's shipped random policy (the SAC
 *   run's initial actor, D4RL's definition) and expert policy, each over at least `MIN_REFERENCE_EPISODES`
 *   episodes of the v5 env itself, as `strl expert ship` measured them into the env's manifest.json. Where no
 *   such measurement is shipped, every output says "not measured yet" instead of a number.
 *
 * Both use D4RL's formula: score = 100 x (R - random) / (expert - random).
 */
import { D4RL_ON_V5_LABEL, d4rlReference, D4RL_V5_TASKS, normalizedScore, type ReferenceReturns } from "./normalized.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expertsFolder } from "../data/locomotion-policies.js";
import { mean, stdErr } from "./stats.js";

/** Fewest episodes behind an own reference return. */
export const MIN_REFERENCE_EPISODES = 100;

/** A policy's return measured on the env: mean, standard error of the mean (sample std / sqrt(n)), episodes. */
export interface MeasuredReturn {
  mean: number;
  stdErr: number;
  episodes: number;
}

/** strl's own references for one env: the random policy (score 0) and strl's expert (score 100). */
export interface OwnReferences {
  random: MeasuredReturn;
  expert: MeasuredReturn;
  /** How they were measured ("random and expert policies, 100 episodes, seeds 0..99, strl <version>"). */
  source: string;
}

/**
 * strl's own measured references of a locomotion env, read from the shipped `experts/<env>/manifest.json` that
 * `strl expert ship --episodes N` wrote (the shipped random and expert policies' sampled returns over N episodes,
 * N >= MIN_REFERENCE_EPISODES; standard error = sample std / sqrt(N)); undefined when no such manifest exists.
 */
export function ownLocomotionReferences(envId: string): OwnReferences | undefined {
  const folder = expertsFolder();
  if (!folder || !isLocomotionScored(envId)) return undefined;
  const path = join(folder, envId, "manifest.json");
  if (!existsSync(path)) return undefined;
  let m: { sampled_returns?: Record<string, { mean?: unknown; std?: unknown; n?: unknown }>; ship_command?: unknown };
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as typeof m;
  } catch {
    throw new RangeError(`${path} is not valid JSON`);
  }
  const measured = (k: string): MeasuredReturn | undefined => {
    const r = m.sampled_returns?.[k];
    if (!r || typeof r.mean !== "number" || typeof r.std !== "number" || typeof r.n !== "number") return undefined;
    if (!Number.isFinite(r.mean) || !Number.isFinite(r.std) || !Number.isInteger(r.n) || r.n < MIN_REFERENCE_EPISODES) return undefined;
    return { mean: r.mean, stdErr: r.std / Math.sqrt(r.n), episodes: r.n };
  };
  const random = measured("random");
  const expert = measured("expert");
  if (!random || !expert) return undefined;
  return checkOwnReferences({ random, expert, source: `strl's shipped random and expert policies, ${random.episodes} episodes each (${envId}/manifest.json)` }, path);
}

/** True for the envs this module scores. */
export function isLocomotionScored(envId: string): boolean {
  return Object.prototype.hasOwnProperty.call(D4RL_V5_TASKS, envId);
}

/** The mean and standard error of episode returns, refused below `MIN_REFERENCE_EPISODES` or with non-finite values. */
export function measuredReturn(returns: ArrayLike<number>): MeasuredReturn {
  if (returns.length < MIN_REFERENCE_EPISODES) throw new RangeError(`measuredReturn: a reference needs at least ${MIN_REFERENCE_EPISODES} episodes, got ${returns.length}`);
  return { mean: mean(returns), stdErr: stdErr(returns), episodes: returns.length };
}

/** Throws unless `own` is a usable pair of measured references. */
export function checkOwnReferences(own: OwnReferences, what = "own references"): OwnReferences {
  for (const k of ["random", "expert"] as const) {
    const m = own?.[k];
    if (!m || !Number.isFinite(m.mean) || !Number.isFinite(m.stdErr) || m.stdErr < 0) throw new RangeError(`${what}: '${k}' needs a finite mean and a standard error >= 0`);
    if (!Number.isInteger(m.episodes) || m.episodes < MIN_REFERENCE_EPISODES) throw new RangeError(`${what}: '${k}' was measured on ${String(m.episodes)} episodes; at least ${MIN_REFERENCE_EPISODES} are needed`);
  }
  if (own.expert.mean === own.random.mean) throw new RangeError(`${what}: expert and random means are equal (${own.expert.mean}); the score would divide by zero`);
  return own;
}

/**
 * The score from own references, 100 (R - random) / (expert - random), and its standard error by first-order
 * propagation of the three independent standard errors (R's, random's, expert's), with d = expert - random:
 * se^2 = (100/d)^2 se_R^2 + (100 (R - expert) / d^2)^2 se_random^2 + (100 (R - random) / d^2)^2 se_expert^2.
 */
export function ownNormalizedScore(ret: number, own: OwnReferences, retStdErr = 0): { score: number; stdErr: number } {
  if (!Number.isFinite(ret)) throw new RangeError(`ownNormalizedScore: return must be a finite number, got ${String(ret)}`);
  if (!Number.isFinite(retStdErr) || retStdErr < 0) throw new RangeError(`ownNormalizedScore: the return's standard error must be a finite number >= 0, got ${String(retStdErr)}`);
  checkOwnReferences(own);
  const lo = own.random.mean;
  const d = own.expert.mean - lo;
  const dR = 100 / d;
  const dRandom = (100 * (ret - own.expert.mean)) / (d * d);
  const dExpert = (-100 * (ret - lo)) / (d * d);
  const se = Math.sqrt((dR * retStdErr) ** 2 + (dRandom * own.random.stdErr) ** 2 + (dExpert * own.expert.stdErr) ** 2);
  return { score: (100 * (ret - lo)) / d, stdErr: se };
}

/** Both scores of one return on a locomotion env, each with where its references come from. */
export interface LocomotionScores {
  envId: string;
  /** Scored with D4RL's references; `label` is always `D4RL_ON_V5_LABEL`. */
  d4rl: { score: number; label: string; references: ReferenceReturns };
  /** Scored with strl's own references, or why there is no score ("not measured yet"). */
  own: { score: number; stdErr: number; source: string } | { score: null; note: string };
}

/** Scores `ret` (a mean return, with its standard error when known) on `envId`; undefined for other envs. */
export function locomotionScores(envId: string, ret: number, retStdErr = 0, own: OwnReferences | undefined = ownLocomotionReferences(envId)): LocomotionScores | undefined {
  if (!isLocomotionScored(envId)) return undefined;
  const refs = d4rlReference(envId)!;
  return {
    envId,
    d4rl: { score: normalizedScore(envId, ret, refs), label: D4RL_ON_V5_LABEL, references: refs },
    own: own ? { ...ownNormalizedScore(ret, own, retStdErr), source: own.source } : { score: null, note: `strl's own random/expert references for ${envId} are not measured yet` },
  };
}

/** One line for a terminal: "D4RL-normalised 61.5 (D4RL's references ...); own-normalised: not measured yet". */
export function formatLocomotionScores(s: LocomotionScores): string {
  const own = s.own.score === null ? `own-normalised: ${s.own.note}` : `own-normalised ${s.own.score.toFixed(1)} ± ${s.own.stdErr.toFixed(1)} (s.e.; ${s.own.source})`;
  return `D4RL-normalised ${s.d4rl.score.toFixed(1)} (${s.d4rl.label}); ${own}`;
}
