/** `strl train`: train a model on a dataset file and write a checkpoint folder. */
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine, oneOf } from "../command.js";
import { readJsonFlag, required } from "../flags.js";
import { UsageError, asUserError } from "../usage-error.js";
import { Dataset, readDatasetHdf5 } from "../../data/index.js";
import { ConfigError, parseConfig, rejectUnknownKeys } from "../../config/index.js";
import { checkWritableFolder } from "../../io/index.js";
import { TRAIN_SPEC } from "../../train/index.js";
import { checkDatasetFitsEnv, readyForEnv } from "../../experiments/env-check.js";
import { datasetEnvOptions } from "../../experiments/pipeline.js";
import { trainingMazes } from "../../experiments/evaluate.js";
import { checkTrainingFits } from "../../experiments/memory.js";
import { MODEL_KINDS, type ModelKind } from "../../models/index.js";
import { canonicalEnvId, isEnvId, registeredIds, resolveEnvId } from "../../envs/index.js";
import { PRESETS, type Preset } from "../../experiments/presets.js";
import { trainOnDataset, type TrainRun } from "../../experiments/pipeline.js";
import { spikeHealthWarnings } from "../../train/index.js";
import type { AnyModel } from "../../models/index.js";
import { evalSizeProblem, evaluateClosedLoop } from "../../eval/index.js";
import { defaultTargets } from "../checkpoint-args.js";
import { parseKeep, readRunToResume, refuseModelChangeOnResume, refuseOverwrite, stopOnSignals, type SavedRunInfo } from "../train-run.js";
import { signalExitCode } from "../../experiments/sweep-pool.js";
import { resolveSettings, tensorboardFolder } from "../run-settings.js";

const HELP = `strl train — train STRL, ANN-STRL, a Decision Transformer or BC on a dataset

Usage: strl train [--env ID] --data FILE --model strl|ann-strl|dt|bc --out DIR
                  [--config FILE] [--preset tiny|small|paper] [--steps N] [--batch-size B] [--lr X] [--seed N]
                  [--eval-every N] [--eval-episodes N] [--checkpoint-every N] [--keep last|best,last]
                  [--tensorboard DIR] [--resume | --force] [--print-config] [--json | --quiet | --progress]
${ENGINE_HELP}

The dataset is an HDF5 file in the D4RL/Minari layout (e.g. from \`strl collect\`, a D4RL locomotion file such as
hopper-medium-v2.hdf5, or a Minari dataset's data/main_data.hdf5). --env defaults to the env the file names (its
env id or Minari's env_spec) or, for D4RL files, the env its name maps to: hopper-* -> Hopper-v5, walker2d-* ->
Walker2d-v5, halfcheetah-* -> HalfCheetah-v5 (D4RL's data was recorded on v2 envs, evaluated here on v5). Episodes are split 70/15/15
(seeded); states are normalised with the training split's mean/std and returns-to-go divided by the largest
|return| of the training split. The run folder gets checkpoint/ (config.json, model.safetensors, optimizer and
trainer state) and log.jsonl. Validation accuracy (discrete) or MSE (continuous) and each LIF layer's firing
rate are computed on the held-out 15% every --eval-every updates and at the end.

Defaults: --steps 1000, --batch-size 32, --lr 1e-3 (cosine to 0 after a linear warm-up over the first 10% of
the steps), --seed 0, --preset small, --eval-every 100, --checkpoint-every 250, --keep last.
--print-config prints the resolved model and training config as JSON and exits.

Runs survive interruption: Ctrl-C (SIGINT) or SIGTERM saves a checkpoint after the current update and exits
with code 130 (SIGINT) or 143 (SIGTERM) (a second one quits without saving); checkpoints are replaced atomically. An --out that already
holds a run is refused unless --resume or --force (which replaces it).
--resume continues the run in --out from its last checkpoint with its saved config and settings (--eval-every,
--eval-episodes, --checkpoint-every, --keep, the output mode, --tensorboard); flags may change only --steps and
those settings, and each one changed is named on stderr. The losses equal those of an uninterrupted run, bit for bit.
--resume --steps M extends a run (finished or not) to M updates: the learning rate then follows the cosine
planned for M steps from where the run stopped (it steps up once, to that curve's value, then decays to the
floor at step M); warm-up is not repeated.
--eval-episodes N also logs the closed-loop return at the expert's return as target (N episodes, seed 0); an
env without an expert policy (the MuJoCo envs for now) takes the best episode return in --data as target. On a
maze env it also logs training_mazes: the share of those episodes played on a maze of the training data (0: all
on unseen mazes; the evaluation falls back to seen mazes only when too few unseen ones exist).
--keep best,last also keeps the best validation checkpoint so far in checkpoint-best/.
--tensorboard DIR also writes every number of log.jsonl (loss, lr, grad norm, validation, closed-loop return,
firing rate per LIF layer) as TensorBoard scalars to a new event file in DIR (docs/tensorboard.md):
tensorboard --logdir DIR. A resumed run keeps writing there, to a new file.

Output: on a terminal one live progress line on stderr, elsewhere a progress line every 10% on stderr; the
summary on stdout. --json prints one JSON line per update and a final {"summary": ...} line on stdout.
--quiet prints no progress, only the summary (and warnings, on stderr). --progress is the default output
(a resumed run otherwise keeps the output mode it was started with).
After training, a spiking layer that is silent (rate 0) or saturated (rate >= 0.95) is named in a warning.

The config file holds every option: { "preset": "small", "model": { model config fields },
"train": { steps, batchSize, accumulate, lr, minLr, weightDecay, warmupSteps, schedule, gradClip, seed, evalEvery,
checkpointEvery, logEvery }, "rtgScale": number }. Flags override it.
Paper mode (the published non-causal attention, which leaks the next action) is "model": { "causal": false }.

Examples:
  strl collect --env Maze-v0 --policy expert --episodes 2000 --seed 0 --out maze.h5
  strl train --env Maze-v0 --data maze.h5 --model strl --preset tiny --steps 300 --out runs/strl
  strl train --env CartPole-v1 --data cartpole.h5 --model dt --config dt.json --out runs/dt --json
  strl train --data hopper-medium-v2.hdf5 --model dt --steps 1000 --eval-episodes 5 --out runs/hopper
  strl train --data maze.h5 --out runs/strl --resume                 # continue after Ctrl-C
  strl train --data maze.h5 --out runs/strl --resume --steps 600     # extend a finished run`;

