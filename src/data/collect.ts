/**
 * Runs a behaviour policy in an environment and records the episodes as a `Dataset`, deterministically: the same
 * arguments give the same dataset (and, written with `writeDatasetHdf5`, the same file bytes).
 *
 * Seeding: `root = new Rng(seed)`; `envSeeds = root.fork("env")` gives each episode's `env.reset({ seed })`
 * (so every episode of Maze-v0 gets its own maze), `policyRng = root.fork("policy")` drives the policy.
 */
import { make, resolveEnvId, type Env } from "../envs/index.js";
import { Rng, assertSeed } from "../tensor/rng.js";
import { VERSION } from "../version.js";
import { collectMazeExpert, MAZE_FAST_ENV } from "./maze-expert-dataset.js";
import { LocomotionEnv } from "../envs/mujoco/locomotion.js";
import { mediumReplayDataset } from "./medium-replay.js";
import { isLocomotionEnv } from "../envs/mujoco/specs.js";
import { isPolicyName, LOCOMOTION_DATASETS, makePolicy, mediumEps, POLICY_NAMES, type PolicyName, type PolicyOptions } from "./policies.js";
import { Dataset, type MetaValue, type Trajectory } from "./trajectory.js";
import { bytesText } from "../config/index.js";

/** At most this many episodes a collection (`collectDataset`, `strl collect --episodes`). */
export const MAX_COLLECT_EPISODES = 1_000_000;
/** At most this much memory a collection may need at worst (every episode running to the env's time limit). */
export const MAX_COLLECT_BYTES = 16e9;

/**
 * Why `episodes` episodes of `envId` are too many to collect here, or undefined. The worst case counts every
 * episode running to the env's time limit, each step keeping its observation, action and reward as float32, two
 * flags and a MuJoCo env's qpos/qvel as float64, held twice while the file is written.
 */
export function collectSizeProblem(envId: string, envOptions: Record<string, unknown> | undefined, episodes: number): string | undefined {
  const env = make(envId, envOptions);
  try {
    const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
    const actWidth = env.actionSpace.kind === "discrete" ? 1 : size(env.actionSpace.shape);
    const stepBytes = 4 * (size(env.observationSpace.shape) + actWidth + 1) + 2 + (env instanceof LocomotionEnv ? 8 * env.getState().length : 0);
    const need = 2 * episodes * env.maxEpisodeSteps * stepBytes;
    if (episodes <= MAX_COLLECT_EPISODES && need <= MAX_COLLECT_BYTES) return undefined;
    return `${episodes} episodes could need ${bytesText(need)} of memory (up to ${env.maxEpisodeSteps} steps an episode x ${stepBytes} bytes a step, held twice while the file is written); the limits are ${MAX_COLLECT_EPISODES} episodes and ${bytesText(MAX_COLLECT_BYTES)}`;
  } finally {
    env.close?.();
  }
}

export interface CollectOptions extends PolicyOptions {
  envId: string;
  policy: PolicyName;
  /** Number of episodes, >= 1. */
  episodes: number;
  /** uint32 seed. */
  seed: number;
  /** Options passed to `make(envId, envOptions)`. */
  envOptions?: Record<string, unknown>;
  /** Set false to force the generic loop for the maze expert (the fast path gives the same dataset). */
  fastPath?: boolean;
}

function check(o: CollectOptions): void {
  if (typeof o.envId !== "string" || o.envId.length === 0) throw new RangeError(`collectDataset: envId must be a non-empty string, got ${JSON.stringify(o.envId)}`);
  if (!isPolicyName(o.policy)) throw new RangeError(`collectDataset: policy must be one of ${POLICY_NAMES.join(", ")}, got ${JSON.stringify(o.policy)}`);
  if (!Number.isInteger(o.episodes) || o.episodes < 1) throw new RangeError(`collectDataset: episodes must be a positive integer, got ${o.episodes}`);
  assertSeed(o.seed, "collectDataset: seed");
}

