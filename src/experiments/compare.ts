/**
 * Train several models on one dataset and evaluate each the same way: held-out accuracy / MSE, closed-loop
 * returns on unseen episodes at the same target returns, energy per decision on those episodes' decisions, and
 * the energy ratios to ANN-STRL and the DT. The demo and `strl reproduce` are built from this.
 */
import type { Dataset } from "../data/index.js";
import type { AnyModel, ModelKind } from "../models/index.js";
import type { LogRecord } from "../train/log.js";
import type { OfflineMetrics } from "../train/index.js";
import { captureSpikes, compareEnergy, measureEnergy, type ClosedLoopResult, type EnergyComparison, type LayerSpikes, type ModelEnergy, type ReferenceReturns } from "../eval/index.js";
import { namedNeurons } from "../snn/index.js";
import type { Preset } from "./presets.js";
import { datasetEnvOptions, trainOnDataset, type TrainRun } from "./pipeline.js";
import { closedLoopWithEnergy, offlineTest, trainingMazes } from "./evaluate.js";
import { episodeProgress } from "./progress.js";

export interface ModelSpec {
  /** Name in tables ("STRL", "STRL (paper mode)", ...). */
  name: string;
  kind: ModelKind;
  preset?: Preset;
  /** Model config fields (e.g. { causal: false } for paper mode). */
  model?: Record<string, unknown>;
}

export interface CompareOptions {
  dataset: Dataset;
  models: ModelSpec[];
  train: { steps: number; batchSize?: number; lr?: number; seed: number; evalEvery?: number; warmupSteps?: number };
  /** Closed-loop evaluation; omitted = offline only. */
  /** `allowSeenMazes`: on a maze env with too few unseen mazes, evaluate on any maze (labelled "seen") instead of refusing. */
  closedLoop?: { targetReturns: number[]; episodes: number; seeds: number[]; maxSteps?: number; references?: ReferenceReturns; allowSeenMazes?: boolean };
  /** Progress lines: one per phase, the training and closed-loop phases a line per tenth of their work. */
  log?: (line: string) => void;
  /** Capture a spike raster of one decision for spiking models. */
  raster?: boolean;
}

export interface ModelOutcome {
  name: string;
  kind: ModelKind;
  mode: "causal" | "paper";
  params: number;
  trainSeconds: number;
  history: LogRecord[];
  offline: OfflineMetrics;
  closedLoop?: ClosedLoopResult;
  /** Closed-loop energy when evaluated closed-loop, else the offline one (for figures; tables use the two below). */
  energy?: ModelEnergy;
  /** Offline: the full forward pass per held-out window (every window row one decision, real tokens only). */
  offlineEnergy?: ModelEnergy;
  /** Closed loop: per decision of the evaluation episodes, on the path that ran (`forwardLast` where it exists). */
  closedLoopEnergy?: ModelEnergy;
  raster?: LayerSpikes[];
}

export interface CompareResult {
  outcomes: ModelOutcome[];
  /** Energy per decision and ratios to ANN-STRL / DT (closed-loop decisions, or held-out windows offline). */
  energy?: EnergyComparison[];
}

/**
 * Evaluates one trained model as `compareModels` does (held-out accuracy / MSE, closed-loop returns and their
 * energy, offline energy, a raster) and disposes it. Sweep jobs (one model each) use it too.
 */
