/** `strl serve`: the browser page, watching a checkpoint act and spike. */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, startEngine } from "../command.js";
import { UsageError, asUserError } from "../usage-error.js";
import { checkpointDir } from "../checkpoint-args.js";
import { loadCheckpoint } from "../../checkpoint/index.js";
import { isLoopback, startServer } from "../serve/http.js";

const HELP = `strl serve — watch a trained spiking policy act and spike, in your browser

Usage: strl serve [--checkpoint RUN_OR_DIR] [--port 8080] [--host 127.0.0.1] [--allow-remote] [--no-demo]

Serves the page (dist/web, built by npm run build) and the checkpoint's files, read-only, then prints the URL.
The page runs the same environment and model code as the CLI, on tfjs's wasm (SIMD), WebGPU or WebGL backend.
Without --checkpoint it serves a demo checkpoint (a tiny maze STRL that the first \`strl serve\` trains in a few
seconds and keeps in .strl-cache/serve-demo/); with --no-demo the page offers to train one in the browser.
The server listens on loopback only; another --host needs --allow-remote. Ctrl-C stops it.

Examples:
  strl serve
  strl serve --checkpoint runs/strl/checkpoint --port 9000`;

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

export const command: Command = {
  summary: "serve the browser page that shows a checkpoint acting and spiking",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...ENGINE_FLAG,
      checkpoint: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "allow-remote": { type: "boolean" },
      "no-demo": { type: "boolean" },
    });
    const port = numberFlag("port", values.port, 8080, { integer: true, min: 0, max: 65535 });
    const host = values.host ?? "127.0.0.1";
    if (!isLoopback(host) && !values["allow-remote"]) {
      throw new UsageError(`--host ${host} is not a loopback address; add --allow-remote to serve it to other machines`);
    }
    const root = webRoot();
    if (!existsSync(join(root, "index.html"))) throw new UsageError(`the page is not built (${root}/index.html is missing); run npm run build`);
    let checkpoint: string | undefined;
    if (values.checkpoint !== undefined) {
      checkpoint = resolve(checkpointDir(values.checkpoint));
      if (!existsSync(checkpoint)) throw new UsageError(`--checkpoint ${values.checkpoint}: folder not found`);
    } else if (!values["no-demo"]) {
      await startEngine(values.engine);
      checkpoint = await demoCheckpoint();
    }
    if (checkpoint) {
      // The page shows a bad checkpoint's problem itself; the terminal gets the same line as a warning.
      await asUserError(() => loadCheckpoint(checkpoint!)).catch((e: Error) => process.stderr.write(`strl serve: warning: ${e.message}\n`));
    }
    const running = await startServer({ webRoot: root, checkpoint, host, port }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") throw new UsageError(`port ${port} on ${host} is in use; pick another with --port`);
      if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") throw new UsageError(`cannot listen on --host ${host}: ${e.code}`);
      throw e;
    });
    console.log(`strl serve: ${running.url}${checkpoint ? ` (checkpoint ${checkpoint})` : " (no checkpoint: train one in the page)"}`);
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
