import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { collectedMazeSeeds, isMazeEnv, nextUnseenMazeSeed } from "../../src/eval/seeds.js";
import { evaluateClosedLoop } from "../../src/eval/rollout.js";
import { expertPolicy } from "../../src/eval/policy.js";
import { collectMazeExpert, mazeExpertEpisode } from "../../src/data/maze-fast.js";
import { generateMaze, mazeEntrance, mazeExit } from "../../src/envs/grid/maze-gen.js";
import { solveMazeAStar } from "../../src/envs/grid/maze-solve.js";
import { Rng } from "../../src/tensor/rng.js";

describe("evaluation seeds and unseen mazes", () => {
  it("recomputes the maze seeds of a collected maze dataset (same expert walks)", () => {
    const data = collectMazeExpert({ episodes: 4, seed: 7 });
    const seeds = [...collectedMazeSeeds(7, 4)];
    assert.equal(seeds.length, 4);
    seeds.forEach((s, i) => assert.deepEqual(mazeExpertEpisode(s).observations, data.trajectories[i]!.observations));
  });

  it("skips excluded maze seeds", () => {
    const first = new Rng(5).nextU32();
    const second = (() => {
      const r = new Rng(5);
      r.nextU32();
      return r.nextU32();
    })();
    assert.equal(nextUnseenMazeSeed(new Rng(5), new Set([first])), second);
    assert.equal(nextUnseenMazeSeed(new Rng(5), new Set()), first);
  });

  it("evaluates the maze expert on mazes outside the exclusion set, with return 0.9 - 0.1 (L - 1) per maze", async () => {
    const base = { envId: "Maze-v0", policyFactory: () => expertPolicy(), targetReturns: [0], episodes: 3, seeds: [11], rtgScale: 1 };
    const plain = await evaluateClosedLoop(base);
    const used = plain.targets[0]!.episodes.map((e) => e.mazeSeed!);
    assert.equal(new Set(used).size, 3);
    const unseen = await evaluateClosedLoop({ ...base, excludeMazeSeeds: used.slice(0, 2) });
    const now = unseen.targets[0]!.episodes;
    assert.equal(unseen.excludedMazeSeeds, 2);
    for (const e of now) {
      assert.ok(!used.slice(0, 2).includes(e.mazeSeed!), `maze ${e.mazeSeed} was excluded`);
      const L = solveMazeAStar(generateMaze(e.mazeSeed!, 21), mazeEntrance(21), mazeExit(21))!.length;
      assert.equal(e.length, L);
      assert.ok(Math.abs(e.return - (0.9 - 0.1 * (L - 1))) < 1e-9);
      assert.equal(e.success, true);
    }
    assert.equal(unseen.targets[0]!.successRate, 1);
  });

  it("refuses a fixed maze that is in the exclusion set", async () => {
    await assert.rejects(
      evaluateClosedLoop({ envId: "Maze-v0", envOptions: { mazeSeed: 3 }, excludeMazeSeeds: [3], policyFactory: () => expertPolicy(), targetReturns: [0], episodes: 1, seeds: [0], rtgScale: 1 }),
      /mazeSeed 3 is one of the excluded \(training\) mazes/,
    );
  });

  it("knows which envs take maze seeds", () => {
    assert.equal(isMazeEnv("Maze-v0"), true);
    assert.equal(isMazeEnv("MazeLocal-v0"), true);
    assert.equal(isMazeEnv("Maze2D-UMaze-v0"), false);
  });
});
