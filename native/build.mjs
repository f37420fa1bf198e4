// npm install hook: builds the native engine (native/, node-gyp, the machine's C++ compiler and Node headers).
// If the build fails (no compiler, no headers, STRL_SKIP_NATIVE=1), install still succeeds and strl runs on
// tfjs-wasm, saying so in one line. Nothing is downloaded.
//
// node-gyp works in a private temporary folder and the finished addon is renamed into
// native/build/Release/strl_native.node, so concurrent builds never see each other's half-built files.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceStamp, stampMatches } from "../scripts/source-stamp.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "build", "Release", "strl_native.node");
// The addon depends on its sources and on the Node it was compiled for (the ABI in process.versions.modules).
const stampFile = join(here, "build", "Release", "strl_native.sources-sha256");
const stamp = sourceStamp(here, ["binding.gyp", "src"], [process.version, process.versions.modules, process.arch, process.platform]);
// Built before from these sources for this Node (npx re-runs this hook on its first call in a clone): keep it.
if (process.env.STRL_SKIP_NATIVE !== "1" && process.env.STRL_NATIVE_REBUILD !== "1" && stampMatches(stampFile, stamp, [target])) {
  process.stderr.write("strl: native engine already built from these sources; not rebuilding (STRL_NATIVE_REBUILD=1 forces it)\n");
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), "strl-native-"));

function finish(code) {
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
}

function fallback(why) {
  rmSync(target, { force: true });
  rmSync(stampFile, { force: true });
  process.stderr.write(`strl: native engine not built (${why}); strl will run on tfjs-wasm\n`);
  finish(0);
}

if (process.env.STRL_SKIP_NATIVE === "1") fallback("STRL_SKIP_NATIVE=1");
cpSync(join(here, "binding.gyp"), join(work, "binding.gyp"));
cpSync(join(here, "src"), join(work, "src"), { recursive: true });
// npm sets npm_config_node_gyp inside its scripts; outside them, use the node-gyp bundled with npm.
const bundled = join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
const gyp = [process.env.npm_config_node_gyp, bundled].find((p) => p && existsSync(p));
// The headers of the running Node (never a download): npm's nodedir setting, else the install prefix.
const prefix = join(dirname(process.execPath), "..");
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, "include", "node", "node_api.h")) ? prefix : "");
const args = ["rebuild", ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const cmd = gyp ? [process.execPath, [gyp, ...args]] : ["node-gyp", args];
const r = spawnSync(cmd[0], cmd[1], { cwd: work, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
if (r.error) fallback(`node-gyp could not run: ${r.error.message}`);
if (r.status !== 0) {
  const lines = (r.stderr || "").split("\n").filter((l) => /error/i.test(l));
  fallback(`node-gyp failed: ${(lines[0] || `exit code ${r.status}`).trim().slice(0, 200)}`);
}
const built = join(work, "build", "Release", "strl_native.node");
if (!existsSync(built)) fallback("no addon after the build");
mkdirSync(dirname(target), { recursive: true });
const staged = `${target}.${process.pid}.tmp`;
cpSync(built, staged);
renameSync(staged, target);
const stagedStamp = `${stampFile}.${process.pid}.tmp`;
writeFileSync(stagedStamp, `${stamp}\n`);
renameSync(stagedStamp, stampFile);
finish(0);
