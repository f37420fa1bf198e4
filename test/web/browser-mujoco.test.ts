/**
 * The page on each MuJoCo locomotion env, in chromium: a tiny STRL trained here on a small dataset of the env (10
 * episodes collected with made-up SAC policies from STRL_EXPERTS_DIR, 20 updates) is served by `strl serve`; the
 * page loads MuJoCo's WASM module (wasm/mujoco.wasm), plays one episode, and must take exactly the continuous
 * actions `strl eval --actions` takes for the same seed and target (the same tfjs-wasm kernels and the same
 * MuJoCo binary: a difference is allowed only at a decision where a membrane sat within float rounding of its
 * threshold, and then only the first one can be judged), report the energy per decision `strl energy` gives,
 * draw the body's capsules on the canvas (Hopper 4, Walker2d 7, HalfCheetah 8), say success n/a (none of them has
 * one), and log no console error. The screenshots go to dist/artifacts/serve-<env>.png. Skipped, with the reason,
 * when chromium or playwright-core is missing.
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
/** The MJCF default colour of the bodies' geoms (rgba 0.8 0.6 0.4), as the canvas holds it. */
const BODY_RGB = [204, 153, 102] as const;

/**
 * Each env: its observation and action widths (Gymnasium's v5), the capsules its side view draws (every geom but
 * the floor: Hopper torso, thigh, leg, foot; Walker2d the torso and two such legs; HalfCheetah torso, head and three
 * capsules per leg) and D4RL's expert reference return, the page's default target.
 */
const ENVS = [
  { id: "Hopper-v5", file: "hopper", obs: 11, act: 3, capsules: 4, d4rlExpert: "3234.3" },
  { id: "Walker2d-v5", file: "walker2d", obs: 17, act: 6, capsules: 7, d4rlExpert: "4592.3" },
  { id: "HalfCheetah-v5", file: "halfcheetah", obs: 17, act: 6, capsules: 8, d4rlExpert: "12135" },
] as const;

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
let browser: Context | undefined;
const serves: ChildProcess[] = [];

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), "strl-browser-mujoco-"));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of serves) s.kill("SIGTERM");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A tiny STRL trained on 10 episodes of a made-up "expert" of `env`, served; returns its checkpoint and URL. */
async function servedModel(env: (typeof ENVS)[number]): Promise<{ ck: string; url: string }> {
  const dir = join(tmp, env.file);
  const experts = join(dir, "experts");
  mkdirSync(join(experts, env.id), { recursive: true });
  writeFileSync(join(experts, "README.md"), "made-up test policies\n");
  for (const [name, seed] of [["expert", 1], ["medium", 2], ["random", 3]] as const) {
    const p = new SquashedGaussianPolicy(new DenseMlp([env.obs, 8, 2 * env.act], new Rng(seed)), { env_id: env.id, policy: name });
    writeFileSync(join(experts, env.id, `${name}.safetensors`), p.toSafetensors());
  }
  const data = join(dir, `${env.file}.hdf5`);
  const col = runCli(["collect", "--env", env.id, "--policy", "expert", "--episodes", "10", "--seed", "1", "--out", data], undefined, { STRL_EXPERTS_DIR: experts });
  assert.equal(col.status, 0, col.stderr);
  const tr = runCli(["train", "--data", data, "--model", "strl", "--preset", "tiny", "--steps", "20", "--seed", "0", "--out", join(dir, "run"), "--quiet"]);
  assert.equal(tr.status, 0, tr.stderr);
  const ck = join(dir, "run", "checkpoint");
  const { child, url } = await startServe(["--checkpoint", ck]);
  serves.push(child);
  return { ck, url };
}

