/**
 * End to end on tiny budgets: `strl demo --tiny` writes a report with every section; `strl train` -> `strl eval`
 * -> `strl energy` round trip on a small dataset; each CLI user error exits 2 with one line.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, userErrorLine } from "./run-cli.js";
import { collectDataset, splitEpisodes } from "../../src/data/index.js";
import { planEvaluationMazes, mazeSeedKey } from "../../src/eval/unseen-mazes.js";
import { Rng } from "../../src/tensor/rng.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("strl demo --tiny", () => {
  it("trains three models and writes a report with every section and figure", () => {
    const out = join(dir, "demo");
    const r = runCli(["demo", "--tiny", "--out", out, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { models: Array<{ name: string; offline: { accuracy: number; steps: number }; energyPerDecisionPj: number; mazes: unknown }>; energy: Array<{ name: string; ratioToAnn: number; ratioToDt: number }> };
    assert.deepEqual(j.models.map((m) => m.name), ["STRL", "ANN-STRL", "DT"]);
    // --tiny: 120 A* episodes on 7x7 MazeLocal, seed 0; every model is scored on every step of the same test split.
    const ds = collectDataset({ envId: "MazeLocal-v0", policy: "expert", episodes: 120, seed: 0, envOptions: { size: 7 } });
    const testSteps = splitEpisodes(120, new Rng(0)).test.reduce((a, i) => a + ds.trajectories[i]!.rewards.length, 0);
    // The 2 closed-loop episodes (seed 0) play the maze stream's first 2 draws: all 14 7x7 grids are training mazes.
    const played = planEvaluationMazes([0], 2, 7).perSeed[0]!.map((s) => mazeSeedKey(s, 7));
    for (const m of j.models) {
      assert.equal(m.offline.steps, testSteps, m.name);
      assert.deepEqual(m.mazes, { kind: "seen", trainingMazes: 14, distinct: new Set(played).size, episodes: 2, seenEpisodes: 2 }, m.name);
    }
    // Ratios are each model's closed-loop energy per decision over ANN-STRL's and the DT's.
    const e = (n: string) => j.models.find((m) => m.name === n)!.energyPerDecisionPj;
    for (const c of j.energy) {
      assert.equal(c.ratioToAnn, e(c.name) / e("ANN-STRL"), c.name);
      assert.equal(c.ratioToDt, e(c.name) / e("DT"), c.name);
    }
    const md = readFileSync(join(out, "report.md"), "utf8");
    for (const s of ["## Setup", "## Offline accuracy", "## Learning curves", "## Closed-loop returns", "## Energy per decision", "## Firing rates", "## Spike raster", "- Command: `strl demo --tiny"]) {
      assert.ok(md.includes(s), `report lacks '${s}'`);
    }
    // --tiny plays 7x7 mazes, and 120 episodes hold all 14 distinct 7x7 grids: the report says they are seen ones.
    assert.ok(md.includes("2 episodes on seen mazes (2 of 2 episodes on training mazes; not enough mazes outside the training data)"), md);
    assert.ok(!/unseen/.test(md), "the demo report calls training mazes unseen");
    for (const f of ["learning-curves.svg", "returns.svg", "energy.svg", "firing-rates.svg", "raster.svg"]) {
      assert.ok(readFileSync(join(out, f), "utf8").startsWith("<svg"), f);
    }
  });
});

describe("strl train -> eval -> energy", () => {
  it("round-trips a checkpoint through evaluation and energy", () => {
    const data = join(dir, "maze.h5");
    assert.equal(runCli(["collect", "--env", "Maze-v0", "--policy", "expert", "--episodes", "30", "--seed", "3", "--out", data]).status, 0);
    const run = join(dir, "run");
    const t = runCli(["train", "--env", "Maze-v0", "--data", data, "--model", "strl", "--preset", "tiny", "--steps", "4", "--batch-size", "4", "--seed", "1", "--out", run, "--json"]);
    assert.equal(t.status, 0, t.stderr);
    const summary = JSON.parse(t.stdout.trim().split("\n").at(-1)!).summary as { steps: number; mode: string; checkpoint: string };
    assert.equal(summary.steps, 4);
    assert.equal(summary.mode, "causal");
    assert.ok(existsSync(join(run, "checkpoint", "model.safetensors")));
    const ck = join(run, "checkpoint");
    const e = runCli(["eval", "--checkpoint", ck, "--data", data, "--episodes", "1", "--target-return=-5", "--max-steps", "20", "--json"]);
    assert.equal(e.status, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as { model: string; offline: { accuracy: number; steps: number }; closedLoop: { targets: Array<{ targetReturn: number; lengthMean: number }>; mazes: { kind: string; trainingMazes: number; distinct: number; episodes: number; seenEpisodes: number } } };
    assert.equal(ev.model, "strl");
    assert.equal(ev.closedLoop.targets[0]!.targetReturn, -5);
    assert.ok(ev.closedLoop.targets[0]!.lengthMean <= 20);
    assert.deepEqual(ev.closedLoop.mazes, { kind: "unseen", trainingMazes: 30, distinct: 1, episodes: 1, seenEpisodes: 0 });
    assert.ok(ev.offline.steps > 0);
    assert.doesNotMatch(e.stderr, /closed loop/); // --json: no progress lines
    // Without --json and off a terminal: a progress line on stderr per tenth of the episodes (here every one).
    const plain = runCli(["eval", "--checkpoint", ck, "--data", data, "--episodes", "2", "--target-return=-5", "--max-steps", "20"]);
    assert.equal(plain.status, 0, plain.stderr);
    const progress = plain.stderr.split("\n").filter((l) => l.includes("closed loop")).map((l) => l.replace(/, \d+s.*$/, ""));
    assert.deepEqual(progress, ["strl eval: closed loop 1/2 episodes", "strl eval: closed loop 2/2 episodes"]);
    assert.match(plain.stdout, /^strl on Maze-v0: 2 episodes x seeds \[0\], unseen mazes \(2 distinct, none of the 30 training mazes\)$/m);
    const profile = join(dir, "profile.json");
    writeFileSync(profile, JSON.stringify({ name: "half", eMacPj: 2.3, eAcPj: 0.45 }));
    const noData = runCli(["energy", "--checkpoint", ck, "--episodes", "1", "--target-return=-5"]);
    assert.equal(noData.status, 2);
    assert.match(noData.stderr.trim(), /^[^\n]*pass --data \(the training data\) so the evaluation mazes exclude the training mazes, or --seen-mazes$/);
    const seen = runCli(["energy", "--checkpoint", ck, "--episodes", "1", "--target-return=-5", "--seen-mazes", "--json"]);
    assert.equal(seen.status, 0, seen.stderr);
    assert.deepEqual((JSON.parse(seen.stdout) as { mazes: unknown }).mazes, { kind: "any", trainingMazes: 0, distinct: 1, episodes: 1 });
    const en = runCli(["energy", "--checkpoint", ck, "--data", data, "--episodes", "1", "--target-return=-5", "--json"]);
    const en2 = runCli(["energy", "--checkpoint", ck, "--data", data, "--episodes", "1", "--target-return=-5", "--device-profile", profile, "--json"]);
    assert.equal(en.status, 0, en.stderr);
    const a = JSON.parse(en.stdout) as { energyPerDecisionPj: number; path: string; layers: Array<{ layer: string; input: string }>; rates: Record<string, number> };
    assert.equal(a.path, "last"); // closed-loop STRL decisions run forwardLast
    // every LIF of the 2 tiny blocks (q, k, v, score, lif1, lif2) plus each block's q·k coincidence rate
    assert.equal(Object.keys(a.rates).length, 14);
    assert.deepEqual(a.layers.filter((l) => l.input === "spike").map((l) => l.layer), ["blocks.0.attn.scores", "blocks.0.attn.av", "blocks.0.mlp.fc2", "blocks.1.attn.scores", "blocks.1.attn.av", "blocks.1.mlp.fc2"]);
    const b = JSON.parse(en2.stdout) as { energyPerDecisionPj: number };
    // Same decisions, every per-op energy halved: the total halves exactly (up to float rounding).
    assert.ok(Math.abs(b.energyPerDecisionPj - a.energyPerDecisionPj / 2) < 1e-6 * a.energyPerDecisionPj);
    assert.ok(a.layers.some((l) => l.input === "spike"));
    for (const r of Object.values(a.rates)) assert.ok(r >= 0 && r <= 1);
  });
});

describe("strl eval / energy on 7x7 mazes, all of them training mazes", () => {
  it("refuses the unseen-maze evaluation with the count found, and labels --seen-mazes", () => {
    const data = join(dir, "maze7.h5");
    assert.equal(runCli(["collect", "--env", "Maze-v0", "--env-options", '{"size":7}', "--policy", "expert", "--episodes", "120", "--seed", "0", "--out", data]).status, 0);
    const run = join(dir, "run7");
    const t = runCli(["train", "--env", "Maze-v0", "--data", data, "--model", "ann-strl", "--preset", "tiny", "--steps", "2", "--batch-size", "4", "--out", run]);
    assert.equal(t.status, 0, t.stderr);
    const common = ["--checkpoint", run, "--data", data, "--episodes", "2", "--target-return=-1"];
    for (const cmd of ["eval", "energy"]) {
      const r = runCli([cmd, ...common, ...(cmd === "eval" ? ["--max-steps", "5"] : [])]);
      const line = userErrorLine(r);
      assert.equal(
        line.slice(line.indexOf("only")),
        "only 0 distinct unseen 7x7 mazes (outside the 14 training mazes) were found for 2 episodes per seed (1000 draws in a row gave no new one): pass fewer --episodes, or --seen-mazes to evaluate on any maze (the episodes on training mazes are counted)",
      );
    }
    const e = runCli(["eval", ...common, "--max-steps", "5", "--seen-mazes"]);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, /^ann-strl on Maze-v0: 2 episodes x seeds \[0\], seen mazes \(2 of 2 episodes on training mazes; not enough mazes outside the training data\)$/m);
    const n = runCli(["energy", ...common, "--seen-mazes", "--json"]);
    assert.equal(n.status, 0, n.stderr);
    assert.equal((JSON.parse(n.stdout) as { mazes: { kind: string; seenEpisodes: number } }).mazes.seenEpisodes, 2);
  });
});

describe("CLI user errors", () => {
  it("exits 2 with one line for each mistake", () => {
    const data = join(dir, "maze.h5");
    const cases: Array<[string[], RegExp]> = [
      [["train", "--env", "Nope-v0", "--data", data, "--model", "strl", "--out", join(dir, "x")], /unknown environment 'Nope-v0'; known: /],
      [["train", "--env", "Maze-v0", "--data", data, "--model", "lstm", "--out", join(dir, "x")], /unknown model 'lstm'; known: strl/],
      [["train", "--env", "CartPole-v1", "--data", data, "--model", "strl", "--out", join(dir, "x")], /collected on 'Maze-v0', not 'CartPole-v1'/],
      [["train", "--env", "Maze-v0", "--data", join(dir, "missing.h5"), "--model", "strl", "--out", join(dir, "x")], /missing\.h5/],
      [["train", "--env", "Maze-v0", "--model", "strl", "--out", join(dir, "x")], /--data is required/],
      [["train", "--env", "Maze-v0", "--data", data, "--model", "strl", "--out", join(dir, "x"), "--steps", "0"], /--steps must be >= 1/],
      [["eval", "--checkpoint", join(dir, "nowhere")], /nowhere/],
      [["energy", "--checkpoint", join(dir, "run", "checkpoint"), "--device-profile", join(dir, "none.json")], /--device-profile: no such file/],
      [["demo", "--maze-size", "8"], /--maze-size must be odd, got 8/],
      [["reproduce", "--only", "tetris"], /unknown row 'tetris'; known: maze-paper/],
      [["reproduce", "--scale", "huge"], /unknown scale 'huge'/],
      [["demo", "--bogus"], /unknown option '--bogus'; known: /],
    ];
    for (const [args, re] of cases) assert.match(userErrorLine(runCli(args)), re, args.join(" "));
  });

  it("refuses a checkpoint trained for another env when evaluated with its data", () => {
    const other = join(dir, "cartpole.h5");
    assert.equal(runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "3", "--seed", "0", "--out", other]).status, 0);
    assert.match(userErrorLine(runCli(["eval", "--checkpoint", join(dir, "run", "checkpoint"), "--data", other])), /collected on 'CartPole-v1' but the checkpoint was trained for 'Maze-v0'/);
  });

  it("prints help with examples for every command", () => {
    for (const c of ["train", "eval", "energy", "demo", "reproduce", "example"]) {
      const r = runCli([c, "--help"]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /Examples:/, c);
    }
  });
});
