import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ready } from "../../src/tensor/index.js";
import { AnnStrlModel, BcModel, DtModel, StrlModel, type ModelBatch, type PolicyModel } from "../../src/models/index.js";
import { DISCRETE, OBS } from "./fixtures.js";
import { Rng } from "../../src/tensor/index.js";

// Causal mode: changing the token at t+1 leaves every output at <= t bit-for-bit unchanged. Paper mode
// (causal: false) lets position t read t+1, so the outputs at <= t change.

const K = 6;
const T_CUT = 2; // outputs at 0..2 must not see steps 3..5
const base = { obsDim: OBS, head: DISCRETE, contextLength: K, maxTimestep: 16, dropout: 0, seed: 9, dModel: 16, nBlocks: 2, nHeads: 2 };
// At init with the default LIF (v_th 1) the attention neurons barely fire, so no signal would cross positions and
// the paper-mode check would prove nothing; a low threshold and a large score scale make them fire.
const active = { ...base, neuron: { vThreshold: 0.3 }, attnScale: 1 };

function batchOf(seed: number, B = 2): ModelBatch {
  const rng = new Rng(seed);
  return {
    B,
    K,
    states: rng.fillNormal(new Float32Array(B * K * OBS)),
    rtg: Float32Array.from({ length: B * K }, (_, i) => 1 - (i % K) * 0.1),
    timesteps: Int32Array.from({ length: B * K }, (_, i) => i % K),
    actions: Int32Array.from({ length: B * K }, () => rng.int(3)),
    prevActions: Int32Array.from({ length: B * K }, (_, i) => (i % K === 0 ? 3 : rng.int(3))),
    mask: new Float32Array(B * K).fill(1),
  };
}

/** A copy of `b` whose steps >= `from` (every batch row) are replaced by other values. */
function changeFrom(b: ModelBatch, from: number): ModelBatch {
  const c = { ...b, states: b.states.slice(), rtg: b.rtg.slice(), actions: (b.actions as Int32Array).slice(), prevActions: (b.prevActions as Int32Array).slice() };
  for (let r = 0; r < b.B; r++) {
    for (let k = from; k < K; k++) {
      const i = r * K + k;
      for (let o = 0; o < OBS; o++) c.states[i * OBS + o] = -3 * b.states[i * OBS + o]! + 1.5;
      c.rtg[i] = -2;
      c.actions[i] = (c.actions[i]! + 1) % 3;
      c.prevActions[i] = (c.prevActions[i]! + 2) % 3;
    }
  }
  return c;
}

function preds(m: PolicyModel, b: ModelBatch): Float32Array {
  m.eval();
  const p = m.forward(b).preds;
  const v = p.dataSync() as Float32Array;
  p.dispose();
  return v;
}

/** Whether rows [0..upto] of each batch row are identical in a and b (preds [B, K, n]). */
function sameUpTo(a: Float32Array, b: Float32Array, B: number, n: number, upto: number): boolean {
  for (let r = 0; r < B; r++) for (let k = 0; k <= upto; k++) for (let j = 0; j < n; j++) if (a[(r * K + k) * n + j] !== b[(r * K + k) * n + j]) return false;
  return true;
}

const CAUSAL: Array<[string, () => PolicyModel]> = [
  ["STRL (strl attention)", () => new StrlModel(active)],
  ["STRL (spike-driven attention)", () => new StrlModel({ ...active, attention: "spike-driven" })],
  ["ANN-STRL", () => new AnnStrlModel(base)],
  ["Decision Transformer", () => new DtModel(base)],
];

const PAPER: Array<[string, () => PolicyModel]> = [
  ["STRL (strl attention)", () => new StrlModel({ ...active, causal: false })],
  ["STRL (spike-driven attention)", () => new StrlModel({ ...active, causal: false, attention: "spike-driven" })],
  ["ANN-STRL", () => new AnnStrlModel({ ...base, causal: false })],
];

describe("causality", () => {
  before(async () => {
    await ready();
  });

  for (const [name, make] of CAUSAL) {
    it(`${name}: changing the tokens at t+1.. leaves the outputs at <= t unchanged`, () => {
      const m = make();
      const b = batchOf(1);
      const p0 = preds(m, b);
      const p1 = preds(m, changeFrom(b, T_CUT + 1));
      assert.ok(sameUpTo(p0, p1, b.B, 3, T_CUT), "an output at <= t changed");
      assert.ok(!sameUpTo(p0, p1, b.B, 3, K - 1), "the change did not reach the later outputs (the test would prove nothing)");
      m.dispose();
    });
  }

  it("Decision Transformer: a_t itself does not reach the prediction at t (read from the state token)", () => {
    const m = new DtModel(base);
    const b = batchOf(2);
    const c = { ...b, actions: (b.actions as Int32Array).slice() };
    for (let r = 0; r < b.B; r++) c.actions[r * K + T_CUT] = ((c.actions[r * K + T_CUT] as number) + 1) % 3;
    const p0 = preds(m, b);
    const p1 = preds(m, c);
    assert.ok(sameUpTo(p0, p1, b.B, 3, T_CUT));
    assert.ok(!sameUpTo(p0, p1, b.B, 3, K - 1));
    m.dispose();
  });

  for (const [name, make] of PAPER) {
    it(`${name} in paper mode: changing the tokens at t+1.. changes the outputs at <= t`, () => {
      const m = make();
      const b = batchOf(1);
      const p0 = preds(m, b);
      const p1 = preds(m, changeFrom(b, T_CUT + 1));
      assert.ok(!sameUpTo(p0, p1, b.B, 3, T_CUT), "paper mode did not let earlier positions read later tokens");
      m.dispose();
    });
  }

  for (const [name, make] of [...CAUSAL, ...PAPER.map(([n, f]) => [`${n} (paper mode)`, f] as [string, () => PolicyModel]), ["BC-MLP", () => new BcModel({ obsDim: OBS, head: DISCRETE, contextLength: K, pastStates: 2, dropout: 0 })] as [string, () => PolicyModel]]) {
    it(`${name}: the values on padded steps do not reach any real output`, () => {
      const m = make();
      const b = batchOf(3);
      const pad = 2; // left padding: steps 0, 1 of every row
      for (let r = 0; r < b.B; r++) for (let k = 0; k < pad; k++) b.mask[r * K + k] = 0;
      const p0 = preds(m, b);
      const c = { ...b, states: b.states.slice(), rtg: b.rtg.slice(), prevActions: (b.prevActions as Int32Array).slice(), actions: (b.actions as Int32Array).slice() };
      for (let r = 0; r < b.B; r++) {
        for (let k = 0; k < pad; k++) {
          const i = r * K + k;
          for (let o = 0; o < OBS; o++) c.states[i * OBS + o] = 5;
          c.rtg[i] = 7;
          c.prevActions[i] = 0;
          c.actions[i] = 2;
        }
      }
      const p1 = preds(m, c);
      for (let r = 0; r < b.B; r++) {
        for (let k = pad; k < K; k++) for (let j = 0; j < 3; j++) assert.equal(p1[(r * K + k) * 3 + j], p0[(r * K + k) * 3 + j], `row ${r} step ${k}`);
      }
      m.dispose();
    });
  }
});