for (const env of ENVS) {
  describe(`the page in chromium on ${env.id}`, { skip }, () => {
    let ck: string;
    let url: string;
    before(async () => {
      if (!skip) ({ ck, url } = await servedModel(env));
    });

    it(`plays an episode with strl eval's actions and strl energy's number, drawing the ${env.capsules} capsules, with no console error`, async (t) => {
      const { page, errors, state: s } = await playEpisode<PageState>(browser!, `${url}?backend=wasm&seed=${SEED}&target=${TARGET}&speed=60&autoplay=1`, 180_000);
      assert.equal(s.error, "");
      assert.equal(s.envId, env.id);
      assert.match(s.engine, /^wasm/);

      const common = ["--checkpoint", ck, "--seeds", String(SEED), "--target-return", String(TARGET), "--episodes", "1", "--json", "--engine", "wasm"];
      const ev = runCli(["eval", ...common, "--actions"]);
      assert.equal(ev.status, 0, ev.stderr);
      const cliEpisode = (JSON.parse(ev.stdout) as { episodes: Array<{ actions: number[][]; success: boolean | null }> }).episodes[0]!;
      const cliActions = cliEpisode.actions;
      assert.ok(cliActions.length >= 5 && cliActions.every((a) => a.length === env.act), `strl eval's episode: ${cliActions.length} actions`);
      const first = cliActions.findIndex((a, i) => JSON.stringify(a) !== JSON.stringify(s.actions[i]));
      if (first === -1) {
        assert.equal(s.actions.length, cliActions.length, "the same episode length");
      } else {
        // after a flip the histories differ, so only the first difference can be judged
        assert.ok(s.nearThreshold[first]! > 0, `action ${first} differs (page ${s.actions[first]}, strl eval ${cliActions[first]}) with no membrane near threshold`);
        t.diagnostic(`1 action difference at step ${first}, at a decision with ${s.nearThreshold[first]} neuron-steps within float rounding of threshold`);
      }
      // a locomotion env has no notion of success (its episode ends when it falls or at 1000 steps): n/a on the
      // page, null in strl eval
      assert.equal(s.success, null);
      assert.equal(cliEpisode.success, null);
      assert.equal(await page.textContent("#success"), "n/a");
      t.diagnostic(`${s.actions.length} actions of ${env.act} compared exactly; near-threshold flips: ${first === -1 ? 0 : 1}`);

      const en = runCli(["energy", ...common]);
      assert.equal(en.status, 0, en.stderr);
      const cliPj = (JSON.parse(en.stdout) as { energyPerDecisionPj: number }).energyPerDecisionPj;
      assert.ok(first !== -1 || Math.abs(s.episodeEnergyPj! - cliPj) <= 1e-9 * cliPj, `page ${s.episodeEnergyPj} pJ vs strl energy ${cliPj} pJ`);
      assert.ok(Object.values(s.layerSpikes).some((n) => n > 0), "spikes in the raster");

      // the side view: every capsule inside the 540x540 canvas, centred on the torso, and the canvas really holds
      // the bodies' colour
      assert.equal(s.view?.bodies, env.capsules);
      const { left, right, top, bottom } = s.view!.box;
      assert.ok(left >= 0 && right <= 540 && top >= 0 && bottom <= 540 && left < 270 && right > 270, `bodies drawn at ${JSON.stringify(s.view!.box)}`);
      const bodyPixels = await page.evaluate((rgb) => {
        const c = document.getElementById("env") as HTMLCanvasElement;
        const px = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i] === rgb[0] && px[i + 1] === rgb[1] && px[i + 2] === rgb[2]) n++;
        return n;
      }, BODY_RGB);
      assert.ok(bodyPixels > 1000, `${bodyPixels} pixels of the bodies' colour on the canvas`);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `serve-${env.file}.png`) });
      assert.deepEqual(errors, [], "no console errors");
      await page.close();
    });

    it(`without ?target, starts at D4RL's expert reference return for ${env.file} (the SAC experts are not loaded in the page)`, async () => {
      const page = await browser!.newPage();
      const errors = await open(page, `${url}?backend=wasm`);
      assert.equal(await page.inputValue("#target"), env.d4rlExpert);
      assert.match((await page.getAttribute("#target", "title"))!, /D4RL's expert reference return/);
      assert.deepEqual(errors, []);
      await page.close();
    });
  });
}
