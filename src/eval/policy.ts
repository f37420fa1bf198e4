/**
 * What evaluation runs: a `Policy` that picks the next action from the episode so far. Models, scripted
 * policies, the random policy and the environment's expert all fit it; model-policy.ts adapts a model through
 * its own `getAction(history)` (src/models/policy.ts), so evaluation and the models share one code path.
 */
import type { Action, Env, Observation } from "../envs/core.js";
import { expertOf, randomAction } from "../data/policies.js";
import type { Rng } from "../tensor/rng.js";

/** Everything known at decision time t (nothing from the future). The arrays are the episode's live arrays:
 *  read them during `act`, copy what you keep. */
export interface DecisionContext {
  /** [t + 1][obsDim] raw observations s_0 .. s_t (s_t is the current one) */
  readonly observations: readonly Observation[];
  /** [t] actions a_0 .. a_{t-1} taken so far */
  readonly actions: readonly Action[];
  /** [t] rewards r_0 .. r_{t-1} received so far */
  readonly rewards: readonly number[];
  /** [t + 1] scaled returns-to-go rtg_0 .. rtg_t (see rtg.ts: rtg_0 = target / rtgScale, minus each reward / rtgScale) */
  readonly returnsToGo: readonly number[];
  /** [t + 1] the same unscaled: target minus the rewards received before each step (what `getAction` takes) */
  readonly returnsToGoUnscaled: readonly number[];
  /** t, the index of the current step (0 at the first decision) */
  readonly timestep: number;
  /** The (unscaled) target return of this episode. */
  readonly targetReturn: number;
  /** The env, for experts that read its internal state. */
  readonly env: Env;
  /** The policy's random stream (seeded per evaluation seed). */
  readonly rng: Rng;
}

export interface Policy {
  /** Shown in reports ("strl", "expert", ...). */
  readonly name: string;
  /** Called before every episode. */
  reset?(): void;
  act(ctx: DecisionContext): Action | Promise<Action>;
}

/** A policy from a function of the decision context. */
export function scriptedPolicy(name: string, act: (ctx: DecisionContext) => Action): Policy {
  if (typeof act !== "function") throw new TypeError(`scriptedPolicy '${name}': act must be a function`);
  return { name, act };
}

/** Uniformly random actions (Discrete: rng.int(n); Box: uniform per dimension), from the policy's Rng. */
export function randomPolicy(): Policy {
  return { name: "random", act: (ctx) => randomAction(ctx.env.actionSpace, ctx.rng) };
}

/** The env family's expert (grid envs: shortest path / BFS plan; control envs: the scripted controllers). */
export function expertPolicy(): Policy {
  let expert: ((env: Env) => Action) | undefined;
  let of: Env | undefined;
  return {
    name: "expert",
    act: (ctx) => {
      if (!expert || of !== ctx.env) {
        expert = expertOf(ctx.env);
        of = ctx.env;
      }
      return expert(ctx.env);
    },
  };
}
