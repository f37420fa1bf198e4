/**
 * Turns a finished `strl expert train` run into the shipped behaviour policies of its env (D4RL's definitions):
 * expert = the actor at the expert step (the run's last evaluation unless chosen), medium = the first snapshot
 * whose evaluation reaches a third of the expert's (D4RL stopped its run early at a medium level), random = the initial actor, medium-replay = the replay
 * buffer's first `mediumStep` transitions. Writes `<out>/{random,medium,expert}.safetensors`,
 * `medium-replay.safetensors` and `manifest.json` (commands, seed, steps, measured returns).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { make } from "../envs/index.js";
import { SquashedGaussianPolicy } from "../envs/mujoco/gaussian-policy.js";
import { decodeSafetensors, encodeSafetensors, type TensorData } from "../io/safetensors.js";
import { makeFolders, writeFileAtomic } from "../io/fs-safe.js";
import { Rng } from "../tensor/index.js";
import { episodeReturn } from "./sac-run.js";

export interface ShipOptions {
  run: string;
  out: string;
  /** The snapshot to ship as expert: a step, "best" (the highest deterministic evaluation), or the last (default). */
  expertStep?: number | "best";
  /** The snapshot to ship as medium (default: evaluation closest to a third of the expert's). */
  mediumStep?: number;
  /** Episodes per policy for the returns in the manifest. */
  episodes: number;
  command: string;
}

interface EvalLine {
  step: number;
  eval_mean: number;
  eval_std: number;
  seconds: number;
}

export interface PolicyReturns {
  mean: number;
  std: number;
  n: number;
  returns: number[];
}

/** Returns of a policy sampled as collection samples it, over `episodes` episodes with fixed seeds. */
export function measureReturns(envId: string, policy: SquashedGaussianPolicy, episodes: number, seed: number): PolicyReturns {
  const env = make(envId);
  const root = new Rng(seed);
  const envSeeds = root.fork("env");
  const rng = root.fork("policy");
  const returns: number[] = [];
  for (let e = 0; e < episodes; e++) {
    returns.push(episodeReturn(env, envSeeds.nextU32(), (obs) => policy.act(obs, rng).action));
  }
  env.close?.();
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, episodes - 1));
  return { mean, std, n: episodes, returns };
}

/**
 * The run's log.jsonl in one read: its evaluations, and the commands of its start and resume lines (a run extended
 * with --resume has several).
 */
function readRunLog(run: string): { evals: EvalLine[]; commands: Array<{ start: number; command: string }> } {
  const path = join(run, "log.jsonl");
  if (!existsSync(path)) throw new RangeError(`${run} is not an expert run (no log.jsonl)`);
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "");
  const evals: EvalLine[] = [];
  const commands: Array<{ start: number; command: string }> = [];
  lines.forEach((l, i) => {
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch {
      throw new RangeError(`${path}:${i + 1} is not JSON`);
    }
    const e = v as Partial<EvalLine> & { start?: unknown; command?: unknown };
    if (typeof e.step === "number" && typeof e.eval_mean === "number") evals.push(e as EvalLine);
    if (typeof e.start === "number" && typeof e.command === "string") commands.push({ start: e.start, command: e.command });
  });
  if (evals.length === 0) throw new RangeError(`${path} holds no evaluation yet`);
  return { evals, commands };
}

function readSnapshot(run: string, step: number): SquashedGaussianPolicy {
  const path = join(run, "snapshots", `step-${step}.safetensors`);
  if (!existsSync(path)) throw new RangeError(`${run} has no snapshot at step ${step} (${path})`);
  return SquashedGaussianPolicy.fromSafetensors(readFileSync(path), path);
}

/**
 * Writes `<out>/medium-replay.safetensors`: the first `n` transitions of the run's replay buffer (one per env step,
 * in order; all of them when `n` is undefined).
 */
export function writeMediumReplay(run: string, out: string, n: number | undefined, envId: string): number {
  const replayPath = join(run, "state", "replay.safetensors");
  if (!existsSync(replayPath)) throw new RangeError(`${run} has no replay buffer (${replayPath})`);
  const rep = decodeSafetensors(readFileSync(replayPath), replayPath);
  const total = rep.tensors.get("rew")?.shape[0] ?? 0;
  const upTo = n ?? total;
  const cut = (k: string): [string, TensorData] => {
    const t = rep.tensors.get(k);
    if (!t) throw new RangeError(`${replayPath} lacks '${k}'`);
    const width = t.shape.length > 1 ? t.shape[1]! : 1;
    if (t.shape[0]! < upTo) throw new RangeError(`${replayPath} holds ${t.shape[0]} transitions, fewer than the medium step ${upTo}`);
    return [k, { dtype: "F32", shape: t.shape.length > 1 ? [upTo, width] : [upTo], data: (t.data as Float32Array).slice(0, upTo * width) }];
  };
  const tensors = ["obs", "act", "rew", "next_obs", "done"].map(cut);
  makeFolders(out);
  writeFileAtomic(join(out, "medium-replay.safetensors"), encodeSafetensors(tensors, { env_id: envId, until_step: String(upTo) }));
  return upTo;
}