export async function evaluateTrained(
  spec: ModelSpec,
  run: TrainRun,
  o: Pick<CompareOptions, "dataset" | "train" | "closedLoop" | "log" | "raster">,
  exclude: ReadonlySet<string> | undefined,
  trainSeconds: number,
): Promise<ModelOutcome> {
  const model = run.model;
  try {
    const offline = offlineTest(model, o.dataset, o.train.seed);
    const outcome: ModelOutcome = {
      name: spec.name,
      kind: spec.kind,
      mode: (model.config as { causal?: boolean }).causal === false ? "paper" : "causal",
      params: model.numParams(),
      trainSeconds,
      history: run.result.history,
      offline,
    };
    if (o.closedLoop) {
      o.log?.(`evaluating ${spec.name} closed-loop (${o.closedLoop.episodes} episodes x ${o.closedLoop.seeds.length} seeds x ${o.closedLoop.targetReturns.length} targets)`);
      // Progress: a line per tenth of the episodes, through the caller's log (as the training phase does).
      const onProgress = o.log ? episodeProgress((text) => o.log!(`  ${spec.name}: ${text}`), "tenths") : undefined;
      const r = await closedLoopWithEnergy(model, { envId: o.dataset.envId, envOptions: datasetEnvOptions(o.dataset), ...o.closedLoop, excludeMazes: exclude, onProgress });
      outcome.closedLoop = r.closedLoop;
      outcome.closedLoopEnergy = r.energy;
    }
    // Offline energy on held-out windows (each window row is one decision), for every row.
    outcome.offlineEnergy = measureEnergy(model, run.test.allWindows(32), { maxDecisions: 256 });
    outcome.energy = outcome.closedLoopEnergy ?? outcome.offlineEnergy;
    if (o.raster) outcome.raster = rasterOf(model, run.test);
    return outcome;
  } finally {
    model.dispose();
  }
}

/** Energy per decision and the ratios to ANN-STRL and the DT, for outcomes on one dataset. */
export function energyComparison(outcomes: ModelOutcome[]): EnergyComparison[] | undefined {
  const withEnergy = outcomes.filter((x) => x.energy);
  return withEnergy.length > 0 ? compareEnergy(withEnergy.map((x) => ({ name: x.name, kind: x.kind, energyPerDecisionPj: x.energy!.energyPerDecisionPj, allInPerDecisionPj: x.energy!.allInPerDecisionPj })), baselineNames(withEnergy)) : undefined;
}

function rasterOf(model: AnyModel, sampler: { allWindows(B: number): Generator<import("../models/index.js").ModelBatch> }): LayerSpikes[] | undefined {
  const layers = namedNeurons(model);
  if (layers.length === 0) return undefined;
  const first = sampler.allWindows(1).next();
  if (first.done) return undefined;
  const batch = first.value;
  return captureSpikes(layers, () => {
    const out = model.forward(batch);
    out.preds.dispose();
  });
}

export async function compareModels(o: CompareOptions): Promise<CompareResult> {
  const log = o.log ?? (() => {});
  const outcomes: ModelOutcome[] = [];
  const exclude = trainingMazes(o.dataset);
  for (const spec of o.models) {
    log(`training ${spec.name} (${o.train.steps} steps)`);
    const t0 = performance.now();
    const run = await trainOnDataset({
      dataset: o.dataset,
      kind: spec.kind,
      preset: spec.preset,
      model: spec.model,
      train: { evalEvery: Math.max(1, Math.floor(o.train.steps / 10)), ...o.train },
      // Progress: the trainer's line every 10% of the steps, through the caller's log.
      output: o.log ? "lines" : "quiet",
      sink: o.log ? { write: (t: string) => void log(`  ${spec.name}: ${t.trimEnd().replace(/^\[[#.]+\]\s+/, "")}`) } : undefined,
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    outcomes.push(await evaluateTrained(spec, run, o, exclude, trainSeconds));
  }
  return { outcomes, energy: energyComparison(outcomes) };
}

/** Names the causal ANN-STRL and DT rows as the baselines when several of a kind are present. */
function baselineNames(outcomes: ModelOutcome[]): { ann?: string; dt?: string } {
  const pick = (kind: ModelKind) => outcomes.find((x) => x.kind === kind && x.mode === "causal")?.name ?? outcomes.find((x) => x.kind === kind)?.name;
  return { ann: pick("ann-strl"), dt: pick("dt") };
}
