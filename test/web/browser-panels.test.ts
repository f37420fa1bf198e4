/**
 * The page's episode and neuron panels in chromium, checked against numbers computed here: the return-per-episode
 * chart has one bar per finished episode with the return its status line reported; the return-to-go chart starts
 * at the target and drops by each reward; a clicked raster neuron's membrane over T equals the LIF recurrence run
 * here on that neuron's input in the same decision (replayed in Node on the tfjs path, whose MLP LIF input is read
 * directly), with the threshold line at the model's threshold and a mark on each spike; the attention maps hold the
 * softmax weights the decision row's score spikes give. Every chart text fits its chart at 1400 and 800 px.
 * Skipped, with the reason, when chromium or playwright-core is missing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ready, type Tensor } from "../../src/tensor/index.js";
import { trainTinyMaze } from "../../src/experiments/tiny-maze.js";
import { EpisodeStepper } from "../../src/eval/stepper.js";
import { SpikingMlp } from "../../src/models/blocks/spiking-mlp.js";
import type { PolicyModel } from "../../src/models/types.js";
import type { AttentionRow } from "../../src/eval/attention-row.js";
import { launchBrowser, open, skip, startServe, type Context, type Page } from "./page-harness.js";

// the Node replay reads block 1's MLP LIF input on the tfjs path (the native inference plan runs it in C++)
process.env.STRL_INFERENCE = "tfjs";

const TARGET = 0.9;
const SEED = 0;

interface PageState {
  error: string;
  done: boolean;
  actions: number[];
  return: number;
  status: string;
  target: number;
  rtg: number[];
  rewards: number[];
  episodeReturns: Array<{ n: number; return: number; seed: number; episode: number }>;
  membrane?: { layer: string; neuron: number; membrane: number[]; spikes: number[]; vThreshold: number };
  decision?: { tokens: number; spikes: Array<{ layer: string; spikes: number[][] }>; attention?: AttentionRow[] };
}

const read = (page: Page): Promise<PageState> => page.evaluate(() => (window as unknown as { strl: PageState }).strl);

/** Chart texts that stick out of their <svg> (cut when drawn). */
function cutChartTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<SVGTextElement>("svg.chart text, svg.attn-map text")).flatMap((t) => {
      const s = t.ownerSVGElement!.getBoundingClientRect(); // on screen: rotations and scaling applied
      const b = t.getBoundingClientRect();
      const inside = b.left >= s.left - 0.5 && b.top >= s.top - 0.5 && b.right <= s.right + 0.5 && b.bottom <= s.bottom + 0.5;
      return inside ? [] : [`${t.textContent} at ${b.left.toFixed(0)},${b.top.toFixed(0)} ${b.width.toFixed(0)}x${b.height.toFixed(0)} in ${s.left.toFixed(0)},${s.top.toFixed(0)} ${s.width.toFixed(0)}x${s.height.toFixed(0)}`];
    }),
  );
}

/** The y values a chart series was drawn with (its data-ys). */
async function drawnYs(page: Page, selector: string): Promise<number[]> {
  const ys = await page.getAttribute(selector, "data-ys");
  return ys ? ys.split(",").map(Number) : [];
}

