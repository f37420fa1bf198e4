/**
 * Seeds of an evaluation, and "unseen mazes".
 *
 * Per evaluation seed s: `root = new Rng(s)`, then, in this order, `root.fork("eval/env")` gives each episode's
 * `env.reset({ seed })` (one `nextU32()` per episode), `root.fork("eval/policy")` is the policy's stream and
 * `root.fork("eval/maze")` draws the maze of each episode of a maze env. Every target return replays the same
 * episode seeds (and mazes), so targets are compared on identical starts.
 *
 * Unseen mazes. Training mazes are not a range of seeds: `collectDataset` / `collectMazeExpert` (src/data) give
 * episode i the maze `new Rng(new Rng(seed).fork("env") draw i).nextU32()`, a pseudo-random uint32. So
 * evaluation draws maze seeds from its own stream and skips every seed of an exclusion set, which
 * `collectedMazeSeeds(seed, episodes)` recomputes for a dataset collected with (seed, episodes): an evaluation
 * maze is then never a maze of that dataset (two different seeds giving the same 21x21 maze is possible in
 * principle but vanishingly unlikely, and not checked).
 */
import { Rng, assertSeed } from "../tensor/rng.js";
import { canonicalEnvId } from "../envs/aliases.js";

export interface EvalStreams {
  /** One reset seed per episode. */
  env: Rng;
  /** The policy's random stream. */
  policy: Rng;
  /** One maze seed per episode (maze envs). */
  maze: Rng;
}

export function evaluationStreams(seed: number): EvalStreams {
  const root = new Rng(assertSeed(seed, "evaluation seed"));
  const env = root.fork("eval/env");
  const policy = root.fork("eval/policy");
  const maze = root.fork("eval/maze");
  return { env, policy, maze };
}

/** The maze seeds of the episodes of a maze dataset collected with `collectDataset({ seed, episodes })`. */
export function collectedMazeSeeds(seed: number, episodes: number): Set<number> {
  assertSeed(seed, "collectedMazeSeeds: seed");
  if (!Number.isInteger(episodes) || episodes < 0) throw new RangeError(`collectedMazeSeeds: episodes must be an integer >= 0, got ${episodes}`);
  const envSeeds = new Rng(seed).fork("env");
  const out = new Set<number>();
  for (let i = 0; i < episodes; i++) out.add(new Rng(envSeeds.nextU32()).nextU32());
  return out;
}

/** True for the envs whose episodes take a maze seed (`reset({ options: { mazeSeed } })`). */
export function isMazeEnv(envId: string): boolean {
  const id = canonicalEnvId(envId);
  return id === "Maze-v0" || id === "MazeLocal-v0";
}

/** Draws maze seeds from `rng`, skipping the excluded ones. */
export function nextUnseenMazeSeed(rng: Rng, exclude: ReadonlySet<number>): number {
  for (let tries = 0; tries < 1000; tries++) {
    const s = rng.nextU32();
    if (!exclude.has(s)) return s;
  }
  throw new Error("nextUnseenMazeSeed: 1000 draws in a row were excluded; the exclusion set covers almost every seed");
}