function obj(where: string, v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`--config: '${where}' must be an object`);
  return v as Record<string, unknown>;
}

/**
 * Reads the dataset for `--env`, or without it for the env the file names (its env id, Minari's `env_spec`, or a
 * D4RL file name such as hopper-medium-v2.hdf5 -> Hopper-v5). A file recorded for another registered env is
 * refused; a file that names no registered env, or only by its file name, is taken as `--env`'s. Either way its
 * observation and action spaces must fit the env.
 */
async function loadTrainingData(path: string, flagEnv: string | undefined, say: (line: string) => void): Promise<Dataset> {
  let ds = await asUserError(() => readDatasetHdf5(path), `--data ${path}`);
  const named = ds;
  const byFileName = ds.metadata.env_id_source === "file name";
  if (flagEnv === undefined && !isEnvId(ds.envId)) {
    throw new UsageError(`--data ${path} names no environment strl knows (${ds.envId === "unknown" ? "no env id in the file or its name" : `it says '${ds.envId}'`}); pass --env ID`);
  }
  // An older id (envs/aliases.ts) names a size: it must agree with the data's options.
  const envId = await asUserError(() => resolveEnvId(flagEnv ?? named.envId, datasetEnvOptions(named)), "--env");
  if (ds.envId !== envId) {
    if (isEnvId(ds.envId) && !byFileName) throw new UsageError(`--data ${path} was collected on '${ds.envId}', not '${envId}'`);
    ds = new Dataset({ envId, obsDim: ds.obsDim, actionSpace: ds.actionSpace, trajectories: ds.trajectories, metadata: { ...ds.metadata, file_env_id: ds.envId } });
  }
  const data = ds;
  await readyForEnv(envId);
  await asUserError(() => checkDatasetFitsEnv(`--data ${path}`, data, envId, datasetEnvOptions(data)));
  if (flagEnv === undefined && byFileName) say(`--data ${path}: env ${envId}, from the file name (pass --env to choose another)`);
  return ds;
}

/** The dataset's env for a run: `--env`, else (resuming) the run's own, else (undefined) the one the data names. */
function pickEnv(flag: string | undefined, saved: SavedRunInfo | undefined): string | undefined {
  const envId = flag ?? saved?.envId;
  if (envId === undefined) return undefined;
  if (!isEnvId(envId)) oneOf("environment", envId, registeredIds());
  if (saved && canonicalEnvId(envId) !== saved.envId) throw new UsageError(`--resume: the run in --out was trained on '${saved.envId}', not '${envId}'`);
  return envId;
}

