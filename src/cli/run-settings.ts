/**
 * The settings of a `strl train` run that are not training hyper-parameters: closed-loop evaluation episodes,
 * which checkpoints to keep, the output mode and the TensorBoard folder. They are saved in the checkpoint's
 * trainer.json as `settings` (the cadences --eval-every, --checkpoint-every and logEvery are in its `config`), so
 * `--resume` restores every setting of the run; a flag given with --resume overrides the saved value and is
 * named in one line on stderr. trainer.json is read back as untrusted input: anything but the documented fields
 * and values is a one-line error. A run saved before settings were recorded resumes with the defaults, saying so.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError, asUserError } from "./usage-error.js";
import { makeFolders } from "../io/index.js";
import { evalSizeProblem } from "../eval/index.js";
import type { TrainConfig } from "../train/index.js";

/** "default": a live line on a terminal, a line every 10% elsewhere. */
export type OutputSetting = "default" | "json" | "quiet";
const OUTPUTS: readonly OutputSetting[] = ["default", "json", "quiet"];
const KEEPS = ["last", "best,last"] as const;

export interface RunSettings {
  evalEpisodes: number;
  keep: (typeof KEEPS)[number];
  output: OutputSetting;
  /** The TensorBoard folder (absolute), or null for none. */
  tensorboard: string | null;
}

export const DEFAULT_SETTINGS: RunSettings = { evalEpisodes: 0, keep: "last", output: "default", tensorboard: null };

/** The flag that sets each setting, as it is printed. */
const FLAG_OF: Record<keyof RunSettings, string> = { evalEpisodes: "--eval-episodes", keep: "--keep", output: "output", tensorboard: "--tensorboard" };

/** Reads trainer.json's `settings` (from `file`): undefined when absent (an older run), else validated. */
export function readSavedSettings(file: string, raw: unknown): RunSettings | undefined {
  if (raw === undefined) return undefined;
  const bad = (why: string): never => {
    throw new UsageError(`--resume: ${file}: settings ${why}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("must be a JSON object");
  const s = raw as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!Object.hasOwn(DEFAULT_SETTINGS, k)) bad(`has an unknown field ${JSON.stringify(k.slice(0, 40))}`);
  const e = s.evalEpisodes;
  if (!Number.isSafeInteger(e) || (e as number) < 0 || evalSizeProblem(e as number)) bad(`evalEpisodes must be a whole number from 0 to the evaluation limit, got ${JSON.stringify(e)?.slice(0, 40)}`);
  if (!KEEPS.includes(s.keep as never)) bad(`keep must be one of ${KEEPS.join(" | ")}, got ${JSON.stringify(s.keep)?.slice(0, 40)}`);
  if (!OUTPUTS.includes(s.output as never)) bad(`output must be one of ${OUTPUTS.join(" | ")}, got ${JSON.stringify(s.output)?.slice(0, 40)}`);
  const tb = s.tensorboard;
  if (tb !== null && (typeof tb !== "string" || tb.length === 0 || tb.length > 4096 || tb.includes("\0") || !tb.startsWith("/"))) {
    bad(`tensorboard must be null or an absolute folder path, got ${JSON.stringify(tb)?.slice(0, 60)}`);
  }
  return { evalEpisodes: e as number, keep: s.keep as RunSettings["keep"], output: s.output as OutputSetting, tensorboard: tb as string | null };
}

/** `--tensorboard DIR`: an absolute folder, made when missing with `make`; a file there (or above) is a one-line error. */
export async function tensorboardFolder(dir: string, make: boolean): Promise<string> {
  if (dir.length === 0) throw new UsageError("--tensorboard needs a folder");
  const abs = resolve(dir);
  let isFile = false;
  try {
    isFile = !statSync(abs).isDirectory();
  } catch {
    /* missing: made below */
  }
  if (isFile) throw new UsageError(`--tensorboard ${dir} is a file, not a folder (event files go into a folder)`);
  if (make) await asUserError(() => makeFolders(abs), `--tensorboard ${dir}`);
  return abs;
}

const show = (key: keyof RunSettings, v: unknown): string => (key === "tensorboard" && v === null ? "none" : String(v));

/**
 * The run's settings: the flags given, else (resuming) the saved ones, else the defaults. `notes` are the lines
 * to print: which saved settings (and cadences) the flags overrode, or that the run saved none.
 */
export function resolveSettings(
  given: Partial<RunSettings>,
  resumed: { settings: RunSettings | undefined; train: TrainConfig; resolvedTrain: TrainConfig } | undefined,
): { settings: RunSettings; notes: string[] } {
  const base = resumed?.settings ?? DEFAULT_SETTINGS;
  const settings = { ...base, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as RunSettings;
  if (!resumed) return { settings, notes: [] };
  const notes: string[] = [];
  if (!resumed.settings) {
    const missing = (Object.keys(DEFAULT_SETTINGS) as Array<keyof RunSettings>).filter((k) => given[k] === undefined);
    if (missing.length > 0) notes.push(`the run's checkpoint saved no settings (an older strl): ${missing.map((k) => `${FLAG_OF[k]} ${show(k, DEFAULT_SETTINGS[k])}`).join(", ")} (today's defaults)`);
  }
  const changed: string[] = [];
  const cadence: Array<[keyof TrainConfig, string]> = [["steps", "--steps"], ["evalEvery", "--eval-every"], ["checkpointEvery", "--checkpoint-every"], ["logEvery", "logEvery"], ["saveOptimizer", "saveOptimizer"]];
  for (const [k, flag] of cadence) {
    if (resumed.resolvedTrain[k] !== resumed.train[k]) changed.push(`${flag} ${resumed.resolvedTrain[k]} (the run had ${resumed.train[k]})`);
  }
  if (resumed.settings) {
    for (const k of Object.keys(DEFAULT_SETTINGS) as Array<keyof RunSettings>) {
      if (settings[k] !== resumed.settings[k]) changed.push(`${FLAG_OF[k]} ${show(k, settings[k])} (the run had ${show(k, resumed.settings[k])})`);
    }
  }
  if (changed.length > 0) notes.push(`overriding the run's saved settings: ${changed.join(", ")}`);
  return { settings, notes };
}
