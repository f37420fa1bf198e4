// Bundles the page (web/app/main.ts and the src/ code it imports) with esbuild into dist/web/, with index.html,
// style.css, tfjs-wasm's binaries and MuJoCo's (wasm/mujoco.wasm, for the locomotion envs; served locally: no CDN). Node-only modules are stubbed: the page never
// calls them (the native addon loader, file I/O, HDF5, report rendering), but src/ files that also hold such
// functions import them at the top.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "dist", "web");
const NODE_ONLY = /^(node:.*|fs|path|url|module|os|child_process|worker_threads|crypto|h5wasm(\/.*)?|vega|vega-lite)$/;

const stubNodeOnly = {
  name: "stub-node-only",
  setup(b) {
    b.onResolve({ filter: NODE_ONLY }, (a) => ({ path: a.path, namespace: "node-only" }));
    // CommonJS: any named import is undefined; calling it in the page would throw, and nothing does.
    b.onLoad({ filter: /.*/, namespace: "node-only" }, () => ({ contents: "module.exports = {};", loader: "js" }));
  },
};

mkdirSync(join(out, "wasm"), { recursive: true });
await build({
  entryPoints: [join(here, "app", "main.ts")],
  outfile: join(out, "app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  plugins: [stubNodeOnly],
  define: { "process.env.NODE_ENV": '"production"' },
});
for (const f of ["index.html", "style.css"]) copyFileSync(join(here, f), join(out, f));
const wasmDir = join(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm")), "..", "wasm-out");
for (const f of readdirSync(wasmDir)) if (f.endsWith(".wasm")) copyFileSync(join(wasmDir, f), join(out, "wasm", f));
// the `mujoco` package exports ESM only (no require condition): resolve it as an import; the page points the
// module at this copy (setMujocoWasmUrl)
copyFileSync(join(dirname(fileURLToPath(import.meta.resolve("mujoco"))), "mujoco.wasm"), join(out, "wasm", "mujoco.wasm"));