export const command: Command = {
  summary: "train a model on a dataset file (checkpoint + log; resumable)",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...ENGINE_FLAG,
      env: { type: "string" },
      data: { type: "string" },
      model: { type: "string" },
      out: { type: "string" },
      config: { type: "string" },
      preset: { type: "string" },
      steps: { type: "string" },
      "batch-size": { type: "string" },
      lr: { type: "string" },
      seed: { type: "string" },
      "eval-every": { type: "string" },
      "eval-episodes": { type: "string" },
      "checkpoint-every": { type: "string" },
      keep: { type: "string", list: true },
      tensorboard: { type: "string" },
      progress: { type: "boolean" },
      resume: { type: "boolean" },
      force: { type: "boolean" },
      "print-config": { type: "boolean" },
      json: { type: "boolean" },
      quiet: { type: "boolean" },
    });
    if (values.resume && values.force) throw new UsageError("--resume and --force exclude each other (continue the run, or replace it)");
    if ([values.json, values.quiet, values.progress].filter(Boolean).length > 1) throw new UsageError("--json, --quiet and --progress exclude each other (one output mode)");
    const dataPath = required("data", values.data);
    const out = required("out", values.out);
    const saved = values.resume ? await readRunToResume(out) : undefined;
    if (saved?.recoveredFrom) process.stderr.write(`strl train: warning: --resume: ${out}/checkpoint is missing or dangles (a save cut short?); resuming from ${saved.recoveredFrom}, the newest complete version (step ${saved.step})\n`);
    const envId = pickEnv(values.env, saved);
    const kind = (values.model ?? saved?.kind ?? required<string>("model", undefined)) as ModelKind;
    oneOf("model", kind, MODEL_KINDS);
    if (saved && kind !== saved.kind) throw new UsageError(`--resume: the run in --out is a '${saved.kind}' model, not '${kind}'`);
    if (!values["print-config"]) refuseOverwrite(out, Boolean(values.resume), Boolean(values.force));
    const keepFlag = values.keep === undefined ? undefined : parseKeep(values.keep).best ? "best,last" : "last";
    const tensorboardFlag = values.tensorboard === undefined ? undefined : await tensorboardFolder(values.tensorboard, false);
    const cfg = obj("(root)", values.config ? readJsonFlag("config", values.config) : {});
    await asUserError(() => rejectUnknownKeys("", cfg, ["preset", "model", "train", "rtgScale"]), `--config ${values.config}`);
    await asUserError(() => rejectUnknownKeys("train", obj("train", cfg.train), Object.keys(TRAIN_SPEC)), `--config ${values.config}`);
    if (cfg.preset !== undefined && typeof cfg.preset !== "string") throw new UsageError(`--config ${values.config}: preset must be text (${PRESETS.join(", ")}), got ${JSON.stringify(cfg.preset)}`);
    const preset = (values.preset ?? cfg.preset ?? "small") as Preset;
    oneOf("preset", String(preset), PRESETS);
    const int = (flag: string, min: number) => (values[flag as "steps"] === undefined ? undefined : numberFlag(flag, values[flag as "steps"], 0, { integer: true, min }));
    const steps = int("steps", 1) ?? (obj("train", cfg.train).steps as number | undefined) ?? saved?.train.steps ?? 1000;
    // A fresh run's defaults; a resumed run starts from its saved config. Then --config, then flags.
    const base: Record<string, unknown> = saved ? { ...saved.train } : { seed: 0, warmupSteps: Math.floor(steps / 10), evalEvery: Math.min(100, steps), checkpointEvery: 250 };
    const trainCfg: Record<string, unknown> = { ...base, ...obj("train", cfg.train), steps };
    if (values["batch-size"] !== undefined) trainCfg.batchSize = int("batch-size", 1);
    if (values.lr !== undefined) trainCfg.lr = numberFlag("lr", values.lr, 0, { min: 0 });
    if (values.seed !== undefined) trainCfg.seed = numberFlag("seed", values.seed, 0, { integer: true, min: 0, max: 0xffffffff });
    if (values["eval-every"] !== undefined) trainCfg.evalEvery = int("eval-every", 0);
    if (values["checkpoint-every"] !== undefined) trainCfg.checkpointEvery = int("checkpoint-every", 0);
    const evalEpisodesFlag = int("eval-episodes", 0);
    const tooMany = evalSizeProblem(evalEpisodesFlag ?? 0);
    if (tooMany) throw new UsageError(`--eval-episodes ${evalEpisodesFlag}: ${tooMany}`);
    const resolvedTrain = await asUserError(() => {
      const t = parseConfig("train", trainCfg, TRAIN_SPEC);
      if (t.minLr > t.lr) throw new ConfigError(`train.minLr must be <= lr (${t.lr}), got ${t.minLr}`);
      return t;
    }, values.config ? `--config ${values.config}` : undefined);
    const rtgScale = cfg.rtgScale as number | undefined;
    if (rtgScale !== undefined && !(typeof rtgScale === "number" && Number.isFinite(rtgScale) && rtgScale > 0)) {
      throw new UsageError(`--config ${values.config}: rtgScale must be a number > 0 (not text), got ${JSON.stringify(cfg.rtgScale)}`);
    }
    const outputFlag = values.json ? "json" : values.quiet ? "quiet" : values.progress ? "default" : undefined;
    const given = { evalEpisodes: evalEpisodesFlag, keep: keepFlag, output: outputFlag, tensorboard: tensorboardFlag } as const;
    const { settings, notes } = resolveSettings(given, saved ? { settings: saved.settings, train: saved.train, resolvedTrain } : undefined);
    const { evalEpisodes } = settings;
    const keep = { best: settings.keep === "best,last" };
    if (saved) refuseModelChangeOnResume(saved, kind, { preset: values.preset !== undefined ? "--preset" : cfg.preset !== undefined ? `--config ${values.config}: preset` : undefined, value: preset }, obj("model", cfg.model), rtgScale, values.config);
    if (saved && saved.step >= resolvedTrain.steps && !values["print-config"]) {
      if (saved.step > resolvedTrain.steps) throw new UsageError(`--resume: the run is at step ${saved.step}, past --steps ${resolvedTrain.steps}`);
      console.log(`the run in ${out} is already at step ${saved.step} of ${resolvedTrain.steps}; nothing to do (pass --steps M > ${saved.step} to extend it)`);
      return 0;
    }

    if (settings.tensorboard !== null && !values["print-config"]) await tensorboardFolder(settings.tensorboard, true);
    await startEngine(values.engine);
    const output = settings.output === "json" ? "json" : settings.output === "quiet" ? "quiet" : process.stderr.isTTY ? "progress" : "lines";
    const say = (line: string): void => void process.stderr.write(`strl train: ${line}\n`);
    const dataset = await loadTrainingData(dataPath, envId, output === "json" ? () => {} : say);
    const evaluate = evalEpisodes > 0 ? await closedLoopEvaluator(dataset, evalEpisodes, output === "json" ? () => {} : say, output === "lines") : undefined;
    const stop = values["print-config"] ? undefined : stopOnSignals(say);
    let printed: Record<string, unknown> | undefined;
    try {
      const run = await asUserError(() =>
        trainOnDataset({
          dataset,
          kind,
          preset,
          // Resuming rebuilds the run's own model config (its seed, stats and scale included); --config may not change it.
          model: saved ? { ...saved.model, ...obj("model", cfg.model) } : obj("model", cfg.model),
          train: resolvedTrain,
          rtgScale,
          outDir: out,
          configSource: values.config ? `--config ${values.config}` : undefined,
          // After every input is validated and before the long work: sizes that fit, an --out that can be written.
          onBeforeModel: (json, batchSize) => {
            if (values["print-config"]) {
              printed = { env: dataset.envId, ...(datasetEnvOptions(dataset) ? { envOptions: datasetEnvOptions(dataset) } : {}), data: dataPath, preset, model: json, train: resolvedTrain, keep: settings.keep, evalEpisodes, tensorboard: settings.tensorboard };
              throw new PrintConfigDone();
            }
            // The sizes come from --config and --batch-size: the message names those given.
            const from = [values.config ? `--config ${values.config}` : "", values["batch-size"] !== undefined ? "--batch-size" : ""].filter((x) => x).join(" and ");
            try {
              checkTrainingFits(json, batchSize);
            } catch (e) {
              throw from ? new UsageError(`${from}: ${(e as Error).message}`) : e;
            }
            checkWritableFolder(out);
          },
          output,
          resumeFrom: values.resume ? `${out}/checkpoint` : undefined,
          evaluate,
          signal: stop?.signal,
          keepBest: keep.best,
          tensorboard: settings.tensorboard ?? undefined,
          settings: { ...settings },
          // Said once the checkpoint is read and the first update is done (a refused resume stays one line).
          onLog: (record) => {
            if (record.step === (saved?.step ?? 0) + 1) for (const n of notes) process.stderr.write(`strl train: --resume: ${n}\n`);
          },
        }),
      );
      printSummary(run, { kind, envId: dataset.envId, json: output === "json" });
      for (const w of spikeHealthWarnings(run.result.lastEval)) process.stderr.write(`strl: warning: ${w}\n`);
      run.model.dispose();
      if (run.result.stopped && run.result.step >= resolvedTrain.steps) {
        say(`${stop?.received() ?? "stopped"} during the last evaluation: the run is complete at step ${run.result.step}/${resolvedTrain.steps}, checkpoint in ${out}/checkpoint; that evaluation is not logged`);
        return signalExitCode(stop?.received() ?? "SIGINT");
      }
      if (run.result.stopped) {
        say(`${stop?.received() ?? "stopped"} at step ${run.result.step}/${resolvedTrain.steps}; checkpoint in ${out}/checkpoint; continue with: strl train --data ${dataPath} --out ${out} --resume`);
        return signalExitCode(stop?.received() ?? "SIGINT");
      }
      return 0;
    } catch (e) {
      if (e instanceof PrintConfigDone) {
        console.log(JSON.stringify(printed, null, 2));
        return 0;
      }
      throw e;
    } finally {
      stop?.dispose();
    }
  },
};

