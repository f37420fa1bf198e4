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
    assert.equal(Object.hasOwn(lif, "forwardRepeated"), false, "the LIF is restored");
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