/** Runs one episode of `act` from `env.reset({ seed })` to its end. */
export function runEpisode(
  env: Env,
  seed: number,
  act: (observation: number[]) => number | number[],
  onReset: () => void = () => {},
): Trajectory {
  const obsDim = env.observationSpace.shape.reduce((a, b) => a * b, 1);
  const discrete = env.actionSpace.kind === "discrete";
  const actDim = discrete ? 1 : env.actionSpace.shape.reduce((a, b) => a * b, 1);
  const obs: number[] = [];
  const acts: number[] = [];
  const rews: number[] = [];
  const mujocoState = env instanceof LocomotionEnv;
  const qpos: number[] = [];
  const qvel: number[] = [];
  let { observation } = env.reset({ seed });
  onReset();
  for (;;) {
    if (mujocoState) {
      const s = env.getState(); // [nq + nv], the state observation s_t was taken in
      for (let i = 0; i < env.nq; i++) qpos.push(s[i]!);
      for (let i = env.nq; i < s.length; i++) qvel.push(s[i]!);
    }
    const a = act(observation);
    for (let d = 0; d < obsDim; d++) obs.push(observation[d]!);
    if (typeof a === "number") acts.push(a);
    else for (let d = 0; d < actDim; d++) acts.push(a[d]!);
    const r = env.step(a);
    rews.push(r.reward);
    observation = r.observation;
    if (r.terminated || r.truncated) {
      return {
        observations: Float32Array.from(obs), // [len, obsDim]
        actions: discrete ? Int32Array.from(acts) : Float32Array.from(acts), // [len] | [len, actDim]
        rewards: Float32Array.from(rews), // [len]
        terminated: r.terminated,
        truncated: r.truncated,
        ...(mujocoState ? { infos: { qpos: Float64Array.from(qpos), qvel: Float64Array.from(qvel) } } : {}), // [len, nq], [len, nv]
      };
    }
  }
}

/** Collects `episodes` episodes of `policy` in `envId`. */
export function collectDataset(o: CollectOptions): Dataset {
  check(o);
  const envId = resolveEnvId(o.envId, o.envOptions); // an older id (envs/aliases.ts): checked, recorded as the current one
  const tooMany = collectSizeProblem(envId, o.envOptions, o.policy === "medium-expert" ? 2 * o.episodes : o.episodes);
  if (tooMany) throw new RangeError(`collectDataset: ${tooMany}`);
  const noEnvOptions = !o.envOptions || Object.keys(o.envOptions).length === 0;
  if (envId === MAZE_FAST_ENV && o.policy === "expert" && noEnvOptions && o.fastPath !== false) {
    return collectMazeExpert({ episodes: o.episodes, seed: o.seed });
  }
  if ((LOCOMOTION_DATASETS as readonly string[]).includes(o.policy) && !isLocomotionEnv(envId)) makePolicy(o.policy, envId); // throws its refusal
  if (o.policy === "medium-replay") return mediumReplayDataset(envId, o.episodes, o.seed);
  const env = make(envId, o.envOptions);
  const root = new Rng(o.seed);
  const envSeeds = root.fork("env");
  const policyRng = root.fork("policy");
  const trajectories: Trajectory[] = [];
  // medium-expert (D4RL): the medium policy's episodes, then as many of the expert's, from one seed stream.
  const phases = o.policy === "medium-expert" ? (["medium", "expert"] as const) : ([o.policy] as const);
  let policy = makePolicy(phases[0], envId, o);
  for (let i = 0; i < o.episodes * phases.length; i++) {
    if (i === o.episodes) policy = makePolicy(phases[1]!, envId, o);
    trajectories.push(
      runEpisode(
        env,
        envSeeds.nextU32(),
        (observation) => policy.act(observation, env, policyRng),
        () => policy.beginEpisode(env, policyRng),
      ),
    );
  }
  const policyName = o.policy === "medium-expert" ? "medium-expert" : policy.name;
  const metadata: Record<string, MetaValue> = { policy: policyName, seed: o.seed, episodes: o.episodes * phases.length, collected_by: `strl ${VERSION}` };
  if (o.policy === "medium") metadata.eps = o.eps ?? mediumEps(envId);
  if (o.envOptions && !noEnvOptions) metadata.env_options = JSON.stringify(o.envOptions);
  env.close?.(); // frees a MuJoCo env's simulator memory now
  return new Dataset({ envId, obsDim: env.observationSpace.shape.reduce((a, b) => a * b, 1), actionSpace: env.actionSpace, trajectories, metadata });
}
