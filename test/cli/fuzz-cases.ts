/**
 * A seeded fuzzer of the CLI: it damages datasets, checkpoints, configs and arguments and runs the real `strl`
 * on each. A case is "clean" when strl exits with code 2, prints exactly one line on stderr that names the
 * damaged file or the flag, prints no stack trace, and leaves the folder exactly as it was (no file changed, none
 * left behind). Damage that may leave a file valid (bytes flipped inside the weights) may also be accepted
 * (exit 0, "accepted"). Everything else is "bad". Used by fuzz.test.ts (a few cases) and fuzz-run.ts (`npm run fuzz`).
 * The "bounds" kind (issue 21) asks for too much or for the impossible: counts over their limit, a dataset that
 * declares a 1e9-wide action space, a 1e6-wide maze, an --out under /proc, a NaN optimizer state, a log line
 * whose loss is not a number; each must be refused in one line, at once.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, readlinkSync, lstatSync, truncateSync, writeFileSync, rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/tensor/index.js";
import { encodeSafetensors, decodeSafetensors } from "../../src/io/safetensors.js";
import { loadH5 } from "../../src/data/hdf5-h5wasm.js";
import { MAIN } from "./run-cli.js";

export interface FuzzCase {
  kind: string;
  args: string[];
  /** Text the error line must contain (the file or the flag). */
  names: string;
  /** True when the damage may leave the input valid. */
  mayPass?: boolean;
}

export type Verdict = "clean" | "accepted" | "bad";

/** Builds the valid fixtures once: a CartPole dataset and a checkpoint trained on it for one step. */
export async function makeFixtures(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const run = async (args: string[]): Promise<void> => {
    const r = await runStrl(args, dir);
    if (r.status !== 0) throw new Error(`fixture '${args.join(" ")}' failed: ${r.stderr}`);
  };
  await run(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "12", "--out", "data.h5"]);
  await run(["train", "--env", "CartPole-v1", "--data", "data.h5", "--model", "strl", "--preset", "tiny", "--steps", "1", "--batch-size", "4", "--out", "run", "--quiet"]);
  // A small file whose action_space attribute declares a Box 1e9 wide.
  const h5 = await loadH5();
  const f = new h5.File(join(dir, "huge-actions.h5"), "w");
  try {
    f.create_dataset({ name: "observations", data: new Float32Array(16), shape: [4, 4], dtype: "<f4" });
    f.create_dataset({ name: "actions", data: new Float32Array(4), shape: [4, 1], dtype: "<f4" });
    f.create_dataset({ name: "rewards", data: new Float32Array(4), shape: [4], dtype: "<f4" });
    f.create_dataset({ name: "terminals", data: new Int8Array([0, 1, 0, 1]), shape: [4], dtype: "|b1" });
    f.create_attribute("action_space", JSON.stringify({ kind: "box", shape: [1e9], low: -1, high: 1 }));
  } finally {
    f.close();
  }
}

/**
 * Runs strl with `args` in `cwd`, on the wasm engine. `STRL_FUZZ_CLI` names another build's `dist/src/cli/main.js`
 * (to measure an older commit with today's cases); a run still going after `STRL_FUZZ_TIMEOUT_S` seconds (default
 * 120) is killed and reported as hung.
 */
export function runStrl(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string; hung: boolean }> {
  const cli = process.env.STRL_FUZZ_CLI ?? MAIN;
  const timeoutS = Number(process.env.STRL_FUZZ_TIMEOUT_S ?? 120);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, STRL_ENGINE: "wasm" } });
    let stdout = "";
    let stderr = "";
    let hung = false;
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      hung = true;
      p.kill("SIGKILL");
    }, timeoutS * 1000);
    p.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, hung });
    });
  });
}

/** The class of a bad verdict's reason (the text before its first ':'), for the fuzz run's totals. */
export function badClass(why: string): string {
  return why.split(":")[0]!.replace(/^exit code .*/, "wrong exit code").replace(/^\d+ lines on stderr$/, "not one line");
}

