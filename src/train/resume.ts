/**
 * Resuming a run: the checks that a checkpoint belongs to the run being continued, and the log trim.
 *
 * Every hyper-parameter that changes the losses must match, except `steps`, which may grow: a finished (or
 * interrupted) run can be extended. The schedule is a function of the run's current `steps`, so an extended
 * cosine run continues on the cosine planned for the new total (the lr steps up once, at the resume point, to
 * that curve's value, then decays to minLr at the new end); warm-up is unchanged. A run resumed with the same
 * `steps` continues with the same losses, bit for bit, as one that was never interrupted.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Rng } from "../tensor/index.js";
import type { PolicyModel } from "../models/types.js";
import { ConfigError, parseConfig } from "../config/index.js";
import { TRAIN_SPEC, type TrainConfig, type TrainerState, type TrainOptions } from "./trainer.js";

/** Keys that may change when resuming (they change what is printed or saved, not the losses). */
const RESUME_FREE: ReadonlySet<keyof TrainConfig> = new Set(["steps", "evalEvery", "checkpointEvery", "logEvery", "saveOptimizer"]);

export function checkResumable(dir: string, saved: unknown, cfg: TrainConfig, streams: Array<[string, Rng]>): TrainerState {
  const s = saved as Partial<TrainerState>;
  const fail = (msg: string): never => {
    throw new ConfigError(`cannot resume from ${dir}: ${msg}`);
  };
  if (s.format_version !== 1) fail(`trainer.json format_version ${JSON.stringify(s.format_version)} is unknown (expected 1)`);
  if (!Number.isInteger(s.step) || s.step! < 0) fail(`trainer.json step must be a non-negative integer, got ${JSON.stringify(s.step)}`);
  if (!s.config || typeof s.config !== "object") fail("trainer.json has no config");
  const savedCfg = parseConfig("trainer.json config", s.config, TRAIN_SPEC);
  for (const key of Object.keys(TRAIN_SPEC) as Array<keyof TrainConfig>) {
    if (RESUME_FREE.has(key)) continue;
    if (savedCfg[key] !== cfg[key]) fail(`${key} was ${JSON.stringify(savedCfg[key])} in the checkpoint but is ${JSON.stringify(cfg[key])} now (resuming needs the same hyper-parameters)`);
  }
  if (s.step! > cfg.steps) fail(`the checkpoint is at step ${s.step}, past the run's ${cfg.steps} steps`);
  const names = Object.keys(s.rng?.streams ?? {}).sort();
  const want = streams.map(([n]) => n).sort();
  if (!s.rng || !Array.isArray(s.rng.batches) || names.join(",") !== want.join(",")) {
    fail(`random streams differ: checkpoint has [batches${names.map((n) => `, ${n}`).join("")}], the run has [batches${want.map((n) => `, ${n}`).join("")}]`);
  }
  return { format_version: 1, step: s.step!, elapsed_s: typeof s.elapsed_s === "number" ? s.elapsed_s : 0, config: savedCfg, rng: s.rng! };
}

/** What a checkpoint's config.json records about the run (the parts a resume must not change). */
export interface SavedRun {
  model: { kind: string; config: Record<string, unknown> };
  env: { id: string; options?: Record<string, unknown> };
}

/** Refuses to resume with a different model config or env than the checkpoint's, naming the first difference. */
export function checkSameRun(dir: string, saved: SavedRun, model: PolicyModel, meta: TrainOptions["checkpointMeta"]): void {
  const fail = (msg: string): never => {
    throw new ConfigError(`cannot resume from ${dir}: ${msg} (resuming needs the same model and env; start a fresh run in another folder)`);
  };
  const now = model.config.toJSON() as Record<string, unknown>;
  for (const key of new Set([...Object.keys(saved.model.config), ...Object.keys(now)])) {
    if (key === "seed") continue; // the init seed: weights and dropout stream are restored from the checkpoint
    const a = JSON.stringify(saved.model.config[key]);
    const b = JSON.stringify(now[key]);
    if (a !== b) fail(`model.${key} was ${a ?? "absent"} in the checkpoint but is ${b ?? "absent"} now`);
  }
  if (meta && saved.env.id !== meta.envId) fail(`env was '${saved.env.id}' in the checkpoint but is '${meta.envId}' now`);
  if (meta && JSON.stringify(saved.env.options ?? {}) !== JSON.stringify(meta.envOptions ?? {})) {
    fail(`env options were ${JSON.stringify(saved.env.options ?? {})} in the checkpoint but are ${JSON.stringify(meta.envOptions ?? {})} now`);
  }
}

/** Keeps the lines of a run log up to `step` (a resumed run rewrites what the interrupted run logged after its checkpoint). */
export async function trimLog(path: string, step: number): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return;
  }
  const keep = text.split("\n").filter((line) => {
    if (!line.trim()) return false;
    try {
      return (JSON.parse(line) as { step?: number }).step! <= step;
    } catch {
      return false;
    }
  });
  await writeFile(path, keep.map((l) => `${l}\n`).join(""));
}

