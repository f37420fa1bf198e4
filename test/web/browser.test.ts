/**
 * The page in a real browser: Debian's chromium, headless, driven by playwright-core, against `strl serve` on
 * 127.0.0.1. A tiny maze STRL is trained here; the page loads it, plays one episode to its end on tfjs-wasm, and
 * must take the actions `strl eval` takes for the same seed and target (a difference is allowed only at a
 * decision where a membrane sat within float rounding of its threshold: counted and reported, never otherwise
 * tolerated), show spikes in every layer of its raster, show the energy per decision `strl energy` gives for the
 * same episode, and log no console error; its status line says how the episode ended, legends explain the colours
 * and no label is cut at 1400 or 800 px wide. Stepping says the step and return; a checkpoint with a zeroed
 * attention projection gets a warning per silent layer. Bad checkpoints are a message on the page. A screenshot is written to
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
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { trainTinyMaze } from "../../src/experiments/tiny-maze.js";
import { startServer, type RunningServer } from "../../src/cli/serve/http.js";
import { runCli } from "../cli/run-cli.js";
import { ARTIFACTS, WEB, launchBrowser, open, playEpisode, skip, startServe, type Context, type Page } from "./page-harness.js";

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
  status: string;
  return: number;
  success: boolean | null;
  warnings: Array<{ layer: string; kind: string; text: string }>;
}

/** The texts of the page's labels (bar names, raster captions, legend, status, warnings) that do not fit their box. */
function cutLabels(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>(".bars .name, .raster figcaption, .legend .item, #status, .warnings li, .badge"))
      .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
      .map((e) => `${e.textContent} (${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight})`),
  );
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

    // the status line says how the episode ended; the colours are explained; no label is cut, wide or narrow
    const outcome = s.success === null ? "success n/a" : s.success ? "success" : "failure";
    assert.ok(s.status.startsWith(`episode done: return ${s.return.toFixed(3)} (${outcome}; ${s.actions.length} steps`), s.status);
    assert.equal(await page.textContent("#status"), s.status);
    const envLegend = (await page.textContent("#env-legend"))!;
    for (const w of ["wall", "exit", "agent", "neighbours"]) assert.match(envLegend, new RegExp(w), `env legend: ${envLegend}`);
    assert.match((await page.textContent("#panel-legend"))!, /a spike.*no spike/);
    assert.match((await page.textContent("#rates"))!, /block 1 attention: query/);
    for (const width of [1400, 800]) {
      await page.setViewportSize({ width, height: 1000 });
      assert.deepEqual(await cutLabels(page), [], `labels cut at ${width} px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at ${width} px`);
    }

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "serve-page.png") });
    assert.deepEqual(errors, [], "no console errors");
    await page.close();
  });

  it("says the step and return after each step, and warns about a silent layer with what it means", async () => {
    // block 1's q/k/v projection zeroed: its query, key, value and score LIFs get no input and never fire
    const dir = join(tmp, "silent-block");
    cpSync(ck, dir, { recursive: true, dereference: true });
    const st = decodeSafetensors(readFileSync(join(dir, "model.safetensors")));
    const qkv = st.tensors.get("blocks.0.attn.qkv.weight");
    assert.ok(qkv, `tensors: ${[...st.tensors.keys()].join(", ")}`);
    assert.equal(qkv.dtype, "F32");
    (qkv.data as Float32Array).fill(0);
    writeFileSync(join(dir, "model.safetensors"), encodeSafetensors(st.tensors, st.metadata));
    const srv = await startServer({ webRoot: WEB, checkpoint: dir, host: "127.0.0.1", port: 0 });
    try {
      const page = await browser!.newPage();
      const errors = await open(page, `${srv.url}?backend=wasm&seed=${SEED}&target=${TARGET}`);
      const read = (): Promise<PageState> => page.evaluate(() => (window as unknown as { strl: PageState }).strl);
      assert.equal((await read()).status, "new episode: press Step or Play");
      for (let k = 1; k <= 3; k++) {
        await page.click("#step");
        await page.waitForFunction((n) => (window as unknown as { strl: PageState }).strl.actions.length === n, k, { timeout: 10_000 });
      }
      const s = await read();
      assert.equal(s.error, "");
      if (!s.done) assert.equal(s.status, `paused at step 3, return ${s.return.toFixed(3)}`);
      assert.equal(await page.textContent("#status"), s.status);
      const silent = s.warnings.filter((w) => w.kind === "silent").map((w) => w.layer);
      for (const l of ["q_lif", "k_lif", "v_lif", "score_lif"]) assert.ok(silent.includes(`blocks.0.attn.${l}`), `silent: ${silent.join(", ")}`);
      const score = (await page.textContent('#layer-warnings li[data-layer="blocks.0.attn.score_lif"]'))!;
      assert.match(score, /^block 1 attention: score is silent .*uniform/);
      assert.match((await page.textContent('#layer-warnings li[data-layer="blocks.0.attn.q_lif"]'))!, /passes nothing on/);
      assert.deepEqual(await cutLabels(page), []);
      await page.click("#new");
      await page.waitForFunction(() => (window as unknown as { strl: PageState }).strl.actions.length === 0);
      assert.equal((await read()).status, "new episode: press Step or Play");
      assert.equal(await page.locator("#layer-warnings li").count(), 0);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      await srv.close();
    }
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
