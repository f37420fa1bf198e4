/**
 * An online SAC run in a MuJoCo locomotion env, the way D4RL made its behaviour policies: `startSteps` uniformly
 * random actions, then one gradient update per env step; every `evalEvery` steps the deterministic policy is
 * evaluated on `evalEpisodes` fixed-seed episodes and the actor is kept as a snapshot (the medium policy is picked
 * from these). Writes into `out`:
 *   random.safetensors               the randomly initialised actor (D4RL's `random` policy)
 *   snapshots/step-<N>.safetensors   the actor after N env steps, with its evaluation in the metadata
 *   log.jsonl                        a line per start or resume (its command), one per evaluation, a `done` line
 *   state/                           the latest checkpoint (agent, optimiser, replay buffer, counters, rng)
 * The loop yields to the event loop every 0.2 s so that a signal handler can ask it to stop.
 * A stopped run (Ctrl-C, SIGTERM) saves a checkpoint; `resume` continues from it. The episode that was running
 * is restarted on resume (its transitions stay in the buffer), so a resumed run is not bit-identical to an
 * uninterrupted one.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { make, type Env } from "../envs/index.js";
import { decodeSafetensors, encodeSafetensors } from "../io/safetensors.js";
import { makeFolders, writeFileAtomic } from "../io/fs-safe.js";
import { errorLine } from "../config/index.js";
import { Rng, type RngState } from "../tensor/index.js";
import { ReplayBuffer } from "./replay-buffer.js";
import { SAC_DEFAULTS, SacAgent, type SacConfig, type SacLosses } from "./sac-agent.js";

export interface SacRunOptions {
  envId: string;
  /** Total env steps. */
  steps: number;
  seed: number;
  out: string;
  startSteps?: number;
  evalEvery?: number;
  evalEpisodes?: number;
  checkpointEvery?: number;
  sac?: Partial<SacConfig>;
  /** Continue from out/state. */
  resume?: boolean;
  /** Called about every `progressSeconds` (default 10) and after each evaluation. */
  onProgress?: (p: SacProgress) => void;
  progressSeconds?: number;
  /** Polled every step: true stops the run after saving a checkpoint. */
  shouldStop?: () => boolean;
  /** Recorded in every saved policy's metadata (e.g. the command line). */
  command?: string;
}

export interface SacEvaluation {
  step: number;
  mean: number;
  std: number;
  returns: number[];
}

export interface SacProgress {
  step: number;
  steps: number;
  episodes: number;
  lastReturn: number | undefined;
  stepsPerSecond: number;
  losses: SacLosses | undefined;
  evaluation: SacEvaluation | undefined;
}

export interface SacRunResult {
  step: number;
  stopped: boolean;
  evaluations: SacEvaluation[];
  seconds: number;
}

interface RunState {
  format: "strl-sac-state/1";
  envId: string;
  seed: number;
  steps: number;
  step: number;
  episodes: number;
  rng: { act: RngState; update: RngState; env: RngState };
  optimizerSteps: number[];
  config: SacConfig;
  startSteps: number;
  evaluations: SacEvaluation[];
  seconds: number;
}

const EVAL_SEED = 1_000_003;

/** The undiscounted return of one episode of `act` from `env.reset({ seed })` to its end. */
export function episodeReturn(env: Env, seed: number, act: (observation: number[]) => number[]): number {
  let obs = env.reset({ seed }).observation;
  let total = 0;
  for (;;) {
    const r = env.step(act(obs));
    total += r.reward;
    obs = r.observation;
    if (r.terminated || r.truncated) return total;
  }
}

