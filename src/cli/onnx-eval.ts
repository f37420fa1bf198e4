/** `strl eval --onnx FILE`: the closed loop of an exported policy, run by ONNX Runtime (docs/onnx.md). */
import { existsSync, readFileSync, statSync } from "node:fs";
import { episodeRows, targetLine, targetRows } from "./eval-rows.js";
import { UsageError, asUserError } from "./usage-error.js";
import { defaultTargets, episodeProgressOnStderr } from "./checkpoint-args.js";
import { evaluateClosedLoop, mazeLabel } from "../eval/index.js";
import { OnnxPolicyRunner, OnnxRuntimeMissing, onnxPolicy } from "../export/index.js";

export interface OnnxEvalFlags {
  file: string;
  episodes: number;
  seeds: number[];
  targets: number[];
  maxSteps?: number;
  json: boolean;
  actions: boolean;
  seenMazes: boolean;
}

async function openRunner(file: string): Promise<OnnxPolicyRunner> {
  if (!existsSync(file)) throw new UsageError(`--onnx ${file}: file not found`);
  if (statSync(file).isDirectory()) throw new UsageError(`--onnx ${file} is a folder; give the .onnx file strl export wrote`);
  const bytes = await asUserError(() => new Uint8Array(readFileSync(file)), `--onnx ${file}`);
  try {
    return await OnnxPolicyRunner.open(bytes);
  } catch (e) {
    if (e instanceof OnnxRuntimeMissing) throw new UsageError(`--onnx: ${e.message}`);
    throw new UsageError(`--onnx ${file}: ${String((e as Error).message ?? e).split("\n")[0]}`);
  }
}

export async function onnxEval(f: OnnxEvalFlags): Promise<number> {
  const runner = await openRunner(f.file);
  try {
    const { envId, envOptions, kind } = runner.info;
    const targets = f.targets.length > 0 ? f.targets : await asUserError(() => defaultTargets(envId, envOptions, undefined, (line) => void (f.json || process.stderr.write(`strl eval: ${line}\n`))), `--onnx ${f.file}`);
    const progress = episodeProgressOnStderr("eval", f.json);
    const closedLoop = await asUserError(() => evaluateClosedLoop({
      policyFactory: () => onnxPolicy(runner),
      envId,
      envOptions,
      targetReturns: targets,
      episodes: f.episodes,
      seeds: f.seeds,
      rtgScale: runner.info.rtgScale,
      maxSteps: f.maxSteps,
      recordActions: f.actions,
      allowSeenMazes: f.seenMazes,
      onProgress: progress.onProgress ? (p) => progress.onProgress!(p.done, p.total) : undefined,
    }), `--onnx ${f.file}`);
    progress.end();
    const rows = targetRows(envId, closedLoop);
    if (f.json) {
      const episodes = f.actions
        ? episodeRows(closedLoop)
        : undefined;
      console.log(JSON.stringify({ onnx: f.file, env: envId, model: kind, runtime: "onnxruntime", closedLoop: { ...closedLoop, targets: rows }, episodes }));
      return 0;
    }
    console.log(`${kind} (ONNX, ONNX Runtime) on ${envId}: ${f.episodes} episodes x seeds [${f.seeds.join(", ")}]${closedLoop.mazes ? `, ${mazeLabel(closedLoop.mazes)}` : ""}`);
    for (const r of rows) console.log(targetLine(r));
    return 0;
  } finally {
    await runner.release();
  }
}
