/**
 * The page in a real browser: Debian's chromium, headless, driven by playwright-core, against `strl serve` on
 * 127.0.0.1. A tiny maze STRL is trained here; the page loads it, plays one episode to its end on tfjs-wasm, and
 * must take the actions `strl eval` takes for the same seed and target (a difference is allowed only at a
 * decision where a membrane sat within float rounding of its threshold: counted and reported, never otherwise
 * tolerated), show spikes in every layer of its raster, show the energy per decision `strl energy` gives for the
 * same episode, and log no console error. Bad checkpoints are a message on the page. A screenshot is written to
 * dist/artifacts/serve-page.png. Skipped, with the reason, when chromium or playwright-core is missing
 * (.ci/run installs chromium).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ready } from "../../src/tensor/index.js";
import { trainTinyMaze } from "../../src/experiments/tiny-maze.js";
import { startServer, type RunningServer } from "../../src/cli/serve/http.js";
import { runCli } from "../cli/run-cli.js";
import { ARTIFACTS, WEB, launchBrowser, open, playEpisode, skip, startServe, type Context } from "./page-harness.js";

const TARGET = 0.9;
const SEED = 0;

interface PageState {
  ready: boolean;
  engine: string;
  error: string;
  actions: number[];
  nearThreshold: number[];
  done: boolean;
  layerSpikes: Record<string, number>;
  episodeEnergyPj?: number;
}

let tmp: string;
let ck: string;
let serve: ChildProcess | undefined;
let url: string;
let browser: Context | undefined;

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), "strl-browser-"));
  await ready();
  const run = await trainTinyMaze({ outDir: join(tmp, "run") });
  run.model.dispose();
  ck = join(tmp, "run", "checkpoint");
  ({ child: serve, url } = await startServe(["--checkpoint", ck]));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  serve?.kill("SIGTERM");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the page in chromium", { skip }, () => {
  it("plays an episode with strl eval's actions, spikes in every layer, strl energy's number and no console error", async (t) => {
    const { page, errors, state: s } = await playEpisode<PageState>(browser!, `${url}?backend=wasm&seed=${SEED}&target=${TARGET}&speed=60&autoplay=1`, 30_000);
    assert.equal(s.error, "");
    assert.match(s.engine, /^wasm/);

    const common = ["--checkpoint", ck, "--seeds", String(SEED), "--target-return", String(TARGET), "--episodes", "1", "--json", "--engine", "wasm"];
    const ev = runCli(["eval", ...common, "--actions"]);
    assert.equal(ev.status, 0, ev.stderr);
    const cliActions = (JSON.parse(ev.stdout) as { episodes: Array<{ actions: number[] }> }).episodes[0]!.actions;
    const first = cliActions.findIndex((a, i) => a !== s.actions[i]);
    if (first === -1) {
      assert.equal(s.actions.length, cliActions.length, "the same episode length");
    } else {
      // after a flip the histories differ, so only the first difference can be judged
      assert.ok(s.nearThreshold[first]! > 0, `action ${first} differs (page ${s.actions[first]}, strl eval ${cliActions[first]}) with no membrane near threshold`);
      t.diagnostic(`1 action difference at step ${first}, at a decision with ${s.nearThreshold[first]} neuron-steps within float rounding of threshold`);
    }
    t.diagnostic(`${s.actions.length} actions compared; near-threshold flips: ${first === -1 ? 0 : 1}`);

    const en = runCli(["energy", ...common, "--seen-mazes"]); // the page, like eval here, draws any maze
    assert.equal(en.status, 0, en.stderr);
    const cliPj = (JSON.parse(en.stdout) as { energyPerDecisionPj: number }).energyPerDecisionPj;
    assert.ok(first !== -1 || Math.abs(s.episodeEnergyPj! - cliPj) <= 1e-9 * cliPj, `page ${s.episodeEnergyPj} pJ vs strl energy ${cliPj} pJ`);
    const shown = await page.getAttribute("#energy", "data-episode-pj");
    assert.equal(Number(shown), s.episodeEnergyPj);
    assert.match((await page.textContent("#energy"))!, /ANN-STRL, same size/);

    // Every LIF layer, attention included, is in the raster. A layer with no spike in the raster all episode must
    // be one that strl energy also saw silent over the same episode (this tiny model's score LIFs may not fire).
    const layers = Object.entries(s.layerSpikes);
    const cliRates = (JSON.parse(en.stdout) as { rates: Record<string, number> }).rates;
    assert.deepEqual(layers.map(([l]) => l).sort(), Object.keys(cliRates).filter((k) => !k.endsWith(".qk")).sort(), "raster layers = strl energy's LIF layers");
    for (const [layer, n] of layers) {
      if (n === 0) assert.equal(cliRates[layer], 0, `layer ${layer} fired (rate ${cliRates[layer]}) but never spiked in the raster`);
    }
    assert.ok(layers.filter(([, n]) => n > 0).length >= layers.length / 2, `spikes in ${layers.filter(([, n]) => n > 0).length} of ${layers.length} layers`);
    assert.equal(await page.locator("#raster figure").count(), layers.length);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "serve-page.png") });
    assert.deepEqual(errors, [], "no console errors");
    await page.close();
  });

  it("shows a bad checkpoint as a clear message, never a blank page", async () => {
    const cases: Array<[string, (dir: string) => void, RegExp]> = [
      ["missing model", (d) => rmSync(join(d, "model.safetensors")), /model\.safetensors is missing/],
      ["not JSON", (d) => writeFileSync(join(d, "config.json"), "{ nope"), /config\.json is not valid JSON/],
      ["wrong format", (d) => writeFileSync(join(d, "model.safetensors"), "garbage"), /model\.safetensors/],
      ["unknown env", (d) => {
        const cfgPath = join(d, "config.json");
        const cfg = JSON.parse(readFileSync(cfgPath, "utf8"));
        cfg.env.id = "Nowhere-v9";
        writeFileSync(cfgPath, JSON.stringify(cfg));
      }, /Nowhere-v9/],
    ];
    for (const [name, breakIt, expect] of cases) {
      const dir = join(tmp, `bad-${name.replace(/ /g, "-")}`);
      cpSync(ck, dir, { recursive: true, dereference: true }) // the checkpoint is a link to a versioned folder;
      breakIt(dir);
      const srv: RunningServer = await startServer({ webRoot: WEB, checkpoint: dir, host: "127.0.0.1", port: 0 });
      try {
        const page = await browser!.newPage();
        await open(page, `${srv.url}?backend=wasm`);
        assert.equal(await page.isVisible("#error"), true, name);
        assert.match((await page.textContent("#error"))!, expect, name);
        await page.close();
      } finally {
        await srv.close();
      }
    }
  });

  it("without a checkpoint, trains a tiny maze STRL in the page (progress shown), then plays it", async () => {
    const srv = await startServer({ webRoot: WEB, host: "127.0.0.1", port: 0 });
    try {
      const page = await browser!.newPage();
      const errors = await open(page, `${srv.url}?backend=wasm&speed=60`);
      assert.equal(await page.isVisible("#train-btn"), true);
      assert.equal(await page.isVisible("#error"), false);
      await page.click("#train-btn");
      await page.waitForFunction(() => /updates/.test(document.getElementById("train-text")?.textContent ?? ""), null, { timeout: 20_000 });
      await page.waitForFunction(() => (window as unknown as { strl: PageState & { envId: string } }).strl.envId !== "", null, { timeout: 60_000 });
      await page.click("#play");
      await page.waitForFunction(() => (window as unknown as { strl: PageState }).strl.done, null, { timeout: 30_000 });
      const s = await page.evaluate(() => (window as unknown as { strl: PageState }).strl);
      assert.ok(s.actions.length > 0);
      assert.equal(s.error, "");
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      await srv.close();
    }
  });
});
