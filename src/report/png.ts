/**
 * SVG -> PNG with a headless chromium driven by playwright-core (both optional: playwright-core is a dev
 * dependency and chromium comes from the system, e.g. Debian's `chromium`; STRL_CHROMIUM names another binary).
 * The SVG is drawn at `scale` x its size (default 2, for sharp figures in documents).
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";

const CHROMIUM = (): string => process.env.STRL_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Why PNGs cannot be written here, or undefined when they can. */
export async function pngUnavailable(): Promise<string | undefined> {
  if (!existsSync(CHROMIUM())) return `no chromium at ${CHROMIUM()} (install Debian's chromium or set STRL_CHROMIUM)`;
  try {
    await import("playwright-core");
  } catch {
    return "playwright-core is not installed (npm install playwright-core)";
  }
  return undefined;
}

/** Writes each SVG string as a PNG file: `items` are [svg, pngPath] pairs, rendered in one browser. */
export async function svgsToPng(items: ReadonlyArray<[string, string]>, scale = 2): Promise<void> {
  const why = await pngUnavailable();
  if (why) throw new Error(`cannot write PNG: ${why}`);
  const pw = await import("playwright-core");
  const browser = await pw.chromium.launch({ executablePath: CHROMIUM(), headless: true, args: FLAGS });
  try {
    for (const [svg, path] of items) {
      const w = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 800);
      const h = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 600);
      const page = await browser.newPage({ viewport: { width: Math.ceil(w), height: Math.ceil(h) }, deviceScaleFactor: scale });
      await page.setContent(`<html><body style="margin:0;background:white">${svg}</body></html>`);
      await writeFile(path, await page.screenshot({ clip: { x: 0, y: 0, width: Math.ceil(w), height: Math.ceil(h) } }));
      await page.close();
    }
  } finally {
    await browser.close();
  }
}
