/**
 * The run-folder side of `strl train`: refusing to overwrite a run, reading a run to resume or extend it, and
 * turning SIGINT/SIGTERM into "save a checkpoint after this update, then stop".
 */
import { existsSync, readFileSync } from "node:fs";
import { resolveCheckpoint } from "../checkpoint/index.js";
import { join } from "node:path";
import { UsageError } from "./usage-error.js";
import { errorLine } from "../config/index.js";
import { canonicalEnvId } from "../envs/index.js";
import { CHECKPOINT_SUBDIR, LOG_FILE, type TrainConfig } from "../train/index.js";
import { presetFields, type Preset } from "../experiments/presets.js";
import { signalExitCode } from "../experiments/sweep-pool.js";
import type { ModelKind } from "../models/index.js";
import { readSavedSettings, type RunSettings } from "./run-settings.js";

/** True when `out` already holds a run (a checkpoint or a log). */
export function holdsRun(out: string): boolean {
  return existsSync(join(out, CHECKPOINT_SUBDIR)) || existsSync(join(out, LOG_FILE));
}

/** Refuses to train into a folder that holds a run, unless resuming or forced. */
export function refuseOverwrite(out: string, resume: boolean, force: boolean): void {
  if (resume || force || !holdsRun(out)) return;
  throw new UsageError(`--out ${out} already holds a run (${CHECKPOINT_SUBDIR}/ or ${LOG_FILE}); pass --resume to continue or extend it, or --force to replace it`);
}

/** What a run folder records: its env, model kind and config, and the training config and step reached. */
export interface SavedRunInfo {
  envId: string;
  kind: string;
  model: Record<string, unknown>;
  train: TrainConfig;
  step: number;
  /** The run's saved settings (run-settings.ts); undefined for a run saved before they were recorded. */
  settings?: RunSettings;
  /** Set when `<out>/checkpoint` was missing or dangling and this newest complete version beside it was read. */
  recoveredFrom?: string;
}

/**
 * Reads `<out>/checkpoint`'s config.json and trainer.json for `--resume`, or says why it cannot. A checkpoint
 * link that dangles (a version removed, a save cut short) is read from the newest complete version beside it.
 */
export async function readRunToResume(out: string): Promise<SavedRunInfo> {
  const link = join(out, CHECKPOINT_SUBDIR);
  const resolved = await resolveCheckpoint(link);
  const dir = resolved?.path ?? link;
  const read = (file: string): Record<string, unknown> => {
    const path = join(dir, file);
    if (!existsSync(path)) {
      const why = existsSync(join(out, LOG_FILE)) ? "the run was stopped before its first checkpoint" : "no run there";
      throw new UsageError(`--resume: ${path} not found (${why}); train without --resume (or with --force) to start it again`);
    }
    try {
      return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`--resume: ${path} is not valid JSON (${errorLine(e)})`);
    }
  };
  const config = read("config.json") as { env?: { id?: string }; model?: { kind?: string; config?: Record<string, unknown> } };
  const trainer = read("trainer.json") as { step?: number; config?: TrainConfig; settings?: unknown };
  if (!config.env?.id || !config.model?.kind || !config.model.config || !trainer.config || typeof trainer.step !== "number") {
    throw new UsageError(`--resume: ${dir} is not a resumable strl checkpoint (config.json or trainer.json incomplete)`);
  }
  const settings = readSavedSettings(join(dir, "trainer.json"), trainer.settings);
  return { envId: canonicalEnvId(config.env.id), kind: config.model.kind, model: config.model.config, train: trainer.config, step: trainer.step, ...(settings ? { settings } : {}), ...(resolved?.recovered ? { recoveredFrom: dir } : {}) };
}

const show = (v: unknown): string => (JSON.stringify(v) ?? "unset").slice(0, 60);
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** True when `given` says nothing `saved` does not: equal values, or for objects every given field fits (a partial `neuron`). */
function fits(given: unknown, saved: unknown): boolean {
  if (isPlain(given) && isPlain(saved)) return Object.entries(given).every(([k, v]) => Object.hasOwn(saved, k) && fits(v, saved[k]));
  return JSON.stringify(given) === JSON.stringify(saved);
}

/**
 * `--resume` continues the run's own model: a preset (flag or config), a `--config` model field or rtgScale that
 * gives the model something other than what the run holds is a one-line `UsageError` (it used to be ignored).
 * Ones that give the same values pass.
 */
export function refuseModelChangeOnResume(
  saved: SavedRunInfo,
  kind: ModelKind,
  preset: { preset: string | undefined; value: Preset },
  model: Record<string, unknown>,
  rtgScale: number | undefined,
  configFile: string | undefined,
): void {
  const keep = "a resumed run keeps its model (drop it, or train a new run with --force)";
  if (preset.preset !== undefined) {
    for (const [k, v] of Object.entries(presetFields(kind, preset.value))) {
      if (!fits(v, saved.model[k])) throw new UsageError(`--resume: ${preset.preset} ${preset.value} gives ${k} ${show(v)}, the run's model has ${show(saved.model[k])}; ${keep}`);
    }
  }
  for (const [k, v] of Object.entries(model)) {
    if (!fits(v, saved.model[k])) throw new UsageError(`--resume: --config ${configFile} sets model.${k} ${show(v)}, the run's model has ${show(saved.model[k])}; ${keep}`);
  }
  if (rtgScale !== undefined && saved.model.rtgScale !== rtgScale) {
    throw new UsageError(`--resume: --config ${configFile} sets rtgScale ${rtgScale}, the run's model has ${show(saved.model.rtgScale)}; ${keep}`);
  }
}

/**
 * Until `dispose()`, the first SIGINT or SIGTERM aborts the returned signal (the trainer saves a checkpoint after
 * the current update and stops); a second one exits at once with code 130 (SIGINT) or 143 (SIGTERM). With `repeatAfterMs`, a second signal
 * within that time of the first is taken for the same stop delivered twice (a sweep worker gets a terminal's
 * Ctrl-C both from the terminal and forwarded by its runner) and ignored.
 */
export function stopOnSignals(say: (line: string) => void, o: { repeatAfterMs?: number } = {}): { signal: AbortSignal; received: () => NodeJS.Signals | undefined; dispose: () => void } {
  const ac = new AbortController();
  let got: NodeJS.Signals | undefined;
  let at = 0;
  const handler = (sig: NodeJS.Signals): void => {
    if (got !== undefined) {
      if (performance.now() - at < (o.repeatAfterMs ?? 0)) return;
      say(`${sig} again: quitting without saving`);
      process.exit(signalExitCode(sig));
    }
    got = sig;
    at = performance.now();
    say(`${sig}: saving a checkpoint after this update, then stopping (${sig} again quits without saving)`);
    ac.abort();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: ac.signal,
    received: () => got,
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}

/** Parses `--keep`: "last" (default) or "best,last". */
export function parseKeep(raw: string[] | undefined): { best: boolean } {
  const items = raw ?? ["last"];
  for (const k of items) if (k !== "best" && k !== "last") throw new UsageError(`unknown --keep item '${k}'; known: best, last`);
  if (!items.includes("last")) throw new UsageError("--keep must include 'last' (the last checkpoint is what --resume continues): --keep best,last");
  return { best: items.includes("best") };
}
