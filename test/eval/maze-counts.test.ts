/**
 * The maze counts the README, `strl eval --help` and src/eval/unseen-mazes.ts state: among 100,000 seeds drawn
 * from `new Rng(12345)`, `generateMaze` carves 14 distinct 7x7 grids, 322 distinct 9x9, and 99,999 distinct
 * 15x15 (distinct by `mazeKey`, the grid's content). They explain why unseen mazes are
 * chosen by content, not by seed; a change to the maze generator or the key changes them and fails here.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateMaze } from "../../src/envs/grid/maze-gen.js";
import { mazeKey } from "../../src/eval/unseen-mazes.js";
import { Rng } from "../../src/tensor/index.js";

function distinctGrids(size: number, seeds: number): number {
  const rng = new Rng(12345);
  const keys = new Set<string>();
  for (let i = 0; i < seeds; i++) keys.add(mazeKey(generateMaze(rng.nextU32(), size)));
  return keys.size;
}

describe("distinct mazes among 100,000 seeds of Rng(12345)", () => {
  for (const [size, count] of [[7, 14], [9, 322], [15, 99_999]] as const) {
    it(`${size}x${size}: ${count.toLocaleString("en")} distinct grids`, () => {
      assert.equal(distinctGrids(size, 100_000), count);
    });
  }
});