/** Every file and link under `dir` with a hash of its content, for "nothing changed, nothing left behind". */
export function snapshot(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix)).sort()) {
    const rel = join(prefix, e);
    const st = lstatSync(join(dir, rel));
    if (st.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(join(dir, rel))}`);
    else if (st.isDirectory()) out.push(`${rel}/`, ...snapshot(dir, rel));
    else out.push(`${rel} ${createHash("sha1").update(readFileSync(join(dir, rel))).digest("hex")}`);
  }
  return out;
}

const BAD_INTEGERS = ["0x10", "1e3", "", " 1", "1.5", "-1", "99999999999999999999", "1,1", "abc", "+2", "1_000", "NaN", "Infinity"];
const TRAIN = ["train", "--env", "CartPole-v1", "--data", "data.h5", "--model", "strl", "--preset", "tiny", "--steps", "1", "--batch-size", "4", "--out", "out", "--quiet"];
const EVAL = ["eval", "--checkpoint", "run/checkpoint", "--episodes", "1", "--target-return", "10", "--max-steps", "5"];
const TRAIN_KEYS = ["steps", "batchSize", "accumulate", "lr", "minLr", "weightDecay", "warmupSteps", "schedule", "gradClip", "seed"];
const MODEL_KEYS = ["dModel", "nBlocks", "nHeads", "contextLength", "T", "maxTimestep", "dropout", "attention"];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.float() * xs.length)]!;
}

function typo(rng: Rng, key: string): string {
  const i = Math.floor(rng.float() * key.length);
  return key.slice(0, i) + pick(rng, ["z", "x", "q"]) + key.slice(i + 1);
}

/**
 * Case `i` of seed `seed`: damages a copy of the fixtures in `dir` (already a copy) and returns the command to
 * run there.
 */
export function makeCase(seed: number, i: number, dir: string): FuzzCase {
  const rng = new Rng(seed).fork(`case-${i}`);
  const kind = pick(rng, ["argument", "config", "dataset", "checkpoint", "bounds"] as const);
  const ck = join(dir, "run", "checkpoint");
  if (kind === "bounds") return makeBoundsCase(pick(rng, BOUNDS_CASES), dir);
  if (kind === "argument") {
    const flag = pick(rng, ["seed", "steps", "batch-size"]);
    const v = pick(rng, BAD_INTEGERS);
    return { kind: `argument --${flag} '${v}'`, args: withFlag(TRAIN, flag, v), names: `--${flag}` };
  }
  if (kind === "config") {
    const section = pick(rng, ["train", "model"] as const);
    const key = pick(rng, section === "train" ? TRAIN_KEYS : MODEL_KEYS);
    const how = pick(rng, ["typo", "string", "negative", "huge", "fraction", "json"] as const);
    const value = how === "string" ? "many" : how === "negative" ? -3 : how === "huge" ? 1e9 : 0.5;
    const cfg = how === "typo" ? { [section]: { [typo(rng, key)]: 3 } } : { [section]: { [key]: value } };
    // A fraction is valid for some keys (lr, dropout): such a config may train.
    // A fraction is valid for some keys (lr, dropout), a huge value for unbounded ones, and --steps/--batch-size
    // flags override their config keys: such configs may train.
    const mayPass =
      (how === "fraction" && ["lr", "minLr", "weightDecay", "gradClip", "dropout"].includes(key)) ||
      (how === "huge" && ["lr", "weightDecay", "gradClip", "warmupSteps", "seed"].includes(key)) ||
      (section === "train" && ["steps", "batchSize"].includes(key) && how !== "typo" && how !== "json");
    writeFileSync(join(dir, "c.json"), how === "json" ? `{"${section}": {"${key}": ` : JSON.stringify(cfg));
    return { kind: `config ${section}.${key} ${how}`, args: [...TRAIN, "--config", "c.json"], names: "--config", mayPass };
  }
  if (kind === "dataset") {
    const file = join(dir, "data.h5");
    const bytes = readFileSync(file);
    const how = pick(rng, ["truncate", "signature", "zero-header", "empty"] as const);
    if (how === "truncate") truncateSync(file, Math.floor(bytes.length * (0.05 + 0.85 * rng.float())));
    else if (how === "signature") writeFileSync(file, Buffer.concat([Buffer.from("NOTHDF5!"), bytes.subarray(8)]));
    else if (how === "empty") writeFileSync(file, "");
    else {
      const at = 8 + Math.floor(rng.float() * 2000);
      bytes.fill(0xff, at, at + 48);
      writeFileSync(file, bytes);
    }
    return { kind: `dataset ${how}`, args: [...TRAIN], names: "data.h5", mayPass: how === "zero-header" };
  }
  const how = pick(rng, ["truncate", "nan", "config-json", "context", "env", "obs", "missing", "flip"] as const);
  const model = join(ck, "model.safetensors");
  const config = join(ck, "config.json");
  if (how === "truncate") truncateSync(model, Math.floor(readFileSync(model).length * rng.float()));
  else if (how === "nan" || how === "flip") {
    const st = decodeSafetensors(readFileSync(model));
    const names = [...st.tensors.keys()];
    const t = st.tensors.get(pick(rng, names))!;
    const j = Math.floor(rng.float() * t.data.length);
    (t.data as Float32Array)[j] = how === "nan" ? pick(rng, [Number.NaN, Infinity, -Infinity]) : (t.data as Float32Array)[j]! + 1;
    unlinkSync(model);
    writeFileSync(model, encodeSafetensors(st.tensors, st.metadata));
  } else if (how === "missing") rmSync(pick(rng, [model, config]));
  else {
    const c = JSON.parse(readFileSync(config, "utf8")) as { model: { config: Record<string, unknown>; context_length: number }; env: Record<string, unknown> };
    if (how === "context") c.model.config.contextLength = 1e7;
    if (how === "env") c.env.id = pick(rng, ["NoSuchEnv-v0", "MountainCar-v0"]);
    if (how === "obs") c.env.obs_dim = 7;
    unlinkSync(config);
    writeFileSync(config, how === "config-json" ? JSON.stringify(c).slice(0, 40) : JSON.stringify(c));
  }
  return { kind: `checkpoint ${how}`, args: [...EVAL], names: "--checkpoint", mayPass: how === "flip" };
}

/** The "bounds" cases, by name. */
export const BOUNDS_CASES = ["eval-episodes", "train-eval-episodes", "collect-episodes", "action-space", "maze-size", "out-proc", "resume-nan", "plot-log"] as const;
export type BoundsCase = (typeof BOUNDS_CASES)[number];

/** Bounds case `how` on a copy of the fixtures in `dir`: the command and what its one line must name. */
export function makeBoundsCase(how: BoundsCase, dir: string): FuzzCase {
  const kind = `bounds ${how}`;
  const collect = (extra: string[]): string[] => ["collect", "--policy", "random", "--out", "c.h5", ...extra];
  switch (how) {
    case "eval-episodes":
      return { kind, args: withFlag(EVAL, "episodes", "99999999999"), names: "--episodes" };
    case "train-eval-episodes":
      return { kind, args: [...TRAIN, "--eval-episodes", "2000000"], names: "--eval-episodes" };
    case "collect-episodes":
      return { kind, args: collect(["--env", "CartPole-v1", "--episodes", "99999999999"]), names: "--episodes" };
    case "action-space":
      return { kind, args: withFlag(TRAIN, "data", "huge-actions.h5"), names: "huge-actions.h5" };
    case "maze-size":
      return { kind, args: collect(["--env", "Maze-v0", "--episodes", "1", "--env-options", '{"size": 1000001}']), names: "option 'size'" };
    case "out-proc":
      return { kind, args: withFlag(TRAIN, "out", "/proc/strl-fuzz/out"), names: "/proc/strl-fuzz" };
    case "resume-nan": {
      const file = join(dir, "run", "checkpoint", "optimizer.safetensors");
      const st = decodeSafetensors(readFileSync(file));
      ((st.tensors.values().next().value!.data) as Float32Array)[0] = Number.NaN;
      unlinkSync(file);
      writeFileSync(file, encodeSafetensors(st.tensors, st.metadata));
      return { kind, args: ["train", "--data", "data.h5", "--out", "run", "--resume", "--steps", "3", "--quiet"], names: "optimizer.safetensors" };
    }
    case "plot-log":
      writeFileSync(join(dir, "run", "log.jsonl"), `${readFileSync(join(dir, "run", "log.jsonl"), "utf8")}{"step":2,"training/loss":"abc"}\n`);
      return { kind, args: ["plot", "run", "--out", "p.svg"], names: "log.jsonl" };
  }
}

function withFlag(base: string[], flag: string, v: string): string[] {
  const args = [...base];
  const at = args.indexOf(`--${flag}`);
  if (at >= 0) args[at + 1] = v;
  else args.push(`--${flag}`, v);
  return args;
}

/** Runs one case (case `i` of `seed`, or a named bounds case) in a fresh copy of `fixtures` under `work`; returns its verdict and, when bad, why. */
export async function runCase(seed: number, i: number | BoundsCase, fixtures: string, work: string): Promise<{ c: FuzzCase; verdict: Verdict; why?: string }> {
  const dir = join(work, `case-${seed}-${i}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(fixtures, dir, { recursive: true, verbatimSymlinks: true });
  const c = typeof i === "number" ? makeCase(seed, i, dir) : makeBoundsCase(i, dir);
  const before = snapshot(dir);
  const r = await runStrl(c.args, dir);
  try {
    if (r.status === 0 && c.mayPass) return { c, verdict: "accepted" };
    const lines = r.stderr.split("\n").filter((l) => l.length > 0);
    const why =
      r.hung ? `hang (killed after ${process.env.STRL_FUZZ_TIMEOUT_S ?? 120} s)` :
      /\n\s+at /.test(r.stderr) ? "stack trace" :
      r.status === 0 ? "wrongly accepted" :
      r.status !== 2 ? `exit code ${r.status}` :
      lines.length !== 1 ? `${lines.length} lines on stderr` :
      !lines[0]!.includes(c.names) ? `the line does not name ${c.names}` :
      JSON.stringify(snapshot(dir)) !== JSON.stringify(before) ? "the folder changed" : undefined;
    return why ? { c, verdict: "bad", why: `${why}: ${r.stderr.slice(0, 400)}` } : { c, verdict: "clean" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
