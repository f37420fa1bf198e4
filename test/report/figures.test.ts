import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { learningCurves, lossCurves } from "../../src/report/learning-curves.js";
import { RETURNS_HEIGHT, returnBarsOf, returnsBar, returnsDomain } from "../../src/report/bars.js";
import { ENERGY_HEIGHT, energyAxis, energyBars, energySplit } from "../../src/report/energy-bars.js";
import { RATES_WIDTH, firingRates } from "../../src/report/firing-rates.js";
import { spikeRaster } from "../../src/report/raster.js";
import { FIXED, SPARE, modelColor } from "../../src/report/palette.js";
import { energyReport } from "../../src/energy/index.js";
import { countMarks, markItems, svgWidth, texts, translate } from "./svg.js";

const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe("learningCurves", () => {
  const logs = [
    { model: "STRL", records: [{ step: 1, "training/loss": 2 }, { step: 2, "training/loss": 1.5, "evaluation/accuracy": 0.5 }, { step: 3, "training/loss": 1.2, "evaluation/accuracy": 0.7 }] },
    { model: "DT", records: [{ step: 1, "training/loss": 2.2, "evaluation/accuracy": 0.3 }, { step: 2, "training/loss": 1.9, "evaluation/accuracy": 0.4 }] },
  ];

  it("draws the raw loss faint, its EMA on top and the validation accuracy, one line per model in each", async () => {
    const svg = await learningCurves(logs);
    assert.ok(svg.startsWith("<svg"));
    const t = texts(svg);
    for (const s of ["Learning curves", "Training loss (EMA 0.9, raw faint)", "Validation accuracy (held-out)", "update step", "loss", "per-step accuracy", "STRL", "DT"]) assert.ok(t.includes(s), `missing text '${s}'`);
    assert.equal(countMarks(svg, "line"), 6); // raw, EMA and validation line for each of 2 models
    assert.equal(countMarks(svg, "symbol"), 4); // the validation points (legend symbols are not marks)
    const raw = markItems(svg, "loss_raw");
    assert.deepEqual(raw.map((p) => p["stroke-opacity"] ?? p.opacity), ["0.25", "0.25"]);
    assert.deepEqual(markItems(svg, "loss_ema").map((p) => p.stroke), [modelColor("STRL"), modelColor("DT")]);
  });

  it("smooths the loss with a bias-corrected EMA, by hand", () => {
    const { raw, smoothed } = lossCurves(logs, 0.5);
    assert.deepEqual(raw.filter((p) => p.model === "STRL").map((p) => p.value), [2, 1.5, 1.2]);
    // m1 = 0.5 x 2 = 1 -> 1 / 0.5 = 2; m2 = 0.5 + 0.75 = 1.25 -> / 0.75 = 5/3; m3 = 0.625 + 0.6 = 1.225 -> / 0.875 = 1.4
    const ema = smoothed.filter((p) => p.model === "STRL").map((p) => p.value);
    close(ema[0]!, 2);
    close(ema[1]!, 5 / 3);
    close(ema[2]!, 1.4);
    assert.throws(() => lossCurves(logs, 1), /smooth must be in \[0, 1\), got 1/);
  });

  it("plots the validation MSE for continuous-action logs", async () => {
    const svg = await learningCurves([{ model: "DT", records: [{ step: 1, "training/loss": 1, "evaluation/mse": 0.2 }] }]);
    assert.ok(texts(svg).includes("Validation action MSE (held-out)"));
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
    for (const s of ["Closed-loop return", "return (mean ± std)", "STRL @ 0.4", "STRL @ 0.8", "DT @ 0.4"]) assert.ok(texts(svg).includes(s), `missing '${s}'`);
    assert.equal(markItems(svg, "success_bars").length, 0); // no success rates given: no success panel
  });

  it("draws the expert and random returns as labelled lines at their scale position, and the success rates", async () => {
    const bars = [
      { model: "STRL", target: 1, mean: 0.5, std: 0.25, success: 0.4 },
      { model: "DT", target: 1, mean: -0.5, std: 0.5, success: 0.1 },
    ];
    const refs = { expert: 0.9, random: -0.8 };
    const svg = await returnsBar(bars, { references: refs });
    const [d0, d1] = returnsDomain(bars, refs);
    // every end (-1 .. 0.9) with 5% of the 1.9 range either side
    close(d0, -1 - 0.095);
    close(d1, 0.9 + 0.095);
    const y = (v: number) => RETURNS_HEIGHT * (1 - (v - d0) / (d1 - d0));
    const lines = markItems(svg, "reference_lines");
    assert.equal(lines.length, 2);
    close(translate(lines[0]!)[1], y(0.9));
    close(translate(lines[1]!)[1], y(-0.8));
    for (const s of ["expert 0.90", "random -0.80", "Success rate", "success %", "40", "10"]) assert.ok(texts(svg).includes(s), `missing '${s}'`);
    // the error bar of DT spans mean ± std = -1 .. 0 on the same scale
    const dtErr = markItems(svg, "return_std")[1]!;
    close(Math.abs(Number(dtErr.y2)), y(-1) - y(0));
    assert.deepEqual(markItems(svg, "return_bars").map((b) => b.fill), [modelColor("STRL"), modelColor("DT")]);
    assert.deepEqual(markItems(svg, "success_bars").map((b) => b.fill), [modelColor("STRL"), modelColor("DT")]);
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
    for (const s of ["Firing rate per LIF layer", "blocks.0.attn.q", "blocks.0.mlp.fc1", "spikes / neuron / step"]) assert.ok(texts(svg).includes(s), `missing '${s}'`);
    assert.equal(markItems(svg, "rate_spread").length, 0);
    await assert.rejects(firingRates({ a: 1.5 }), /layer 'a' rate must be in \[0, 1\], got 1.5/);
    await assert.rejects(firingRates({}), /needs at least one entry/);
  });

  it("draws a min-max whisker over decisions per layer, its length on the rate scale", async () => {
    const svg = await firingRates([
      { layer: "q_lif", rate: 0.1, min: 0.05, max: 0.3 },
      { layer: "mlp.lif1", rate: 0.2, min: 0.2, max: 0.2 },
    ]);
    const w = markItems(svg, "rate_spread");
    assert.equal(w.length, 2);
    // x scale: 0 .. 1.15 x the largest max (0.345) over the RATES_WIDTH px plot
    close(Number(w[0]!.x2), ((0.3 - 0.05) / 0.345) * RATES_WIDTH);
    close(translate(w[0]!)[0], (0.05 / 0.345) * RATES_WIDTH); // drawn from min to max
    close(Number(w[1]!.x2), 0);
    await assert.rejects(firingRates([{ layer: "a", rate: 0.1, min: 0.2, max: 0.1 }]), /layer 'a': min 0.2 is above max 0.1/);
    await assert.rejects(firingRates([{ layer: "a", rate: 0.1, min: 0.2 }]), /layer 'a': give both min and max, or neither/);
  });

  it("stacks MAC and SOP energy per model, split from an energy report by hand", async () => {
    const rep = energyReport([{ layer: "emb", input: "real", macs: 100 }, { layer: "q", input: "spike", macs: 1000, T: 4, rate: 0.5 }], undefined, 2);
    const split = energySplit("STRL", rep);
    assert.ok(Math.abs(split.macPj - (100 * 4.6) / 2) < 1e-9); // 230 pJ per decision
    assert.ok(Math.abs(split.sopPj - (2000 * 0.9) / 2) < 1e-9); // 900 pJ per decision
    const svg = await energyBars([split, { model: "ANN-STRL", macPj: 5000, sopPj: 0 }, { model: "DT", macPj: 9000, sopPj: 0 }]);
    assert.equal(countMarks(svg, "rect"), 6);
    for (const s of ["Energy per decision, 45 nm", "energy / decision (nJ)", "ANN-STRL"]) assert.ok(texts(svg).includes(s), `missing '${s}'`);
    assert.equal(markItems(svg, "energy_spread").length, 0);
    await assert.rejects(energyBars([{ model: "x", macPj: Infinity, sopPj: 0 }]), /model 'x' macPj must be a finite number, got Infinity/);
  });
});

