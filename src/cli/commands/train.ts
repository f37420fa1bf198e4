/** `strl train`: train a model on a dataset file and write a checkpoint folder. */
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine, oneOf } from "../command.js";
import { UsageError } from "../errors.js";
import { asUserError, readJsonFlag, required } from "../user-errors.js";
import { Dataset, readDatasetHdf5 } from "../../data/index.js";
import { checkWritableFolder, ConfigError, parseConfig, rejectUnknownKeys } from "../../io/index.js";
import { TRAIN_SPEC } from "../../train/index.js";
import { checkDatasetFitsEnv } from "../../experiments/env-check.js";
import { datasetEnvOptions } from "../../experiments/pipeline.js";
import { checkTrainingFits } from "../../experiments/memory.js";
import { MODEL_KINDS, type ModelKind } from "../../models/index.js";
import { registeredIds } from "../../envs/index.js";
import { PRESETS, type Preset } from "../../experiments/presets.js";
import { trainOnDataset } from "../../experiments/pipeline.js";

const HELP = `strl train — train STRL, ANN-STRL, a Decision Transformer or BC on a dataset

Usage: strl train --env ID --data FILE --model strl|ann-strl|dt|bc --out DIR
                  [--config FILE] [--preset tiny|small|paper] [--steps N] [--batch-size B] [--lr X]
                  [--seed N] [--resume] [--json | --quiet]
${ENGINE_HELP}

The dataset is an HDF5 file in the D4RL/Minari layout (e.g. from \`strl collect\`). Episodes are split 70/15/15
(seeded); states are normalised with the training split's mean/std and returns-to-go divided by the largest
|return| of the training split. The run folder gets checkpoint/ (config.json, model.safetensors, optimizer and
trainer state) and log.jsonl. Validation accuracy (discrete) or MSE (continuous) is computed on the held-out 15%.

The config file holds every option: { "preset": "small", "model": { model config fields },
"train": { steps, batchSize, accumulate, lr, minLr, weightDecay, warmupSteps, schedule, gradClip, seed, evalEvery,
checkpointEvery, logEvery }, "rtgScale": number }. Flags override it.
Paper mode (the published non-causal attention, which leaks the next action) is "model": { "causal": false }.

Examples:
  strl collect --env Maze-21x21-v0 --policy expert --episodes 2000 --seed 0 --out maze.h5
  strl train --env Maze-21x21-v0 --data maze.h5 --model strl --preset tiny --steps 300 --out runs/strl
  strl train --env CartPole-v1 --data cartpole.h5 --model dt --config dt.json --out runs/dt --json
  strl train --env Maze-21x21-v0 --data maze.h5 --model strl --out runs/strl --resume   # continue a run`;

function obj(where: string, v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`--config: '${where}' must be an object`);
  return v as Record<string, unknown>;
}

/**
 * Reads the dataset for `--env`: a file recorded for another registered env is refused; a file that names no
 * registered env (real D4RL files carry no env id) is taken as `--env`'s. Either way its observation and action
 * spaces must fit the env.
 */
async function loadTrainingData(path: string, envId: string): Promise<Dataset> {
  let ds = await asUserError(() => readDatasetHdf5(path), `--data ${path}`);
  if (ds.envId !== envId) {
    if (registeredIds().includes(ds.envId)) throw new UsageError(`--data ${path} was collected on '${ds.envId}', not '${envId}'`);
    ds = new Dataset({ envId, obsDim: ds.obsDim, actionSpace: ds.actionSpace, trajectories: ds.trajectories, metadata: { ...ds.metadata, file_env_id: ds.envId } });
  }
  const data = ds;
  await asUserError(() => checkDatasetFitsEnv(`--data ${path}`, data, envId, datasetEnvOptions(data)));
  return ds;
}

export const command: Command = {
  summary: "train a model on a dataset file (checkpoint + log)",
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
      resume: { type: "boolean" },
      json: { type: "boolean" },
      quiet: { type: "boolean" },
    });
    const envId = required("env", values.env);
    oneOf("environment", envId, registeredIds());
    const kind = required("model", values.model) as ModelKind;
    oneOf("model", kind, MODEL_KINDS);
    const dataPath = required("data", values.data);
    const out = required("out", values.out);
    const cfg = obj("(root)", values.config ? readJsonFlag("config", values.config) : {});
    await asUserError(() => rejectUnknownKeys("", cfg, ["preset", "model", "train", "rtgScale"]), `--config ${values.config}`);
    await asUserError(() => rejectUnknownKeys("train", obj("train", cfg.train), Object.keys(TRAIN_SPEC)), `--config ${values.config}`);
    const preset = (values.preset ?? cfg.preset ?? "small") as Preset;
    oneOf("preset", String(preset), PRESETS);
    const trainCfg: Record<string, unknown> = { steps: 1000, ...obj("train", cfg.train) };
    if (values.steps !== undefined) trainCfg.steps = numberFlag("steps", values.steps, 0, { integer: true, min: 1 });
    if (values["batch-size"] !== undefined) trainCfg.batchSize = numberFlag("batch-size", values["batch-size"], 0, { integer: true, min: 1 });
    if (values.lr !== undefined) trainCfg.lr = numberFlag("lr", values.lr, 0, { min: 0 });
    if (values.seed !== undefined) trainCfg.seed = numberFlag("seed", values.seed, 0, { integer: true, min: 0, max: 0xffffffff });
    if (values.config) {
      await asUserError(() => {
        const t = parseConfig("train", trainCfg, TRAIN_SPEC);
        if (t.minLr > t.lr) throw new ConfigError(`train.minLr must be <= lr (${t.lr}), got ${t.minLr}`);
      }, `--config ${values.config}`);
    }
    const rtgScale = cfg.rtgScale === undefined ? undefined : Number(cfg.rtgScale);
    if (rtgScale !== undefined && !(rtgScale > 0)) throw new UsageError(`--config: rtgScale must be a number > 0, got ${String(cfg.rtgScale)}`);

    await startEngine(values.engine);
    const dataset = await loadTrainingData(dataPath, envId);
    const output = values.json ? "json" : values.quiet ? "quiet" : "auto";
    const run = await asUserError(() =>
      trainOnDataset({
        dataset,
        kind,
        preset,
        model: obj("model", cfg.model),
        train: trainCfg as { steps: number },
        rtgScale,
        outDir: out,
        configSource: values.config ? `--config ${values.config}` : undefined,
        // After every input is validated and before the long work: sizes that fit, an --out that can be written.
        onBeforeModel: (json, batchSize) => {
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
      }),
    );
    const summary = {
      model: kind,
      env: envId,
      mode: (run.model.config as { causal?: boolean }).causal === false ? "paper" : "causal",
      steps: run.result.step,
      params: run.model.numParams(),
      final: run.result.history.at(-1) ?? null,
      validation: run.result.lastEval ?? null,
      checkpoint: run.result.checkpoint ?? null,
    };
    if (values.json) console.log(JSON.stringify({ summary }));
    else if (!values.quiet) {
      const v = run.result.lastEval ?? {};
      const metric = Object.entries(v)
        .map(([k, x]) => `${k} ${typeof x === "number" ? x.toFixed(4) : x}`)
        .join(", ");
      console.log(`trained ${kind} (${summary.mode}, ${summary.params} parameters) for ${summary.steps} steps on ${envId}`);
      if (metric) console.log(`validation: ${metric}`);
      console.log(`checkpoint: ${summary.checkpoint}`);
    }
    run.model.dispose();
    return 0;
  },
};
