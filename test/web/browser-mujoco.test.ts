/**
 * The page on a MuJoCo locomotion env, in chromium: a tiny STRL trained here on a small Hopper-v5 dataset (10
 * episodes collected with made-up SAC policies from STRL_EXPERTS_DIR, 20 updates) is served by `strl serve`; the
 * page loads MuJoCo's WASM module (wasm/mujoco.wasm), plays one episode, and must take exactly the continuous
 * actions `strl eval --actions` takes for the same seed and target (the same tfjs-wasm kernels and the same
 * MuJoCo binary: a difference is allowed only at a decision where a membrane sat within float rounding of its
 * threshold, and then only the first one can be judged), report the energy per decision `strl energy` gives,
 * draw the Hopper's four capsules on the canvas, say success n/a (a Hopper has none), and log no console error. The screenshot goes to
 * dist/artifacts/serve-hopper.png. Skipped, with the reason, when chromium or playwright-core is missing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SquashedGaussianPolicy } from "../../src/envs/mujoco/gaussian-policy.js";
import { DenseMlp, Rng } from "../../src/tensor/index.js";
import { runCli } from "../cli/run-cli.js";
import { ARTIFACTS, launchBrowser, open, playEpisode, skip, startServe, type Context } from "./page-harness.js";

const TARGET = 50;
const SEED = 3;

interface PageState {
  error: string;
  engine: string;
  envId: string;
  actions: number[][];
  nearThreshold: number[];
  done: boolean;
  success: boolean | null;
  layerSpikes: Record<string, number>;
  episodeEnergyPj?: number;
  view?: { bodies: number; focusX: number; box: { left: number; right: number; top: number; bottom: number } };
}

let tmp: string;
let ck: string;
let serve: ChildProcess | undefined;
let url: string;
let browser: Context | undefined;

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), "strl-browser-hopper-"));
  const experts = join(tmp, "experts");
  mkdirSync(join(experts, "Hopper-v5"), { recursive: true });
  writeFileSync(join(experts, "README.md"), "made-up test policies\n");
  for (const [name, seed] of [["expert", 1], ["medium", 2], ["random", 3]] as const) {
    const p = new SquashedGaussianPolicy(new DenseMlp([11, 8, 6], new Rng(seed)), { env_id: "Hopper-v5", policy: name });
    writeFileSync(join(experts, "Hopper-v5", `${name}.safetensors`), p.toSafetensors());
  }
  const data = join(tmp, "hopper.hdf5");
  const col = runCli(["collect", "--env", "Hopper-v5", "--policy", "expert", "--episodes", "10", "--seed", "1", "--out", data], undefined, { STRL_EXPERTS_DIR: experts });
  assert.equal(col.status, 0, col.stderr);
  const tr = runCli(["train", "--data", data, "--model", "strl", "--preset", "tiny", "--steps", "20", "--seed", "0", "--out", join(tmp, "run"), "--quiet"]);
  assert.equal(tr.status, 0, tr.stderr);
  ck = join(tmp, "run", "checkpoint");
  ({ child: serve, url } = await startServe(["--checkpoint", ck]));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  serve?.kill("SIGTERM");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the page in chromium on Hopper-v5", { skip }, () => {
  it("plays an episode with strl eval's actions and strl energy's number, drawing the Hopper, with no console error", async (t) => {
    const { page, errors, state: s } = await playEpisode<PageState>(browser!, `${url}?backend=wasm&seed=${SEED}&target=${TARGET}&speed=60&autoplay=1`, 120_000);
    assert.equal(s.error, "");
    assert.equal(s.envId, "Hopper-v5");
    assert.match(s.engine, /^wasm/);

    const common = ["--checkpoint", ck, "--seeds", String(SEED), "--target-return", String(TARGET), "--episodes", "1", "--json", "--engine", "wasm"];
    const ev = runCli(["eval", ...common, "--actions"]);
    assert.equal(ev.status, 0, ev.stderr);
    const cliEpisode = (JSON.parse(ev.stdout) as { episodes: Array<{ actions: number[][]; success: boolean | null }> }).episodes[0]!;
    const cliActions = cliEpisode.actions;
    assert.ok(cliActions.length >= 5 && cliActions.every((a) => a.length === 3), `strl eval's episode: ${cliActions.length} actions`);
    const first = cliActions.findIndex((a, i) => JSON.stringify(a) !== JSON.stringify(s.actions[i]));
    if (first === -1) {
      assert.equal(s.actions.length, cliActions.length, "the same episode length");
    } else {
      // after a flip the histories differ, so only the first difference can be judged
      assert.ok(s.nearThreshold[first]! > 0, `action ${first} differs (page ${s.actions[first]}, strl eval ${cliActions[first]}) with no membrane near threshold`);
      t.diagnostic(`1 action difference at step ${first}, at a decision with ${s.nearThreshold[first]} neuron-steps within float rounding of threshold`);
    }
    // a Hopper has no notion of success (its episode ends when it falls): n/a on the page, null in strl eval
    assert.equal(s.success, null);
    assert.equal(cliEpisode.success, null);
    assert.equal(await page.textContent("#success"), "n/a");
    t.diagnostic(`${s.actions.length} actions of 3 compared exactly; near-threshold flips: ${first === -1 ? 0 : 1}`);

    const en = runCli(["energy", ...common]);
    assert.equal(en.status, 0, en.stderr);
    const cliPj = (JSON.parse(en.stdout) as { energyPerDecisionPj: number }).energyPerDecisionPj;
    assert.ok(first !== -1 || Math.abs(s.episodeEnergyPj! - cliPj) <= 1e-9 * cliPj, `page ${s.episodeEnergyPj} pJ vs strl energy ${cliPj} pJ`);
    assert.ok(Object.values(s.layerSpikes).some((n) => n > 0), "spikes in the raster");

    // the side view: the Hopper's four capsules (torso, thigh, leg, foot) inside the 540x540 canvas, centred on
    // the torso, and the canvas really holds their colour (MJCF rgba 0.8 0.6 0.4 = rgb(204, 153, 102))
    assert.equal(s.view?.bodies, 4);
    const { left, right, top, bottom } = s.view!.box;
    assert.ok(left >= 0 && right <= 540 && top >= 0 && bottom <= 540 && left < 270 && right > 270, `bodies drawn at ${JSON.stringify(s.view!.box)}`);
    const bodyPixels = await page.evaluate(() => {
      const c = document.getElementById("env") as HTMLCanvasElement;
      const px = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] === 204 && px[i + 1] === 153 && px[i + 2] === 102) n++;
      return n;
    });
    assert.ok(bodyPixels > 1000, `${bodyPixels} pixels of the bodies' colour on the canvas`);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "serve-hopper.png") });
    assert.deepEqual(errors, [], "no console errors");
    await page.close();
  });

  it("without ?target, starts at D4RL's expert reference return for hopper (the SAC experts are not loaded in the page)", async () => {
    const page = await browser!.newPage();
    const errors = await open(page, `${url}?backend=wasm`);
    assert.equal(await page.inputValue("#target"), "3234.3");
    assert.match((await page.getAttribute("#target", "title"))!, /D4RL's expert reference return/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
