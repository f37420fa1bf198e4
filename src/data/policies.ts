/**
 * Behaviour policies that generate offline datasets, for any registered environment:
 *
 * - `random`: uniform over the action space (Discrete: `rng.int(n)`; Box: `rng.uniform(low, high)` per dim).
 * - `expert`: the environment family's expert (grid envs: `env.expertAction()`, the shortest-path / BFS plan;
 *   control envs: the scripted controllers of `src/envs/control/experts.ts`, a function of `env.getState()`).
 * - `medium`: the expert with noise level eps (per env, see `MEDIUM_EPS` in ./medium-policy-noise.ts): with probability
 *   eps a random action; otherwise the expert's action, plus, for Box actions, Gaussian noise of standard
 *   deviation eps x half the action range, clipped to the bounds.
 * - `mixed`: like D4RL's mixed/replay data, a blend of qualities: each episode draws its noise level uniformly
 *   from `MIXED_LEVELS` (0 = expert ... 1 = random) and then acts as `medium` with that level.
 *
 * MuJoCo locomotion envs (Hopper-v5, Walker2d-v5, HalfCheetah-v5) use D4RL's definitions instead: `random`,
 * `medium` and `expert` are the shipped SAC policies of `experts/<env>/` (./locomotion-policies.ts), sampled;
 * `medium-expert` (medium then expert episodes) and `medium-replay` (the SAC run's replay buffer until the
 * medium snapshot) are datasets that `collectDataset` builds; `mixed` is not defined for them.
 *
 * Every random number comes from the `Rng` passed to `beginEpisode` / `act`.
 */
import type { Action, Env, Observation, Space } from "../envs/core.js";
import { canonicalEnvId } from "../envs/aliases.js";
import { CONTROL_EXPERTS } from "../envs/control/experts.js";
import { hasExpert } from "../envs/grid/expert.js";
import type { Rng } from "../tensor/rng.js";
import { isLocomotionEnv } from "../envs/mujoco/specs.js";
import { shippedBehaviour } from "./locomotion-policies.js";
import { MEDIUM_EPS } from "./medium-policy-noise.js";

