/** `strl collect`: run a behaviour policy in an environment and write the episodes as a D4RL-style HDF5 file. */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "../command.js";
import { numberFlag, parseFlags, oneOf } from "../command.js";
import { UsageError, asUserError } from "../usage-error.js";
import { checkWritableFolder } from "../../io/index.js";
import { isEnvId, readyFor, registeredIds } from "../../envs/index.js";
import { collectDataset, collectSizeProblem, MAX_COLLECT_BYTES, MAX_COLLECT_EPISODES } from "../../data/collect.js";
import { bytesText, errorLine } from "../../config/index.js";
import { writeDatasetHdf5 } from "../../data/hdf5.js";
import { isPolicyName, mediumEps, POLICY_NAMES } from "../../data/policies.js";
import { summarize } from "../../data/trajectory.js";

const HELP = `strl collect — run a behaviour policy in an environment and write the episodes to an HDF5 file

Usage: strl collect --env ID --policy random|medium|expert|mixed|medium-replay|medium-expert --episodes N --out FILE
                    [--seed S] [--eps E] [--env-options JSON] [--json]

Options:
  --env ID            a registered environment (see the list below)
  --policy NAME       random: uniform actions; expert: the env's expert (A*/BFS plan or scripted controller);
                      medium: the expert with noise eps (random action with probability eps; Box actions also get
                      Gaussian noise of std eps x half-range), eps tuned per env so the return is about half-way;
                      mixed: each episode draws eps from {0, 0.25, 0.5, 0.75, 1}
                      MuJoCo envs (Hopper-v5, Walker2d-v5, HalfCheetah-v5) follow D4RL: random, medium and expert
                      are the shipped SAC policies of experts/<env>/ (sampled), medium-expert is --episodes medium
                      then --episodes expert episodes, medium-replay the SAC run's replay buffer until the medium
                      snapshot (its first --episodes episodes); these files also get infos/qpos and infos/qvel
  --episodes N        number of episodes (1 to ${MAX_COLLECT_EPISODES}; refused when they could need over ${bytesText(MAX_COLLECT_BYTES)})
  --out FILE          output file (D4RL layout: observations, actions, rewards, terminals, timeouts); written to a
                      temporary file and renamed, so a reader never sees half a file
  --seed S            integer seed in [0, 2^32 - 1] (default 0); the same seed writes the same bytes
  --eps E             noise level of --policy medium (default: the tuned value for the env)
  --env-options JSON  options for the environment, e.g. '{"maxSteps": 200}'
  --json              print the summary as one JSON object

Prints the number of episodes and steps, and the episode return mean ± std, min and max.
Maze-v0 with --policy expert uses a fast path (the paper's 50,000 mazes take a few seconds).

\`strl envs\` lists the environment ids with their spaces, experts, options and success definition.

Examples:
  strl collect --env Maze-v0 --policy expert --episodes 50000 --seed 42 --out maze.h5
  strl collect --env MiniGrid-Empty-8x8-v0 --policy random --episodes 20000 --out empty.h5
  strl collect --env CartPole-v1 --policy medium --episodes 100 --seed 1 --out cartpole-medium.h5 --json
  strl collect --env Pendulum-v1 --policy mixed --episodes 50 --env-options '{}' --out pendulum-mixed.h5
  strl collect --env Hopper-v5 --policy medium --episodes 1000 --seed 0 --out hopper-medium.h5`;

function parseJsonObject(flag: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--${flag} is not valid JSON: ${errorLine(e)}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`--${flag} must be a JSON object, got ${text}`);
  return v as Record<string, unknown>;
}

export const command: Command = {
  summary: "collect episodes of a behaviour policy into a D4RL-style HDF5 file",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      env: { type: "string" },
      policy: { type: "string" },
      episodes: { type: "string" },
      seed: { type: "string" },
      eps: { type: "string" },
      out: { type: "string" },
      "env-options": { type: "string" },
      json: { type: "boolean" },
    });
    const envId = values.env;
    if (!envId) throw new UsageError("--env is required (one of: " + registeredIds().join(", ") + ")");
    if (!isEnvId(envId)) oneOf("environment", envId, registeredIds());
    const policy = values.policy;
    if (!policy) throw new UsageError(`--policy is required (one of: ${POLICY_NAMES.join(", ")})`);
    if (!isPolicyName(policy)) throw new UsageError(`--policy must be one of ${POLICY_NAMES.join(", ")}, got '${policy}'`);
    if (values.episodes === undefined) throw new UsageError("--episodes is required");
    const episodes = numberFlag("episodes", values.episodes, 0, { integer: true, min: 1 });
    const seed = numberFlag("seed", values.seed, 0, { integer: true, min: 0, max: 0xffffffff });
    const eps = values.eps === undefined ? undefined : numberFlag("eps", values.eps, 0, { min: 0, max: 1 });
    if (eps !== undefined && policy !== "medium") throw new UsageError(`--eps applies to --policy medium only, got --policy ${policy}`);
    const out = values.out;
    if (!out) throw new UsageError("--out FILE is required");
    const folder = dirname(resolve(out));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--out: folder '${folder}' does not exist`);
    const envOptions = parseJsonObject("env-options", values["env-options"]);
    if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out: '${out}' is a folder, expected a file name`);
    await asUserError(() => checkWritableFolder(folder), "--out");

    await readyFor(envId);
    const t0 = performance.now();
    let ds;
    try {
      const tooMany = collectSizeProblem(envId, envOptions, policy === "medium-expert" ? 2 * episodes : episodes);
      if (tooMany) throw new UsageError(`--episodes ${episodes}: ${tooMany}`);
      ds = collectDataset({ envId, policy, episodes, seed, eps, envOptions });
    } catch (e) {
      // Bad env options surface as RangeError/TypeError from the env's constructor or reset.
      if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(e.message);
      throw e;
    }
    await asUserError(() => writeDatasetHdf5(out, ds), "--out");
    const seconds = (performance.now() - t0) / 1000;
    const r = summarize(ds.returns());
    const summary = {
      file: out,
      env: envId,
      policy: String(ds.metadata.policy),
      eps: policy === "medium" ? (eps ?? mediumEps(envId)) : undefined,
      seed,
      episodes: ds.numEpisodes,
      steps: ds.numSteps,
      return: r,
      seconds: Number(seconds.toFixed(3)),
    };
    if (values.json) {
      console.log(JSON.stringify(summary));
    } else {
      const f = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));
      console.log(`wrote ${out}: ${envId}, policy ${summary.policy}, seed ${seed}`);
      console.log(`  episodes ${ds.numEpisodes}, steps ${ds.numSteps}, ${seconds.toFixed(2)} s`);
      console.log(`  return ${f(r.mean)} ± ${f(r.std)}  (min ${f(r.min)}, max ${f(r.max)})`);
    }
    return 0;
  },
};