/** Thrown from `onBeforeModel` to stop after the config is resolved (`--print-config`). */
class PrintConfigDone extends Error {}

/**
 * `--eval-episodes`: closed-loop return at the expert's measured return, seed 0, logged as evaluation/return.
 * Stops when `signal` aborts (SIGINT/SIGTERM); with `announce`, says when each evaluation starts.
 */
async function closedLoopEvaluator(dataset: Dataset, episodes: number, say: (line: string) => void, announce: boolean): Promise<(m: AnyModel, step: number, signal?: AbortSignal) => Promise<Record<string, number>>> {
  const envOptions = datasetEnvOptions(dataset);
  const targets = await defaultTargets(dataset.envId, envOptions, dataset, say);
  // Maze data: unseen mazes where enough exist; else any maze, with the fraction of episodes on training mazes logged.
  let excludeMazes: ReadonlySet<string> | undefined;
  try {
    excludeMazes = trainingMazes(dataset);
  } catch {
    excludeMazes = undefined; // mazes unknown (no collection metadata): any maze
  }
  return async (model, step, signal) => {
    if (announce) say(`step ${step}: closed-loop evaluation, ${episodes} episodes`);
    const r = await evaluateClosedLoop({ model, envId: dataset.envId, envOptions, targetReturns: targets, episodes, seeds: [0], rtgScale: (model.config as unknown as { rtgScale: number }).rtgScale, excludeMazes, allowSeenMazes: true, signal });
    const t = r.targets[0]!;
    const m = r.mazes;
    return { return: t.returnMean, ...(t.successRate !== null ? { success: t.successRate } : {}), ...(m && m.seenEpisodes !== undefined ? { training_mazes: m.seenEpisodes / m.episodes } : {}) };
  };
}

