import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Linear, Rng, ones, ready, tensor } from "../../src/tensor/index.js";
import { LIF, FiringRateMonitor } from "../../src/snn/index.js";
import { energyReport, linearMacs, checkProfile, CMOS_45NM, type OpRecord } from "../../src/energy/index.js";

before(async () => {
  await ready();
});

describe("energy of Linear 3->4 -> LIF -> Linear 4->2 (T = 4, one token)", () => {
  it("counts MACs for the real input and SOPs = T x rate x MACs for the spike input, by hand", () => {
    const rng = new Rng(0);
    const l1 = new Linear(rng, 3, 4, { bias: false });
    const l2 = new Linear(rng, 4, 2, { bias: false });
    // x = [1, 0, 0] puts row 0 of W1 on the LIF: constant inputs 2.5, 1.5, 0.3, 1.2 over T = 4 steps.
    l1.weight.assign(tensor([[2.5, 1.5, 0.3, 1.2], [0, 0, 0, 0], [0, 0, 0, 0]]));
    l2.weight.assign(ones([4, 2]));
    const lif = new LIF({}, "lif");
    const mon = new FiringRateMonitor().attach(lif);
    const T = 4;
    const spikes = lif.forwardRepeated(l1.apply(tensor([[1, 0, 0]])), T); // [T, 1, 4]
    const out = l2.apply(spikes); // [T, 1, 2]
    // By hand (H = (V + X)/2, hard reset): 2.5 fires 4 times; 1.5 at steps 2 and 4; 0.3 never; 1.2 at step 3.
    assert.deepEqual(Array.from(spikes.dataSync()), [1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0]);
    const rate = mon.rate("lif");
    assert.equal(rate, 7 / 16);
    // Each spike costs one accumulate per output feature: 7 spikes x 2 outputs = 14 SOPs; check against the
    // network's own output (all-ones W2: the sum of the outputs is 2 x the spike count).
    assert.equal(out.sum().dataSync()[0], 14);
    const records: OpRecord[] = [
      { layer: "l1", input: "real", macs: linearMacs(1, 3, 4) },
      { layer: "l2", input: "spike", macs: linearMacs(1, 4, 2), T, rate },
    ];
    const rep = energyReport(records);
    assert.equal(rep.layers[0]!.macs, 12);
    assert.equal(rep.layers[1]!.sops, 14);
    assert.ok(Math.abs(rep.layers[0]!.energyPj - 12 * 4.6) < 1e-9);
    assert.ok(Math.abs(rep.layers[1]!.energyPj - 14 * 0.9) < 1e-9);
    assert.ok(Math.abs(rep.energyPerDecisionPj - 67.8) < 1e-9);
    assert.equal(rep.totalMacs, 12);
    assert.equal(rep.totalSops, 14);
    // The same network with real activations pays MACs on both layers, T times for the second: 12 + 4 x 8 = 44 MACs.
    const ann = energyReport([
      { layer: "l1", input: "real", macs: 12 },
      { layer: "l2", input: "real", macs: 8, repeats: T },
    ]);
    assert.ok(Math.abs(ann.energyPerDecisionPj - 44 * 4.6) < 1e-9);
  });

  it("uses a user device profile and divides by the number of decisions", () => {
    const p = checkProfile({ name: "custom", eMacPj: 1, eAcPj: 0.5 });
    const rep = energyReport([{ layer: "x", input: "spike", macs: 10, T: 2, rate: 0.5 }], p, 2);
    assert.equal(rep.totalEnergyPj, 5); // 2 x 0.5 x 10 = 10 SOPs x 0.5 pJ
    assert.equal(rep.energyPerDecisionPj, 2.5);
    assert.equal(CMOS_45NM.eMacPj, 4.6);
    assert.equal(CMOS_45NM.eAcPj, 0.9);
  });

  it("rejects bad profiles and records with clear errors", () => {
    assert.throws(() => checkProfile({ name: "x", eMacPj: -1, eAcPj: 1 }), /eMacPj must be a finite number >= 0, got -1/);
    assert.throws(() => checkProfile(null), /device profile must be an object/);
    assert.throws(() => energyReport([{ layer: "l", input: "spike", macs: 1, T: 4, rate: 1.5 }]), /layer 'l' rate must be in \[0, 1\], got 1.5/);
    assert.throws(() => energyReport([], CMOS_45NM, 0), /decisions must be an integer >= 1/);
  });
});

