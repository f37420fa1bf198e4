import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ready } from "../../src/tensor/index.js";
import { energyReport } from "../../src/energy/index.js";
import { DtModel, historyToBatch } from "../../src/models/index.js";
import { CONTINUOUS, DISCRETE, OBS, allWindows, tinyDataset } from "./fixtures.js";

// The Decision Transformer's decision path (`forwardLast`): the action is read at the last step's state token
// (token 3K - 2 of the 3K interleaved R, s, a tokens). Every block but the last runs in full; the last block's
// attention runs over every query row; its projection, MLP, the final LayerNorm and the head on that row only -
// the cut STRL's `forwardLast` makes, so the closed-loop energies compare like with like.

describe("the Decision Transformer's decision path", () => {
  before(async () => {
    await ready();
  });

  const tiny = { obsDim: OBS, contextLength: 4, maxTimestep: 16, dModel: 16, nBlocks: 2, nHeads: 2, seed: 3, dropout: 0 };
  for (const [name, head] of [["discrete", DISCRETE], ["continuous", CONTINUOUS]] as const) {
    it(`forwardLast equals forward at the last state token bit for bit (${name} head), left-padded windows included`, () => {
      const m = new DtModel({ ...tiny, head }).eval();
      const batch = allWindows(tinyDataset(name), 4); // windows of 1 to 4 real steps
      const full = m.forward(batch).preds; // [B, K, out]
      const [B, K, out] = full.shape as [number, number, number];
      const all = full.dataSync();
      const last = m.forwardLast(batch); // [B, 1, out]
      assert.deepEqual(last.shape, [B, 1, out]);
      const got = last.dataSync();
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < out; j++) {
          assert.equal(got[b * out + j], all[(b * K + K - 1) * out + j], `row ${b}, output ${j}`);
        }
      }
      full.dispose();
      last.dispose();
      m.dispose();
    });
  }

  it("getAction decides through the decision path (forwardLast, or its inference twin) and picks the action the full pass picks, at every step of an episode", () => {
    const m = new DtModel({ ...tiny, head: DISCRETE, seed: 11 }).eval();
    const ds = tinyDataset("discrete", 1, 6);
    const ep = ds.trajectories[0]!;
    let calls = 0;
    const inner = m.forwardLast.bind(m);
    m.forwardLast = (b) => {
      calls++;
      return inner(b);
    };
    // on the native engine the decision takes the inference path (src/models/infer), the same cut without the tape
    const innerInfer = m.inferLast.bind(m);
    m.inferLast = (b) => {
      const out = innerInfer(b);
      if (out) calls++;
      return out;
    };
    for (let t = 1; t <= 6; t++) {
      const h = {
        observations: Array.from({ length: t }, (_, i) => ep.observations.slice(i * OBS, (i + 1) * OBS)),
        actions: Array.from({ length: t - 1 }, (_, i) => ep.actions[i]!),
        returnsToGo: Array.from({ length: t }, (_, i) => 1 - 0.1 * i),
        timesteps: Array.from({ length: t }, (_, i) => i),
      };
      const preds = m.forward(historyToBatch(m.config, h)).preds; // [1, K, n]
      const row = Array.from(preds.dataSync().slice((4 - 1) * 3, 4 * 3)); // K 4, 3 actions: the last step's state token
      preds.dispose();
      assert.equal(m.getAction(h), row.indexOf(Math.max(...row)), `step ${t}`);
      assert.equal(calls, t, "one decision-path pass per decision");
    }
    m.dispose();
  });

  it("counts the issue's hand count at context 10, obs 6 (tiny preset: d 64, 2 blocks, 2 heads, 4 actions)", () => {
    const dt = new DtModel({ obsDim: 6, head: { kind: "discrete", n: 4 }, dModel: 64, nBlocks: 2, nHeads: 2, contextLength: 10 });
    // L = 10 steps -> n = 30 tokens, d = 64.
    // embeddings: rtg 10·1·64 = 640, state 10·6·64 = 3,840 (the discrete action is a table lookup, no MAC).
    // one block in full: qkv 30·64·192 = 368,640; causal pairs 30·31/2 = 465, x (2 heads x 32) = 29,760 for the
    //   scores and 29,760 for att·V; proj 30·64·64 = 122,880; fc1 30·64·256 = 491,520; fc2 491,520
    //   -> 1,534,080 per block.
    // head on the 10 state tokens: 10·64·4 = 2,560.
    // full pass: 640 + 3,840 + 2 x 1,534,080 + 2,560 = 3,075,200 MACs (x 4.6 pJ = 14,145,920 pJ = 14.1 µJ).
    const full = energyReport(dt.opRecords(10, {}, { path: "full" }));
    assert.equal(full.totalMacs, 3_075_200);
    assert.ok(Math.abs(full.energyPerDecisionPj - 14_145_920) < 1e-3);
    // decision path: block 0 in full (1,534,080); block 1: qkv 368,640 + scores 29,760 + att·V 29,760 over every
    //   row, then proj 1·64·64 = 4,096, fc1 1·64·256 = 16,384, fc2 16,384 on the state token -> 465,024;
    //   head 1·64·4 = 256.
    // 640 + 3,840 + 1,534,080 + 465,024 + 256 = 2,003,840 MACs (x 4.6 pJ = 9,217,664 pJ = 9.22 µJ).
    const last = energyReport(dt.opRecords(10, {}, { path: "last" }));
    assert.equal(last.totalMacs, 2_003_840);
    assert.ok(Math.abs(last.energyPerDecisionPj - 9_217_664) < 1e-3);
    dt.dispose();
  });
});
