/**
 * `strl export` and `strl eval --onnx` from the command line: a checkpoint exported and evaluated through ONNX
 * Runtime takes the actions `strl eval --checkpoint` takes; bad input (a damaged checkpoint, an unknown format, a
 * folder as --out, a file that is not an exported policy) is one line on stderr, exit code 2, and no file.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ready } from "../../src/tensor/index.js";
import { saveCheckpoint } from "../../src/checkpoint/index.js";
import { readModelInfo } from "../../src/export/index.js";
import { readFileSync } from "node:fs";
import { runCli, userErrorLine } from "../cli/run-cli.js";
import { makeModel } from "./fixtures.js";

let root: string;
let strlCk: string;
let dtCk: string;

before(async () => {
  await ready();
  root = mkdtempSync(join(tmpdir(), "strl-onnx-cli-"));
  const cartpole = { stateMean: [0, 0, 0, 0], stateStd: [1, 1.5, 0.2, 1.5], rtgScale: 100 };
  const strl = makeModel({ kind: "strl", obsDim: 4, head: { kind: "discrete", n: 2 }, ...cartpole, contextLength: 8, dModel: 16, nBlocks: 2, nHeads: 2, maxTimestep: 600, T: 4, seed: 3, neuron: { vThreshold: 0.5 } });
  strlCk = join(root, "strl-run", "checkpoint");
  await saveCheckpoint(strlCk, { model: strl, envId: "CartPole-v1", normalisation: cartpole });
  strl.dispose();
  const pendulum = { stateMean: [0, 0, 0], stateStd: [1, 1, 3], rtgScale: 500 };
  const dt = makeModel({ kind: "dt", obsDim: 3, head: { kind: "continuous", dim: 1, low: [-2], high: [2] }, ...pendulum, contextLength: 6, dModel: 16, nBlocks: 2, nHeads: 2, maxTimestep: 300, seed: 4 });
  dtCk = join(root, "dt-run", "checkpoint");
  await saveCheckpoint(dtCk, { model: dt, envId: "Pendulum-v1", normalisation: pendulum });
  dt.dispose();
});

after(() => rmSync(root, { recursive: true, force: true }));

function episodesOf(stdout: string): Array<{ actions: unknown[]; return: number }> {
  return (JSON.parse(stdout) as { episodes: Array<{ actions: unknown[]; return: number }> }).episodes;
}

describe("strl export and strl eval --onnx", () => {
  it("export a run folder's STRL and evaluate it through ONNX Runtime with the checkpoint's actions", () => {
    const out = join(root, "strl.onnx");
    const r = runCli(["export", "--checkpoint", join(root, "strl-run"), "--format", "onnx", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^wrote .*strl\.onnx: the strl policy for CartPole-v1, ONNX opset 17, \d+ bytes\n$/);
    assert.equal(readModelInfo(new Uint8Array(readFileSync(out))).metadata.env_id, "CartPole-v1");
    const flags = ["--episodes", "3", "--seeds", "1", "--target-return", "150", "--max-steps", "60", "--json", "--actions"];
    const viaOnnx = runCli(["eval", "--onnx", out, ...flags]);
    assert.equal(viaOnnx.status, 0, viaOnnx.stderr);
    const viaCk = runCli(["eval", "--checkpoint", strlCk, ...flags]);
    assert.equal(viaCk.status, 0, viaCk.stderr);
    const a = episodesOf(viaOnnx.stdout);
    const b = episodesOf(viaCk.stdout);
    assert.equal(a.length, 3);
    assert.deepEqual(a.map((e) => e.actions), b.map((e) => e.actions));
    assert.ok(a.reduce((s, e) => s + e.actions.length, 0) >= 20);
  });

  it("export a continuous DT; its ONNX episodes follow the checkpoint's actions to 1e-5", () => {
    const out = join(root, "dt.onnx");
    assert.equal(runCli(["export", "--checkpoint", dtCk, "--format", "onnx", "--out", out]).status, 0);
    const flags = ["--episodes", "1", "--target-return", "-300", "--max-steps", "30", "--json", "--actions"];
    const a = episodesOf(runCli(["eval", "--onnx", out, ...flags]).stdout)[0]!.actions as number[][];
    const b = episodesOf(runCli(["eval", "--checkpoint", dtCk, ...flags]).stdout)[0]!.actions as number[][];
    assert.equal(a.length, 30);
    a.forEach((x, i) => assert.ok(Math.abs(x[0]! - b[i]![0]!) <= 1e-5, `step ${i}: ${x[0]} vs ${b[i]![0]}`));
  });

  it("a damaged checkpoint: one line, exit 2, no file", () => {
    const bad = join(root, "damaged");
    mkdirSync(bad);
    for (const f of ["config.json", "model.safetensors"]) copyFileSync(join(strlCk, f), join(bad, f));
    truncateSync(join(bad, "model.safetensors"), 100);
    const outDir = join(root, "out-damaged");
    mkdirSync(outDir);
    const line = userErrorLine(runCli(["export", "--checkpoint", bad, "--format", "onnx", "--out", join(outDir, "p.onnx")]));
    assert.match(line, /model\.safetensors/);
    assert.deepEqual(readdirSync(outDir), []);
  });

  it("an unknown format: one line, exit 2, no file", () => {
    const out = join(root, "p.tflite");
    const line = userErrorLine(runCli(["export", "--checkpoint", strlCk, "--format", "tflite", "--out", out]));
    assert.match(line, /unknown format 'tflite'; known: onnx/);
    assert.equal(existsSync(out), false);
  });

  it("an output path that is a folder: one line, exit 2, the folder untouched", () => {
    const folder = join(root, "a-folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "keep.txt"), "mine");
    const line = userErrorLine(runCli(["export", "--checkpoint", strlCk, "--format", "onnx", "--out", folder]));
    assert.match(line, /is a folder/);
    assert.deepEqual(readdirSync(folder), ["keep.txt"]);
  });

  it("eval --onnx on a file that is not an exported policy, or no file: one line, exit 2", () => {
    assert.match(userErrorLine(runCli(["eval", "--onnx", join(strlCk, "config.json"), "--episodes", "1"])), /--onnx .*config\.json/);
    assert.match(userErrorLine(runCli(["eval", "--onnx", join(root, "none.onnx")])), /file not found/);
    assert.match(userErrorLine(runCli(["eval", "--onnx", join(root, "strl.onnx"), "--checkpoint", strlCk])), /either --checkpoint or --onnx/);
  });
});
