/**
 * What the browser tests share: Debian's chromium driven headless by playwright-core, why they skip when either
 * (or the built page) is missing, `strl serve` started as a child process, and a page opened until it is ready
 * with its console errors collected.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MAIN } from "../cli/run-cli.js";

export const CHROMIUM = process.env.STRL_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const WEB = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "web");
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "artifacts");

type Pw = typeof import("playwright-core");
export type Context = Awaited<ReturnType<Pw["chromium"]["launchPersistentContext"]>>;
export type Page = Awaited<ReturnType<Context["newPage"]>>;

/** Why the browser tests cannot run here, or undefined when they can. */
export let skip: string | undefined;
let pw: Pw | undefined;
if (!existsSync(CHROMIUM)) skip = `no chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`;
else {
  try {
    pw = await import("playwright-core");
  } catch (e) {
    skip = `playwright-core is not installed (${(e as Error).message.split("\n")[0]})`;
  }
}
if (!skip && !existsSync(join(WEB, "app.js"))) skip = `the page is not built (${WEB}/app.js; npm run build)`;
if (skip) process.stdout.write(`# browser tests skipped: ${skip}\n`);

/** A fresh headless chromium with its own profile folder. */
export function launchBrowser(): Promise<Context> {
  return pw!.chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "strl-chromium-")), { executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** `strl serve ARGS` on 127.0.0.1 and a free port; resolves with its URL once it listens. */
export function startServe(args: string[], env?: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, "serve", ...args, "--port", "0", "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"], env: env ? { ...process.env, ...env } : undefined });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`strl serve did not start: ${err}`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`strl serve exited with ${code}: ${err}`)));
  });
}

/** Opens `at` and waits until the page says it is ready (`window.strl.ready`); returns its console errors so far and later. */
export async function open(page: Page, at: string): Promise<string[]> {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(at);
  await page.waitForFunction(() => (window as unknown as { strl?: { ready: boolean } }).strl?.ready === true, null, { timeout: 20_000 });
  return errors;
}

/**
 * Opens `at` (which autoplays one episode) in a new page and waits until the episode is done or the page shows an
 * error; returns the page, its console errors and `window.strl` then.
 */
export async function playEpisode<S>(browser: Context, at: string, timeoutMs: number): Promise<{ page: Page; errors: string[]; state: S }> {
  const page = await browser.newPage();
  const errors = await open(page, at);
  await page.waitForFunction(() => {
    const s = (window as unknown as { strl: { done: boolean; error: string } }).strl;
    return s.done || s.error !== "";
  }, null, { timeout: timeoutMs });
  const state = await page.evaluate(() => (window as unknown as { strl: unknown }).strl) as S;
  return { page, errors, state };
}
