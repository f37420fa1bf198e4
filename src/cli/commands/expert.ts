/** `strl expert`: train behaviour policies for the MuJoCo locomotion envs with SAC, as D4RL made its policies. */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { numberFlag, parseFlags, parseIntegerFlag, type Command } from "../command.js";
import { required } from "../flags.js";
import { UsageError } from "../usage-error.js";
import { isLocomotionEnv, LOCOMOTION_SPECS } from "../../envs/mujoco/index.js";
import { ready as envsReady } from "../../envs/index.js";
import { checkWritableFolder } from "../../io/index.js";
import { ready as tensorReady } from "../../tensor/index.js";
import { runSac, type SacProgress } from "../../online/sac-run.js";
import { shipExpertRun, writeMediumReplay } from "../../online/ship.js";
import { stopOnSignals } from "../train-run.js";
import { signalExitCode } from "../../experiments/sweep-pool.js";

const HELP = `strl expert — train a behaviour policy for a MuJoCo locomotion env with SAC (D4RL's recipe)

Usage: strl expert train --env ID --steps N --out DIR [--seed S] [--resume]
                         [--start-steps N] [--eval-every N] [--eval-episodes N] [--checkpoint-every N]
                         [--hidden 256,256] [--batch-size 256] [--json]
       strl expert ship --run DIR --out experts/ENV [--expert-step N|best] [--medium-step N] [--episodes 10]
                        [--medium-replay-only]

Envs: ${LOCOMOTION_SPECS.map((s) => s.id).join(", ")}.
Soft Actor-Critic with a learned temperature (target entropy -actDim), two critics and Polyak-averaged targets
(tau 0.005), gamma 0.99, Adam lr 3e-4, batch 256, two hidden layers of 256 (ReLU); --start-steps (default 5000)
uniformly random actions, then one update per env step. Every --eval-every env steps (default 10000) the
deterministic policy (tanh of the mean) is evaluated on --eval-episodes (default 10) fixed-seed episodes and the
actor is kept as DIR/snapshots/step-N.safetensors with its evaluation; DIR/random.safetensors is the initial
(random) actor, DIR/log.jsonl has one line per evaluation.
Ctrl-C or SIGTERM saves a checkpoint (DIR/state/: networks, optimisers, replay buffer) and exits 130 (SIGINT) or 143 (SIGTERM); --resume
continues from it (the interrupted episode restarts). A checkpoint is also written every --checkpoint-every env
steps (default 25000). The matrix products run on the native engine; STRL_THREADS=1 suits one run per core.

ship writes the policies strl collect uses (D4RL's definitions): expert = the actor at --expert-step (default: the
run's last evaluation, as D4RL; 'best': the highest deterministic evaluation), medium = the first snapshot whose evaluation reaches a third of the expert's (D4RL
stopped its run early at a medium level; or --medium-step), random = the initial actor, medium-replay = the replay buffer until the medium step; and
manifest.json with the commands, seed, steps and each policy's sampled return over --episodes episodes (100 or
more make them strl's own score references). medium-replay is a dataset and is not committed: the manifest gives
the commands that rebuild it (the run cut at the medium step, then ship --medium-replay-only, which writes the
run's whole buffer, or its first --medium-step transitions, as medium-replay.safetensors).

Examples:
  strl expert train --env Hopper-v5 --steps 300000 --seed 0 --out runs/expert-hopper
  strl expert train --env Hopper-v5 --steps 300000 --seed 0 --out runs/expert-hopper --resume
  strl expert ship --run runs/expert-hopper --out experts/Hopper-v5
`;

const FLAGS = {
  env: { type: "string" }, steps: { type: "string" }, out: { type: "string" }, seed: { type: "string" },
  resume: { type: "boolean" }, "start-steps": { type: "string" }, "eval-every": { type: "string" },
  "eval-episodes": { type: "string" }, "checkpoint-every": { type: "string" }, hidden: { type: "string", list: true },
  "batch-size": { type: "string" }, json: { type: "boolean" },
} as const;