describe("the structural bound and the int8 profile", () => {
  it("puts tiny-preset STRL / ANN-STRL in [0.63, 0.92] and gives break-even rates 4.6 / 3.6 and 0.23 / 3.6", async () => {
    const { structuralBound } = await import("../../src/experiments/energy-bound.js");
    const { INT8_45NM, breakEvenRate } = await import("../../src/energy/index.js");
    const b = structuralBound({ obsDim: 2, head: { kind: "discrete", n: 4 }, headDim: 32, mlpRatio: 4, causal: true, attention: "strl", dModel: 64, nBlocks: 2, nHeads: 2 }, 10, 4);
    // real MACs (identical in both): embed 10·(1+2)·64 + 2 x (qkv 10·64·192 + fc1 10·64·256) + head 10·64·4 = 577,920
    // spike MACs: 2 x (scores 55·2·32 + av 3520 + fc2 10·256·64) = 341,760
    const real = 577920;
    const spike = 341760;
    const ann = (real + spike) * 4.6;
    assert.ok(Math.abs(b.low - (real * 4.6) / ann) < 1e-12);
    assert.ok(Math.abs(b.high - (real * 4.6 + 4 * 0.9 * spike) / ann) < 1e-12);
    assert.equal(b.low.toFixed(2), "0.63");
    assert.equal(b.high.toFixed(2), "0.92");
    assert.equal(breakEvenRate(4), 4.6 / 3.6);
    assert.equal(breakEvenRate(4, undefined, INT8_45NM), 0.23 / 3.6);
    assert.throws(() => breakEvenRate(0), /T must be an integer >= 1, got 0/);
  });

  it("puts the same shape's closed-loop decisions (forwardLast) in [0.688, 0.932], and obs 6 moves the floor to 0.689", async () => {
    const { structuralBound, rowBoundsTable } = await import("../../src/experiments/energy-bound.js");
    const shape = { obsDim: 2, head: { kind: "discrete", n: 4 } as const, headDim: 32, mlpRatio: 4, causal: true, attention: "strl", dModel: 64, nBlocks: 2, nHeads: 2 };
    const b = structuralBound(shape, 10, 4, "last");
    // real MACs: embed 10·3·64 = 1,920; block 0 in full: qkv 122,880 + fc1 163,840; block 1: qkv on every row
    // 122,880 (its attention sees every row), fc1 on the decision row 64·256 = 16,384; head 64·4 = 256: 428,160.
    // spike MACs: block 0: scores 55·2·32 = 3,520 + att·v 3,520 + fc2 163,840; block 1: 3,520 + 3,520 + fc2 on one
    // row 256·64 = 16,384: 194,304.
    const real = 428160;
    const spike = 194304;
    assert.ok(Math.abs(b.low - real / (real + spike)) < 1e-12);
    assert.ok(Math.abs(b.high - (real * 4.6 + 4 * 0.9 * spike) / ((real + spike) * 4.6)) < 1e-12);
    assert.deepEqual([b.low.toFixed(3), b.high.toFixed(3)], ["0.688", "0.932"]);
    // obs 6 adds 10·4·64 = 2,560 real MACs: (428,160 + 2,560) / (622,464 + 2,560) = 0.68912
    const six = structuralBound({ ...shape, obsDim: 6 }, 10, 4, "last");
    assert.equal(six.low.toFixed(5), ((real + 2560) / (real + spike + 2560)).toFixed(5));
    assert.equal(six.low.toFixed(3), "0.689");
    const table = rowBoundsTable([
      { row: "1 maze-paper", obsDim: 2, head: { kind: "discrete", n: 4 }, arch: { dModel: 64, nBlocks: 2, nHeads: 2, contextLength: 10 }, path: "full" },
      { row: "2 maze-local", obsDim: 6, head: { kind: "discrete", n: 4 }, arch: { dModel: 64, nBlocks: 2, nHeads: 2, contextLength: 10 }, path: "last" },
    ], 4).split("\n");
    assert.equal(table[2], "| 1 maze-paper | offline windows (full pass) | 2 | 4 discrete | 64, 2, 2, 10 | [0.628, 0.919] |"); // (577,920 x 4.6 + 3.6 x 341,760) / (919,680 x 4.6)
    // high: (430,720 x 4.6 + 3.6 x 194,304) / (625,024 x 4.6) = 0.93242
    assert.equal(table[3], "| 2 maze-local | closed-loop decisions (forwardLast) | 6 | 4 discrete | 64, 2, 2, 10 | [0.689, 0.932] |");
  });
});
