// npm install hook: builds the native engine (native/, node-gyp, the machine's C++ compiler and Node headers).
// If the build fails (no compiler, no headers, STRL_SKIP_NATIVE=1), install still succeeds and strl runs on
// tfjs-wasm, saying so in one line. Nothing is downloaded.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const skip = process.env.STRL_SKIP_NATIVE === "1";

function fallback(why) {
  rmSync(join(here, "build"), { recursive: true, force: true });
  process.stderr.write(`strl: native engine not built (${why}); strl will run on tfjs-wasm\n`);
  process.exit(0);
}

if (skip) fallback("STRL_SKIP_NATIVE=1");
// npm sets npm_config_node_gyp inside its scripts; outside them, use the node-gyp bundled with npm.
const bundled = join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
const gyp = [process.env.npm_config_node_gyp, bundled].find((p) => p && existsSync(p));
// The headers of the running Node (never a download): npm's nodedir setting, else the install prefix.
const prefix = join(dirname(process.execPath), "..");
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, "include", "node", "node_api.h")) ? prefix : "");
const args = ["rebuild", ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const cmd = gyp ? [process.execPath, [gyp, ...args]] : ["node-gyp", args];
const r = spawnSync(cmd[0], cmd[1], { cwd: here, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
if (r.error) fallback(`node-gyp could not run: ${r.error.message}`);
if (r.status !== 0) {
  const lines = (r.stderr || "").split("\n").filter((l) => /error/i.test(l));
  fallback(`node-gyp failed: ${(lines[0] || `exit code ${r.status}`).trim().slice(0, 200)}`);
}
if (!existsSync(join(here, "build", "Release", "strl_native.node"))) fallback("no addon after the build");
