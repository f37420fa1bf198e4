/**
 * Things many sweep jobs share, made once: the first job that needs one takes a lock on its cache folder
 * (keyed by a hash of the config that generates it), makes it and writes it atomically; the others wait for the
 * lock and then read it. A job killed while making one leaves a stale lock that the next taker replaces (its
 * process gone, or its heartbeat older than the timeout: src/io/run-lock.ts), and never a half-written file.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { acquireRunLock, RunLockedError, writeFileAtomic, tempPath } from "../io/index.js";
import { ConfigError } from "../config/index.js";
import { collectDataset, readDatasetHdf5, writeDatasetHdf5, type Dataset, type PolicyName } from "../data/index.js";
import { measureReferenceReturns, type ReferenceReturns } from "../eval/index.js";
import { readyFor } from "../envs/index.js";

/** Keys sorted at every level: the same config always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export const cacheKey = (kind: string, config: unknown): string => `${kind}-${createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 16)}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `make` under the lock of `folder` unless `ready()`; waits while another process holds the lock (a holder
 * killed on another node is taken over once its heartbeat is older than the timeout). An aborted `signal` ends
 * the wait (it throws the signal's reason).
 */
async function once(folder: string, ready: () => boolean, make: () => Promise<void>, log?: (l: string) => void, signal?: AbortSignal): Promise<void> {
  let said = false;
  for (;;) {
    if (ready()) return;
    signal?.throwIfAborted();
    let lock;
    try {
      lock = acquireRunLock(folder, { log });
    } catch (e) {
      if (!(e instanceof RunLockedError)) throw e;
      if (!said) log?.(`waiting for another job making ${folder}`);
      said = true;
      await sleep(250);
      continue;
    }
    try {
      if (!ready()) await make();
      return;
    } finally {
      lock.release();
    }
  }
}

export interface DatasetSpec {
  envId: string;
  envOptions?: Record<string, unknown>;
  policy: PolicyName;
  episodes: number;
  seed: number;
}

/** The dataset `spec` generates, collected once per sweep folder (`cache/data-<hash>/dataset.h5`). */
export async function sharedDataset(dir: string, spec: DatasetSpec, log?: (l: string) => void, signal?: AbortSignal): Promise<Dataset> {
  const folder = join(dir, "cache", cacheKey("data", spec));
  const file = join(folder, "dataset.h5");
  await once(
    folder,
    () => existsSync(file),
    async () => {
      log?.(`collecting ${spec.episodes} ${spec.policy} episodes on ${spec.envId} (seed ${spec.seed})`);
      await readyFor(spec.envId);
      const ds = collectDataset({ envId: spec.envId, policy: spec.policy, episodes: spec.episodes, seed: spec.seed, envOptions: spec.envOptions });
      const tmp = tempPath(file);
      try {
        await writeDatasetHdf5(tmp, ds);
        renameSync(tmp, file);
      } finally {
        rmSync(tmp, { force: true });
      }
      writeFileAtomic(join(folder, "spec.json"), `${JSON.stringify(spec, null, 1)}\n`);
    },
    log,
    signal,
  );
  return readDatasetHdf5(file);
}

export interface ReferenceSpec {
  envId: string;
  envOptions?: Record<string, unknown>;
  episodes: number;
  seeds: number[];
}

/** Random and expert reference returns of an env, measured once per sweep folder. */
export async function sharedReferences(dir: string, spec: ReferenceSpec, log?: (l: string) => void, signal?: AbortSignal): Promise<ReferenceReturns> {
  const folder = join(dir, "cache", cacheKey("ref", spec));
  const file = join(folder, "references.json");
  await once(
    folder,
    () => existsSync(file),
    async () => {
      log?.(`measuring random and expert returns on ${spec.envId}`);
      const r = await measureReferenceReturns(spec.envId, { episodes: spec.episodes, seeds: spec.seeds, envOptions: spec.envOptions });
      writeFileAtomic(file, `${JSON.stringify(r, null, 1)}\n`);
    },
    log,
    signal,
  );
  let r: Partial<ReferenceReturns> | null = null;
  try {
    r = JSON.parse(readFileSync(file, "utf8")) as Partial<ReferenceReturns> | null;
  } catch {
    /* named below */
  }
  if (typeof r !== "object" || r === null || !Number.isFinite(r.random) || !Number.isFinite(r.expert) || typeof r.source !== "string") {
    throw new ConfigError(`${file}: damaged reference returns (expected { random, expert, source }); remove its folder to measure them again`);
  }
  return r as ReferenceReturns;
}
