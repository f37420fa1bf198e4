import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready, tensor } from "../../src/tensor/index.js";
import { FiringRateMonitor, LIF } from "../../src/snn/index.js";

before(async () => {
  await ready();
});

describe("FiringRateMonitor over real tokens", () => {
  // [B=1, K=3, F=2], T = 4: padding row 9 fires 4/4; real rows 1.5 -> 0101 (2/4) and 0 -> 0000
  const x = () => tensor([9, 9, 1.5, 1.5, 0, 0], [1, 3, 2]);

  it("counts every neuron without a mask: (8 + 4 + 0) / 24 = 0.5", () => {
    const lif = new LIF({}, "l");
    const mon = new FiringRateMonitor().attach(lif);
    lif.forwardRepeated(x(), 4).dispose();
    assert.deepEqual(mon.rates().l, { rate: 0.5, spikes: 12, neuronSteps: 24, calls: 1, T: 4 });
  });

  it("counts only real rows with a mask [0, 1, 1]: 4 / 16 = 0.25", () => {
    const lif = new LIF({}, "l");
    const mon = new FiringRateMonitor().attach(lif);
    mon.setTokens([0, 1, 1], 1, 3);
    lif.forwardRepeated(x(), 4).dispose();
    assert.deepEqual(mon.rates().l, { rate: 0.25, spikes: 4, neuronSteps: 16, calls: 1, T: 4 });
    // a layer run on the last position only (forwardLast's last block) counts that row: 0 -> 0000
    lif.forwardRepeated(tensor([0, 3], [1, 1, 2]), 4).dispose();
    assert.deepEqual(mon.rates().l, { rate: 8 / 24, spikes: 8, neuronSteps: 24, calls: 2, T: 4 });
    assert.throws(() => lif.forwardRepeated(tensor([1, 1, 1, 1], [2, 1, 2]), 4), /ran on 2 token rows; the token mask is for B = 1 x K = 3/);
    assert.throws(() => mon.setTokens([1, 1], 1, 3), /mask has 2 entries, expected B·K = 3/);
  });
});
