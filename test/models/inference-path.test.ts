/**
 * The decision path without the autodiff tape (src/models/infer) against the tfjs path (`forwardLast`, or the
 * full pass for BC) for every model kind and head: predictions to 1e-5 on left-padded windows of 1 to K real
 * steps and on a window with a hole, the same actions (a flip only where a membrane sat within 1e-5 of the
 * threshold, counted), the same spike reports per LIF layer, 1 vs 2 threads bit for bit, fresh weights after
 * an update, and `getAction` taking it. Native engine only (the wasm engine has no such path).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { loadAddon, nativeEngine, ready, slice, tidy } from "../../src/tensor/index.js";
import { AnnStrlModel, BcModel, DtModel, StrlModel } from "../../src/models/index.js";
import { setInferencePath } from "../../src/models/infer/plan.js";
import type { ModelBatch, PolicyModel } from "../../src/models/types.js";
import { FiringRateMonitor, namedNeurons } from "../../src/snn/index.js";
import { evaluateWithEnergy } from "../../src/eval/measured-energy.js";
import { TINY_MAZE } from "../eval/fixtures.js";
import { CONTINUOUS, DISCRETE, OBS, allWindows, tinyDataset } from "./fixtures.js";

const K = 5;
type Head = typeof DISCRETE | typeof CONTINUOUS;
type Inferring = PolicyModel & {
  inferLast(b: ModelBatch): Float32Array | undefined;
  prepareInference(): boolean;
  getAction: (h: never) => unknown;
  eval(): unknown;
};

const base = { obsDim: OBS, contextLength: K, maxTimestep: 16, dropout: 0.1 };
const tr = { dModel: 24, nBlocks: 2, nHeads: 2 };
const CASES: Array<[string, (head: Head) => Inferring]> = [
  ["STRL (strl attention, causal)", (head) => new StrlModel({ ...base, ...tr, head, T: 4, seed: 3 }) as never],
  ["STRL (spike-driven)", (head) => new StrlModel({ ...base, ...tr, head, T: 3, seed: 4, attention: "spike-driven" }) as never],
  ["STRL (paper mode, soft reset)", (head) => new StrlModel({ ...base, ...tr, head, T: 4, seed: 5, causal: false, neuron: { vReset: null, tau: 1.5 } }) as never],
  ["ANN-STRL (relu)", (head) => new AnnStrlModel({ ...base, ...tr, head, seed: 6 }) as never],
  ["ANN-STRL (spike-driven, gelu)", (head) => new AnnStrlModel({ ...base, ...tr, head, seed: 7, attention: "spike-driven", activation: "gelu" }) as never],
  ["DT (gelu)", (head) => new DtModel({ ...base, ...tr, head, seed: 8, activation: "gelu" }) as never],
  ["BC (2 past states)", (head) => new BcModel({ obsDim: OBS, head, contextLength: K, hidden: [32, 16], pastStates: 2, seed: 9 }) as never],
];

/** Row b of a batch as a batch-1 window. */
function row(batch: ModelBatch, b: number, head: Head): ModelBatch {
  const k = batch.K;
  const dim = head.kind === "discrete" ? 1 : head.dim;
  const cut = <A extends Float32Array | Int32Array>(a: A, w: number): A => a.slice(b * k * w, (b + 1) * k * w) as A;
  return {
    B: 1, K: k, states: cut(batch.states, OBS), rtg: cut(batch.rtg, 1), timesteps: cut(batch.timesteps, 1),
    actions: cut(batch.actions, dim), prevActions: cut(batch.prevActions, dim), mask: cut(batch.mask, 1),
  };
}

/** The windows of the tiny dataset (1 to K real steps, left-padded), and one with a hole in its mask. */
function windows(head: Head): ModelBatch[] {
  const all = allWindows(tinyDataset(head.kind, 3, 7), K);
  const out = Array.from({ length: all.B }, (_, b) => row(all, b, head));
  const holed = { ...out[out.length - 1]!, mask: Float32Array.from([1, 0, 1, 1, 1]) };
  return [...out, holed];
}

/** The tfjs path's predictions at the last position [out]. */
function tfjsLast(m: Inferring, b: ModelBatch): Float32Array {
  return tidy(() => {
    if (m.forwardLast) return m.forwardLast(b);
    const p = m.forward(b).preds; // [1, K, out]
    return slice(p, [0, K - 1, 0], [1, 1, p.shape[2]!]);
  }).dataSync() as Float32Array;
}

/** Runs `f` with a monitor on every LIF (no token mask) and one counting membranes within 1e-5 of threshold. */
function observe(m: Inferring, f: () => Float32Array): { preds: Float32Array; rates: ReturnType<FiringRateMonitor["rates"]>; near: number } {
  const mon = new FiringRateMonitor().attach(m);
  let near = 0;
  const offs = namedNeurons(m).map(([, lif]) =>
    lif.addListener((_s, _n, _T, detail) => {
      const tol = 1e-5 * Math.max(1, Math.abs(lif.config.vThreshold));
      for (const v of detail!.d) if (Math.abs(v) <= tol) near++;
    }),
  );
  const preds = Float32Array.from(f());
  const rates = mon.rates();
  mon.detach();
  for (const off of offs) off();
  return { preds, rates, near };
}

const argmax = (z: Float32Array): number => z.indexOf(Math.max(...z));

