/**
 * Seeds of an evaluation, and "unseen mazes".
 *
 * Per evaluation seed s: `root = new Rng(s)`, then, in this order, `root.fork("eval/env")` gives each episode's
 * `env.reset({ seed })` (one `nextU32()` per episode), `root.fork("eval/policy")` is the policy's stream and
 * `root.fork("eval/maze")` draws the maze of each episode of a maze env. Every target return replays the same
 * episode seeds (and mazes), so targets are compared on identical starts.
 *
 * Unseen mazes (by grid, not by seed) are drawn from the `eval/maze` stream by `unseen-mazes.ts`.
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

/** True for the envs whose episodes take a maze seed (`reset({ options: { mazeSeed } })`). */
export function isMazeEnv(envId: string): boolean {
  const id = canonicalEnvId(envId);
  return id === "Maze-v0" || id === "MazeLocal-v0";
}

/** A fixed maze in the env options (`mazeSeed` or `maze`): every episode plays that one maze. */
export function hasFixedMaze(envOptions: Record<string, unknown> | undefined): boolean {
  return envOptions?.mazeSeed !== undefined || envOptions?.maze !== undefined;
}

/** True when an evaluation on `envId` with `envOptions` draws a maze per episode (a maze env without a fixed maze). */
export function drawsMazes(envId: string, envOptions: Record<string, unknown> | undefined): boolean {
  return isMazeEnv(envId) && !hasFixedMaze(envOptions);
}
