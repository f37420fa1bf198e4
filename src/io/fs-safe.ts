/**
 * Safe file writes and file-system errors a user can act on.
 *
 * - `FileSystemError`: an errno failure (no space left, permission denied, read-only disk, a folder where a file
 *   was expected, ...) as one line naming the path and what to do, instead of Node's stack trace.
 * - `writeFileAtomic`: temp file in the same folder (`.<name>.strl-tmp-<pid>-<token>-<n>`), fsync, rename,
 *   folder fsync; a failure removes the temp file and leaves the old file untouched.
 * - `cleanStaleTemps`: removes temp files and folders of earlier writes whose process is dead (a `kill -9`
 *   leaves them behind); those of live processes are left alone, and nothing without strl's mark is touched.
 * - `makeFolders`: creates a folder and its missing parents one level at a time, so that an impossible path
 *   (under `/proc`) fails at once and a read-only disk is reported as one (Node's recursive mkdir does neither).
 * - `checkWritableFolder`: creates an output folder and proves it is writable with a probe file, before any
 *   long work starts.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** What each errno means for a user, in words. */
const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  EISDIR: "is a folder, expected a file",
  ENOTDIR: "a part of the path is a file, not a folder",
  ENOENT: "no such file or folder",
  EEXIST: "already exists",
  ENOTEMPTY: "folder is not empty",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  EIO: "input/output error (failing disk?)",
  EFBIG: "file too large for this file system",
  ELOOP: "too many symbolic links",
};

/** A file-system failure caused by the user's environment (disk full, permissions): one line, names the path. */
export class FileSystemError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = "FileSystemError";
  }
}

/** The errno code of `e` when it is one strl explains (see ERRNO_TEXT), else undefined. */
export function knownErrno(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && code in ERRNO_TEXT ? code : undefined;
}

/** Turns an errno error into a `FileSystemError` about `path` (or the error's own path); other errors unchanged. */
export function explainFsError(e: unknown, path?: string): unknown {
  const code = knownErrno(e);
  if (code === undefined || e instanceof FileSystemError) return e;
  const where = path ?? (e as NodeJS.ErrnoException).path ?? "(file)";
  return new FileSystemError(where, code, `cannot write: ${ERRNO_TEXT[code]} (${code})`);
}

/** Runs `fn`, rethrowing errno failures as `FileSystemError`s about `path`. */
export function withFsErrors<R>(path: string, fn: () => R): R {
  try {
    return fn();
  } catch (e) {
    throw explainFsError(e, path);
  }
}

