import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Rng, grad, mul, ready, slice, sum, tensor, tidy, type Tensor } from "../../../src/tensor/index.js";
import { FiringRateMonitor, LIF } from "../../../src/snn/index.js";
import { fusedSpikingAttention, type SsaNeurons } from "../../../src/models/blocks/fused-spiking-attention.js";
import { spikeScoreValue, spikeScores, spikeSoftmaxValue } from "./spike-attention-kernels.js";
import type { AttentionKind } from "../../../src/models/index.js";
import { assertClose } from "../../helpers.js";

// The fused op against the composition of LIF.forwardRepeated, spikeScores, LIF.forward and spikeSoftmaxValue /
// spikeScoreValue (each tested against a dense reference in spike-attention-kernels.test.ts).

const T = 3;
const B = 2;
const K = 5;
const d = 8;
const H = 2;

function neurons(kind: AttentionKind): SsaNeurons {
  const opts = { vThreshold: 0.4 }; // low threshold: plenty of spikes everywhere, including the score LIF
  return {
    q: new LIF(opts, "q"),
    k: new LIF(opts, "k"),
    v: new LIF(opts, "v"),
    attn: new LIF(opts, kind === "strl" ? "score" : "out"),
  };
}

function composed(qkv: Tensor, nr: SsaNeurons, kind: AttentionKind, causal: boolean, keyMask: Uint8Array, scale: number): Tensor {
  const q = nr.q.forwardRepeated(slice(qkv, [0, 0, 0], [B, K, d]), T); // [T, B, K, d]
  const k = nr.k.forwardRepeated(slice(qkv, [0, 0, d], [B, K, d]), T);
  const v = nr.v.forwardRepeated(slice(qkv, [0, 0, 2 * d], [B, K, d]), T);
  const g = { T, B, K, H, d, causal, keyMask };
  const s = spikeScores(q, k, g, scale); // [T, B, H, K, K]
  if (kind === "strl") return spikeSoftmaxValue(nr.attn.forward(s), v, g);
  return nr.attn.forward(spikeScoreValue(s, v, g), { mean: true });
}

describe("fused spiking attention", () => {
  before(async () => {
    await ready();
  });

  for (const kind of ["strl", "spike-driven"] as const) {
    for (const causal of [true, false]) {
      it(`equals the composed ops, values and qkv gradient (${kind}, ${causal ? "causal" : "paper mode"}, with padding)`, () => {
        const rng = new Rng(21);
        const qkv = tensor(rng.fillNormal(new Float32Array(B * K * 3 * d), 0.3, 1), [B, K, 3 * d]);
        const w = tensor(rng.fillNormal(new Float32Array(B * K * d)), [B, K, d]);
        const keyMask = Uint8Array.from({ length: B * K }, (_, i) => (i < 2 ? 0 : 1)); // row 0 starts with 2 padding steps
        const nr = neurons(kind);
        const scale = 0.5;
        const o = { T, nHeads: H, causal, scale, attention: kind, keyMask };
        const fused = (x: Tensor) => fusedSpikingAttention(x, nr, o);
        const ref = (x: Tensor) => composed(x, nr, kind, causal, keyMask, scale);
        const yF = tidy(() => fused(qkv).dataSync());
        const yR = tidy(() => ref(qkv).dataSync());
        assert.ok(yR.some((v) => v !== 0), "the reference output is all zeros: the test would prove nothing");
        assertClose(yF, yR, 1e-5, "output");
        const gF = grad((x: Tensor) => sum(mul(fused(x), w)))(qkv).dataSync();
        const gR = grad((x: Tensor) => sum(mul(ref(x), w)))(qkv).dataSync();
        assert.ok(gR.some((v) => v !== 0));
        assertClose(gF, gR, 1e-4, "d qkv");
      });
    }
  }

  it("reports every neuron's spikes to the firing-rate monitor; the score LIF counts only the cells a query may attend", () => {
    const nr = neurons("strl");
    const mon = new FiringRateMonitor().attach([
      ["q", nr.q],
      ["score", nr.attn],
    ]);
    const keyMask = new Uint8Array(B * K).fill(1);
    const qkv = tensor(new Rng(3).fillNormal(new Float32Array(B * K * 3 * d), 0.3, 1), [B, K, 3 * d]);
    const qOnly = Array.from(nr.q.forwardRepeated(slice(qkv, [0, 0, 0], [B, K, d]), T).dataSync()); // the q spikes, through LIF.forward
    mon.clear();
    fusedSpikingAttention(qkv, nr, { T, nHeads: H, causal: true, scale: 0.5, attention: "strl", keyMask }).dispose();
    const r = mon.rates();
    assert.equal(r.q!.neuronSteps, T * B * K * d);
    assert.equal(r.q!.spikes, qOnly.reduce((a, v) => a + v, 0));
    assert.equal(r.score!.neuronSteps, T * B * H * ((K * (K + 1)) / 2));
    assert.ok(r.score!.spikes > 0);
  });
});
