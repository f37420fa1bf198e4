import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isMazeEnv } from "../../src/eval/seeds.js";
import { collectedMazeKeys, evaluationMazeSeeds, mazeKey, mazeLabel, mazeSeedKey, planEvaluationMazes, TooFewUnseenMazesError } from "../../src/eval/unseen-mazes.js";
import { evaluateClosedLoop } from "../../src/eval/rollout.js";
import { expertPolicy } from "../../src/eval/policy.js";
import { collectDataset } from "../../src/data/collect.js";
import { Dataset } from "../../src/data/trajectory.js";
import { collectMazeExpert, mazeExpertEpisode } from "../../src/data/maze-expert-dataset.js";
import { generateMaze, mazeEntrance, mazeExit, parseMaze } from "../../src/envs/grid/maze-gen.js";
import { solveMazeAStar } from "../../src/envs/grid/maze-solve.js";
import { trainingMazes } from "../../src/experiments/evaluate.js";
import { Rng } from "../../src/tensor/rng.js";

/** The first `n` draws of `new Rng(seed)`. */
function draws(seed: number, n: number): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => r.nextU32());
}

describe("maze keys", () => {
  it("keys a hand-built grid by its size and its cells, 8 to a byte", () => {
    const rows = ["#####", ".....", "#####", ".....", "#####"];
    // cells 0-4, 10-14, 20-24 are walls: bytes 0x1f, 0x7c, 0xf0, 0x01
    assert.equal(mazeKey(parseMaze(rows)), "5:1f7cf001");
    const oneCell = ["#####", ".....", "##.##", ".....", "#####"]; // cell 12 open: bit 4 of byte 1 clears, 0x7c -> 0x6c
    assert.equal(mazeKey(parseMaze(oneCell)), "5:1f6cf001");
  });

  it("gives two seeds that carve the same grid the same key", () => {
    // Seeds 1 and 6 carve the same 7x7 maze (found by scanning seeds 0..199), and different 21x21 mazes.
    assert.deepEqual(generateMaze(1, 7).cells, generateMaze(6, 7).cells);
    assert.equal(mazeSeedKey(1, 7), mazeSeedKey(6, 7));
    assert.notEqual(mazeSeedKey(1, 21), mazeSeedKey(6, 21));
  });
});

