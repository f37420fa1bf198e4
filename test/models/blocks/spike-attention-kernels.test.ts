import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  Rng,
  add,
  grads,
  matMul,
  mean,
  mul,
  ready,
  reshape,
  softmax,
  sum,
  tensor,
  tidy,
  transpose,
  zeros,
  type Tensor,
} from "../../../src/tensor/index.js";
import { spikeScoreValue, spikeScores, spikeSoftmaxValue, type SpikeAttnGeom } from "./spike-attention-kernels.js";
import { assertClose, spikes } from "../../helpers.js";

// The fused kernels against a dense tfjs reference (masked matmuls and softmax, differentiated by tfjs autodiff).

/** 1 where query i may see key j: [B, 1, K, K] */
function allowed(g: SpikeAttnGeom): Float32Array {
  const m = new Float32Array(g.B * g.K * g.K);
  for (let b = 0; b < g.B; b++)
    for (let i = 0; i < g.K; i++)
      for (let j = 0; j < g.K; j++) m[(b * g.K + i) * g.K + j] = g.keyMask[b * g.K + j] === 1 && (!g.causal || j <= i) ? 1 : 0;
  return m;
}

/** x [T, B, K, d] -> [T, B, H, K, dh] */
function heads(x: Tensor, g: SpikeAttnGeom): Tensor {
  return transpose(reshape(x, [g.T, g.B, g.K, g.H, g.d / g.H]), [0, 1, 3, 2, 4]);
}

function refScores(q: Tensor, k: Tensor, g: SpikeAttnGeom, scale: number): Tensor {
  const s = matMul(reshape(heads(q, g), [-1, g.K, g.d / g.H]), reshape(heads(k, g), [-1, g.K, g.d / g.H]), false, true); // [T·B·H, K, K]
  const m = tensor(allowed(g), [1, g.B, 1, g.K, g.K]);
  return mul(mul(reshape(s, [g.T, g.B, g.H, g.K, g.K]), scale), m); // [T, B, H, K, K]
}

function refSoftmaxValue(ss: Tensor, v: Tensor, g: SpikeAttnGeom): Tensor {
  const a = allowed(g);
  const rowHasKey = new Float32Array(g.B * g.K);
  for (let r = 0; r < g.B * g.K; r++) for (let j = 0; j < g.K; j++) rowHasKey[r]! += a[r * g.K + j]!;
  const maskAdd = tensor(a.map((x) => (x ? 0 : -1e9)), [1, g.B, 1, g.K, g.K]);
  const p = mul(softmax(add(ss, maskAdd), -1), tensor(rowHasKey.map((x) => (x > 0 ? 1 : 0)), [1, g.B, 1, g.K, 1])); // [T, B, H, K, K]
  const o = matMul(reshape(p, [-1, g.K, g.K]), reshape(heads(v, g), [-1, g.K, g.d / g.H])); // [T·B·H, K, dh]
  const oh = transpose(reshape(o, [g.T, g.B, g.H, g.K, g.d / g.H]), [0, 1, 3, 2, 4]); // [T, B, K, H, dh]
  return mean(reshape(oh, [g.T, g.B, g.K, g.d]), 0); // [B, K, d]
}

function refScoreValue(s: Tensor, v: Tensor, g: SpikeAttnGeom): Tensor {
  const sm = mul(s, tensor(allowed(g), [1, g.B, 1, g.K, g.K]));
  const o = matMul(reshape(sm, [-1, g.K, g.K]), reshape(heads(v, g), [-1, g.K, g.d / g.H]));
  return reshape(transpose(reshape(o, [g.T, g.B, g.H, g.K, g.d / g.H]), [0, 1, 3, 2, 4]), [g.T, g.B, g.K, g.d]);
}

/** Values and input gradients of sum(f(a, b) · w) for a fixed random w. */
function valueAndGrads(f: (a: Tensor, b: Tensor) => Tensor, a: Tensor, b: Tensor, w: Tensor): { y: Float32Array; ga: Float32Array; gb: Float32Array } {
  const y = tidy(() => f(a, b).dataSync() as Float32Array);
  const [ga, gb] = grads((x: Tensor, z: Tensor) => sum(mul(f(x, z), w)))([a, b]);
  return { y: Float32Array.from(y), ga: ga!.dataSync() as Float32Array, gb: gb!.dataSync() as Float32Array };
}