export const POLICY_NAMES = ["random", "medium", "expert", "mixed", "medium-replay", "medium-expert"] as const;
/** The names that are datasets of the MuJoCo locomotion envs rather than policies. */
export const LOCOMOTION_DATASETS = ["medium-replay", "medium-expert"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Noise levels a `mixed` episode draws from (uniformly). */
export const MIXED_LEVELS: readonly number[] = [0, 0.25, 0.5, 0.75, 1];

export interface BehaviourPolicy {
  /** "random", "expert", "medium(eps=0.3)", "mixed" ... */
  readonly name: string;
  /** Called after every `env.reset`; `mixed` draws the episode's noise level here. */
  beginEpisode(env: Env, rng: Rng): void;
  /** The action for the current step. */
  act(observation: Observation, env: Env, rng: Rng): Action;
}

/** The expert of `env`'s family as a function of the env's current state; throws when the env has none. */
export function expertOf(env: Env): (env: Env) => Action {
  if (hasExpert(env)) return (e) => (e as unknown as { expertAction(): number }).expertAction();
  const f = CONTROL_EXPERTS[env.id];
  if (f) return (e) => f(e.getState());
  throw new RangeError(`environment '${env.id}' has no expert policy (known experts: grid envs and ${Object.keys(CONTROL_EXPERTS).join(", ")})`);
}

/** A uniform random action of `space`. */
export function randomAction(space: Space, rng: Rng): Action {
  if (space.kind === "discrete") return rng.int(space.n);
  return space.low.map((lo, i) => rng.uniform(lo, space.high[i]!));
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** One step of the eps-noisy expert (see the module comment). */
export function noisyExpertAction(expert: Action, space: Space, eps: number, rng: Rng): Action {
  if (eps > 0 && rng.float() < eps) return randomAction(space, rng);
  if (space.kind === "discrete") return expert;
  const a = Array.isArray(expert) ? expert : [expert];
  return a.map((v, i) => {
    const lo = space.low[i]!;
    const hi = space.high[i]!;
    const sigma = eps > 0 && Number.isFinite(hi - lo) ? (eps * (hi - lo)) / 2 : 0;
    return clip(sigma > 0 ? v + rng.normal(0, sigma) : v, lo, hi);
  });
}

function checkEps(eps: number, name: string): number {
  if (!(typeof eps === "number" && eps >= 0 && eps <= 1)) throw new RangeError(`${name} must be a number in [0, 1], got ${eps}`);
  return eps;
}

/** The noise level `medium` uses for `envId` (the tuned table, or 0.5 for an env not in it). */
export function mediumEps(envId: string): number {
  return MEDIUM_EPS[canonicalEnvId(envId)]?.eps ?? 0.5;
}

export interface PolicyOptions {
  /** Noise level of `medium` (default: the tuned `MEDIUM_EPS` entry of the env). */
  eps?: number;
  /** Levels `mixed` draws from (default `MIXED_LEVELS`). */
  levels?: readonly number[];
}

/** A behaviour policy by name, for environment `envId`. */
export function makePolicy(name: PolicyName, envId: string, options: PolicyOptions = {}): BehaviourPolicy {
  const id = canonicalEnvId(envId);
  if (isLocomotionEnv(id)) {
    if (name === "random" || name === "medium" || name === "expert") {
      if (options.eps !== undefined) throw new RangeError(`${id}: --eps does not apply (its medium policy is the shipped SAC snapshot)`);
      const b = shippedBehaviour(id, name);
      return { name: b.name, beginEpisode: () => {}, act: b.act };
    }
    if (name === "mixed") throw new RangeError(`${id}: policy 'mixed' is not defined for MuJoCo envs; D4RL's mixes are 'medium-replay' and 'medium-expert'`);
    throw new RangeError(`${id}: '${name}' is a dataset, not a policy (collectDataset builds it)`);
  }
  if ((LOCOMOTION_DATASETS as readonly string[]).includes(name)) {
    throw new RangeError(`'${name}' datasets exist only for the MuJoCo locomotion envs (Hopper-v5, Walker2d-v5, HalfCheetah-v5), not ${id}`);
  }
  switch (name) {
    case "random":
      return { name, beginEpisode: () => {}, act: (_o, env, rng) => randomAction(env.actionSpace, rng) };
    case "expert": {
      let expert: ((env: Env) => Action) | undefined;
      return {
        name,
        beginEpisode: (env) => (expert ??= expertOf(env)),
        act: (_o, env) => (expert ??= expertOf(env))(env),
      };
    }
    case "medium": {
      const eps = checkEps(options.eps ?? mediumEps(envId), "medium policy eps");
      return noisy(`medium(eps=${eps})`, () => eps);
    }
    case "mixed": {
      const levels = options.levels ?? MIXED_LEVELS;
      if (levels.length === 0) throw new RangeError("mixed policy levels must not be empty");
      levels.forEach((l, i) => checkEps(l, `mixed policy levels[${i}]`));
      return noisy("mixed", (rng) => rng.choice(levels));
    }
    default:
      throw new RangeError(`unknown policy '${String(name)}'; known: ${POLICY_NAMES.join(", ")}`);
  }
}

/** An eps-noisy expert whose eps is chosen per episode by `pickEps`. */
function noisy(name: string, pickEps: (rng: Rng) => number): BehaviourPolicy {
  let expert: ((env: Env) => Action) | undefined;
  let eps = 0;
  return {
    name,
    beginEpisode(env, rng) {
      expert ??= expertOf(env);
      eps = pickEps(rng);
    },
    act(_o, env, rng) {
      expert ??= expertOf(env);
      // Ask the expert only when its action is used (grid experts plan on demand).
      if (eps >= 1) return randomAction(env.actionSpace, rng);
      if (env.actionSpace.kind === "discrete" && rng.float() < eps) return randomAction(env.actionSpace, rng);
      if (env.actionSpace.kind === "discrete") return expert(env);
      return noisyExpertAction(expert(env), env.actionSpace, eps, rng);
    },
  };
}

export function isPolicyName(s: string): s is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(s);
}
