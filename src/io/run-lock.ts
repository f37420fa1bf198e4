/**
 * One run per folder: `<dir>/.strl-lock` says who runs in it: { pid, host, started, heartbeat, token } (times in
 * ms since the epoch). It is written whole under a temp name and hard-linked into place (the link fails when a
 * lock exists, so two processes never both take it), and while it is held its heartbeat is rewritten every
 * timeout / 12 (10 s at the default timeout) from a worker thread (src/io/lock-heartbeat.ts).
 *
 * A lock is stale, and the next taker replaces it, when
 *   - its process is gone (same host: the pid is checked), or
 *   - its heartbeat is older than the timeout, on any host (a job killed on another node of a cluster).
 * The timeout is STRL_LOCK_TIMEOUT_S seconds (default 120). A live owner makes `acquireRunLock` throw a
 * `RunLockedError` naming the folder, the pid and host. The lock goes away with `release()` and, as a safety
 * net, when the process exits.
 *
 * A lock file is read as if an attacker wrote it: one that is not a small regular file of valid JSON with a pid
 * and a host (bad JSON, an empty file after a crash, 4 GB of text) is judged by its file's age instead of its
 * heartbeat, and a folder or a link in its place is never removed (a one-line error says to move it away).
 */
import { randomBytes } from "node:crypto";
import { linkSync, lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../config/index.js";
import { cleanStaleTemps, explainFsError, makeFolders, processAlive, tempPath } from "./fs-safe.js";
import { startHeartbeat, type LockContent } from "./lock-heartbeat.js";

export const LOCK_FILE = ".strl-lock";
export const DEFAULT_LOCK_TIMEOUT_S = 120;
/** A lock file is a few hundred bytes; a bigger one is not read. */
const MAX_LOCK_BYTES = 4096;

/** The heartbeat timeout in seconds: STRL_LOCK_TIMEOUT_S, else 120. */
export function lockTimeoutS(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.STRL_LOCK_TIMEOUT_S;
  if (v === undefined || v === "") return DEFAULT_LOCK_TIMEOUT_S;
  const n = /^[0-9]+(\.[0-9]+)?$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!(n > 0 && n <= 7 * 86400)) throw new ConfigError(`STRL_LOCK_TIMEOUT_S must be a number of seconds > 0 and <= 604800 (default ${DEFAULT_LOCK_TIMEOUT_S}), got '${v.slice(0, 40)}'`);
  return n;
}

/** How often a held lock beats: a twelfth of the timeout, at most every 10 s, at least every 50 ms. */
export const heartbeatMs = (timeoutS: number): number => Math.min(10_000, Math.max(50, (timeoutS * 1000) / 12));

export interface LockOwner {
  pid: number;
  host: string;
  started?: number;
  heartbeat?: number;
  token?: string;
}

/** What is at a folder's lock path, judged now. */
export interface LockInfo {
  path: string;
  state: "free" | "held" | "stale";
  /** The owner it names; absent when the file is not a strl lock. */
  owner?: LockOwner;
  /** Seconds since its heartbeat (or, without a valid one, since the file was written). */
  ageS?: number;
  /** Why it is stale, or what is wrong with a lock that is not a strl lock. */
  why?: string;
  /** True when `ageS` is the file's age (no heartbeat to trust: not a strl lock, an older strl's, or from the future). */
  byFileAge?: boolean;
  /** The bytes that were judged (when read) and the file's identity: a lock is removed only while both hold. */
  text?: string;
  stamp?: string;
  /** A folder, link or other non-file at the lock path: never removed by strl. */
  foreign?: boolean;
}

export interface LockOptions {
  /** Heartbeat timeout in seconds (default: `lockTimeoutS()`). */
  timeoutS?: number;
  /** The time to judge at, in ms since the epoch (tests). */
  now?: number;
}

const plain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const time = (v: unknown): boolean => v === undefined || (typeof v === "number" && Number.isFinite(v) && v >= 0);