const CASES: Array<{ name: string; causal: boolean; H: number; d: number; K: number }> = [
  { name: "causal, 2 heads", causal: true, H: 2, d: 8, K: 5 },
  { name: "non-causal, 1 head of 40 (two bit words)", causal: false, H: 1, d: 40, K: 4 },
];

describe("spike attention kernels", () => {
  before(async () => {
    await ready();
  });

  for (const c of CASES) {
    const T = 3;
    const B = 2;
    const keyMask = Uint8Array.from({ length: B * c.K }, (_, i) => (i === 0 || i === 1 ? 0 : 1)); // first two steps of row 0 are padding
    const g: SpikeAttnGeom = { T, B, K: c.K, H: c.H, d: c.d, causal: c.causal, keyMask };
    const n = T * B * c.K * c.d;
    const nS = T * B * c.H * c.K * c.K;

    it(`spikeScores matches masked scale·QKᵀ and its gradient (${c.name})`, () => {
      const rng = new Rng(7);
      const q = tensor(spikes(rng, n, 0.4), [T, B, c.K, c.d]);
      const k = tensor(spikes(rng, n, 0.4), [T, B, c.K, c.d]);
      const w = tensor(rng.fillNormal(new Float32Array(nS)), [T, B, c.H, c.K, c.K]);
      const got = valueAndGrads((a, b) => spikeScores(a, b, g, 0.3), q, k, w);
      const want = valueAndGrads((a, b) => refScores(a, b, g, 0.3), q, k, w);
      assertClose(got.y, want.y, 1e-5, "scores");
      assertClose(got.ga, want.ga, 1e-4, "dq");
      assertClose(got.gb, want.gb, 1e-4, "dk");
    });

    it(`spikeSoftmaxValue matches mean_T softmax(masked spikes)·V and its gradient (${c.name})`, () => {
      const rng = new Rng(11);
      const ss = tensor(spikes(rng, nS, 0.3), [T, B, c.H, c.K, c.K]);
      const v = tensor(spikes(rng, n, 0.5), [T, B, c.K, c.d]);
      const w = tensor(rng.fillNormal(new Float32Array(B * c.K * c.d)), [B, c.K, c.d]);
      const got = valueAndGrads((a, b) => spikeSoftmaxValue(a, b, g), ss, v, w);
      const want = valueAndGrads((a, b) => refSoftmaxValue(a, b, g), ss, v, w);
      assertClose(got.y, want.y, 1e-5, "output");
      assertClose(got.ga, want.ga, 1e-4, "d scores");
      assertClose(got.gb, want.gb, 1e-4, "dv");
    });

    it(`spikeScoreValue matches (masked scores)·V and its gradient (${c.name})`, () => {
      const rng = new Rng(13);
      const s = tensor(rng.fillNormal(new Float32Array(nS)), [T, B, c.H, c.K, c.K]);
      const v = tensor(spikes(rng, n, 0.5), [T, B, c.K, c.d]);
      const w = tensor(rng.fillNormal(new Float32Array(n)), [T, B, c.K, c.d]);
      const got = valueAndGrads((a, b) => spikeScoreValue(a, b, g), s, v, w);
      const want = valueAndGrads((a, b) => refScoreValue(a, b, g), s, v, w);
      assertClose(got.y, want.y, 1e-5, "output");
      assertClose(got.ga, want.ga, 1e-4, "d scores");
      assertClose(got.gb, want.gb, 1e-4, "dv");
    });
  }

  it("gives a causal padding query (no allowed key) a zero output", () => {
    const g: SpikeAttnGeom = { T: 1, B: 1, K: 3, H: 1, d: 2, causal: true, keyMask: Uint8Array.from([0, 1, 1]) };
    const ss = zeros([1, 1, 1, 3, 3]);
    const v = tensor([1, 1, 1, 0, 0, 1], [1, 1, 3, 2]);
    const out = spikeSoftmaxValue(ss, v, g).dataSync();
    // row 0 sees nothing; row 1 sees key 1 only -> v1 = [1, 0]; row 2 sees keys 1, 2 equally -> ([1,0] + [0,1]) / 2
    assert.deepEqual(Array.from(out), [0, 0, 1, 0, 0.5, 0.5]);
  });
});
