import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { COMPACT_COLUMNS, compactTable } from "../../src/experiments/compact-table.js";
import type { RowResult } from "../../src/experiments/reproduce.js";
import type { ModelOutcome } from "../../src/experiments/compare.js";

/** A closed-loop outcome of one seed: its episodes' returns and successes, references, and its energy per decision. */
function closed(name: string, kind: ModelOutcome["kind"], returns: number[], successes: number, pj: number, int8Pj: number): ModelOutcome {
  const references = { random: 0, expert: 1, source: "test" };
  return {
    name,
    kind,
    mode: "causal",
    offline: { accuracy: 0.9, loss: 1, steps: 1 },
    offlineEnergy: { energyPerDecisionPj: 99e6, int8PerDecisionPj: 99e6, rates: {} },
    closedLoopEnergy: { energyPerDecisionPj: pj, int8PerDecisionPj: int8Pj, rates: {} },
    closedLoop: { references, targets: [{ returnMean: 0, successRate: 0, episodes: returns.map((r, i) => ({ return: r, success: i < successes })) }] },
  } as unknown as ModelOutcome;
}

const row = (over: Partial<RowResult["row"]>): RowResult["row"] =>
  ({ id: "r", group: "2", title: "MazeLocal 21x21: (x, y) + wall bits", envId: "MazeLocal-v0", policy: "mixed", models: [{ name: "STRL", kind: "strl" }, { name: "ANN-STRL", kind: "ann-strl" }], closedLoop: true, ...over }) as RowResult["row"];

describe("the compact results table (the README's results at a glance)", () => {
  it("gives the normalised score with its bootstrap interval, success with a Wilson interval, energy in µJ and both ANN ratios per model", () => {
    // Seed 0: STRL returns [0, 0, 0] (2 successes of 3), 2.0 µJ; ANN-STRL 3.0 µJ (int8 0.15 µJ).
    // Seed 1: STRL returns [1, 1, 1] (3 of 3), 2.2 µJ; ANN-STRL the same.
    const perSeed = [
      { outcomes: [closed("STRL", "strl", [0, 0, 0], 2, 2.0e6, 0.1e6), closed("ANN-STRL", "ann-strl", [0, 0, 0], 2, 3.0e6, 0.15e6)] },
      { outcomes: [closed("STRL", "strl", [1, 1, 1], 3, 2.2e6, 0.11e6), closed("ANN-STRL", "ann-strl", [1, 1, 1], 3, 3.0e6, 0.15e6)] },
    ] as RowResult["perSeed"];
    const t = compactTable([{ row: row({}), perSeed }]);
    assert.deepEqual(t.columns, COMPACT_COLUMNS);
    const [strl, ann] = t.rows;
    assert.equal(strl![1], "MazeLocal 21x21, mixed data");
    // scores 100 x return (random 0, expert 1, no reference error): seeds all-0 and all-1, so resampling two seeds
    // gives 0, 50 or 100: mean 50 [0, 100]
    assert.equal(strl![3], "50.0 [0.0, 100.0]");
    // 5 of 6: p = 0.8333, z^2/n = 0.640244, centre (p + 0.320122) / 1.640244 = 0.703222, half-width
    // (1.959964 / 1.640244) x sqrt(p (1 - p) / 6 + z^2 / 144) = 1.194922 x 0.223215 = 0.266725: [44, 97]
    assert.equal(strl![4], "83 [44, 97]");
    // energy: (2.0 + 2.2) / 2 = 2.10 µJ; vs ANN-STRL: (2.0 / 3.0 + 2.2 / 3.0) / 2 = 0.700; int8: (2.0 / 0.15 + 2.2 / 0.15) / 2 = 14.000
    assert.deepEqual(strl!.slice(5), ["2.10", "0.700", "14.000"]);
    assert.deepEqual(ann!.slice(5), ["3.00", "1.000", "20.000"]);
  });

  it("gives an offline-only row its held-out accuracy with a t interval over seeds, and n/a for success", () => {
    const off = (acc: number): ModelOutcome => ({ name: "STRL", kind: "strl", mode: "causal", offline: { accuracy: acc, loss: 1, steps: 1 }, offlineEnergy: { energyPerDecisionPj: 2.5e6, int8PerDecisionPj: 1, rates: {} } }) as unknown as ModelOutcome;
    const r = row({ group: "1", title: "Maze 21x21, paper setting: (x, y) only, A* expert data", policy: "expert", models: [{ name: "STRL", kind: "strl" }] as RowResult["row"]["models"], closedLoop: false });
    const t = compactTable([{ row: r, perSeed: [{ outcomes: [off(0.5)] }, { outcomes: [off(0.52)] }, { outcomes: [off(0.54)] }] as RowResult["perSeed"] }]);
    // 50, 52, 54 %: mean 52, sample std 2, t(2) 4.302653 x 2 / sqrt 3 = 4.968: [47.0, 57.0]
    assert.deepEqual(t.rows[0], ["1", "Maze 21x21, paper setting, expert data", "STRL", "acc. 52.0% [47.0, 57.0]", "n/a", "2.50", "n/a", "n/a"]);
  });
});
