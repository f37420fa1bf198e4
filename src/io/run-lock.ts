/**
 * One run per folder: `<dir>/.strl-lock` holds the owner's pid and host, created with O_EXCL so two processes
 * can never both take it. A lock whose process is dead (on this host) is stale and taken over; a live owner
 * makes `acquireRunLock` throw a `RunLockedError` naming the folder and the pid. The lock goes away with
 * `release()` and, as a safety net, when the process exits.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { cleanStaleTemps, explainFsError, processAlive, tempPath } from "./fs-safe.js";

export const LOCK_FILE = ".strl-lock";

/** Another live process is using the run folder. */
export class RunLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`${dir}: another strl process (pid ${pid}) is using this run folder; wait for it or choose another --out`);
    this.name = "RunLockedError";
  }
}

export interface RunLock {
  readonly path: string;
  release(): void;
}

interface LockContent {
  pid: number;
  host: string;
}

function readOwner(path: string): LockContent | undefined {
  try {
    const j = JSON.parse(readFileSync(path, "utf8")) as Partial<LockContent>;
    if (typeof j.pid === "number" && typeof j.host === "string") return { pid: j.pid, host: j.host };
  } catch {
    /* missing, or half-written by a writer killed before its write: treated as stale */
  }
  return undefined;
}

/** Takes the lock on run folder `dir` (created if needed). Throws `RunLockedError` while a live process holds it. */
export function acquireRunLock(dir: string): RunLock {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw explainFsError(e, dir);
  }
  const path = join(dir, LOCK_FILE);
  cleanStaleTemps(path);
  for (let attempt = 0; attempt < 3; attempt++) {
    // The lock is written whole under a temp name and hard-linked into place: link fails with EEXIST when the
    // lock exists, and a reader never sees a half-written lock.
    const tmp = tempPath(path);
    try {
      writeFileSync(tmp, JSON.stringify({ pid: process.pid, host: hostname() }), { flag: "wx" });
      linkSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw explainFsError(e, dir);
      const owner = readOwner(path);
      if (owner && (owner.pid === process.pid || owner.host !== hostname() || processAlive(owner.pid))) throw new RunLockedError(dir, owner.pid);
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    rmSync(tmp, { force: true });
    let held = true;
    const onExit = (): void => release();
    const release = (): void => {
      if (!held) return;
      held = false;
      process.off("exit", onExit);
      if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
    };
    process.on("exit", onExit);
    return { path, release };
  }
  throw new RunLockedError(dir, readOwner(path)?.pid ?? -1);
}