describe("energy error bars", () => {
  it("draws ± the stated spread in µJ: the bar's half length is the std on the axis scale", async () => {
    const models = [
      { model: "STRL", macPj: 1.5e6, sopPj: 0.5e6, spreadPj: 0.25e6 }, // 2 ± 0.25 µJ
      { model: "DT", macPj: 12e6, sopPj: 0, spreadPj: 1e6 }, // 12 ± 1 µJ
    ];
    const { unit, top } = energyAxis(models);
    assert.equal(unit, "µJ");
    close(top, 13 * 1.08);
    const svg = await energyBars(models, { spreadLabel: "sample std over decisions" });
    assert.ok(texts(svg).includes("energy / decision (µJ)"));
    assert.ok(texts(svg).includes("error bar: ± sample std over decisions"));
    const bars = markItems(svg, "energy_spread");
    const px = ENERGY_HEIGHT / top; // px per µJ
    close(Math.abs(Number(bars[0]!.y2)) / 2, 0.25 * px);
    close(Math.abs(Number(bars[1]!.y2)) / 2, 1 * px);
    close(translate(bars[1]!)[1], ENERGY_HEIGHT - 11 * px); // drawn from the bottom of the error bar (12 - 1) up
    assert.deepEqual([...new Set(markItems(svg, "energy_bars").map((b) => b.fill))], [modelColor("STRL"), modelColor("DT")]);
    await assert.rejects(energyBars([{ model: "x", macPj: 1, sopPj: 0, spreadPj: -1 }]), /model 'x' spreadPj must be >= 0, got -1/);
  });
});