/** True when a process with this id exists (signal 0 tests without sending anything). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/** Flushes a folder's entries (renames) to disk; best effort (not every platform can open a folder). */
export function syncFolder(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch {
    /* not supported here: renames stay atomic, only their durability is up to the OS */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * strl's temp names carry a mark only strl writes: `strl-tmp` or `strl-link`, the writer's pid and a random
 * token of 12 hex digits drawn once per process (`.data.h5.strl-tmp-4242-9f3c0a1b2c3d-0`). A user's
 * `data.h5.tmp-31337`, `data.h5.old-2024` or `data.h5.link-4242` never matches, so clean-up never touches it.
 */
const TEMP_RE = /^\.?(.+)\.strl-(tmp|link)-(\d+)-([0-9a-f]{12})(?:-\d+)?$/;

/** The marker file in every folder strl writes a checkpoint version into: `strl <pid>-<token>` of its writer. */
export const MARKER_FILE = ".strl-marker";
const MARK_RE = /^strl (\d+)-([0-9a-f]{12})\n?$/;

let token: string | undefined;

/** `<pid>-<token>`: this process's mark, as written into its temp names and marker files. */
export function ownMark(): string {
  token ??= randomBytes(6).toString("hex");
  return `${process.pid}-${token}`;
}

/** The writer's mark of a strl temp name for `target`'s base name (`pid`, `mark`), or undefined when `entry` is not one. */
export function tempOwner(entry: string, target: string): { pid: number; mark: string } | undefined {
  const m = TEMP_RE.exec(entry);
  if (!m || m[1] !== basename(target)) return undefined;
  return { pid: Number(m[3]), mark: `${m[3]}-${m[4]}` };
}

/** Writes `folder`'s marker file (this process's mark); call it right after creating the folder. */
export function markFolder(folder: string): void {
  const fd = openSync(join(folder, MARKER_FILE), "wx");
  try {
    writeAllSync(fd, Buffer.from(`strl ${ownMark()}\n`));
  } finally {
    closeSync(fd);
  }
}

/** The mark in `folder`'s marker file, or undefined when it has none (or one strl did not write). */
export function folderMark(folder: string): string | undefined {
  try {
    const path = join(folder, MARKER_FILE);
    if (!lstatSync(path).isFile() || statSync(path).size > 64) return undefined;
    const m = MARK_RE.exec(readFileSync(path, "utf8"));
    return m ? `${m[1]}-${m[2]}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes temp files, links and folders of `target` (same folder) left by dead strl processes; returns the
 * names removed. Only names with strl's mark qualify; a folder must also hold a marker file with the same mark
 * (so a user's folder is never removed, even if named like one). Failures to remove are ignored (a later write
 * tries again).
 */
export function cleanStaleTemps(target: string): string[] {
  const folder = dirname(target);
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const owner = tempOwner(entry, target);
    if (owner === undefined || processAlive(owner.pid)) continue;
    const path = join(folder, entry);
    try {
      const st = lstatSync(path);
      if (st.isDirectory()) {
        if (folderMark(path) !== owner.mark) continue;
        rmSync(path, { recursive: true, force: true });
      } else if (st.isFile() || st.isSymbolicLink()) {
        rmSync(path, { force: true });
      } else continue;
      removed.push(entry);
    } catch {
      /* left for the next write */
    }
  }
  return removed;
}

let counter = 0;

/** A fresh temp name for `target` in its folder, owned by this process (`.<name>.strl-<kind>-<pid>-<token>-<n>`). */
export function tempPath(target: string, kind: "tmp" | "link" = "tmp"): string {
  return join(dirname(target), `.${basename(target)}.strl-${kind}-${ownMark()}-${counter++}`);
}

/** Writes `data` to `fd` completely and fsyncs it. */
function writeAllSync(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
  fsyncSync(fd);
}

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, fsync, rename over `path`, folder fsync.
 * Stale temp files of dead writers are removed first. Errno failures become `FileSystemError`s naming `path`;
 * the temp file never survives a failure, and `path` keeps its old content.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  cleanStaleTemps(path);
  withFsErrors(path, () => {
    if (existsAsFolder(path)) throw Object.assign(new Error(`EISDIR: ${path}`), { code: "EISDIR", path });
  });
  const tmp = tempPath(path);
  try {
    const fd = openSync(tmp, "wx");
    try {
      writeAllSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw explainFsError(e, path);
  }
  syncFolder(dirname(path));
}

function existsAsFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The errno code of `e`, if any. */
function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The file-system calls `makeFolders` makes (tests replace them to play a read-only disk). */
export interface FolderOps {
  isFolder(path: string): boolean;
  mkdir(path: string): void;
}

const NODE_FOLDER_OPS: FolderOps = {
  isFolder: (path) => statSync(path).isDirectory(),
  mkdir: (path) => mkdirSync(path),
};

/**
 * Creates `folder` and its missing parents, one level at a time, and throws a `FileSystemError` naming `folder`
 * with the errno of the level that failed. Node's `mkdir(path, { recursive: true })` is not used: where mkdir
 * fails with ENOENT under a parent that exists (`/proc/x/y`) it retries forever at 100% CPU, and it reports a
 * read-only file system (EROFS) or a denied permission (EACCES) as ENOENT.
 */
export function makeFolders(folder: string, ops: FolderOps = NODE_FOLDER_OPS): void {
  const missing: string[] = [];
  for (let p = resolve(folder); ; p = dirname(p)) {
    let isFolder: boolean;
    try {
      isFolder = ops.isFolder(p);
    } catch (e) {
      const code = errnoOf(e);
      if ((code === "ENOENT" || code === "ENOTDIR") && dirname(p) !== p) {
        // missing, or under a file: walk up to the part that exists (and name it if it is a file)
        missing.push(p);
        continue;
      }
      throw explainFsError(e, folder);
    }
    if (!isFolder) throw new FileSystemError(folder, "ENOTDIR", `cannot create the folder: ${p} is a file, not a folder (ENOTDIR)`);
    break;
  }
  for (const p of missing.reverse()) {
    try {
      ops.mkdir(p);
    } catch (e) {
      const code = errnoOf(e);
      if (code === "EEXIST" && safeIsFolder(ops, p)) continue; // made by another process meanwhile
      if (code === "ENOENT") throw new FileSystemError(folder, code, `cannot create folder ${p}: ${dirname(p)} exists but takes no new folders (ENOENT; a virtual file system such as /proc?)`);
      const known = knownErrno(e);
      if (known) throw new FileSystemError(folder, known, `cannot create folder ${p}: ${ERRNO_TEXT[known]} (${known})`);
      throw e;
    }
  }
}

function safeIsFolder(ops: FolderOps, path: string): boolean {
  try {
    return ops.isFolder(path);
  } catch {
    return false;
  }
}

/**
 * Creates `folder` (with parents, `makeFolders`) and checks that files can be created in it, by writing and
 * removing a probe file. Throws a `FileSystemError` naming the folder (read-only disk, no permission, a file in
 * the way, a path where no folder can be made).
 */
export function checkWritableFolder(folder: string): void {
  makeFolders(folder);
  const probe = tempPath(join(folder, ".strl-probe"));
  try {
    const fd = openSync(probe, "wx");
    try {
      writeAllSync(fd, Buffer.from("probe\n"));
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw explainFsError(e, folder);
  } finally {
    rmSync(probe, { force: true });
  }
}
