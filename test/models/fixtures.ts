/**
 * Test fixtures for the models: a tiny fixed dataset (8 short episodes whose action is a fixed function of the
 * current state), its context windows via the data layer's own sampler, and a minimal Adam loop.
 */
import { box, discrete } from "../../src/envs/core.js";
import { Dataset, type Trajectory } from "../../src/data/trajectory.js";
import { WindowSampler } from "../../src/data/windows.js";
import {
  Rng,
  add,
  div,
  keep,
  mul,
  sqrt,
  square,
  sub,
  tidy,
  variableGrads,
  zerosLike,
  type Scalar,
  type Tensor,
  type Variable,
} from "../../src/tensor/index.js";
import { actionAccuracy } from "../../src/models/blocks/action-head.js";
import type { ActionHead, ModelBatch, PolicyModel } from "../../src/models/types.js";

export const OBS = 3;
export const N_ACTIONS = 3;
export const ACT_DIM = 2;
export const DISCRETE: ActionHead = { kind: "discrete", n: N_ACTIONS };
export const CONTINUOUS: ActionHead = { kind: "continuous", dim: ACT_DIM, low: [-1, -2], high: [1, 2] };

/** `episodes` episodes of `len` steps; discrete a = argmax(W s), continuous a = 0.8 · bounds · tanh(W s). */
export function tinyDataset(kind: "discrete" | "continuous", episodes = 8, len = 5, seed = 3): Dataset {
  const rng = new Rng(seed);
  const w = rng.fillNormal(new Float32Array(N_ACTIONS * OBS)); // [3, OBS]
  const trajectories: Trajectory[] = [];
  for (let e = 0; e < episodes; e++) {
    const observations = rng.fillNormal(new Float32Array(len * OBS)); // [len, OBS]
    const actions = kind === "discrete" ? new Int32Array(len) : new Float32Array(len * ACT_DIM);
    for (let t = 0; t < len; t++) {
      const z = [0, 1, 2].map((a) => w[a * OBS]! * observations[t * OBS]! + w[a * OBS + 1]! * observations[t * OBS + 1]! + w[a * OBS + 2]! * observations[t * OBS + 2]!);
      if (kind === "discrete") actions[t] = z.indexOf(Math.max(...z));
      else for (let c = 0; c < ACT_DIM; c++) actions[t * ACT_DIM + c] = 0.8 * (c + 1) * Math.tanh(z[c]!);
    }
    trajectories.push({ observations, actions, rewards: new Float32Array(len).fill(1), terminated: true, truncated: false });
  }
  const actionSpace = kind === "discrete" ? discrete(N_ACTIONS) : box([-1, -2], [1, 2]);
  return new Dataset({ envId: "tiny", obsDim: OBS, actionSpace, trajectories });
}

/** Every step of the dataset exactly once, as one batch of left-padded windows of length K. */
export function allWindows(ds: Dataset, K: number, numTimesteps = 16): ModelBatch {
  const sampler = new WindowSampler(ds, { contextLength: K, rtgScale: 5, numTimesteps });
  const batches = [...sampler.allWindows(1000)];
  return batches[0]!;
}

/** Minimal Adam (no weight decay), enough to over-fit in a test. */
export class TinyAdam {
  private t = 0;
  private readonly m: Tensor[];
  private readonly v: Tensor[];

  constructor(private readonly params: Variable[], private readonly lr: number) {
    this.m = params.map((p) => keep(zerosLike(p)));
    this.v = params.map((p) => keep(zerosLike(p)));
  }

  step(model: PolicyModel, batch: ModelBatch): number {
    this.t += 1;
    const { value, grads } = variableGrads(() => model.loss(batch) as Scalar, this.params);
    const loss = value.dataSync()[0]!;
    tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[p.name]!;
        const m = add(mul(this.m[i]!, 0.9), mul(g, 0.1));
        const v = add(mul(this.v[i]!, 0.999), mul(square(g), 0.001));
        const upd = div(div(m, 1 - 0.9 ** this.t), add(sqrt(div(v, 1 - 0.999 ** this.t)), 1e-8));
        p.assign(sub(p, mul(upd, this.lr)));
        this.m[i]!.dispose();
        this.v[i]!.dispose();
        this.m[i] = keep(m);
        this.v[i] = keep(v);
      });
    });
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    return loss;
  }
}

/** Accuracy of the argmax action over the real positions of `batch`, in eval mode. */
export function accuracy(model: PolicyModel, batch: ModelBatch): number {
  model.eval();
  const preds = model.forward(batch).preds;
  const { correct, total } = actionAccuracy(preds, batch, model.head);
  preds.dispose();
  model.train();
  return correct / total;
}

/**
 * Trains until the train accuracy reaches `target` (checked every `every` steps) or `maxSteps` pass.
 * Returns the steps taken and the final accuracy.
 */
export function fitUntil(model: PolicyModel, batch: ModelBatch, opts: { lr: number; maxSteps: number; target: number; every?: number }): { steps: number; acc: number } {
  const adam = new TinyAdam(model.parameters(), opts.lr);
  const every = opts.every ?? 10;
  let acc = accuracy(model, batch);
  let steps = 0;
  while (acc < opts.target && steps < opts.maxSteps) {
    for (let i = 0; i < every; i++) adam.step(model, batch);
    steps += every;
    acc = accuracy(model, batch);
  }
  return { steps, acc };
}