describe("the inference path", { skip: !loadAddon().addon && "the native addon is not built" }, () => {
  before(async () => {
    await ready({ engine: "native" });
  });

  for (const [name, make] of CASES) {
    for (const head of [DISCRETE, CONTINUOUS] as const) {
      it(`${name}, ${head.kind} head: predictions to 1e-5, same actions and spike reports as the tfjs path`, (t) => {
        const m = make(head);
        m.eval();
        let flips = 0;
        let spikes = 0;
        for (const [i, b] of windows(head).entries()) {
          const ref = observe(m, () => tfjsLast(m, b));
          const got = observe(m, () => m.inferLast(b)!);
          assert.equal(got.preds.length, ref.preds.length);
          for (let j = 0; j < ref.preds.length; j++) {
            assert.ok(Math.abs(got.preds[j]! - ref.preds[j]!) <= 1e-5, `window ${i}, output ${j}: ${got.preds[j]} vs ${ref.preds[j]}`);
          }
          if (head.kind === "discrete" && argmax(got.preds) !== argmax(ref.preds)) {
            assert.ok(ref.near > 0, `window ${i}: the action flipped with no membrane near threshold`);
            flips++;
          }
          assert.deepEqual(got.rates, ref.rates, `window ${i}: spike reports per LIF layer`);
          for (const r of Object.values(ref.rates)) spikes += r.spikes;
        }
        if (namedNeurons(m).length > 0) assert.ok(spikes > 0, "the spiking model never fired: the comparison would be empty");
        t.diagnostic(`action flips at a near-threshold membrane: ${flips}`);
        m.dispose();
      });
    }
  }

  it("gives the same bits with 1 and 2 threads", () => {
    const addon = loadAddon().addon!;
    const saved = addon.threads();
    try {
      for (const [name, make] of CASES) {
        const m = make(DISCRETE);
        m.eval();
        for (const b of windows(DISCRETE)) {
          addon.setThreads(1);
          const one = Float32Array.from(m.inferLast(b)!);
          addon.setThreads(2);
          assert.deepEqual(Float32Array.from(m.inferLast(b)!), one, name);
        }
        m.dispose();
      }
    } finally {
      addon.setThreads(saved);
    }
  });

  it("copies the weights again once a parameter was replaced, and stays off in training mode or for another shape", () => {
    const m = CASES[0]![1](DISCRETE);
    m.eval();
    const b = windows(DISCRETE)[6]!;
    let builds = 0;
    const prepare = m.prepareInference.bind(m);
    m.prepareInference = () => (builds++, prepare());
    const before = Float32Array.from(m.inferLast(b)!);
    m.inferLast(windows(DISCRETE)[2]!);
    assert.equal(builds, 1, "one plan for every decision while the weights stay");
    const [, w] = m.namedParameters().find(([n]) => n === "head.bias")!;
    w.assign(tidy(() => w.add(1)));
    const after = Float32Array.from(m.inferLast(b)!);
    for (let j = 0; j < after.length; j++) assert.ok(Math.abs(after[j]! - before[j]! - 1) < 1e-5);
    assert.deepEqual(after, tfjsLast(m, b));
    assert.equal(builds, 2);
    m.train(true);
    assert.equal(m.inferLast(b), undefined);
    m.eval();
    assert.equal(m.inferLast({ ...b, B: 2 }), undefined);
    m.dispose();
  });

  it("is what getAction takes, and setInferencePath(false) brings back the tfjs path with the same actions", () => {
    assert.ok(nativeEngine());
    for (const [name, make] of CASES) {
      const m = make(DISCRETE);
      let calls = 0;
      const inner = m.inferLast.bind(m);
      m.inferLast = (b) => (calls++, inner(b));
      const ds = tinyDataset("discrete", 1, 7);
      const ep = ds.trajectories[0]!;
      for (let n = 1; n <= 7; n++) {
        const h = {
          observations: Array.from({ length: n }, (_, i) => ep.observations.slice(i * OBS, (i + 1) * OBS)),
          actions: Array.from({ length: n - 1 }, (_, i) => ep.actions[i]!),
          returnsToGo: Array.from({ length: n }, (_, i) => 3 - 0.5 * i),
          timesteps: Array.from({ length: n }, (_, i) => i),
        };
        const fast = m.getAction(h as never);
        setInferencePath(false);
        try {
          assert.equal(m.getAction(h as never), fast, `${name}, step ${n}`);
        } finally {
          setInferencePath(true);
        }
      }
      assert.equal(calls, 14, name); // both runs ask; the second gets undefined and takes forwardLast
      m.dispose();
    }
  });

  it("gives strl energy's closed-loop results, rates and energy per decision exactly as the tfjs path", async () => {
    const common = { obsDim: 2, head: { kind: "discrete" as const, n: 4 }, contextLength: 4, maxTimestep: 16, dModel: 16, nBlocks: 2, nHeads: 2, seed: 5, stateMean: [2, 2], stateStd: [1.5, 1.5], rtgScale: 2 };
    const run = { envId: "Maze-v0", envOptions: { maze: TINY_MAZE, maxSteps: 8 }, targetReturns: [0.4], episodes: 2, seeds: [0], rtgScale: 2 };
    for (const attention of ["strl", "spike-driven"] as const) {
      const m = new StrlModel({ ...common, attention });
      const fast = await evaluateWithEnergy(m, run);
      setInferencePath(false);
      try {
        const slow = await evaluateWithEnergy(m, run);
        assert.deepEqual(fast.energy, slow.energy, attention);
        assert.deepEqual(fast.closedLoop, slow.closedLoop, attention);
        assert.ok(Object.keys(fast.energy.rates).some((k) => k.endsWith(".qk")) === (attention === "strl"));
      } finally {
        setInferencePath(true);
      }
      m.dispose();
    }
  });
});
