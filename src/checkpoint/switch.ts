/**
 * Replacing a checkpoint in one atomic step. A checkpoint `<dir>` is a relative symbolic link (the pointer) to a
 * versioned sibling folder `<dir>.v<n>`; readers that open `<dir>/model.safetensors` (PyTorch, strl) follow it.
 *
 * A switch, step by step (`SwitchStep` names the point after each):
 *
 *   1. "written"   the new files are complete and fsynced in `.<dir>.strl-tmp-<pid>-<token>-<n>`, a folder whose
 *                  marker file (`.strl-marker`, written first) holds the same `<pid>-<token>`
 *   2. "versioned" it is renamed to `<dir>.v<n+1>`
 *   3. "linked"    a new pointer `.<dir>.strl-link-<pid>-<token>-<n>` -> `<dir>.v<n+1>` exists
 *   4. "switched"  that pointer is renamed over `<dir>` (rename(2) is atomic: `<dir>` is the old or the new one)
 *   5. "cleaned"   versions older than the previous one are removed
 *
 * A kill at any point leaves `<dir>` pointing at a complete version; leftovers of dead writers (temp folders,
 * temp links, surplus versions) are removed by the next switch. Only what strl made is removed: temp names carry
 * the writer's pid and a random token (and a temp folder the marker file with them), and a version is removed
 * only when it holds a strl marker file and a strl config.json; a user's `<dir>.old-2024`, `<dir>.tmp-1/` or
 * `<dir>.v9/` without one stays. A checkpoint written before versioning (a real folder `<dir>`) is first moved to
 * a version (kept: it has no marker); if that is interrupted, or a pointer dangles, `resolveCheckpoint` finds the
 * newest complete version by itself.
 */
import { lstat, mkdir, readFile, readdir, rename, rm, stat, symlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { cleanStaleTemps, explainFsError, folderMark, makeFolders, markFolder, syncFolder, tempPath } from "../io/fs-safe.js";

/** The points of a switch after which a test may kill the writer. */
export const SWITCH_STEPS = ["written", "versioned", "linked", "switched", "cleaned"] as const;
export type SwitchStep = (typeof SWITCH_STEPS)[number];

const CONFIG_FILE = "config.json";

async function isStrlCheckpoint(dir: string): Promise<boolean> {
  try {
    const c = JSON.parse(await readFile(join(dir, CONFIG_FILE), "utf8")) as { format?: unknown };
    return c.format === "strl-checkpoint";
  } catch {
    return false;
  }
}

/** The versions `<dir>.v<n>` beside `dir`, newest first. */
export async function checkpointVersions(dir: string): Promise<Array<{ n: number; path: string }>> {
  const base = basename(dir);
  const entries = await readdir(dirname(dir)).catch(() => [] as string[]);
  const out: Array<{ n: number; path: string }> = [];
  for (const e of entries) {
    if (!e.startsWith(`${base}.v`)) continue;
    const rest = e.slice(base.length + 2);
    if (/^\d+$/.test(rest)) out.push({ n: Number(rest), path: join(dirname(dir), e) });
  }
  return out.sort((a, b) => b.n - a.n);
}

export interface Resolved {
  /** The folder holding the files. */
  path: string;
  /** True when `dir` itself was missing or dangling and an earlier complete version was used instead. */
  recovered: boolean;
}

/**
 * The folder to read for checkpoint `dir`: the pointer's target, `dir` itself (an unversioned checkpoint), or,
 * when the pointer is missing or dangling, the newest complete version (or a folder an unversioned save moved
 * aside). Undefined when there is nothing to read.
 */
export async function resolveCheckpoint(dir: string): Promise<Resolved | undefined> {
  try {
    const st = await stat(dir); // follows the pointer
    if (st.isDirectory()) return { path: dir, recovered: false };
  } catch {
    /* missing or dangling: recover below */
  }
  for (const v of await checkpointVersions(dir)) if (await isStrlCheckpoint(v.path)) return { path: v.path, recovered: true };
  const parent = dirname(dir);
  for (const e of await readdir(parent).catch(() => [] as string[])) {
    if (e.startsWith(`${basename(dir)}.old-`) && (await isStrlCheckpoint(join(parent, e)))) return { path: join(parent, e), recovered: true };
  }
  return undefined;
}

/** Throws the file-system error of `fn` as a `FileSystemError` naming `path`. */
async function fsStep<R>(path: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (e) {
    throw explainFsError(e, path);
  }
}

/**
 * Writes a new version of checkpoint `dir` with `write(tmpFolder)` and switches the pointer to it atomically.
 * `refuse(reason)` is thrown when `dir` is a folder that is not a strl checkpoint. `onStep` is called after each
 * step (crash tests kill the process there).
 */
export async function switchCheckpoint(
  dir: string,
  write: (tmp: string) => Promise<void>,
  opts: { refuse: (reason: string) => Error; onStep?: (step: SwitchStep) => void | Promise<void> },
): Promise<void> {
  const parent = dirname(dir);
  const base = basename(dir);
  makeFolders(parent);
  const current = await lstat(dir).catch(() => undefined);
  if (current && !current.isSymbolicLink()) {
    if (!current.isDirectory()) throw opts.refuse("refusing to replace it: it exists and is a file, not a checkpoint folder");
    const entries = await readdir(dir);
    if (entries.length > 0 && !(await isStrlCheckpoint(dir))) throw opts.refuse("refusing to replace this folder: it exists and is not a strl checkpoint");
  }
  cleanStaleTemps(dir); // leftovers of dead writers: temp folders (with their marker) and temp links

  const tmp = tempPath(dir);
  let created = false;
  try {
    await mkdir(tmp); // a fresh name (this process's mark): never an existing folder
    created = true;
    markFolder(tmp);
    await write(tmp);
    syncFolder(tmp);
  } catch (e) {
    if (created) await rm(tmp, { recursive: true, force: true });
    throw explainFsError(e, dir);
  }
  await opts.onStep?.("written");

  let next = ((await checkpointVersions(dir))[0]?.n ?? 0) + 1;
  if (current && !current.isSymbolicLink()) {
    // An unversioned checkpoint folder: it becomes a version (a kill right after leaves no pointer, which
    // resolveCheckpoint recovers from).
    await fsStep(dir, () => rename(dir, `${dir}.v${next}`));
    next += 1;
  }
  const version = `${dir}.v${next}`;
  await fsStep(dir, () => rename(tmp, version));
  syncFolder(parent);
  await opts.onStep?.("versioned");

  const link = tempPath(dir, "link");
  await fsStep(dir, () => symlink(basename(version), link));
  await opts.onStep?.("linked");
  await fsStep(dir, () => rename(link, dir));
  syncFolder(parent);
  await opts.onStep?.("switched");

  const previous = (await checkpointVersions(dir)).filter((v) => v.n < next);
  for (const v of previous.slice(1)) {
    // only versions strl wrote: a marker file and a strl config.json (an older strl's, or a user's, stay)
    if (folderMark(v.path) !== undefined && (await isStrlCheckpoint(v.path))) await rm(v.path, { recursive: true, force: true });
  }
  await opts.onStep?.("cleaned");
}
