/** `strl serve`: the browser page, watching a checkpoint act and spike. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, startEngine } from "../command.js";
import { UsageError, asUserError } from "../usage-error.js";
import { checkpointDir } from "../checkpoint-args.js";
import { loadCheckpoint, resolveCheckpoint } from "../../checkpoint/index.js";
import { hostHeaderName, isLoopback, SERVED_CHECKPOINT_FILES, startServer } from "../serve/http.js";

const HELP = `strl serve — watch a trained spiking policy act and spike, in your browser

Usage: strl serve [--checkpoint RUN_OR_DIR] [--port 8080] [--host 127.0.0.1] [--allow-remote HOST[,HOST]] [--no-demo]

Serves the page (dist/web, built by npm run build) and the checkpoint's ${SERVED_CHECKPOINT_FILES.join(" and ")},
read-only; once it listens with its checkpoint loaded it prints "strl serve: ready at URL". A folder that is not a strl checkpoint is refused.
The page runs the same environment and model code as the CLI, on tfjs's wasm (SIMD), WebGPU or WebGL backend.
Without --checkpoint it serves a demo checkpoint (a tiny maze STRL that the first \`strl serve\` trains in a few
seconds and keeps in .strl-cache/serve-demo/); with --no-demo the page offers to train one in the browser.
The server listens on loopback only and answers only requests addressed to it (Host: 127.0.0.1, localhost or
[::1] with its port), so no web page can read it through a name of its own. --allow-remote names the further
host names (or addresses) other machines reach it by; another --host needs it. Ctrl-C stops it.

Examples:
  strl serve
  strl serve --checkpoint runs/strl/checkpoint --port 9000
  strl serve --host 0.0.0.0 --allow-remote gpu7.lab.example,10.0.0.7`;

/** dist/web beside this file (dist/src/cli/commands -> dist/web). */
function webRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "web");
}

async function demoCheckpoint(): Promise<string> {
  const dir = resolve(".strl-cache", "serve-demo");
  const ck = join(dir, "checkpoint");
  if (existsSync(join(ck, "config.json"))) return ck;
  process.stderr.write(`strl serve: training the demo checkpoint (a tiny maze STRL) into ${ck} ...\n`);
  const { trainTinyMaze } = await import("../../experiments/tiny-maze.js");
  const run = await trainTinyMaze({ outDir: dir });
  run.model.dispose();
  return ck;
}

/**
 * Why `dir` is not a strl checkpoint folder (no config.json, or one that does not say `strl-checkpoint`), or
 * undefined when it is one. A damaged checkpoint passes here: the page shows its problem itself.
 */
function notACheckpoint(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return "a file, not a folder";
    const cfgPath = join(dir, "config.json");
    if (!existsSync(cfgPath)) return "it has no config.json";
    if (statSync(cfgPath).size > 16 * 1024 * 1024) return "its config.json is larger than 16 MB";
    const cfg = JSON.parse(readFileSync(cfgPath, "utf8")) as unknown;
    const format = typeof cfg === "object" && cfg !== null ? (cfg as { format?: unknown }).format : undefined;
    return format === "strl-checkpoint" ? undefined : "its config.json is not a strl checkpoint's (format is not 'strl-checkpoint')";
  } catch (e) {
    return `its config.json cannot be read: ${((e as Error).message ?? String(e)).split("\n")[0]}`;
  }
}

export const command: Command = {
  summary: "serve the browser page that shows a checkpoint acting and spiking",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...ENGINE_FLAG,
      checkpoint: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "allow-remote": { type: "string", list: true },
      "no-demo": { type: "boolean" },
    });
    const port = numberFlag("port", values.port, 8080, { integer: true, min: 0, max: 65535 });
    const host = values.host ?? "127.0.0.1";
    const allowHosts = (values["allow-remote"] ?? []).map((name) => {
      const h = hostHeaderName(name);
      if ("refuse" in h) throw new UsageError(`--allow-remote: ${h.refuse}`);
      return h.host;
    });
    if (!isLoopback(host) && allowHosts.length === 0) {
      throw new UsageError(`--host ${host} is not a loopback address; add --allow-remote NAME (the names other machines use for it) to serve it to them`);
    }
    let checkpoint: string | undefined;
    if (values.checkpoint !== undefined) {
      checkpoint = resolve(checkpointDir(values.checkpoint));
      if (!existsSync(checkpoint)) {
        // a pointer left missing or dangling by an interrupted save: serve the newest complete version beside it
        const found = await resolveCheckpoint(checkpoint);
        if (!found) throw new UsageError(`--checkpoint ${values.checkpoint}: folder not found`);
        process.stderr.write(`strl serve: warning: ${checkpoint} is missing or dangling (an interrupted save?); serving the newest complete version beside it, ${found.path}\n`);
        checkpoint = found.path;
      }
      const problem = notACheckpoint(checkpoint);
      if (problem) throw new UsageError(`--checkpoint ${values.checkpoint}: not a strl checkpoint (${problem}); refusing to serve it`);
    }
    const root = webRoot();
    if (!existsSync(join(root, "index.html"))) throw new UsageError(`the page is not built (${root}/index.html is missing); run npm run build`);
    if (checkpoint === undefined && !values["no-demo"]) {
      await startEngine(values.engine);
      checkpoint = await demoCheckpoint();
    }
    if (checkpoint) {
      // The page shows a bad checkpoint's problem itself; the terminal gets the same line as a warning.
      await asUserError(() => loadCheckpoint(checkpoint!)).catch((e: Error) => process.stderr.write(`strl serve: warning: ${e.message}\n`));
    }
    const running = await startServer({ webRoot: root, checkpoint, host, port, allowHosts }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") throw new UsageError(`port ${port} on ${host} is in use; pick another with --port`);
      if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") throw new UsageError(`cannot listen on --host ${host}: ${e.code}`);
      throw e;
    });
    console.log(`strl serve: ready at ${running.url}${checkpoint ? ` (checkpoint ${checkpoint})` : " (no checkpoint: train one in the page)"}`);
    await new Promise<void>((done) => {
      const stop = () => {
        running.close().then(done, done);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  },
};
