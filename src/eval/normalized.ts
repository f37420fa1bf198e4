/**
 * Normalised scores: 100 x (return - random) / (expert - random), D4RL's convention (0 = a random policy,
 * 100 = the reference expert).
 *
 * Two sources of reference returns, kept apart:
 * - `D4RL_REFERENCES`: the constants published with D4RL (`REF_MIN_SCORE` / `REF_MAX_SCORE` of D4RL's
 *   `infos.py`; docs/scores.md). These are D4RL's numbers, not ours: use them only for the D4RL tasks they name.
 * - For strl's own environments there is no published reference; `measureReferenceReturns` (reference.ts)
 *   measures them by running the random and the expert policy, and the result is passed explicitly to
 *   `normalizedScore(envId, ret, refs)`. There is no hidden registry of measured values.
 */

export interface ReferenceReturns {
  /** Mean return of a uniformly random policy (score 0). */
  random: number;
  /** Mean return of the expert (score 100). */
  expert: number;
  /** Where the numbers come from ("D4RL infos.py", "measured: 100 episodes, seed 0", ...). */
  source: string;
  /** Standard error of `random` (sample std / sqrt(episodes)), where measured; D4RL publishes none. */
  randomStdErr?: number;
  /** Standard error of `expert`, where measured. */
  expertStdErr?: number;
  /** Episodes behind each of `random` and `expert`, where measured. */
  episodes?: number;
}

/** D4RL's published reference returns (REF_MIN_SCORE / REF_MAX_SCORE), keyed by D4RL environment name. */
export const D4RL_REFERENCES: Readonly<Record<string, ReferenceReturns>> = Object.freeze({
  "maze2d-umaze": { random: 23.85, expert: 161.86, source: "D4RL reference (maze2d-umaze-v1)" },
  hopper: { random: -20.272305, expert: 3234.3, source: "D4RL reference (hopper)" },
  halfcheetah: { random: -280.178953, expert: 12135.0, source: "D4RL reference (halfcheetah)" },
  walker2d: { random: 1.629008, expert: 4592.3, source: "D4RL reference (walker2d)" },
});

/**
 * strl environment ids that ARE a D4RL task, mapped to its D4RL name: none today. strl's `Maze2D-UMaze-v0` is
 * D4RL's layout and rules on documented point-mass physics, not D4RL's MuJoCo env: its random policy returns ~0
 * and its expert ~238 where D4RL's references are 23.85 / 161.86, so D4RL's constants would mis-score it. It is
 * normalised with its own measured random / expert returns (`measureReferenceReturns`), never "D4RL-normalised".
 */
export const D4RL_ALIASES: Readonly<Record<string, string>> = Object.freeze({});

/** How every score from D4RL's locomotion references on strl's Gymnasium v5 envs is labelled. */
export const D4RL_ON_V5_LABEL = "D4RL's references for its v2 envs, measured here on v5 envs";

/**
 * strl's MuJoCo locomotion envs (Gymnasium v5, src/envs/mujoco) mapped to the D4RL task whose references score
 * them. D4RL measured its references on its v2 envs (mujoco-py); v5 returns are close but not identical, so
 * `d4rlReference` returns these with `source` = `D4RL_ON_V5_LABEL`, never as plain "D4RL reference".
 */
export const D4RL_V5_TASKS: Readonly<Record<string, string>> = Object.freeze({ "Hopper-v5": "hopper", "Walker2d-v5": "walker2d", "HalfCheetah-v5": "halfcheetah" });

/** strl's own environments whose ids look like a D4RL name but are not D4RL's env (never D4RL-scored). */
export const D4RL_LOOKALIKES: ReadonlySet<string> = new Set(["Maze2D-UMaze-v0"]);

/** True when `envId` is one of D4RL's own tasks (its score may be called "D4RL-normalised"). */
export function isD4rlEnv(envId: string): boolean {
  return d4rlReference(envId) !== undefined;
}

/**
 * D4RL's reference returns for `envId`, or `undefined` when D4RL publishes none for it.
 * Accepts a D4RL name ("hopper", "maze2d-umaze"), a D4RL dataset id ("hopper-medium-replay-v2",
 * "maze2d-umaze-v1": the part before the dataset suffix), a strl id listed in `D4RL_ALIASES`, or a v5
 * locomotion env of `D4RL_V5_TASKS` (its `source` then says the references are v2's, applied to v5).
 */