describe("palette", () => {
  it("gives a model one colour in every figure, case-insensitively, and an unknown name a stable spare colour", async () => {
    const lc = await learningCurves([{ model: "ANN-STRL", records: [{ step: 1, "training/loss": 1 }, { step: 2, "training/loss": 0.5 }] }]);
    const rb = await returnsBar([{ model: "ANN-STRL", target: 1, mean: 0.5, std: 0.1 }]);
    const eb = await energyBars([{ model: "ANN-STRL", macPj: 10, sopPj: 0 }]);
    const fr = await firingRates([{ layer: "l", rate: 0.1, model: "ANN-STRL" }, { layer: "l", rate: 0.2, model: "my-model" }]);
    const c = modelColor("ANN-STRL");
    assert.equal(c, modelColor("ann-strl"));
    assert.equal(markItems(lc, "loss_ema")[0]!.stroke, c);
    assert.equal(markItems(rb, "return_bars")[0]!.fill, c);
    assert.equal(markItems(eb, "energy_bars")[0]!.fill, c);
    assert.deepEqual(markItems(fr, "rate_bars").map((b) => b.fill), [c, modelColor("my-model")]);
    assert.equal(modelColor("my-model"), modelColor("My-Model "));
    assert.notEqual(modelColor("STRL"), modelColor("DT"));
    // a spare colour is never one a reader could take for a fixed model's: "#c44e52" (49 from STRL's #e4572e) and
    // "#5f6ec2" (38 from ANN-STRL's #3b6fb6) were, in the silent-attention report's summary figure
    const rgb = (c: string): number[] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    const dist = (a: string, b: string): number => Math.hypot(...rgb(a).map((v, i) => v - rgb(b)[i]!));
    for (const s of SPARE) for (const f of Object.values(FIXED)) assert.ok(dist(s, f) >= 60, `${s} is ${dist(s, f).toFixed(0)} from ${f}`);
    assert.equal(Math.round(dist("#c44e52", "#e4572e")), 49);
  });

  it("sizes every figure for a paper column (3.5 in at 96 dpi = 336 px, within the text-width estimate's slack)", async () => {
    const lif = (name: string) => ({ layer: name, spikes: [[1, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0], [1, 1, 0, 0]] });
    const figs = [
      await learningCurves(logs4()),
      await returnsBar([{ model: "STRL", target: 1, mean: 0.5, std: 0.1, success: 0.5 }, { model: "ANN-STRL", target: 1, mean: 0.4, std: 0.1, success: 0.4 }, { model: "DT", target: 1, mean: 0.3, std: 0.1, success: 0.3 }], { references: { expert: 1, random: 0 } }),
      await energyBars([{ model: "STRL", macPj: 1e6, sopPj: 1e5, spreadPj: 1e5 }, { model: "ANN-STRL", macPj: 2e6, sopPj: 0 }, { model: "DT", macPj: 9e6, sopPj: 0 }]),
      await firingRates([{ layer: "blocks.0.attn.score_lif", rate: 0.1, min: 0, max: 0.2 }]),
      await spikeRaster([lif("blocks.0.attn.score_lif"), lif("blocks.1.attn.score_lif"), lif("blocks.1.mlp.lif2")]),
    ];
    for (const f of figs) assert.ok(svgWidth(f) <= 350, `figure ${svgWidth(f)} px wide`);
  });
});