/** The owner a lock's text names, or why it names none. */
function parseOwner(text: string): LockOwner | string {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return text.trim() === "" ? "empty" : "not JSON";
  }
  if (!plain(j)) return "not a JSON object";
  if (!Number.isSafeInteger(j.pid) || (j.pid as number) <= 0) return "no valid pid";
  if (typeof j.host !== "string" || !/^[^\x00-\x1f\x7f]{1,255}$/.test(j.host)) return "no valid host";
  if (!time(j.started) || !time(j.heartbeat)) return "started or heartbeat is not a time";
  if (j.token !== undefined && (typeof j.token !== "string" || !/^[0-9a-f]{1,64}$/.test(j.token))) return "no valid token";
  return { pid: j.pid as number, host: j.host, started: j.started as number | undefined, heartbeat: j.heartbeat as number | undefined, token: j.token as string | undefined };
}

/** A host name fit for a one-line message. */
const showHost = (h: string): string => (/^[A-Za-z0-9._-]{1,100}$/.test(h) ? h : JSON.stringify(h.slice(0, 60)));

/** "pid 123 on host node7, started 2025-01-01T00:00:00Z, heartbeat 4s ago" (or what the file is). */
export function describeLock(info: LockInfo, withAge = true): string {
  const o = info.owner;
  if (!o) return info.why ?? "no lock";
  const started = o.started !== undefined && o.started < 8.64e15 ? `, started ${new Date(o.started).toISOString().slice(0, 19)}Z` : "";
  const beat = withAge && info.ageS !== undefined ? `, ${info.byFileAge ? "lock written" : "heartbeat"} ${info.ageS}s ago` : "";
  return `pid ${o.pid} on host ${showHost(o.host)}${started}${beat}`;
}

/** Judges the lock of folder `dir` (never throws for what the file holds). */
export function inspectRunLock(dir: string, o: LockOptions = {}): LockInfo {
  const path = join(dir, LOCK_FILE);
  const timeoutMs = (o.timeoutS ?? lockTimeoutS()) * 1000;
  const now = o.now ?? Date.now();
  const secs = (ms: number): number => Math.floor(Math.max(0, ms) / 1000);
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { path, state: "free" };
    return { path, state: "held", why: `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})` };
  }
  if (!st.isFile()) {
    const what = st.isDirectory() ? "a folder" : st.isSymbolicLink() ? "a symbolic link" : "not a file";
    return { path, state: "held", foreign: true, why: `${path} is ${what}, not a lock strl wrote; move it away` };
  }
  let text: string | undefined;
  let owner: LockOwner | string;
  if (st.size > MAX_LOCK_BYTES) owner = `larger than ${MAX_LOCK_BYTES} bytes`;
  else {
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { path, state: "free" };
      return { path, state: "held", why: `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})` };
    }
    owner = parseOwner(text);
  }
  const fileAge = secs(now - st.mtimeMs);
  const stamp = stampOf(st);
  if (typeof owner === "string") {
    // Not a strl lock (a crash can leave an empty one): the file's age stands in for a heartbeat.
    const what = `${path} is not a strl lock (${owner}), written ${fileAge}s ago`;
    if (now - st.mtimeMs > timeoutMs) return { path, state: "stale", ageS: fileAge, byFileAge: true, why: what, text, stamp };
    return { path, state: "held", ageS: fileAge, byFileAge: true, text, stamp, why: `${what}; it counts as held until it is ${timeoutMs / 1000}s old` };
  }
  const sameHost = owner.host === hostname();
  // A heartbeat from the future (beyond clock skew) is not believed.
  const beat = owner.heartbeat !== undefined && owner.heartbeat <= now + timeoutMs ? owner.heartbeat : undefined;
  const ageS = beat !== undefined ? secs(now - beat) : fileAge;
  const info = { path, owner, ageS, byFileAge: beat === undefined, text, stamp };
  if (sameHost && owner.pid !== process.pid && !processAlive(owner.pid)) return { ...info, state: "stale", why: `process ${owner.pid} on this host is gone` };
  if (beat === undefined && sameHost) return { ...info, state: "held" }; // an older strl's lock: its live pid decides
  if (now - (beat ?? st.mtimeMs) > timeoutMs) return { ...info, state: "stale", why: `${beat !== undefined ? "heartbeat" : "no valid heartbeat; lock written"} ${ageS}s ago, over the ${timeoutMs / 1000}s timeout` };
  return { ...info, state: "held" };
}

/**
 * Removes the lock `info` judged, only while it still holds the bytes judged: it is moved aside first (one
 * rename, which only one process can win) and put back when it turns out to be another, newer lock.
 * Returns true when it was removed. A foreign file at the lock path is never touched.
 */
