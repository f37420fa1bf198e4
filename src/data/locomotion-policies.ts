/**
 * The behaviour policies of the MuJoCo locomotion envs, made the way D4RL made its own: one SAC run per env
 * (`strl expert train`), shipped in the package as `experts/<env id>/`:
 *   random.safetensors   the run's randomly initialised actor (D4RL's `random`)
 *   medium.safetensors   a snapshot at about one third of the expert's return (D4RL's `medium`)
 *   expert.safetensors   the run's final actor (D4RL's `expert`)
 *   manifest.json        the commands and seed that made them, and their measured returns
 * Collection samples actions from the squashed Gaussian (as D4RL did; it also kept their log-probabilities).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Env, Observation } from "../envs/core.js";
import { SquashedGaussianPolicy } from "../envs/mujoco/gaussian-policy.js";
import type { Rng } from "../tensor/rng.js";

export const SHIPPED_POLICY_NAMES = ["random", "medium", "expert"] as const;
export type ShippedPolicyName = (typeof SHIPPED_POLICY_NAMES)[number];

/**
 * The package's `experts/` folder (found upwards from this file, as in the source tree and in dist/), or the
 * folder named by STRL_EXPERTS_DIR (policies of your own, and tests).
 */
export function expertsFolder(): string | undefined {
  const override = typeof process !== "undefined" ? process.env?.STRL_EXPERTS_DIR : undefined;
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, "experts");
    if (existsSync(join(p, "README.md"))) return p;
    dir = dirname(dir);
  }
  return undefined;
}

/** Path of a shipped policy file (it may not exist). */
export function shippedPolicyPath(envId: string, name: ShippedPolicyName): string {
  return join(expertsFolder() ?? "experts", envId, `${name}.safetensors`);
}

const cache = new Map<string, SquashedGaussianPolicy>();

/** Loads a shipped policy, or throws a one-line error saying it is not shipped and how to make one. */
export function loadShippedPolicy(envId: string, name: ShippedPolicyName): SquashedGaussianPolicy {
  const path = shippedPolicyPath(envId, name);
  let p = cache.get(path);
  if (p) return p;
  if (!existsSync(path)) {
    throw new RangeError(`${envId} has no shipped ${name} policy (${path} is missing); make one with 'strl expert train' then 'strl expert ship'`);
  }
  p = SquashedGaussianPolicy.fromSafetensors(readFileSync(path), path);
  cache.set(path, p);
  return p;
}

/** `act` of a shipped policy, sampled (as D4RL collected), checked against the env's widths. */
export function shippedBehaviour(envId: string, name: ShippedPolicyName): { name: string; act: (o: Observation, env: Env, rng: Rng) => number[] } {
  const policy = loadShippedPolicy(envId, name);
  return {
    name,
    act: (observation, env, rng) => {
      const want = env.actionSpace.kind === "box" ? env.actionSpace.shape[0] : -1;
      if (policy.actDim !== want || policy.obsDim !== observation.length) {
        throw new RangeError(`${shippedPolicyPath(envId, name)} maps ${policy.obsDim} observations to ${policy.actDim} actions, but ${env.id} has ${observation.length} and ${want}`);
      }
      return policy.act(observation, rng).action;
    },
  };
}

/**
 * One line on the shipped policies of `envId` from its manifest.json: the sampled return (mean ± sample std, n
 * episodes) of expert, medium and random, and the SAC step each comes from; "not shipped yet" without a manifest.
 */
export function shippedPoliciesSummary(envId: string): string {
  const path = join(expertsFolder() ?? "experts", envId, "manifest.json");
  if (!existsSync(path)) return "not shipped yet";
  let m: { sampled_returns?: Record<string, { mean: number; std: number; n: number }>; expert_step?: number; medium_step?: number };
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as typeof m;
  } catch {
    return `${path} is not valid JSON`;
  }
  const r = m.sampled_returns ?? {};
  const part = (k: string): string => (r[k] ? `${k} ${r[k]!.mean.toFixed(0)} ± ${r[k]!.std.toFixed(0)}` : `${k} ?`);
  const n = r.expert?.n ?? 0;
  return `SAC policies (strl expert ship): ${part("expert")} (step ${m.expert_step}), ${part("medium")} (step ${m.medium_step}), ${part("random")}; sampled returns, mean ± std over ${n} episodes`;
}