describe("evaluation seeds and unseen mazes", () => {
  it("recomputes the mazes of a collected maze dataset (the episodes' expert walks are those mazes')", () => {
    const data = collectMazeExpert({ episodes: 4, seed: 7 });
    const envSeeds = new Rng(7).fork("env");
    const seeds = Array.from({ length: 4 }, () => new Rng(envSeeds.nextU32()).nextU32());
    seeds.forEach((s, i) => assert.deepEqual(mazeExpertEpisode(s).observations, data.trajectories[i]!.observations));
    assert.deepEqual([...collectedMazeKeys("Maze-v0", undefined, 7, 4)], seeds.map((s) => mazeSeedKey(s, 21)));
    assert.deepEqual([...trainingMazes(data)!], seeds.map((s) => mazeSeedKey(s, 21)));
  });

  it("excludes a draw whose grid is a training maze although its seed is not, and never repeats a maze within a seed", () => {
    const d = draws(5, 200);
    const k = d.map((s) => mazeSeedKey(s, 7));
    const j = k.indexOf(k[0]!, 1); // a later draw with draw 0's grid
    assert.ok(j > 0 && d[j] !== d[0]);
    const exclude = new Set([k[0]!]);
    const got = evaluationMazeSeeds(new Rng(5), 7, 3, exclude);
    // by hand: the draws in order, skipping draw 0's grid and grids already taken
    const expected: number[] = [];
    const taken = new Set<string>();
    for (let i = 0; i < d.length && expected.length < 3; i++) {
      if (k[i] === k[0] || taken.has(k[i]!)) continue;
      taken.add(k[i]!);
      expected.push(d[i]!);
    }
    assert.deepEqual(got, expected);
    assert.ok(!got.includes(d[j]!), "the seed with a training maze's grid was drawn");
    assert.equal(new Set(got.map((s) => mazeSeedKey(s, 7))).size, 3);
    // without an exclusion set: the plain draws, repeats allowed
    assert.deepEqual(evaluationMazeSeeds(new Rng(5), 7, 3), d.slice(0, 3));
  });

  it("refuses a 7x7 evaluation when every maze is a training maze, or labels it 'seen' when asked", async () => {
    const train = collectedMazeKeys("Maze-v0", { size: 7 }, 0, 120);
    assert.equal(train.size, 14); // the 14 distinct 7x7 grids
    const base = { envId: "Maze-v0", envOptions: { size: 7 }, policyFactory: () => expertPolicy(), targetReturns: [0], episodes: 2, seeds: [0], rtgScale: 1, excludeMazes: train };
    await assert.rejects(evaluateClosedLoop(base), (e: Error) => {
      assert.ok(e instanceof TooFewUnseenMazesError);
      assert.equal(e.message, "only 0 distinct unseen 7x7 mazes (outside the 14 training mazes) were found for 2 episodes per seed (1000 draws in a row gave no new one): evaluate fewer episodes, on larger mazes, or explicitly on seen mazes");
      return true;
    });
    const seen = await evaluateClosedLoop({ ...base, allowSeenMazes: true });
    assert.deepEqual(seen.mazes, { kind: "seen", trainingMazes: 14, distinct: new Set(planEvaluationMazes([0], 2, 7).perSeed[0]!.map((s) => mazeSeedKey(s, 7))).size, episodes: 2, seenEpisodes: 2 });
    assert.equal(mazeLabel(seen.mazes!), "seen mazes (2 of 2 episodes on training mazes; not enough mazes outside the training data)");
  });

  it("evaluates a 9x9 dataset's checkpoint on unseen mazes only, where seed exclusion kept training mazes", async () => {
    const ds = collectDataset({ envId: "Maze-v0", envOptions: { size: 9 }, policy: "expert", episodes: 300, seed: 4 });
    const train = trainingMazes(ds)!;
    assert.ok(train.size < 300, `${train.size} distinct mazes in 300 episodes`); // 9x9 mazes repeat
    const base = { envId: "Maze-v0", envOptions: { size: 9 }, policyFactory: () => expertPolicy(), targetReturns: [0], episodes: 5, seeds: [11, 12], rtgScale: 1 };
    const any = await evaluateClosedLoop(base);
    const anyKeys = any.targets[0]!.episodes.map((e) => mazeSeedKey(e.mazeSeed!, 9));
    assert.ok(anyKeys.some((k) => train.has(k)), "plain draws meet training mazes at 9x9 (else this test proves nothing)");
    assert.equal(any.mazes!.kind, "any");
    const unseen = await evaluateClosedLoop({ ...base, excludeMazes: train });
    assert.equal(unseen.mazes!.kind, "unseen");
    assert.equal(unseen.mazes!.seenEpisodes, 0);
    assert.equal(unseen.mazes!.trainingMazes, train.size);
    for (const seed of [11, 12]) {
      const eps = unseen.targets[0]!.episodes.filter((e) => e.seed === seed);
      const keys = eps.map((e) => mazeSeedKey(e.mazeSeed!, 9));
      assert.equal(new Set(keys).size, 5);
      for (const [i, e] of eps.entries()) {
        assert.ok(!train.has(keys[i]!), `maze ${e.mazeSeed} is a training maze`);
        const L = solveMazeAStar(generateMaze(e.mazeSeed!, 9), mazeEntrance(9), mazeExit(9))!.length;
        assert.equal(e.length, L);
        assert.ok(Math.abs(e.return - (0.9 - 0.1 * (L - 1))) < 1e-9);
      }
    }
    // a dataset that does not say how it was collected: its mazes are unknown, and that is an error
    const bare = new Dataset({ envId: ds.envId, obsDim: ds.obsDim, actionSpace: ds.actionSpace, trajectories: ds.trajectories, metadata: { policy: "expert" } });
    assert.throws(() => trainingMazes(bare), /^RangeError: the Maze-v0 dataset does not record how it was collected \(metadata seed null, episodes null for 300 episodes\), so its mazes cannot be recomputed and excluded$/);
  });

  it("refuses a fixed maze that is a training maze by its grid", async () => {
    await assert.rejects(
      evaluateClosedLoop({ envId: "Maze-v0", envOptions: { size: 7, mazeSeed: 6 }, excludeMazes: new Set([mazeSeedKey(1, 7)]), policyFactory: () => expertPolicy(), targetReturns: [0], episodes: 1, seeds: [0], rtgScale: 1 }),
      /the fixed maze of envOptions \(mazeSeed 6\) is one of the training mazes/,
    );
  });

  it("knows which envs take maze seeds", () => {
    assert.equal(isMazeEnv("Maze-v0"), true);
    assert.equal(isMazeEnv("MazeLocal-v0"), true);
    assert.equal(isMazeEnv("Maze2D-UMaze-v0"), false);
  });
});