function logs4() {
  return ["STRL", "ANN-STRL", "DT"].map((model) => ({ model, records: [1, 2, 3].map((step) => ({ step, "training/loss": 1 / step, "evaluation/accuracy": step / 4 })) }));
}

describe("spikeRaster", () => {
  it("draws one panel per layer, named, with one dark cell per spike at (neuron, t)", async () => {
    const svg = await spikeRaster([
      { layer: "blocks.0.attn.q_lif", spikes: [[0, 1, 0], [1, 1, 0], [0, 1, 0], [1, 1, 0]] }, // 6 spikes of 12
      { layer: "blocks.0.attn.score_lif", spikes: [[1, 0], [0, 0], [0, 1], [1, 1]] }, // 4 of 8
      { layer: "blocks.0.mlp.lif1", spikes: [[0, 0], [0, 0], [0, 0], [0, 0]] }, // silent
    ]);
    const t = texts(svg);
    assert.deepEqual(t.filter((s) => s.startsWith("block")), ["block 1 attention: query", "block 1 attention: score", "block 1 MLP: hidden"]);
    for (const code of ["blocks.0.attn.q_lif", "blocks.0.attn.score_lif"]) assert.ok(svg.includes(code), `code name ${code} kept in the SVG`);
    assert.deepEqual(t.filter((s) => s.startsWith("rate ")), ["rate 0.500", "rate 0.500", "rate 0.000"]);
    assert.equal(markItems(svg, "layer_0_layer_0").length, 6);
    assert.equal(markItems(svg, "layer_1_layer_0").length, 4);
    assert.equal(markItems(svg, "layer_2_layer_0").length, 0);
    // panel 1's spike at t = 3, neuron 1 of 2: x from 75 px (half of 150), y from 3/4 of the 24 px height
    const cells = markItems(svg, "layer_1_layer_0").map((c) => c.d);
    assert.ok(cells.includes("M75,18h75v6h-75Z"), cells.join(" "));
  });

  it("accepts a bare [T, neurons] matrix and rejects non-binary or ragged input", async () => {
    const svg = await spikeRaster([[1, 0, 0], [0, 0, 1]]);
    assert.equal(markItems(svg, "layer_0_layer_0").length, 2);
    await assert.rejects(spikeRaster([[1, 2]]), /spike \[0\]\[1\] must be 0 or 1, got 2/);
    await assert.rejects(spikeRaster([[1, 0], [1]]), /time step 1 has 1 neurons, expected 2/);
    await assert.rejects(spikeRaster([]), /needs at least one entry/);
  });
});
