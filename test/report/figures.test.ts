import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { learningCurves } from "../../src/report/learning-curves.js";
import { energyBars, energySplit, firingRates, returnBarsOf, returnsBar } from "../../src/report/bars.js";
import { spikeRaster } from "../../src/report/raster.js";
import { energyReport } from "../../src/energy/index.js";
import { countMarks, texts } from "./svg.js";

describe("learningCurves", () => {
  const logs = [
    { model: "STRL", records: [{ step: 1, "training/loss": 2 }, { step: 2, "training/loss": 1.5, "evaluation/accuracy": 0.5 }, { step: 3, "training/loss": 1.2, "evaluation/accuracy": 0.7 }] },
    { model: "DT", records: [{ step: 1, "training/loss": 2.2, "evaluation/accuracy": 0.3 }, { step: 2, "training/loss": 1.9, "evaluation/accuracy": 0.4 }] },
  ];

  it("draws loss and validation accuracy, one line per model in each panel", async () => {
    const svg = await learningCurves(logs);
    assert.ok(svg.startsWith("<svg"));
    const t = texts(svg);
    for (const s of ["Learning curves", "Training loss", "Validation accuracy", "update step", "loss", "per-step action accuracy", "STRL", "DT"]) assert.ok(t.includes(s), `missing text '${s}'`);
    assert.equal(countMarks(svg, "line"), 4);
    assert.equal(countMarks(svg, "symbol"), 4); // the validation points (legend symbols are not marks)
  });

  it("plots the validation MSE for continuous-action logs", async () => {
    const svg = await learningCurves([{ model: "DT", records: [{ step: 1, "training/loss": 1, "evaluation/mse": 0.2 }] }]);
    assert.ok(texts(svg).includes("Validation action MSE"));
  });

  it("rejects empty logs, NaN losses and logs without a loss", async () => {
    await assert.rejects(learningCurves([]), /learningCurves: logs: needs at least one entry/);
    await assert.rejects(learningCurves([{ model: "STRL", records: [{ step: 1, "training/loss": NaN }] }]), /model 'STRL' record 0 'training\/loss' must be a finite number, got NaN/);
    await assert.rejects(learningCurves([{ model: "STRL", records: [{ step: 1, "training/lr": 1 }] }]), /no record has a 'training\/loss' value/);
  });
});

describe("returnsBar", () => {
  it("draws one bar and one error bar per (model, target)", async () => {
    const bars = [
      ...returnBarsOf("STRL", { targets: [{ targetReturn: 0.4, returnMean: 0.3, returnStd: 0.1 }, { targetReturn: 0.8, returnMean: 0.35, returnStd: 0.05 }] }),
      { model: "DT", target: 0.4, mean: -0.5, std: 0.3 },
    ];
    const svg = await returnsBar(bars);
    assert.equal(countMarks(svg, "rect"), 3);
    assert.equal(countMarks(svg, "rule"), 3);
    for (const s of ["Closed-loop return per model (mean ± std)", "return", "model", "target return", "STRL", "DT", "0.8"]) assert.ok(texts(svg).includes(s), `missing '${s}'`);
  });

  it("rejects empty results, NaN means and negative std", async () => {
    await assert.rejects(returnsBar([]), /returnsBar: results: needs at least one entry/);
    await assert.rejects(returnsBar([{ model: "a", target: 1, mean: NaN, std: 0 }]), /results\[0\]\.mean must be a finite number, got NaN/);
    await assert.rejects(returnsBar([{ model: "a", target: 1, mean: 0, std: -1 }]), /results\[0\]\.std must be >= 0, got -1/);
  });
});

describe("firingRates and energyBars", () => {
  it("draws one bar per layer with the layer names", async () => {
    const svg = await firingRates({ "blocks.0.attn.q": 0.1, "blocks.0.attn.k": 0.2, "blocks.0.mlp.fc1": 0.05 });
    assert.equal(countMarks(svg, "rect"), 3);
    for (const s of ["Firing rate per spiking layer", "blocks.0.attn.q", "blocks.0.mlp.fc1", "firing rate (spikes / neuron / step)", "0.100", "0.050"]) assert.ok(texts(svg).includes(s), `missing '${s}'`);
    await assert.rejects(firingRates({ a: 1.5 }), /layer 'a' rate must be in \[0, 1\], got 1.5/);
    await assert.rejects(firingRates({}), /needs at least one entry/);
  });

  it("stacks MAC and SOP energy per model, split from an energy report by hand", async () => {
    const rep = energyReport([{ layer: "emb", input: "real", macs: 100 }, { layer: "q", input: "spike", macs: 1000, T: 4, rate: 0.5 }], undefined, 2);
    const split = energySplit("STRL", rep);
    assert.ok(Math.abs(split.macPj - (100 * 4.6) / 2) < 1e-9); // 230 pJ per decision
    assert.ok(Math.abs(split.sopPj - (2000 * 0.9) / 2) < 1e-9); // 900 pJ per decision
    const svg = await energyBars([split, { model: "ANN-STRL", macPj: 5000, sopPj: 0 }, { model: "DT", macPj: 9000, sopPj: 0 }]);
    assert.equal(countMarks(svg, "rect"), 6);
    for (const s of ["Energy per decision (45 nm estimate)", "energy per decision (pJ)", "MAC (real input)", "SOP (spike input)", "ANN-STRL"]) assert.ok(texts(svg).includes(s), `missing '${s}'`);
    await assert.rejects(energyBars([{ model: "x", macPj: Infinity, sopPj: 0 }]), /model 'x' macPj must be a finite number, got Infinity/);
  });
});

describe("spikeRaster", () => {
  it("draws one square per spike, a panel per layer titled with its rate", async () => {
    const svg = await spikeRaster([
      { layer: "q", spikes: [[0, 1, 0], [1, 1, 0], [0, 1, 0], [1, 1, 0]] }, // 6 spikes of 12
      { layer: "mlp", spikes: [[1, 0], [0, 0], [0, 1], [1, 1]] }, // 4 of 8
    ]);
    assert.equal(countMarks(svg, "symbol"), 10);
    for (const s of ["Spikes of one decision", "q (rate 0.500)", "mlp (rate 0.500)", "time step t", "neuron"]) assert.ok(texts(svg).includes(s), `missing '${s}'`);
  });

  it("accepts a bare [T, neurons] matrix and rejects non-binary or ragged input", async () => {
    const svg = await spikeRaster([[1, 0, 0], [0, 0, 1]]);
    assert.equal(countMarks(svg, "symbol"), 2);
    await assert.rejects(spikeRaster([[1, 2]]), /spike \[0\]\[1\] must be 0 or 1, got 2/);
    await assert.rejects(spikeRaster([[1, 0], [1]]), /time step 1 has 1 neurons, expected 2/);
    await assert.rejects(spikeRaster([]), /needs at least one entry/);
  });
});
