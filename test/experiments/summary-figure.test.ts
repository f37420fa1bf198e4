import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { scoreEnergyData, scoreEnergyPlot } from "../../src/report/score-energy.js";
import { seedFigures, summaryPoints, taskLabel } from "../../src/experiments/row-figures.js";
import type { RowResult } from "../../src/experiments/reproduce.js";
import type { ModelOutcome } from "../../src/experiments/compare.js";
import { countMarks, markItems, texts } from "../report/svg.js";
import { ENERGY_HEIGHT } from "../../src/report/energy-bars.js";

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** A closed-loop outcome whose every episode returns `ret`, charged `pj` per decision, with the given references. */
const outcome = (name: string, ret: number, pj: number, rates: Record<string, number> = {}): ModelOutcome =>
  ({
    name,
    kind: "strl",
    mode: "causal",
    offline: { accuracy: 0.5, loss: 1, steps: 1 },
    history: [],
    closedLoop: { references: { random: 20, expert: 500, source: "hand" }, targets: [{ targetReturn: 500, returnMean: ret, returnStd: 0, successRate: null, episodes: Array.from({ length: 5 }, () => ({ return: ret, success: null })) }] },
    closedLoopEnergy: { energyPerDecisionPj: pj, rates },
    energy: { energyPerDecisionPj: pj, rates, report: { decisions: 1, layers: [{ input: "real", energyPj: pj * 0.75 }, { input: "spike", energyPj: pj * 0.25 }] } },
  }) as unknown as ModelOutcome;

const row = { id: "cartpole-expert", group: "5", title: "CartPole-v1: expert data", envId: "CartPole-v1", policy: "expert", models: [{ name: "STRL", kind: "strl" }, { name: "DT", kind: "dt" }], closedLoop: true } as RowResult["row"];

describe("summary figure: normalised score against energy per decision", () => {
  it("draws the points and interval ends it is given, in the axis' unit, log x when energies span 10x", async () => {
    const points = [
      { task: "A", model: "STRL", energyPj: { mean: 3e6, lo: 0, hi: 15.7e6 }, score: { mean: 50, lo: 40, hi: 61 } },
      { task: "A", model: "DT", energyPj: { mean: 30e6, lo: 28e6, hi: 32e6 }, score: { mean: 80, lo: 75, hi: 85 } },
    ];
    const d = scoreEnergyData(points);
    assert.equal(d.unit, "µJ");
    assert.equal(d.log, true); // 30 / 3 = 10
    // log domain: the smallest positive end (3 µJ) / 1.5 to the largest end (32 µJ) x 1.5; STRL's lo (0) drawn at 2
    close(d.xDomain[0], 2);
    close(d.xDomain[1], 48);
    const strl = d.rows[0]!;
    close(strl.x, 3);
    close(strl.xlo, 2);
    close(strl.xhi, 15.7);
    assert.deepEqual([strl.y, strl.ylo, strl.yhi], [50, 40, 61]);
    const dt = d.rows[1]!;
    close(dt.xlo, 28);
    close(dt.xhi, 32);
    assert.deepEqual([dt.y, dt.ylo, dt.yhi], [80, 75, 85]);
    assert.equal(scoreEnergyData([points[1]!, { ...points[1]!, model: "STRL", energyPj: { mean: 10e6, lo: 9e6, hi: 11e6 } }]).log, false);
    const svg = await scoreEnergyPlot(points);
    assert.equal(markItems(svg, "points").length, 2);
    assert.equal(markItems(svg, "energy_intervals").length, 2);
    assert.equal(markItems(svg, "score_intervals").length, 2);
    for (const t of ["energy / decision (µJ, log scale)", "STRL", "DT", "A"]) assert.ok(texts(svg).includes(t), t);
    assert.throws(() => scoreEnergyData([{ ...points[0]!, score: { mean: 50, lo: 60, hi: 70 } }]), /need lo <= mean <= hi/);
  });

  it("takes each point from the summary table's numbers: the mean score with its bootstrap interval, the closed-loop energy with its t interval over seeds", () => {
    // two seeds; every episode of STRL returns 260: score 100 (260 - 20) / 480 = 50 exactly, its interval [50, 50].
    // STRL's energy 2 and 4 µJ: mean 3, sample std sqrt 2, 95% t (1 df, 12.706) half-width 12.706 -> [0 (clipped), 15.706].
    const res: RowResult = { row, perSeed: [{ outcomes: [outcome("STRL", 260, 2e6), outcome("DT", 500, 30e6)] }, { outcomes: [outcome("STRL", 260, 4e6), outcome("DT", 500, 30e6)] }] };
    const { points, left } = summaryPoints([res, { row: { ...row, id: "maze-paper", closedLoop: false }, perSeed: [{ outcomes: [] }] }]);
    assert.deepEqual(left, ["maze-paper"]);
    assert.equal(points.length, 2);
    const [strl, dt] = points;
    assert.equal(strl!.task, "CartPole-v1, expert data");
    close(strl!.score.mean, 50);
    close(strl!.score.lo, 50);
    close(strl!.score.hi, 50);
    close(strl!.energyPj.mean, 3e6);
    assert.equal(strl!.energyPj.lo, 0);
    close(strl!.energyPj.hi, 3e6 + 12.706 * 1e6, 1e-4);
    close(dt!.score.mean, 100);
    assert.deepEqual([dt!.energyPj.lo, dt!.energyPj.mean, dt!.energyPj.hi], [30e6, 30e6, 30e6]);
  });

  it("names the task in words with the sweep's extra axes", () => {
    assert.equal(taskLabel(row), "CartPole-v1, expert data");
    assert.equal(taskLabel({ ...row, title: "CartPole-v1: expert data [lr=0.001]" }), "CartPole-v1, expert data [lr=0.001]");
  });
});

