/** `strl bench`: time one model case (a training step or a batch-1 decision) and report median / min / max and peak RSS. */
import { writeFileSync } from "node:fs";
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine } from "../command.js";
import { UsageError } from "../usage-error.js";
import { engineInfo, timeNativeCalls } from "../../tensor/index.js";
import {
  BENCH_MODELS,
  BENCH_MODES,
  BENCH_SIZES,
  SHAPES,
  defaultMicroBatches,
  lossTrace,
  peakRssMb,
  prepareStep,
  runBenchCase,
  timeStep,
  type BenchCase,
} from "../../bench/model-cases.js";
import { formatNativeCalls, formatProfile, profileRun } from "../../bench/cpu-profile.js";

const HELP = `strl bench — time one model case on this machine

Usage: strl bench --model strl|ann-strl|dt --config small|paper --mode train|infer
                  [--runs N] [--warmup N] [--micro-batches N] [--profile] [--profile-out FILE] [--json]
       strl bench --model M --config C --losses N [--batch B] [--json]
${ENGINE_HELP}

Modes:
  train   one training step: forward + backward + AdamW on a batch (optionally accumulated over micro-batches)
  infer   one batch-1 decision: getAction on a full context (crop, normalise, pad, forward, argmax)
Configs (STRL uses T = 4; every input is a synthetic seeded batch, discrete actions):
  small   d 128, 3 blocks, 1 head, context 20, batch 64, state dim 4, 2 actions
  paper   d 256, 6 blocks, 8 heads, context 100, batch 32, state dim 2, 4 actions

Prints { model, config, mode, ms_median, ms_min, ms_max, peak_rss_mb, engine }: the median, min and max over --runs timed
runs after --warmup untimed ones (defaults: train 5 / 1, infer 30 / 5), and the process's peak resident memory.
--micro-batches N accumulates the training step's gradient over N micro-batches (same objective, less memory);
the default is 1, except dt at the paper config on the wasm engine, whose batch of 32 does not fit the 4 GiB
wasm heap: 4.
--losses N prints the first N training losses of the model (seed 42, fresh seeded batches of --batch rows,
AdamW lr 1e-3) instead of timing: the same numbers on both engines, to rounding.
--profile then samples one more run with V8's CPU profiler and prints where its time went (wasm kernels, the JS
LIF and spike-attention kernels, tfjs glue, GC) and the top functions, then times --runs more runs call by call
inside the native addon (V8 books all addon time under one arbitrary frame) and prints the time per run; --profile-out also saves the raw
.cpuprofile (open it in Chrome DevTools).

Examples:
  strl bench --model strl --config small --mode train
  strl bench --model dt --config paper --mode infer --json
  strl bench --model strl --config paper --mode train --runs 3 --profile`;

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T {
  if (v === undefined) throw new UsageError(`--${flag} is required (one of ${allowed.join(", ")})`);
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got '${v}'`);
  return v as T;
}

/** `--losses N`: the loss trace of a model on the chosen engine, as JSON or one line. */
async function printLosses(values: { model?: string; config?: string; losses?: string; batch?: string; engine?: string; json?: boolean }): Promise<number> {
  const model = oneOf("model", values.model, BENCH_MODELS);
  const config = oneOf("config", values.config, BENCH_SIZES);
  const steps = numberFlag("losses", values.losses, 20, { integer: true, min: 1, max: 10000 });
  const batch = numberFlag("batch", values.batch, SHAPES[config].batch, { integer: true, min: 1, max: 4096 });
  await startEngine(values.engine);
  const losses = lossTrace({ model, config, mode: "train" }, steps, batch);
  const out = { model, config, batch, engine: engineInfo(), losses };
  console.log(values.json ? JSON.stringify(out) : `${model} ${config} on ${out.engine}: ${losses.map((l) => l.toPrecision(7)).join(" ")}`);
  return 0;
}

export const command: Command = {
  summary: "time a model's training step or batch-1 decision (median, min, max, peak RSS)",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...ENGINE_FLAG,
      model: { type: "string" },
      config: { type: "string" },
      mode: { type: "string" },
      runs: { type: "string" },
      warmup: { type: "string" },
      "micro-batches": { type: "string" },
      profile: { type: "boolean" },
      "profile-out": { type: "string" },
      json: { type: "boolean" },
      losses: { type: "string" },
      batch: { type: "string" },
    });
    if (values.losses !== undefined) return printLosses(values);
    const c: BenchCase = {
      model: oneOf("model", values.model, BENCH_MODELS),
      config: oneOf("config", values.config, BENCH_SIZES),
      mode: oneOf("mode", values.mode, BENCH_MODES),
    };
    const train = c.mode === "train";
    const runs = numberFlag("runs", values.runs, train ? 5 : 30, { integer: true, min: 1, max: 1000 });
    const warmup = numberFlag("warmup", values.warmup, train ? 1 : 5, { integer: true, min: 0, max: 1000 });
    const engine = await startEngine(values.engine);
    const micro = numberFlag("micro-batches", values["micro-batches"], train ? defaultMicroBatches(c.model, c.config, engine) : 1, {
      integer: true,
      min: 1,
      max: SHAPES[c.config].batch,
    });
    if (micro > 1 && !train) throw new UsageError("--micro-batches applies to --mode train only");
    c.microBatches = micro;
    const timing = { ...runBenchCase(c, runs, warmup), engine: engineInfo() };
    let profileText: string | undefined;
    if (values.profile || values["profile-out"]) {
      const step = prepareStep(c);
      timeStep(step, 0, 1);
      const { summary, raw } = await profileRun(() => step.run());
      if (values["profile-out"]) writeFileSync(values["profile-out"], JSON.stringify(raw));
      profileText = formatProfile(summary);
      if (engine === "native") {
        // V8 books every addon call under one arbitrary native frame: time the calls themselves in --runs more runs.
        const timer = timeNativeCalls();
        const t0 = performance.now();
        try {
          for (let i = 0; i < runs; i++) step.run();
        } finally {
          profileText += `\n${formatNativeCalls(timer.stop(), performance.now() - t0, runs)}`;
        }
      }
      step.dispose();
      timing.peak_rss_mb = peakRssMb();
    }
    if (values.json) {
      console.log(JSON.stringify(timing));
    } else {
      const unit = train ? "ms per training step" : "ms per decision";
      const extra = micro > 1 ? `, ${micro} micro-batches` : "";
      console.log(
        `${c.model} ${c.config} ${c.mode} on ${timing.engine}: median ${timing.ms_median.toFixed(1)} ${unit} (min ${timing.ms_min.toFixed(1)}, max ${timing.ms_max.toFixed(1)}; ${runs} runs after ${warmup} warm-up${extra}), peak RSS ${timing.peak_rss_mb.toFixed(0)} MB`,
      );
    }
    if (profileText) console.error(profileText);
    return 0;
  },
};