let tmp: string;
let serve: ChildProcess | undefined;
let url: string;
let browser: Context | undefined;
let model: PolicyModel;
let envId: string;
let envOptions: Record<string, unknown> | undefined;

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), "strl-panels-"));
  await ready();
  const run = await trainTinyMaze({ outDir: join(tmp, "run") });
  model = run.model as PolicyModel;
  model.eval();
  ({ envId, envOptions } = run);
  ({ child: serve, url } = await startServe(["--checkpoint", join(tmp, "run", "checkpoint")]));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  serve?.kill("SIGTERM");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the page's episode and neuron panels", { skip }, () => {
  it("charts each finished episode's return and the return-to-go falling by each reward from the target", async () => {
    const page = await browser!.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    const errors = await open(page, `${url}?backend=wasm&seed=${SEED}&target=${TARGET}&speed=60&autoplay=1`);
    const finished = (n: number) => page.waitForFunction((k) => (window as unknown as { strl: PageState }).strl.episodeReturns.length === k || (window as unknown as { strl: PageState }).strl.error !== "", n, { timeout: 60_000 });
    await finished(1);
    const first = await read(page);
    assert.equal(first.error, "");
    assert.ok(first.status.startsWith(`episode done: return ${first.return.toFixed(3)} `), first.status);

    // the return-to-go fed at each decision: the target, then minus each reward received (the hand check)
    assert.equal(first.rtg.length, first.actions.length);
    assert.equal(first.rewards.length, first.actions.length);
    assert.equal(first.rtg[0], TARGET);
    let expected = TARGET;
    for (let t = 1; t < first.rtg.length; t++) {
      expected -= first.rewards[t - 1]!;
      assert.ok(Math.abs(first.rtg[t]! - expected) <= 1e-9, `rtg[${t}] = ${first.rtg[t]}, target minus the rewards so far = ${expected}`);
    }
    assert.deepEqual(await drawnYs(page, "#rtg-chart g.rtg"), first.rtg);
    assert.equal(Number(await page.getAttribute("#rtg-chart line.target", "data-y")), TARGET);
    const accumulated = await drawnYs(page, "#rtg-chart g.accumulated");
    assert.equal(accumulated.length, first.actions.length);
    assert.ok(Math.abs(accumulated.at(-1)! - first.return) <= 1e-9, `accumulated ${accumulated.at(-1)} vs return ${first.return}`);
    assert.match((await page.textContent("#rtg-chart"))!, /return-to-go fed to the model.*target return 0\.9/s);

    // a second episode: one bar per finished episode, each at the return its status line reported
    await page.fill("#episode", "1");
    await page.click("#new");
    assert.deepEqual((await read(page)).rtg, [], "a new episode's chart starts empty");
    await page.click("#play");
    await finished(2);
    const second = await read(page);
    assert.ok(second.status.startsWith(`episode done: return ${second.return.toFixed(3)} `), second.status);
    assert.deepEqual(second.episodeReturns, [
      { n: 1, return: first.return, seed: SEED, episode: 0 },
      { n: 2, return: second.return, seed: SEED, episode: 1 },
    ]);
    const bars = await page.$$eval("#returns-chart g.episode-returns rect", (rs) => rs.map((r) => [Number(r.getAttribute("data-x")), Number(r.getAttribute("data-y"))]));
    assert.deepEqual(bars, [[1, first.return], [2, second.return]]);
    for (const width of [1400, 800]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.waitForTimeout(300); // the charts redraw at their new width
      assert.deepEqual(await cutChartTexts(page), [], `chart texts cut at ${width} px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at ${width} px`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows a clicked neuron's membrane over T: the LIF recurrence of its input in that decision, its threshold and spikes", async () => {
    const STEPS = 3;
    const LAYER = "blocks.0.mlp.lif1";
    const page = await browser!.newPage();
    const errors = await open(page, `${url}?backend=wasm&seed=${SEED}&target=${TARGET}`);
    for (let k = 1; k <= STEPS; k++) {
      await page.click("#step");
      await page.waitForFunction((n) => (window as unknown as { strl: PageState }).strl.actions.length === n, k, { timeout: 10_000 });
    }
    const before = await read(page);
    const raster = before.decision!.spikes.find((l) => l.layer === LAYER)!;
    const n = raster.spikes[0]!.length;
    const T = raster.spikes.length;
    const fired = Array.from({ length: n }, (_, j) => raster.spikes.reduce((a, row) => a + row[j]!, 0));
    const neuron = Math.max(0, fired.findIndex((c) => c > 0 && c < T)); // one that fires at some steps, not all
    const canvas = page.locator(`#raster figure[data-layer="${LAYER}"] canvas`);
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: ((neuron + 0.5) / n) * box.width, y: box.height / 2 } });
    await page.waitForFunction(() => (window as unknown as { strl: PageState }).strl.membrane !== undefined, null, { timeout: 5_000 });
    const s = await read(page);
    const m = s.membrane!;
    assert.equal(m.layer, LAYER);
    assert.equal(m.neuron, neuron);
    assert.deepEqual(m.spikes, raster.spikes.map((row) => row[neuron]), "the marks are the spikes of the raster's column");

    // the same decision in Node: the neuron's input u (same at every step: direct encoding) and the LIF recurrence
    const mlp = model.namedModules().find(([name]) => name === "blocks.0.mlp")![1] as SpikingMlp;
    const cfg = mlp.lif1.config;
    assert.equal(m.vThreshold, cfg.vThreshold);
    const stepper = new EpisodeStepper({ envId, envOptions, model, targetReturn: TARGET, seed: SEED, episode: 0 });
    let input: Float32Array | undefined;
    const original = mlp.lif1.forwardRepeated;
    for (let k = 1; k <= STEPS; k++) {
      if (k === STEPS) {
        mlp.lif1.forwardRepeated = function (this: typeof mlp.lif1, x: Tensor, steps: number, o?: { mean?: boolean }) {
          input ??= x.dataSync() as Float32Array; // [B, K, F]: the decision token's row is the last
          return original.call(this, x, steps, o);
        };
      }
      try {
        await stepper.step();
      } finally {
        mlp.lif1.forwardRepeated = original;
      }
    }
    assert.deepEqual(stepper.actions, s.actions, "Node replays the page's actions");
    assert.ok(input, "the decision ran block 1's MLP LIF");
    const F = mlp.fc1.outFeatures; // r·d hidden neurons per token row
    const u = input[input.length - F + neuron]!;
    const vr = cfg.vReset ?? 0;
    let v = vr;
    const expectH: number[] = [];
    const expectS: number[] = [];
    for (let t = 0; t < T; t++) {
      const h = cfg.decayInput ? v + (u - (v - vr)) / cfg.tau : v - (v - vr) / cfg.tau + u;
      const spike = h >= cfg.vThreshold ? 1 : 0;
      expectH.push(h);
      expectS.push(spike);
      v = spike ? (cfg.vReset === null ? h - cfg.vThreshold : cfg.vReset) : h;
    }
    for (let t = 0; t < T; t++) {
      // tfjs-wasm and this process's engine round the fc1 sums differently: a few float32 ulps
      assert.ok(Math.abs(m.membrane[t]! - expectH[t]!) <= 1e-4 * Math.max(1, Math.abs(expectH[t]!)), `H_${t + 1}: page ${m.membrane[t]}, Node ${expectH[t]}`);
      if (Math.abs(expectH[t]! - cfg.vThreshold) > 1e-4) assert.equal(m.spikes[t], expectS[t], `spike at t = ${t + 1}`);
    }

    // the chart: one point per step at the membrane, the threshold line at v_th, a mark per spike
    assert.deepEqual(await drawnYs(page, "#membrane g.membrane"), m.membrane);
    assert.equal(Number(await page.getAttribute("#membrane line.threshold", "data-y")), cfg.vThreshold);
    assert.equal(await page.locator("#membrane g.spikes polygon").count(), m.spikes.reduce((a, b) => a + b, 0));
    assert.match((await page.textContent("#membrane-title"))!, new RegExp(`block 1 MLP: hidden, neuron ${neuron + 1}`));
    assert.match((await page.textContent("#membrane"))!, /spike \(H_t ≥ threshold\).*threshold v_th = /s);

    // the next decision keeps the neuron and shows its new membrane
    await page.click("#step");
    await page.waitForFunction((k) => (window as unknown as { strl: PageState }).strl.actions.length === k, STEPS + 1, { timeout: 10_000 });
    const next = await read(page);
    assert.equal(next.membrane?.neuron, neuron);
    assert.deepEqual(next.membrane!.spikes, next.decision!.spikes.find((l) => l.layer === LAYER)!.spikes.map((row) => row[neuron]));
    // a new episode has no decision yet: no trace, the title back to its prompt
    await page.click("#new");
    assert.equal((await read(page)).membrane, undefined);
    assert.equal(await page.textContent("#membrane-title"), "Membrane of a clicked neuron (this decision)");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("maps the decision row's attention: the softmax weights its score spikes give, and says when a score layer is silent", async () => {
    const page = await browser!.newPage();
    const errors = await open(page, `${url}?backend=wasm&seed=${SEED}&target=${TARGET}`);
    for (let k = 1; k <= 4; k++) {
      await page.click("#step");
      await page.waitForFunction((n) => (window as unknown as { strl: PageState }).strl.actions.length === n, k, { timeout: 10_000 });
    }
    const s = await read(page);
    const rows = s.decision!.attention!;
    const heads = (model.config.toJSON() as { nHeads: number }).nHeads;
    assert.deepEqual(rows.map((r) => r.layer), s.decision!.spikes.filter((l) => l.layer.endsWith("score_lif")).map((l) => l.layer));
    for (const r of rows) {
      assert.equal(r.heads, heads);
      assert.equal(r.keys, s.decision!.tokens, "the decision row attends every real step of its window");
      // the score spikes are the raster's score cells (head by head), and each weight is e or 1 over their sum
      const rasterRow = s.decision!.spikes.find((l) => l.layer === r.layer)!.spikes;
      const T = rasterRow.length;
      for (let t = 0; t < T; t++) {
        assert.deepEqual(r.spikes.flatMap((h) => h[t]!).slice(0, rasterRow[t]!.length), rasterRow[t]);
        for (let h = 0; h < heads; h++) {
          const z = r.spikes[h]![t]!.reduce((a, sp) => a + (sp ? Math.E : 1), 0);
          r.weights[h]![t]!.forEach((w, m) => assert.ok(Math.abs(w - (r.spikes[h]![t]![m] ? Math.E : 1) / z) <= 1e-12, `${r.layer} head ${h} t ${t} key ${m}`));
        }
      }
      const silent = r.spikes.flat(2).every((x) => x === 0);
      assert.equal(r.silent, silent);
      const caption = (await page.textContent(`#attention figure[data-layer="${r.layer}"] figcaption`))!;
      if (silent) assert.match(caption, new RegExp(`silent .*1/${r.keys} .*uniform`));
      else assert.match(caption, /score spikes/);
      // the map's cells: T rows and the mean row per head, each at its weight
      const cells = await page.$$eval(`#attention figure[data-layer="${r.layer}"] rect`, (rs) => rs.map((c) => Number(c.getAttribute("data-w"))));
      assert.deepEqual(cells, r.weights.flatMap((h, hi) => [...h.flat(), ...r.mean[hi]!]));
    }
    assert.match((await page.textContent("#attention .legend"))!, /uniform.*score spiked/s);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