describe("row figures over seeds", () => {
  it("draws the energy bar as the mean over seeds with the t interval over seeds, and the rate whisker likewise", async () => {
    const rates = (q: number) => ({ "blocks.0.attn.q_lif": q, "blocks.0.qk": 0.5 });
    const res: RowResult = { row, perSeed: [{ outcomes: [outcome("STRL", 260, 2e6, rates(0.1)), outcome("DT", 500, 30e6)] }, { outcomes: [outcome("STRL", 260, 4e6, rates(0.3)), outcome("DT", 500, 30e6)] }] };
    const figs = await seedFigures(res, "cp-");
    assert.deepEqual([...figs.keys()].sort(), ["cp-energy.svg", "cp-firing-rates.svg", "cp-returns.svg"]);
    const energy = figs.get("cp-energy.svg")!.svg;
    assert.ok(texts(energy).includes("error bar: 95% t CI over 2 seeds"));
    assert.ok(texts(energy).some((t) => t.includes("CartPole-v1, expert data")));
    // STRL's bar: 3 µJ (mean of 2 and 4), its error bar from 0 to 15.706 µJ; DT 30 µJ with no spread (one value twice)
    const bars = markItems(energy, "energy_spread");
    assert.equal(bars.length, 2);
    // the axis runs 0 .. 30 µJ x 1.08 = 32.4 µJ over ENERGY_HEIGHT px: STRL's bar spans 0 .. 15.706 µJ, DT's has no length
    close(Math.abs(Number(bars[0]!.y2)), (15.706 / 32.4) * ENERGY_HEIGHT, 1e-4);
    close(Math.abs(Number(bars[1]!.y2 ?? 0)), 0);
    const rate = figs.get("cp-firing-rates.svg")!.svg;
    assert.ok(texts(rate).includes("block 1 attention: query"));
    assert.ok(!texts(rate).some((t) => t.includes("qk")), "coincidence rates are not layers");
    assert.ok(texts(rate).includes("bar: mean over 2 seeds"));
    assert.equal(countMarks(rate, "rule") > 0, true);
  });
});