export function d4rlReference(envId: string): ReferenceReturns | undefined {
  if (typeof envId !== "string") throw new RangeError(`d4rlReference: envId must be a string, got ${String(envId)}`);
  if (D4RL_LOOKALIKES.has(envId)) return undefined;
  const alias = D4RL_ALIASES[envId];
  if (alias) return D4RL_REFERENCES[alias];
  const v5 = D4RL_V5_TASKS[envId];
  if (v5) return { ...D4RL_REFERENCES[v5]!, source: D4RL_ON_V5_LABEL };
  const lower = envId.toLowerCase();
  if (/-v5$/.test(lower)) return undefined; // a v5 id is scored only through D4RL_V5_TASKS (labelled), never by its prefix
  if (D4RL_REFERENCES[lower]) return D4RL_REFERENCES[lower];
  // "hopper-medium-v2" -> "hopper"; "maze2d-umaze-v1" -> "maze2d-umaze" (longest matching name wins)
  const names = Object.keys(D4RL_REFERENCES).sort((a, b) => b.length - a.length);
  return names.map((n) => (lower.startsWith(`${n}-`) ? D4RL_REFERENCES[n] : undefined)).find((r) => r !== undefined);
}

/** Throws unless `refs` is a usable reference pair (finite, expert != random). */
export function checkReferences(refs: ReferenceReturns, what = "reference returns"): ReferenceReturns {
  if (typeof refs !== "object" || refs === null) throw new RangeError(`${what} must be an object { random, expert, source }`);
  for (const k of ["random", "expert"] as const) {
    if (typeof refs[k] !== "number" || !Number.isFinite(refs[k])) throw new RangeError(`${what}: '${k}' must be a finite number, got ${String(refs[k])}`);
  }
  for (const k of ["randomStdErr", "expertStdErr"] as const) {
    const v = refs[k];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) throw new RangeError(`${what}: '${k}' must be a finite number >= 0, got ${String(v)}`);
  }
  if (refs.episodes !== undefined && (!Number.isInteger(refs.episodes) || refs.episodes < 1)) throw new RangeError(`${what}: 'episodes' must be an integer >= 1, got ${String(refs.episodes)}`);
  if (refs.expert === refs.random) throw new RangeError(`${what}: expert and random returns are equal (${refs.expert}); the score would divide by zero`);
  return refs;
}

/**
 * The standard error a normalised score `score` inherits from its references' standard errors (0 where they
 * carry none), by first-order propagation. With d = expert - random and R the return,
 * score = 100 (R - random) / d, so d score / d random = 100 (R - expert) / d^2 = (score - 100) / d and
 * d score / d expert = -100 (R - random) / d^2 = -score / d; the two references are independent measurements:
 * se^2 = ((score - 100) / d)^2 se_random^2 + (score / d)^2 se_expert^2 (the form of ownNormalizedScore,
 * locomotion-scores.ts, without the return's own error, which the bootstrap carries).
 */
export function scoreReferenceStdErr(score: number, refs: ReferenceReturns): number {
  if (!Number.isFinite(score)) throw new RangeError(`scoreReferenceStdErr: score must be a finite number, got ${String(score)}`);
  checkReferences(refs);
  const d = refs.expert - refs.random;
  return Math.hypot(((score - 100) / d) * (refs.randomStdErr ?? 0), (score / d) * (refs.expertStdErr ?? 0));
}

/** "random -1250.08 ± 26.79, expert -155.16 ± 10.43 (s.e.; 100 episodes each)", or without s.e. where none. */
export function formatReferences(refs: ReferenceReturns, digits = 2): string {
  const one = (m: number, se: number | undefined) => (se === undefined ? m.toFixed(digits) : `${m.toFixed(digits)} ± ${se.toFixed(digits)}`);
  const se = refs.randomStdErr !== undefined || refs.expertStdErr !== undefined;
  const tail = se ? ` (s.e.${refs.episodes ? `; ${refs.episodes} episodes each` : ""})` : refs.episodes ? ` (${refs.episodes} episodes each; no standard error recorded)` : "";
  return `random ${one(refs.random, refs.randomStdErr)}, expert ${one(refs.expert, refs.expertStdErr)}${tail}`;
}

/**
 * 100 x (ret - random) / (expert - random). Uses `refs` when given, else D4RL's reference for `envId`; throws
 * (naming the env) when neither exists.
 */
export function normalizedScore(envId: string, ret: number, refs?: ReferenceReturns): number {
  if (typeof ret !== "number" || !Number.isFinite(ret)) throw new RangeError(`normalizedScore: return must be a finite number, got ${String(ret)}`);
  const r = refs ?? d4rlReference(envId);
  if (!r) {
    throw new RangeError(
      `normalizedScore: no reference returns for '${envId}' (D4RL publishes them for ${Object.keys(D4RL_REFERENCES).join(", ")}); ` +
        "measure them with measureReferenceReturns() and pass them as `refs`",
    );
  }
  checkReferences(r, `reference returns of '${envId}'`);
  return (100 * (ret - r.random)) / (r.expert - r.random);
}
