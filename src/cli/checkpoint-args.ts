/** Shared by `strl eval` and `strl energy`: load a checkpoint and the evaluation flags. */
import { existsSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { UsageError, asUserError } from "./usage-error.js";
import { numberFlag } from "./command.js";
import { loadModel } from "../checkpoint/index.js";
import { readDatasetHdf5, type Dataset } from "../data/index.js";
import type { PolicyModel } from "../models/index.js";
import { measureReferenceReturns, referenceSeeds, TooFewUnseenMazesError } from "../eval/index.js";
import { trainingMazes } from "../experiments/evaluate.js";
import { checkCheckpointFitsEnv, readyForEnv } from "../experiments/env-check.js";
import { expertOf } from "../data/index.js";
import { make } from "../envs/index.js";
import { episodeProgress } from "../experiments/progress.js";

export interface LoadedForEval {
  model: PolicyModel;
  envId: string;
  /** Env options stored with the checkpoint (e.g. a maze size). */
  envOptions?: Record<string, unknown>;
  /** The training seed (split seed of the dataset), from trainer.json; 42 when absent. */
  trainSeed: number;
  rtgScale: number;
}

/**
 * `--checkpoint` takes a checkpoint folder or the run folder that holds one (`<run>/checkpoint`, written by
 * `strl train`): a folder without config.json whose checkpoint/ has one, or whose checkpoint link dangles (read
 * from the newest complete version beside it), is taken as a run folder.
 */
export function checkpointDir(dir: string): string {
  if (existsSync(join(dir, "config.json"))) return dir;
  const inner = join(dir, "checkpoint");
  return existsSync(join(inner, "config.json")) || isLink(inner) ? inner : dir;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export async function loadForEval(given: string): Promise<LoadedForEval> {
  const dir = checkpointDir(given);
  const warn = (m: string): void => void process.stderr.write(`strl: warning: ${m}\n`);
  const { model, checkpoint } = await asUserError(() => loadModel(dir, { warn }), `--checkpoint ${dir}`);
  if (checkpoint.recoveredFrom) warn(`--checkpoint ${dir} is missing or dangles (a save cut short?); read ${checkpoint.recoveredFrom}, the newest complete version`);
  try {
    await readyForEnv(checkpoint.config.env.id);
    checkCheckpointFitsEnv(`--checkpoint ${dir}`, checkpoint.config.env, checkpoint.config.model.head);
  } catch (e) {
    model.dispose();
    throw new UsageError((e as Error).message);
  }
  const cfg = (checkpoint.trainer?.config ?? {}) as { seed?: number };
  return {
    model,
    envId: checkpoint.config.env.id,
    envOptions: checkpoint.config.env.options,
    trainSeed: typeof cfg.seed === "number" ? cfg.seed : 42,
    rtgScale: checkpoint.config.normalisation.rtgScale,
  };
}

/** Reads `--data` and checks it belongs to the checkpoint's env. */
export async function loadEvalData(path: string, envId: string): Promise<Dataset> {
  const ds = await asUserError(() => readDatasetHdf5(path), `--data ${path}`);
  if (ds.envId !== envId) throw new UsageError(`--data ${path} was collected on '${ds.envId}' but the checkpoint was trained for '${envId}'`);
  return ds;
}

/**
 * Parses repeated numeric flags (`--seeds 0 --seeds 1` or `--seeds 0,1`): every item must be a number (an empty
 * item, as in `--seeds ,`, is refused); `unique` refuses repeats (`--seeds 1,1`).
 */
export function numberList(flag: string, raw: string[] | undefined, fallback: number[], opts: { integer?: boolean; min?: number; max?: number; unique?: boolean } = {}): number[] {
  if (!raw || raw.length === 0) return fallback;
  const items = raw.flatMap((r) => r.split(","));
  const out = items.map((s) => {
    if (s.trim() === "") throw new UsageError(`--${flag} has an empty item in '${raw.join(",")}'`);
    return numberFlag(flag, s.trim(), 0, opts);
  });
  if (opts.unique) {
    const dup = out.find((v, i) => out.indexOf(v) !== i);
    if (dup !== undefined) throw new UsageError(`--${flag} lists ${dup} twice`);
  }
  return out;
}

/**
 * The default target return: the expert's mean return on this env, measured as every reference is (reference.ts: 20 episodes on each of 5 seeds). An env without an
 * expert policy (the MuJoCo locomotion envs until strl ships experts) takes the best episode return of `dataset`
 * (said through `say`), and without a dataset it is a one-line error asking for --target-return.
 */
export async function defaultTargets(envId: string, envOptions?: Record<string, unknown>, dataset?: Dataset, say?: (line: string) => void): Promise<number[]> {
  if (!hasExpertPolicy(envId, envOptions)) {
    if (!dataset) throw new UsageError(`'${envId}' has no expert policy to measure a default target return; pass --target-return R (or --data FILE to use its best episode return)`);
    const best = Math.round(Math.max(...dataset.returns()) * 1000) / 1000;
    say?.(`'${envId}' has no expert policy: the closed-loop target return is the best episode return in the data, ${best}`);
    return [best];
  }
  const refs = await measureReferenceReturns(envId, { seeds: referenceSeeds(12345), envOptions });
  return [Math.round(refs.expert * 1000) / 1000];
}

/**
 * Closed-loop progress on stderr for `strl <command>`: on a terminal one live line rewritten in place; otherwise
 * a line per tenth of the episodes; nothing with --json. Call `end()` after the evaluation.
 */
export function episodeProgressOnStderr(command: string, json: boolean): { onProgress?: (done: number, total: number) => void; end(): void } {
  if (json) return { end() {} };
  const tty = Boolean(process.stderr.isTTY);
  let live = false;
  const onProgress = episodeProgress((text) => {
    if (tty) {
      process.stderr.write(`\rstrl ${command}: ${text}\x1b[K`);
      live = true;
    } else {
      process.stderr.write(`strl ${command}: ${text}\n`);
    }
  }, tty ? "every" : "tenths");
  return { onProgress, end: () => void (live && process.stderr.write("\n")) };
}

/** The training mazes of `--data` (grid keys), or a one-line error when its mazes cannot be recomputed. */
export function trainingMazesOf(dataset: Dataset, path: string): ReadonlySet<string> | undefined {
  try {
    return trainingMazes(dataset);
  } catch (e) {
    throw new UsageError(`--data ${path}: ${(e as Error).message}; evaluate without --data on any maze (--seen-mazes), labelled`);
  }
}

/** Runs a closed-loop evaluation; too few unseen mazes become a one-line error naming the ways out. */
export async function refuseTooFewUnseen<R>(fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TooFewUnseenMazesError) throw new UsageError(`${e.message.replace(/evaluate fewer episodes.*$/, "")}pass fewer --episodes, or --seen-mazes to evaluate on any maze (the episodes on training mazes are counted)`);
    throw e;
  }
}

/** True when env `envId` has an expert policy (`expertOf` builds one). */
function hasExpertPolicy(envId: string, envOptions?: Record<string, unknown>): boolean {
  const env = make(envId, envOptions);
  try {
    expertOf(env);
    return true;
  } catch {
    return false;
  } finally {
    (env as { close?(): void }).close?.(); // the MuJoCo envs free their simulator data
  }
}