async function train(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, FLAGS);
  const envId = required("env", v.env);
  if (!isLocomotionEnv(envId)) throw new UsageError(`--env must be a MuJoCo locomotion env (${LOCOMOTION_SPECS.map((s) => s.id).join(", ")}), got '${envId}'`);
  const steps = parseIntegerFlag("steps", required("steps", v.steps), { min: 1, max: 10_000_000 });
  const out = required("out", v.out);
  const seed = numberFlag("seed", v.seed, 0, { integer: true, min: 0, max: 2 ** 32 - 1 });
  const startSteps = numberFlag("start-steps", v["start-steps"], 5000, { integer: true, min: 0, max: 10_000_000 });
  const evalEvery = numberFlag("eval-every", v["eval-every"], 10_000, { integer: true, min: 1, max: 10_000_000 });
  const evalEpisodes = numberFlag("eval-episodes", v["eval-episodes"], 10, { integer: true, min: 1, max: 1000 });
  const checkpointEvery = numberFlag("checkpoint-every", v["checkpoint-every"], 25_000, { integer: true, min: 1, max: 10_000_000 });
  const batchSize = numberFlag("batch-size", v["batch-size"], 256, { integer: true, min: 1, max: 8192 });
  const hidden = (v.hidden ?? ["256", "256"]).map((h) => parseIntegerFlag("hidden", h, { min: 1, max: 4096 }));
  if (!v.resume && existsSync(join(out, "log.jsonl"))) throw new UsageError(`--out ${out} already holds an expert run (log.jsonl); pass --resume to continue it`);
  checkWritableFolder(out);
  await tensorReady();
  await envsReady();
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const stop = stopOnSignals(say);
  const command = `strl expert train ${argv.join(" ")}`;
  const onProgress = (p: SacProgress): void => {
    if (v.json) {
      process.stdout.write(`${JSON.stringify({ step: p.step, episodes: p.episodes, last_return: p.lastReturn, steps_per_s: p.stepsPerSecond, eval: p.evaluation, losses: p.losses })}\n`);
      return;
    }
    const ev = p.evaluation ? ` eval ${p.evaluation.mean.toFixed(1)} ± ${p.evaluation.std.toFixed(1)}` : "";
    const last = p.lastReturn === undefined ? "" : ` last return ${p.lastReturn.toFixed(1)}`;
    const eta = p.stepsPerSecond > 0 ? ` ~${Math.round((p.steps - p.step) / p.stepsPerSecond / 60)} min left` : "";
    say(`${envId} step ${p.step}/${p.steps} episodes ${p.episodes}${last}${ev} ${p.stepsPerSecond.toFixed(0)} steps/s${eta}`);
  };
  try {
    const r = await runSac({
      envId, steps, seed, out, resume: v.resume === true, startSteps, evalEvery, evalEpisodes, checkpointEvery,
      sac: { hidden, batchSize }, onProgress, shouldStop: () => stop.signal.aborted, command,
    });
    const last = r.evaluations[r.evaluations.length - 1];
    const summary = { env: envId, step: r.step, stopped: r.stopped, seconds: r.seconds, last_eval: last ? { mean: last.mean, std: last.std } : null };
    if (v.json) process.stdout.write(`${JSON.stringify({ summary })}\n`);
    else console.log(`${envId}: ${r.stopped ? "stopped" : "finished"} at step ${r.step} after ${(r.seconds / 60).toFixed(1)} min${last ? `; last evaluation ${last.mean.toFixed(1)} ± ${last.std.toFixed(1)} over ${last.returns.length} episodes` : ""}`);
    return r.stopped ? signalExitCode(stop.received() ?? "SIGINT") : 0;
  } finally {
    stop.dispose();
  }
}

async function ship(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { run: { type: "string" }, out: { type: "string" }, "expert-step": { type: "string" }, "medium-step": { type: "string" }, episodes: { type: "string" }, "medium-replay-only": { type: "boolean" } });
  const run = required("run", v.run);
  const out = required("out", v.out);
  const expertStep = v["expert-step"] === undefined ? undefined : v["expert-step"] === "best" ? "best" : parseIntegerFlag("expert-step", v["expert-step"], { min: 1 });
  const mediumStep = v["medium-step"] === undefined ? undefined : parseIntegerFlag("medium-step", v["medium-step"], { min: 1 });
  const episodes = numberFlag("episodes", v.episodes, 10, { integer: true, min: 1, max: 10_000 });
  // no folder is made before the run has been read: a bad --run leaves nothing behind
  if (v["medium-replay-only"]) {
    const envId = basename(out);
    const n = writeMediumReplay(run, out, mediumStep, envId);
    console.log(`wrote ${join(out, "medium-replay.safetensors")}: the first ${n} transitions of ${run}'s replay buffer`);
    return 0;
  }
  await tensorReady();
  await envsReady();
  const m = shipExpertRun({ run, out, expertStep, mediumStep, episodes, command: `strl expert ship ${argv.join(" ")}` });
  console.log(JSON.stringify(m, null, 2));
  return 0;
}

export const command: Command = {
  summary: "train MuJoCo behaviour policies with SAC (expert, medium and random, as D4RL made them)",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "train") return train(rest);
    if (sub === "ship") return ship(rest);
    throw new UsageError(sub === undefined ? "expert needs a subcommand: train or ship" : `unknown expert subcommand '${sub}'; known: train, ship`);
  },
};
