/**
 * D4RL's `medium-replay` dataset of a MuJoCo locomotion env: every transition the SAC run stored in its replay
 * buffer until the medium snapshot, in the order they happened. `strl expert ship` saves that prefix of the
 * buffer as `experts/<env>/medium-replay.safetensors` (not committed: the manifest's `medium_replay.regenerate`
 * commands rebuild it, bit for bit where the run was not resumed before the medium step) (obs [N, obsDim], act [N, actDim], rew [N], next_obs
 * [N, obsDim], done [N] = terminated). Episodes are recovered from it: an episode ends at a terminal row, or where
 * the next row does not start from this row's next observation (the env was reset: a time-limit truncation), or
 * at the end of the prefix (an unfinished episode, marked truncated). The simulator states (infos/qpos, qvel) were
 * not kept in the buffer, so this dataset has none.
 */
import { existsSync, readFileSync } from "node:fs";
import { decodeSafetensors } from "../io/safetensors.js";
import { make } from "../envs/index.js";
import { VERSION } from "../version.js";
import { expertsFolder } from "./locomotion-policies.js";
import { Dataset, type Trajectory } from "./trajectory.js";
import { join } from "node:path";

export function mediumReplayPath(envId: string): string {
  return join(expertsFolder() ?? "experts", envId, "medium-replay.safetensors");
}

/** The first `episodes` episodes of the shipped medium-replay buffer (all of them when it holds fewer). */
export function mediumReplayDataset(envId: string, episodes: number, seed: number): Dataset {
  const path = mediumReplayPath(envId);
  if (!existsSync(path)) throw new RangeError(`${envId}'s medium-replay buffer is not built here (${path} is missing; a dataset, so not committed): run the commands under medium_replay.regenerate in ${envId}/manifest.json`);
  const st = decodeSafetensors(readFileSync(path), path);
  const env = make(envId);
  env.close?.(); // only its spaces are needed
  const O = env.observationSpace.shape[0]!;
  const A = env.actionSpace.kind === "box" ? env.actionSpace.shape[0]! : 1;
  const rew = st.tensors.get("rew")?.data;
  const n = rew?.length ?? -1;
  const get = (k: string, width: number): Float32Array => {
    const t = st.tensors.get(k);
    if (!t || t.dtype !== "F32" || t.data.length !== n * width) throw new RangeError(`${path}: '${k}' must be F32 [${n}, ${width}] for ${envId}`);
    return t.data as Float32Array;
  };
  if (n < 1) throw new RangeError(`${path}: 'rew' is missing or empty`);
  const obs = get("obs", O);
  const act = get("act", A);
  const next = get("next_obs", O);
  const done = get("done", 1);
  const rewards = get("rew", 1);
  const trajectories: Trajectory[] = [];
  let start = 0;
  for (let i = 0; i < n && trajectories.length < episodes; i++) {
    const terminated = done[i] === 1;
    const last = i === n - 1;
    let reset = false;
    if (!terminated && !last) for (let d = 0; d < O && !reset; d++) reset = next[i * O + d] !== obs[(i + 1) * O + d];
    if (!(terminated || reset || last)) continue;
    trajectories.push({
      observations: obs.slice(start * O, (i + 1) * O), // [len, obsDim]
      actions: act.slice(start * A, (i + 1) * A), // [len, actDim]
      rewards: rewards.slice(start, i + 1), // [len]
      terminated,
      truncated: !terminated,
    });
    start = i + 1;
  }
  const metadata = { policy: "medium-replay", seed, episodes: trajectories.length, collected_by: `strl ${VERSION}`, source: "the SAC run's replay buffer until the medium snapshot (experts/<env>/medium-replay.safetensors)" };
  return new Dataset({ envId, obsDim: O, actionSpace: env.actionSpace, trajectories, metadata });
}
