import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { layerLabel } from "../../src/models/layer-names.js";
import { axisTicks } from "../../src/report/ticks.js";
import { figureTitle } from "../../src/report/render.js";
import { firingRates } from "../../src/report/firing-rates.js";
import { energyBars } from "../../src/report/energy-bars.js";
import { returnsBar } from "../../src/report/bars.js";
import { learningCurves } from "../../src/report/learning-curves.js";
import { spikeRaster } from "../../src/report/raster.js";
import { plotRuns, runsSubtitle } from "../../src/report/run-plot.js";
import { countMarks, texts } from "./svg.js";

/** The x-axis labels Vega left visible (opacity 1) under the firing-rate bars. */
function visibleAxisLabels(svg: string): string[] {
  const out: string[] = [];
  for (const m of svg.matchAll(/role-axis-label"[^>]*>(.*?)<\/g>/g)) {
    for (const t of m[1]!.matchAll(/<text[^>]*opacity="([\d.]+)"[^>]*>([^<]*)<\/text>/g)) if (t[1] === "1") out.push(t[2]!);
  }
  return out;
}

describe("layer names in words", () => {
  it("maps every LIF layer of a block to its role, blocks counted from 1", () => {
    assert.equal(layerLabel("blocks.0.attn.q_lif"), "block 1 attention: query");
    assert.equal(layerLabel("blocks.0.attn.k_lif"), "block 1 attention: key");
    assert.equal(layerLabel("blocks.2.attn.v_lif"), "block 3 attention: value");
    assert.equal(layerLabel("blocks.1.attn.score_lif"), "block 2 attention: score");
    assert.equal(layerLabel("blocks.1.attn.out_lif"), "block 2 attention: output");
    assert.equal(layerLabel("blocks.0.mlp.lif1"), "block 1 MLP: hidden");
    assert.equal(layerLabel("blocks.11.mlp.lif2"), "block 12 MLP: output");
    assert.equal(layerLabel("blocks.0.attn.qk"), "block 1 attention: query-key coincidences");
  });

  it("leaves names it does not know as they are", () => {
    for (const n of ["embed.lif", "blocks.0.attn.qkv", "blocks.x.mlp.lif1", "spikes", "head"]) assert.equal(layerLabel(n), n);
  });
});

describe("axis ticks", () => {
  it("puts at least four round ticks on a fixed domain", () => {
    assert.deepEqual(axisTicks(0, 0.0978), [0, 0.025, 0.05, 0.075]);
    assert.deepEqual(axisTicks(0, 0.06), [0, 0.02, 0.04, 0.06]); // 0.025 gives three, 0.02 four
    assert.deepEqual(axisTicks(0, 525), [0, 100, 200, 300, 400, 500]);
    assert.deepEqual(axisTicks(0, 32.4), [0, 10, 20, 30]);
    assert.deepEqual(axisTicks(-12, 30), [-10, 0, 10, 20, 30]);
    assert.throws(() => axisTicks(1, 1), /hi must be above lo/);
  });

  it("shows four or more labelled ticks on the firing-rate axis (it had two)", async () => {
    const svg = await firingRates([{ layer: "blocks.0.attn.q_lif", rate: 0.06, min: 0.01, max: 0.085 }]);
    assert.deepEqual(visibleAxisLabels(svg).filter((l) => /^[\d.]+$/.test(l)), ["0", "0.025", "0.05", "0.075"]);
  });
});

describe("figure legends and titles", () => {
  it("gives the energy figure a legend entry for each part of a bar, solid MAC and light SOP", async () => {
    const svg = await energyBars([{ model: "STRL", macPj: 9e6, sopPj: 4e5 }, { model: "DT", macPj: 3e7, sopPj: 0 }]);
    assert.ok(svg.includes('aria-label="Symbol legend for opacity with 2 values: MAC (real input), SOP (spike input)"'));
    for (const s of ["MAC (real input)", "SOP (spike input)"]) assert.ok(texts(svg).includes(s), `no legend label '${s}'`);
    const symbols = [...svg.matchAll(/role-legend-symbol"[^>]*>.*?opacity="([\d.]+)"/g)].map((m) => m[1]);
    assert.deepEqual(symbols, ["1", "0.4"]);
  });

  it("puts the task in the title of every figure", async () => {
    const task = "CartPole-v1, expert data";
    const spikes = [[1, 0], [0, 1]];
    const figs = [
      await firingRates({ "blocks.0.mlp.lif1": 0.1 }, { task }),
      await energyBars([{ model: "STRL", macPj: 10, sopPj: 1 }], { task }),
      await returnsBar([{ model: "STRL", target: 1, mean: 0.5, std: 0.1 }], { task }),
      await learningCurves([{ model: "STRL", records: [{ step: 1, "training/loss": 1 }] }], { task }),
      await spikeRaster([{ layer: "blocks.0.mlp.lif1", spikes }], { task }),
      await plotRuns([{ label: "strl", records: [{ step: 1, "training/loss": 1 }] }], { task }),
    ];
    for (const f of figs) assert.ok(texts(f).some((t) => t.includes(task)), `no task in ${texts(f).slice(0, 3).join(" | ")}`);
    assert.equal(figureTitle("Energy", "Acrobot-v1"), "Energy: Acrobot-v1");
    assert.deepEqual(figureTitle("Energy per decision, 45 nm", "Hopper-v5, medium data"), ["Energy per decision, 45 nm", "Hopper-v5, medium data"]);
  });

  it("says in `strl plot`'s subtitle whether bands are drawn, and draws none for one run per label", async () => {
    const rec = (k: number) => [1, 2, 3].map((step) => ({ step, "training/loss": k / step }));
    assert.equal(runsSubtitle([{ label: "strl", records: rec(1) }]), "strl: 1 run; lines: each run's values, no band (one run per label)");
    const one = await plotRuns([{ label: "strl", records: rec(1) }]);
    assert.equal(countMarks(one, "area"), 0);
    assert.ok(!one.includes("95%"));
    const mixed = [{ label: "strl", records: rec(1) }, { label: "strl", records: rec(2) }, { label: "dt", records: rec(3) }];
    assert.equal(runsSubtitle(mixed), "strl: 2 runs, dt: 1 run; lines: mean over runs; bands (strl; the others are single runs): 95% t CI of the mean over runs, clipped to each panel's valid range");
    assert.equal(countMarks(await plotRuns(mixed), "area"), 1);
  });
});