/**
 * The commands that rebuild medium-replay: the run's first command cut at the medium step (a SAC run is
 * deterministic for its seed, so the buffer's first n transitions come back bit for bit when no resume came
 * before step n), then `ship --medium-replay-only`.
 */
function regenerateCommands(commands: Array<{ start: number; command: string }>, envId: string, n: number): string {
  const first = commands.find((c) => c.start === 0)?.command ?? "";
  const dir = `runs/${envId}-until-medium`;
  const train = first.replace(/--steps \S+/, `--steps ${n}`).replace(/--out \S+/, `--out ${dir}`).replace(/ --resume\b/, "");
  return `${train} && strl expert ship --run ${dir} --out experts/${envId} --medium-replay-only`;
}

export function shipExpertRun(o: ShipOptions): Record<string, unknown> {
  const { evals, commands } = readRunLog(o.run);
  const expertEval = o.expertStep === undefined
    ? evals[evals.length - 1]!
    : o.expertStep === "best"
      ? evals.reduce((best, e) => (e.eval_mean > best.eval_mean ? e : best))
      : evals.find((e) => e.step === o.expertStep);
  if (!expertEval) throw new RangeError(`${o.run}: no evaluation at step ${o.expertStep}`);
  const candidates = evals.filter((e) => e.step < expertEval.step);
  const third = expertEval.eval_mean / 3;
  // D4RL stopped its SAC run early "when the policy reached a medium level": the first snapshot whose evaluation
  // reaches a third of the expert's (the closest one when none does)
  const closest = candidates.reduce<EvalLine | undefined>((best, e) => (!best || Math.abs(e.eval_mean - third) < Math.abs(best.eval_mean - third) ? e : best), undefined);
  const mediumEval = o.mediumStep === undefined ? (candidates.find((e) => e.eval_mean >= third) ?? closest) : candidates.find((e) => e.step === o.mediumStep);
  if (!mediumEval) throw new RangeError(`${o.run}: no evaluation before the expert step to serve as medium${o.mediumStep === undefined ? "" : ` at step ${o.mediumStep}`}`);
  const expert = readSnapshot(o.run, expertEval.step);
  const medium = readSnapshot(o.run, mediumEval.step);
  const randomPath = join(o.run, "random.safetensors");
  const random = SquashedGaussianPolicy.fromSafetensors(readFileSync(randomPath), randomPath);
  const envId = expert.metadata.env_id ?? "";
  const trainCommand = expert.metadata.command ?? "";
  // runs logged before start lines existed: the random actor's metadata holds the first command
  if (!commands.some((c) => c.start === 0) && random.metadata.command) commands.unshift({ start: 0, command: random.metadata.command });
  const n = writeMediumReplay(o.run, o.out, mediumEval.step, envId); // first: it checks the buffer before anything is written
  const withName = (p: SquashedGaussianPolicy, name: string): SquashedGaussianPolicy => new SquashedGaussianPolicy(p.net, { ...p.metadata, policy: name, shipped_by: o.command });
  writeFileAtomic(join(o.out, "expert.safetensors"), withName(expert, "expert").toSafetensors());
  writeFileAtomic(join(o.out, "medium.safetensors"), withName(medium, "medium").toSafetensors());
  writeFileAtomic(join(o.out, "random.safetensors"), withName(random, "random").toSafetensors());
  const returns = {
    random: measureReturns(envId, random, o.episodes, 1),
    medium: measureReturns(envId, medium, o.episodes, 1),
    expert: measureReturns(envId, expert, o.episodes, 1),
  };
  const manifest = {
    env_id: envId,
    algorithm: "SAC",
    train_command: trainCommand,
    train_commands: commands,
    seed: Number(expert.metadata.seed),
    expert_step: expertEval.step,
    expert_choice: o.expertStep === undefined ? "the run's last evaluation (D4RL's final policy)" : o.expertStep === "best" ? "the snapshot with the highest deterministic evaluation (10 fixed-seed episodes) of the run; D4RL took the final policy" : `step ${o.expertStep}, chosen by hand`,
    medium_step: mediumEval.step,
    medium_choice: o.mediumStep !== undefined ? "chosen by hand" : mediumEval.eval_mean >= third ? "the first snapshot whose deterministic evaluation reaches a third of the expert's" : "no snapshot reaches a third of the expert's: the closest",
    training_minutes: Math.round(expertEval.seconds / 6) / 10,
    deterministic_evaluation: { expert: { mean: expertEval.eval_mean, std: expertEval.eval_std }, medium: { mean: mediumEval.eval_mean, std: mediumEval.eval_std } },
    sampled_returns: Object.fromEntries(Object.entries(returns).map(([k, r]) => [k, { mean: r.mean, std: r.std, n: r.n }])),
    returns_note: `sampled_returns: ${o.episodes} episodes of each policy sampled as strl collect samples it (reset seeds from Rng(1)); std is the sample standard deviation`,
    medium_replay: {
      transitions: n,
      note: "the replay buffer's first medium_step transitions (no infos/qpos, qvel); a dataset, so not committed: regenerate it with the commands below",
      regenerate: regenerateCommands(commands, envId, n),
      exact: commands.every((c) => c.start === 0 || c.start >= n),
    },
    ship_command: o.command,
  };
  writeFileAtomic(join(o.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
