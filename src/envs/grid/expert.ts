/**
 * Expert (optimal) policies for the grid envs, for behaviour-policy datasets (random / medium = expert with
 * epsilon noise / expert).
 *
 * `expertAction(env)` returns the optimal next action from the env's *current internal state* (not from the
 * observation, which may be partial): the maze envs follow the shortest path to the exit, the MiniGrid envs a BFS
 * plan over (x, y, dir, object, door). Use it between `reset`/`step` calls.
 */
import type { Action, Env, Observation } from "../core.js";
import { Rng } from "../../tensor/rng.js";

/** Envs that can say their optimal next action. */
export interface HasExpert {
  expertAction(): number;
}

export function hasExpert(env: unknown): env is HasExpert {
  return typeof env === "object" && env !== null && typeof (env as HasExpert).expertAction === "function";
}

/** The optimal next action for `env` from its current state. Throws for envs without an expert. */
export function expertAction(env: Env): number {
  if (!hasExpert(env)) throw new TypeError(`expertAction: environment '${env.id}' has no expert (grid envs only)`);
  return env.expertAction();
}

/** A behaviour policy: picks an action from the observation, with access to the env (experts read its state). */
export interface Policy {
  act(observation: Observation, env: Env): Action;
}

/** Always the optimal action. */
export const expertPolicy: Policy = {
  act: (_observation, env) => expertAction(env),
};

/** Uniform over a Discrete action space, from a seeded stream. */
export function randomPolicy(rng: Rng): Policy {
  return {
    act: (_observation, env) => {
      if (env.actionSpace.kind !== "discrete") throw new TypeError(`randomPolicy: '${env.id}' has no Discrete action space`);
      return rng.int(env.actionSpace.n);
    },
  };
}

/**
 * Expert with epsilon noise ("medium"): with probability `epsilon` a uniform random action, else the expert's.
 * The expert is asked only when it is used.
 */
export function epsilonExpertPolicy(epsilon: number, rng: Rng): Policy {
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilonExpertPolicy: epsilon must be in [0, 1], got ${epsilon}`);
  const random = randomPolicy(rng);
  return {
    act: (observation, env) => (rng.float() < epsilon ? random.act(observation, env) : expertAction(env)),
  };
}
