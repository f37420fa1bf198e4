/**
 * What the README-runs-as-written test does with each command line of the README's shell blocks: run it as
 * written, run it with smaller values for the flags named here (`set`; every other word as in the README), or
 * skip it for a stated reason (the command CI itself runs). The test fails when a README line has no entry here
 * or an entry names a line the README no longer has, so the two cannot drift apart.
 */
import { readFileSync } from "node:fs";

export interface ReadmeStep {
  /** The command line exactly as the README prints it, without its trailing `# comment`. */
  readme: string;
  /** Flags given a smaller value (or added, when the README line lacks them): flag -> value ("" for a bare flag). */
  set?: Record<string, string>;
  /** Why this line is not run here. */
  skip?: string;
  /** `serve`: the command keeps running; the test waits for its URL, fetches the page and stops it. */
  serve?: boolean;
  /** Files the command must leave (relative to the temporary folder). */
  writes?: string[];
  /** What its stdout must match. */
  stdout?: RegExp;
}

const TINY_EXPERT = { "--steps": "300", "--start-steps": "100", "--eval-every": "100", "--eval-episodes": "1", "--checkpoint-every": "300" };

/** Every README command line, in README order. */
export const STEPS: readonly ReadmeStep[] = [
  { readme: "npm ci && npx strl demo", skip: "npm ci is what CI's fresh clone ran; the demo runs below (`npx strl demo`, with --tiny)" },
  { readme: "npm ci && npm test", skip: "the command CI runs (it runs this test)" },
  { readme: "npx strl demo", set: { "--tiny": "", "--out": "demo-out" }, stdout: /STRL/ },
  { readme: "npx strl collect --env MazeLocal-v0 --policy expert --episodes 2000 --seed 0 --out maze.h5", set: { "--episodes": "300" }, writes: ["maze.h5"] },
  { readme: "npx strl train --env MazeLocal-v0 --data maze.h5 --model strl --preset tiny --steps 500 --out runs/strl", set: { "--steps": "20" }, writes: ["runs/strl/checkpoint/model.safetensors", "runs/strl/log.jsonl"] },
  { readme: "npx strl train --data maze.h5 --out runs/strl --resume --steps 1000", set: { "--steps": "30" }, stdout: /30 steps|step 30/ },
  { readme: "npx strl train --env MazeLocal-v0 --data maze.h5 --model dt --preset tiny --steps 500 --out runs/dt", set: { "--steps": "20" }, writes: ["runs/dt/checkpoint/model.safetensors"] },
  { readme: "npx strl eval --checkpoint runs/strl --data maze.h5 --episodes 20 --target-return -5 0", set: { "--episodes": "2" } },
  { readme: "npx strl export --checkpoint runs/strl --format onnx --out strl.onnx && npx strl eval --onnx strl.onnx", set: { "--episodes": "2" }, writes: ["strl.onnx"] },
  { readme: "npx strl plot runs/strl runs/dt --out curves.svg --png", writes: ["curves.svg", "curves.png"] },
  { readme: "npx strl envs", stdout: /Hopper-v5/ },
  { readme: "npx strl energy --checkpoint runs/strl --data maze.h5" },
  { readme: "npx strl reproduce --scale small --seeds 0 1 2 --jobs 2", set: { "--seeds": "0", "--only": "cartpole-expert", "--out": "repro" }, writes: ["repro/report.md"] },
  { readme: "npx strl sweep plan sweeps/reproduce-small.json --out runs/rs && npx strl sweep slurm runs/rs --partition cpu", set: { "--print": "" }, stdout: /#SBATCH/ },
  { readme: "echo '[0,1,1,0]' | npx strl rollout --env CartPole-v1 --seed 0 --actions -" },
  { readme: "npx strl bench --model strl --config small --mode train", set: { "--runs": "1", "--warmup": "0" }, stdout: /ms_median|median/ },
  { readme: "npx strl example lif" },
  { readme: "npx strl serve --checkpoint runs/strl/checkpoint", set: { "--port": "0" }, serve: true },
  { readme: "npx strl serve", set: { "--port": "0" }, serve: true },
  { readme: "git clone <this repository> strl && (cd strl && npm ci && npm pack)", skip: "the clone and npm ci are CI's own; `npm pack --dry-run` is checked by the library step of this test" },
  { readme: "cd my-project && npm install ../strl/strl-0.1.0.tgz", skip: "replaced by a project that links the clone as node_modules/strl and runs the README's TypeScript examples" },
  { readme: "npx strl expert train --env Hopper-v5 --steps 300000 --seed 0 --hidden 128,128 --batch-size 128 --out runs/expert-hopper", set: TINY_EXPERT, writes: ["runs/expert-hopper/log.jsonl"] },
  { readme: "npx strl expert ship --run runs/expert-hopper --out experts/Hopper-v5", set: { "--episodes": "2" }, writes: ["experts/Hopper-v5/manifest.json"] },
  { readme: "npx strl collect --env Hopper-v5 --policy medium --episodes 1000 --seed 0 --out hopper-medium.h5", set: { "--episodes": "10" }, writes: ["hopper-medium.h5"] },
  { readme: "npx strl train --data hopper-medium.h5 --model strl --preset small --steps 2000 --out runs/hopper-strl", set: { "--steps": "2" }, writes: ["runs/hopper-strl/checkpoint/model.safetensors"] },
];

/** The command lines of the README's ```sh blocks, in order, each without its trailing `# comment`. */
export function readmeCommands(readmePath: string): string[] {
  const out: string[] = [];
  let inShell = false;
  for (const line of readFileSync(readmePath, "utf8").split("\n")) {
    if (/^```(sh|bash)\s*$/.test(line)) inShell = true;
    else if (line.startsWith("```")) inShell = false;
    else if (inShell && line.trim() !== "") out.push(line.replace(/\s+#\s.*$/, "").trim());
  }
  return out;
}

/**
 * `command` with each flag of `set` given its value: the flag's values in the line (the words after it up to the
 * next flag or shell operator) are replaced, or the flag is appended at the end of the line.
 */
export function withSmallFlags(command: string, set: Record<string, string> = {}): string {
  let out = command;
  for (const [flag, value] of Object.entries(set)) {
    const re = new RegExp(`${flag}((?: +(?!--|&&|\\|)[^ ]+)*)`);
    const replacement = value === "" ? flag : `${flag} ${value}`;
    out = re.test(out) ? out.replace(re, replacement) : `${out} ${replacement}`;
  }
  return out;
}
