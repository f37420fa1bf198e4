/** Closed-loop progress lines: the text, the rhythm (every call or per tenth), and the demo's per-model lines. */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../../src/tensor/index.js";
import { collectDataset } from "../../src/data/index.js";
import { compareModels } from "../../src/experiments/compare.js";
import { episodeProgress, episodeProgressText } from "../../src/experiments/progress.js";

before(async () => {
  await ready();
});

describe("episodeProgress", () => {
  it("says episodes done / total, the time taken and the time left", () => {
    assert.equal(episodeProgressText(8, 20, 12), "closed loop 8/20 episodes, 12s, ~18s left");
    assert.equal(episodeProgressText(20, 20, 75), "closed loop 20/20 episodes, 1m15s");
    assert.equal(episodeProgressText(0, 20, 0), "closed loop 0/20 episodes, 0s");
  });

  it("prints a line per tenth of the episodes (and the last), or every call on a terminal", () => {
    let t = 0;
    const clock = () => t;
    const lines: string[] = [];
    const tenths = episodeProgress((s) => lines.push(s), "tenths", clock);
    for (let d = 1; d <= 25; d++) {
      t += 1000; // one second per episode
      tenths(d, 25);
    }
    // tenths of 25 reached at 3, 5, 8, 10, 13, 15, 18, 20, 23, 25 episodes
    assert.deepEqual(lines.map((l) => l.split(" ")[2]), ["3/25", "5/25", "8/25", "10/25", "13/25", "15/25", "18/25", "20/25", "23/25", "25/25"]);
    assert.equal(lines[0], "closed loop 3/25 episodes, 3s, ~22s left");
    const every: string[] = [];
    const live = episodeProgress((s) => every.push(s), "every", () => 0);
    for (let d = 1; d <= 3; d++) live(d, 3);
    assert.equal(every.length, 3);
  });
});

describe("compareModels (the demo's engine)", () => {
  it("logs the closed-loop phase per model: episodes done / total, ending at the total", async () => {
    const dataset = collectDataset({ envId: "MazeLocal-v0", envOptions: { size: 5 }, policy: "expert", episodes: 12, seed: 0 });
    const log: string[] = [];
    const r = await compareModels({
      dataset,
      models: [{ name: "STRL", kind: "strl", preset: "tiny" }],
      train: { steps: 2, batchSize: 4, seed: 0 },
      closedLoop: { targetReturns: [-1], episodes: 2, seeds: [0, 1], maxSteps: 6, allowSeenMazes: true }, // 5x5: 1000 draws found no maze outside the 2 training mazes
      log: (l) => log.push(l),
    });
    r.outcomes.forEach((o) => assert.equal(o.closedLoop!.targets[0]!.episodes.length, 4));
    const progress = log.filter((l) => l.includes("closed loop"));
    // 4 episodes (2 x 2 seeds): a tenth is crossed by every episode
    assert.deepEqual(progress.map((l) => l.replace(/, \d+s.*$/, "")), ["  STRL: closed loop 1/4 episodes", "  STRL: closed loop 2/4 episodes", "  STRL: closed loop 3/4 episodes", "  STRL: closed loop 4/4 episodes"]);
  });
});