/** Mean and std of the deterministic policy's returns over `episodes` episodes with fixed reset seeds. */
export function evaluatePolicy(env: Env, agent: SacAgent, episodes: number, step: number): SacEvaluation {
  const policy = agent.policy();
  const seeds = new Rng(EVAL_SEED);
  const returns: number[] = [];
  for (let e = 0; e < episodes; e++) {
    returns.push(episodeReturn(env, seeds.nextU32(), (obs) => policy.act(obs).action));
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  return { step, mean, std, returns };
}

function saveCheckpoint(dir: string, agent: SacAgent, buffer: ReplayBuffer, state: RunState): void {
  makeFolders(dir);
  const agentBytes = encodeSafetensors(agent.stateArrays().map(([n, a]) => [n, { dtype: "F32", shape: [a.length], data: a }]));
  const n = buffer.size;
  const O = buffer.obsDim;
  const A = buffer.actDim;
  const replay = encodeSafetensors([
    ["obs", { dtype: "F32", shape: [n, O], data: buffer.obs.subarray(0, n * O) }],
    ["act", { dtype: "F32", shape: [n, A], data: buffer.act.subarray(0, n * A) }],
    ["rew", { dtype: "F32", shape: [n], data: buffer.rew.subarray(0, n) }],
    ["next_obs", { dtype: "F32", shape: [n, O], data: buffer.nextObs.subarray(0, n * O) }],
    ["done", { dtype: "F32", shape: [n], data: buffer.done.subarray(0, n) }],
  ]);
  // state.json last: it names the step the other two files belong to, so a crash between writes is detected.
  writeFileAtomic(join(dir, "agent.safetensors"), agentBytes);
  writeFileAtomic(join(dir, "replay.safetensors"), replay);
  writeFileAtomic(join(dir, "state.json"), `${JSON.stringify({ ...state, bufferSize: n })}\n`);
}

function loadCheckpoint(dir: string, agent: SacAgent, buffer: ReplayBuffer): RunState & { bufferSize: number } {
  const statePath = join(dir, "state.json");
  if (!existsSync(statePath)) throw new RangeError(`resume: ${dir} holds no checkpoint (state.json missing)`);
  let state: RunState & { bufferSize: number };
  try {
    state = JSON.parse(readFileSync(statePath, "utf8")) as RunState & { bufferSize: number };
  } catch (e) {
    throw new RangeError(`resume: ${statePath} is not valid JSON (${errorLine(e)})`);
  }
  if (state.format !== "strl-sac-state/1") throw new RangeError(`resume: ${statePath} is not a strl SAC checkpoint`);
  const agentSt = decodeSafetensors(readFileSync(join(dir, "agent.safetensors")), join(dir, "agent.safetensors"));
  for (const [name, arr] of agent.stateArrays()) {
    const t = agentSt.tensors.get(name);
    if (!t || t.data.length !== arr.length) throw new RangeError(`resume: ${dir}/agent.safetensors lacks '${name}' [${arr.length}]`);
    arr.set(t.data as Float32Array);
  }
  agent.setOptimizerSteps(state.optimizerSteps);
  const rep = decodeSafetensors(readFileSync(join(dir, "replay.safetensors")), join(dir, "replay.safetensors"));
  const n = state.bufferSize;
  const get = (k: string, len: number): Float32Array => {
    const t = rep.tensors.get(k);
    if (!t || t.data.length !== len) throw new RangeError(`resume: ${dir}/replay.safetensors: '${k}' must hold ${len} values`);
    return t.data as Float32Array;
  };
  buffer.obs.set(get("obs", n * buffer.obsDim));
  buffer.act.set(get("act", n * buffer.actDim));
  buffer.rew.set(get("rew", n));
  buffer.nextObs.set(get("next_obs", n * buffer.obsDim));
  buffer.done.set(get("done", n));
  buffer.size = n;
  return state;
}

/** Runs (or resumes) SAC; see the module comment. */
export async function runSac(o: SacRunOptions): Promise<SacRunResult> {
  const config: SacConfig = { ...SAC_DEFAULTS, ...o.sac };
  const startSteps = o.startSteps ?? 5000;
  const evalEvery = o.evalEvery ?? 10_000;
  const evalEpisodes = o.evalEpisodes ?? 10;
  const checkpointEvery = o.checkpointEvery ?? 25_000;
  const env = make(o.envId);
  const evalEnv = make(o.envId);
  const obsDim = env.observationSpace.shape[0]!;
  const actDim = env.actionSpace.kind === "box" ? env.actionSpace.shape[0]! : 0;
  if (actDim === 0) throw new RangeError(`SAC needs a continuous action space; ${o.envId} has a discrete one`);
  const root = new Rng(o.seed);
  const agent = new SacAgent(obsDim, actDim, config, root.fork("init"));
  const buffer = new ReplayBuffer(o.steps, obsDim, actDim);
  const stateDir = join(o.out, "state");
  const snapDir = join(o.out, "snapshots");
  makeFolders(snapDir);
  const meta = (extra: Record<string, string>): Record<string, string> => ({
    env_id: o.envId, seed: String(o.seed), algorithm: "SAC", command: o.command ?? "", ...extra,
  });
  let step = 0;
  let episodes = 0;
  let actRng = root.fork("act");
  let updateRng = root.fork("update");
  let envSeeds = root.fork("env");
  let evaluations: SacEvaluation[] = [];
  let secondsBefore = 0;
  if (o.resume) {
    const s = loadCheckpoint(stateDir, agent, buffer);
    if (s.envId !== o.envId || s.seed !== o.seed) throw new RangeError(`resume: the checkpoint is of ${s.envId} seed ${s.seed}, not ${o.envId} seed ${o.seed}`);
    step = s.step;
    episodes = s.episodes;
    actRng = Rng.fromState(s.rng.act);
    updateRng = Rng.fromState(s.rng.update);
    envSeeds = Rng.fromState(s.rng.env);
    evaluations = s.evaluations;
    secondsBefore = s.seconds;
  } else {
    writeFileAtomic(join(o.out, "random.safetensors"), agent.policy(meta({ policy: "random", step: "0" })).toSafetensors());
  }
  // one line per start or resume, so the log keeps every command that shaped the run
  appendFileSync(join(o.out, "log.jsonl"), `${JSON.stringify({ start: step, resume: o.resume === true, command: o.command ?? "", steps: o.steps })}\n`);
  const policy = agent.policy();
  const batch = ReplayBuffer.emptyBatch(config.batchSize, obsDim, actDim);
  const t0 = performance.now();
  const seconds = (): number => secondsBefore + (performance.now() - t0) / 1000;
  const state = (): RunState => ({
    format: "strl-sac-state/1", envId: o.envId, seed: o.seed, steps: o.steps, step, episodes,
    rng: { act: actRng.getState(), update: updateRng.getState(), env: envSeeds.getState() },
    optimizerSteps: agent.optimizerSteps(), config, startSteps, evaluations, seconds: seconds(),
  });
  let obs = env.reset({ seed: envSeeds.nextU32() }).observation;
  let epReturn = 0;
  let lastReturn: number | undefined;
  let losses: SacLosses | undefined;
  let lastProgress = performance.now();
  let stepsAtProgress = step;
  let stopped = false;
  const progress = (evaluation?: SacEvaluation): void => {
    const now = performance.now();
    const sps = ((step - stepsAtProgress) * 1000) / Math.max(1, now - lastProgress);
    lastProgress = now;
    stepsAtProgress = step;
    o.onProgress?.({ step, steps: o.steps, episodes, lastReturn, stepsPerSecond: sps, losses, evaluation });
  };
  let lastYield = performance.now();
  while (step < o.steps) {
    if (performance.now() - lastYield > 200) {
      await new Promise((resolve) => setImmediate(resolve)); // lets signal handlers run
      lastYield = performance.now();
    }
    if (o.shouldStop?.()) {
      stopped = true;
      break;
    }
    let action: number[];
    if (step < startSteps) {
      action = new Array<number>(actDim);
      for (let j = 0; j < actDim; j++) action[j] = actRng.uniform(-1, 1);
    } else {
      action = policy.act(obs, actRng).action;
    }
    const r = env.step(action);
    buffer.add(obs, action, r.reward, r.observation, r.terminated);
    epReturn += r.reward;
    obs = r.observation;
    step++;
    if (r.terminated || r.truncated) {
      episodes++;
      lastReturn = epReturn;
      epReturn = 0;
      obs = env.reset({ seed: envSeeds.nextU32() }).observation;
    }
    if (step >= startSteps) {
      buffer.sample(batch, updateRng);
      losses = agent.update(batch, updateRng);
    }
    if (step % evalEvery === 0 || step === o.steps) {
      const ev = evaluatePolicy(evalEnv, agent, evalEpisodes, step);
      evaluations.push(ev);
      const snap = agent.policy(meta({ policy: "snapshot", step: String(step), eval_mean: String(ev.mean), eval_std: String(ev.std), eval_episodes: String(evalEpisodes) }));
      writeFileAtomic(join(snapDir, `step-${step}.safetensors`), snap.toSafetensors());
      appendFileSync(join(o.out, "log.jsonl"), `${JSON.stringify({ step, episodes, eval_mean: ev.mean, eval_std: ev.std, eval_returns: ev.returns, alpha: agent.alpha, ...prefixed(losses), seconds: seconds() })}\n`);
      progress(ev);
    } else if (performance.now() - lastProgress > (o.progressSeconds ?? 10) * 1000) {
      progress();
    }
    if (step % checkpointEvery === 0 && step < o.steps) saveCheckpoint(stateDir, agent, buffer, state());
  }
  saveCheckpoint(stateDir, agent, buffer, state());
  if (!stopped) appendFileSync(join(o.out, "log.jsonl"), `${JSON.stringify({ done: true, step, seconds: seconds() })}\n`);
  env.close?.();
  evalEnv.close?.();
  return { step, stopped, evaluations, seconds: seconds() };
}

function prefixed(losses: SacLosses | undefined): Record<string, number> {
  if (!losses) return {};
  return { loss_critic: losses.critic, loss_actor: losses.actor, entropy: losses.entropy, q_mean: losses.q };
}