function printSummary(run: TrainRun, o: { kind: string; envId: string; json: boolean }): void {
  const summary = {
    model: o.kind,
    env: o.envId,
    mode: (run.model.config as { causal?: boolean }).causal === false ? "paper" : "causal",
    steps: run.result.step,
    stopped: run.result.stopped,
    params: run.model.numParams(),
    final: run.result.history.at(-1) ?? null,
    validation: run.result.lastEval ?? null,
    checkpoint: run.result.checkpoint ?? null,
    best: run.result.best ?? null,
  };
  if (o.json) {
    console.log(JSON.stringify({ summary }));
    return;
  }
  const v = Object.entries(run.result.lastEval ?? {}).filter(([k]) => !k.startsWith("firing/"));
  const metric = v.map(([k, x]) => `${k} ${typeof x === "number" ? x.toFixed(4) : x}`).join(", ");
  console.log(`trained ${o.kind} (${summary.mode}, ${summary.params} parameters) for ${summary.steps} steps on ${o.envId}`);
  if (metric) console.log(`validation: ${metric}`);
  console.log(`checkpoint: ${summary.checkpoint}`);
  if (run.result.best) console.log(`best: ${run.result.best.dir} (${run.result.best.metric} ${run.result.best.value.toFixed(4)} at step ${run.result.best.step})`);
}
