/** The reproduce table labels a maze row by what its evaluations played: unseen, seen (counted) or any mazes. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { experimentRows, mazesOfRow, type RowResult } from "../../src/experiments/reproduce.js";
import type { CompareResult } from "../../src/experiments/compare.js";
import type { MazeDraws } from "../../src/eval/unseen-mazes.js";

const row = experimentRows().find((r) => r.id === "maze-local")!;

function result(draws: Array<MazeDraws | undefined>): RowResult {
  const perSeed = draws.map((m) => ({ outcomes: [{ name: "STRL", closedLoop: m ? { mazes: m } : undefined }] }) as unknown as CompareResult);
  return { row, perSeed };
}

describe("maze row labels", () => {
  it("says unseen only when every seed's evaluation excluded the training mazes", () => {
    const unseen: MazeDraws = { kind: "unseen", trainingMazes: 1000, distinct: 20, episodes: 20, seenEpisodes: 0 };
    const seen: MazeDraws = { kind: "seen", trainingMazes: 14, distinct: 9, episodes: 20, seenEpisodes: 20 };
    assert.equal(row.title.includes("unseen"), false); // the label comes from the results, not the title
    assert.equal(mazesOfRow(result([unseen, unseen])), ", unseen mazes");
    assert.equal(mazesOfRow(result([unseen, seen])), ", seen mazes (20 of 40 evaluation episodes on training mazes: not enough mazes outside the training data)");
    assert.equal(mazesOfRow(result([unseen, { kind: "any", trainingMazes: 0, distinct: 20, episodes: 20 }])), ", any mazes (training mazes not excluded)");
    assert.equal(mazesOfRow(result([undefined])), "");
  });
});