export function removeRunLock(info: LockInfo): boolean {
  if (info.foreign || info.state === "free" || info.stamp === undefined) return false;
  const aside = tempPath(info.path);
  try {
    renameSync(info.path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw explainFsError(e, info.path);
  }
  let same = false;
  try {
    same = stampOf(lstatSync(aside)) === info.stamp && (info.text === undefined || readFileSync(aside, "utf8") === info.text);
  } catch {
    /* not the same */
  }
  if (!same) {
    try {
      linkSync(aside, info.path); // a newer lock: back in place (unless yet another took the place)
    } catch {
      /* the place is taken again: that lock stands */
    }
  }
  rmSync(aside, { force: true });
  return same;
}

/** A file's identity: every lock and every heartbeat is a new file (a link or a rename of a fresh temp file). */
const stampOf = (st: { dev: number; ino: number; size: number; mtimeMs: number }): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;

/** Another live process (or something that is not a stale strl lock) holds the folder. */
export class RunLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
    readonly info?: LockInfo,
    message?: string,
  ) {
    super(
      message ??
        (info && !info.owner && info.why
          ? info.why
          : `${dir}: another strl process (pid ${pid}) is using this run folder${info?.owner ? ` (${describeLock(info).replace(/^pid \d+ on /, "")})` : ""}; wait for it or choose another --out`),
    );
    this.name = "RunLockedError";
  }
}

export interface RunLock {
  readonly path: string;
  release(): void;
  /** True when the lock file now names another owner (this one's heartbeat went stale and it was taken over). */
  takenOver(): boolean;
  /** The stale lock this one replaced, if it replaced one. */
  readonly replaced?: LockInfo;
}

/** The owner `path`'s lock names now, or undefined (none, or not a strl lock). */
function currentOwner(path: string): LockOwner | undefined {
  try {
    const o = parseOwner(readFileSync(path, "utf8"));
    return typeof o === "string" ? undefined : o;
  } catch {
    return undefined;
  }
}

export interface AcquireOptions {
  /** Heartbeat timeout in seconds (default: `lockTimeoutS()`). */
  timeoutS?: number;
  /** Told when a stale lock is taken over. */
  log?: (line: string) => void;
}

/** Takes the lock on run folder `dir` (created if needed). Throws `RunLockedError` while it is held. */
export function acquireRunLock(dir: string, o: AcquireOptions = {}): RunLock {
  makeFolders(dir);
  const timeoutS = o.timeoutS ?? lockTimeoutS();
  const path = join(dir, LOCK_FILE);
  cleanStaleTemps(path);
  let replaced: LockInfo | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const t = Date.now();
    const owner: LockContent = { pid: process.pid, host: hostname(), started: t, heartbeat: t, token: randomBytes(8).toString("hex") };
    const tmp = tempPath(path);
    try {
      writeFileSync(tmp, JSON.stringify(owner), { flag: "wx" });
      linkSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw explainFsError(e, dir);
      const info = inspectRunLock(dir, { timeoutS });
      if (info.state === "held") throw new RunLockedError(dir, info.owner?.pid ?? -1, info);
      if (info.state === "stale" && removeRunLock(info)) {
        replaced = info;
        o.log?.(`${path}: took over a stale lock (${info.why}${info.owner ? `; ${describeLock(info, false)}` : ""})`);
      }
      continue;
    }
    rmSync(tmp, { force: true });
    return hold(path, owner, timeoutS, replaced);
  }
  const info = inspectRunLock(dir, { timeoutS });
  if (info.state === "held") throw new RunLockedError(dir, info.owner?.pid ?? -1, info);
  throw new RunLockedError(dir, -1, undefined, `${dir}: its lock kept changing while strl tried to take it; try again`);
}

function hold(path: string, owner: LockContent, timeoutS: number, replaced: LockInfo | undefined): RunLock {
  const beat = startHeartbeat(path, tempPath(path), owner, heartbeatMs(timeoutS));
  let held = true;
  const onExit = (): void => release();
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off("exit", onExit);
    beat.stop();
    if (currentOwner(path)?.token === owner.token) rmSync(path, { force: true });
  };
  process.on("exit", onExit);
  const takenOver = (): boolean => {
    const now = currentOwner(path);
    return now !== undefined && now.token !== owner.token;
  };
  return { path, release, takenOver, replaced };
}
