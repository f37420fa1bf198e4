// Regenerates the README's screenshots of the page (docs/serve-page.png laid out at 1400x1000, docs/serve-page-800.png
// at 800 px wide; both the whole page) so they cannot go stale: trains the tiny maze STRL (src/experiments/tiny-maze.ts),
// serves it with `strl serve`, plays episode 0 of seed 0 (target 0.9, as the browser test) in Debian's chromium to
// its end, then episode 1, clicks a neuron of block 1's MLP raster (one that fired, but not at every step) for its
// membrane trace, and shoots. Needs `npm run build` and chromium (test/web/page-harness.ts says why it cannot run).
// Usage: node scripts/page-screenshots.mjs [OUT_DIR=docs]
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const outDir = process.argv[2] ?? join(root, "docs");
const harness = await import(join(root, "dist", "test", "web", "page-harness.js"));
if (harness.skip) {
  console.error(`cannot take the screenshots: ${harness.skip}`);
  process.exit(2);
}
const { ready } = await import(join(root, "dist", "src", "tensor", "index.js"));
const { trainTinyMaze } = await import(join(root, "dist", "src", "experiments", "tiny-maze.js"));

const tmp = mkdtempSync(join(tmpdir(), "strl-shots-"));
let serve;
let browser;
try {
  await ready();
  const run = await trainTinyMaze({ outDir: join(tmp, "run") });
  run.model.dispose();
  const started = await harness.startServe(["--checkpoint", join(tmp, "run", "checkpoint")]);
  serve = started.child;
  browser = await harness.launchBrowser();
  mkdirSync(outDir, { recursive: true });
  for (const [name, width, height, fullPage] of [["serve-page.png", 1400, 1000, true], ["serve-page-800.png", 800, 1000, true]]) {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height });
    await harness.open(page, `${started.url}?backend=wasm&seed=0&target=0.9&speed=60&autoplay=1`);
    await page.waitForFunction(() => window.strl.done || window.strl.error !== "", null, { timeout: 60_000 });
    // a second episode (episode index 1), so the return-per-episode chart has two points
    await page.fill("#episode", "1");
    await page.click("#new");
    await page.click("#play");
    await page.waitForFunction(() => (window.strl.done && window.strl.episodeReturns.length === 2) || window.strl.error !== "", null, { timeout: 60_000 });
    // click the neuron that fired most in block 1's MLP raster, so its membrane trace shows
    const spikes = await page.evaluate(() => window.strl.decision.spikes.find((l) => l.layer.endsWith("mlp.lif1")) ?? window.strl.decision.spikes[0]);
    const counts = spikes.spikes[0].map((_, i) => spikes.spikes.reduce((a, row) => a + row[i], 0));
    const neuron = counts.indexOf(Math.max(...counts.filter((c) => c < spikes.spikes.length)), 0);
    const canvas = page.locator(`#raster figure[data-layer="${spikes.layer}"] canvas`);
    const box = await canvas.boundingBox();
    await canvas.click({ position: { x: ((Math.max(0, neuron) + 0.5) / counts.length) * box.width, y: box.height / 2 } });
    await page.waitForFunction(() => window.strl.membrane !== undefined, null, { timeout: 5_000 });
    const error = await page.evaluate(() => window.strl.error);
    if (error) throw new Error(`the page shows an error: ${error}`);
    await page.screenshot({ path: join(outDir, name), fullPage });
    console.log(`${join(outDir, name)} (${width} px wide, ${fullPage ? "whole page" : `${height} px high`})`);
    await page.close();
  }
} finally {
  await browser?.close();
  serve?.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
}
