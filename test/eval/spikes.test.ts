import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready, tensor } from "../../src/tensor/index.js";
import { LIF } from "../../src/snn/index.js";
import { captureSpikes } from "../../src/eval/spikes.js";

before(async () => {
  await ready();
});

describe("captureSpikes", () => {
  it("records the spikes of the last row by hand (1.5 -> 0101, 3 -> 1111, 0 -> 0000) and keeps the mean output", () => {
    const lif = new LIF({}, "l");
    let out: number[] = [];
    const got = captureSpikes([["l", lif]], () => {
      const x = tensor([9, 9, 9, 1.5, 3, 0], [1, 2, 3]); // [B, K, D]; the last token is (1.5, 3, 0)
      out = Array.from(lif.forwardRepeated(x, 4, { mean: true }).dataSync());
    });
    assert.deepEqual(got, [{ layer: "l", spikes: [[0, 1, 0], [1, 1, 0], [0, 1, 0], [1, 1, 0]] }]);
    assert.deepEqual(out, [1, 1, 1, 0.5, 1, 0]); // 9 fires every step
    got.length = 0;
    lif.forward(tensor([[3]])); // unsubscribed afterwards: no capture
    assert.equal(got.length, 0);
  });

  it("keeps only the first call of a layer, limits neurons, and skips layers that never ran", () => {
    const a = new LIF({}, "a");
    const b = new LIF({}, "b");
    const got = captureSpikes([["a", a], ["b", b]], () => {
      a.forward(tensor([[3, 3, 3]])); // [T=1, 3]
      a.forward(tensor([[0, 0, 0]]));
    }, { maxNeurons: 2 });
    assert.deepEqual(got, [{ layer: "a", spikes: [[1, 1]] }]);
  });
});

describe("captureSpikes on a whole STRL", () => {
  it("captures every LIF layer, the fused attention's q, k, v and score neurons included", async () => {
    const { StrlModel } = await import("../../src/models/index.js");
    const { DISCRETE, OBS, allWindows, tinyDataset } = await import("../models/fixtures.js");
    const K = 4;
    const m = new StrlModel({ obsDim: OBS, head: DISCRETE, contextLength: K, maxTimestep: 16, dropout: 0, seed: 5, dModel: 8, nBlocks: 2, nHeads: 2 });
    const full = allWindows(tinyDataset("discrete"), K);
    const one = { ...full, B: 1, states: full.states.slice(0, K * OBS), rtg: full.rtg.slice(0, K), timesteps: full.timesteps.slice(0, K), actions: full.actions.slice(0, K), prevActions: full.prevActions.slice(0, K), mask: new Float32Array(K).fill(1) };
    const got = captureSpikes(m, () => m.forward(one).preds.dispose(), { maxNeurons: 100 }); // the model: its LIFs found by walking it
    const perBlock = ["attn.q_lif", "attn.k_lif", "attn.v_lif", "attn.score_lif", "mlp.lif1", "mlp.lif2"];
    assert.deepEqual(got.map((g) => g.layer), [0, 1].flatMap((b) => perBlock.map((n) => `blocks.${b}.${n}`))); // 12 layers, none missing
    const width = (name: string) => got.find((g) => g.layer === name)!.spikes[0]!.length;
    assert.equal(width("blocks.0.attn.q_lif"), 8); // d features of the last token
    assert.equal(width("blocks.0.attn.score_lif"), 2 * K); // the last query's K keys in each of 2 heads
    assert.equal(width("blocks.1.mlp.lif1"), 32);
    for (const g of got) assert.equal(g.spikes.length, 4); // T = 4
    m.dispose();
  });
});
