/**
 * "Unseen mazes", by content. Two maze seeds can carve the same grid, and at small sizes they usually do: among
 * 100,000 seeds drawn from `new Rng(12345)`, `generateMaze` gives 14 distinct 7x7 grids, 322 distinct 9x9 grids,
 * and 99,999 distinct 15x15 grids (`generateMaze(rng.nextU32(), size)`; test/eval/maze-counts.test.ts counts them). Excluding training mazes by seed therefore left every 7x7
 * evaluation maze, and almost every 9x9 one, a maze of the training data. Here a maze is excluded by its grid.
 *
 * - `mazeKey(grid)`: a collision-free key, the size and the cells packed 8 to a byte (hex).
 * - `collectedMazeKeys(...)`: the keys of the mazes of a dataset collected by `collectDataset` (episode i resets
 *   the env with the i-th draw of `new Rng(seed).fork("env")`; the env is replayed with the dataset's options, so
 *   a fixed `mazeSeed` or `maze` option gives its one maze).
 * - `evaluationMazeSeeds(rng, size, episodes, exclude)`: the maze seed of each episode of one evaluation seed.
 *
 * The rule. Without an exclusion set, episode e plays the maze of the e-th draw of the evaluation's maze stream
 * (any maze, training mazes possibly among them). With one, the episodes of an evaluation seed play distinct
 * mazes none of which is a training maze: each takes the next draw whose grid is neither a training maze nor
 * one this seed already played. When `UNSEEN_MAX_DRAWS` draws in a row give no such maze, there are too few
 * unseen mazes for the evaluation and `TooFewUnseenMazesError` says how many it found; the caller refuses, or,
 * when asked explicitly, evaluates on any maze and labels the result "seen mazes".
 */
import { make } from "../envs/index.js";
import { generateMaze, type MazeGrid } from "../envs/grid/maze-gen.js";
import { Rng, assertSeed } from "../tensor/rng.js";
import { evaluationStreams } from "./seeds.js";

/** Draws in a row without a new unseen maze before the evaluation is refused. */
export const UNSEEN_MAX_DRAWS = 1000;

/**
 * A collision-free key of a maze grid: `size:` and the cells (1 bit each, row-major, cell i in bit i % 8 of byte
 * i / 8) as hex. Plain string work, no `Buffer`: the browser page bundles this module.
 */
export function mazeKey(grid: MazeGrid): string {
  const n = grid.size * grid.size;
  const bytes = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) if (grid.cells[i] !== 0) bytes[i >> 3]! |= 1 << (i & 7);
  let hex = "";
  for (const b of bytes) hex += HEX[b >> 4]! + HEX[b & 15]!;
  return `${grid.size}:${hex}`;
}
const HEX = "0123456789abcdef";

/** The key of the maze of `seed` at `size`. */
export function mazeSeedKey(seed: number, size: number): string {
  return mazeKey(generateMaze(seed, size));
}

/**
 * The keys of the mazes of a maze dataset collected with `collectDataset({ envId, envOptions, seed, episodes })`
 * (or `collectMazeExpert`, which gives the same mazes): the env is replayed episode by episode.
 */
export function collectedMazeKeys(envId: string, envOptions: Record<string, unknown> | undefined, seed: number, episodes: number): Set<string> {
  assertSeed(seed, "collectedMazeKeys: seed");
  if (!Number.isInteger(episodes) || episodes < 0) throw new RangeError(`collectedMazeKeys: episodes must be an integer >= 0, got ${episodes}`);
  const env = make(envId, envOptions);
  if (typeof (env as { getMaze?: unknown }).getMaze !== "function") throw new RangeError(`collectedMazeKeys: '${envId}' is not a maze env`);
  const maze = env as unknown as { getMaze(): MazeGrid };
  const envSeeds = new Rng(seed).fork("env");
  const out = new Set<string>();
  for (let i = 0; i < episodes; i++) {
    env.reset({ seed: envSeeds.nextU32() });
    out.add(mazeKey(maze.getMaze()));
  }
  return out;
}

/** Too few unseen mazes for an evaluation (see the module comment). */
export class TooFewUnseenMazesError extends RangeError {
  constructor(
    readonly size: number,
    readonly found: number,
    readonly needed: number,
    readonly trainingMazes: number,
  ) {
    super(
      `only ${found} distinct unseen ${size}x${size} mazes (outside the ${trainingMazes} training mazes) were found for ${needed} episodes per seed (${UNSEEN_MAX_DRAWS} draws in a row gave no new one): evaluate fewer episodes, on larger mazes, or explicitly on seen mazes`,
    );
    this.name = "TooFewUnseenMazesError";
  }
}

/** The maze seeds of `episodes` episodes drawn from `rng` (one evaluation seed's maze stream); see the rule above. */
export function evaluationMazeSeeds(rng: Rng, size: number, episodes: number, exclude?: ReadonlySet<string>): number[] {
  const out: number[] = [];
  if (!exclude) {
    for (let e = 0; e < episodes; e++) out.push(rng.nextU32());
    return out;
  }
  const played = new Set<string>();
  for (let e = 0; e < episodes; e++) {
    let found: number | undefined;
    for (let tries = 0; tries < UNSEEN_MAX_DRAWS && found === undefined; tries++) {
      const s = rng.nextU32();
      const k = mazeSeedKey(s, size);
      if (!exclude.has(k) && !played.has(k)) {
        played.add(k);
        found = s;
      }
    }
    if (found === undefined) throw new TooFewUnseenMazesError(size, played.size, episodes, exclude.size);
    out.push(found);
  }
  return out;
}

/** Which mazes a closed-loop evaluation played (maze envs that draw a maze per episode). */
export interface MazeDraws {
  /**
   * "unseen": the episodes of each seed played distinct mazes, none a training maze (by grid);
   * "any": drawn without a training set, so training mazes may be among them;
   * "seen": a training set was given but held too few unseen mazes, and the caller asked for any mazes:
   * `seenEpisodes` of the episodes played a training maze.
   */
  kind: "unseen" | "any" | "seen";
  /** Distinct training mazes known (0 for "any"). */
  trainingMazes: number;
  /** Distinct mazes played, over all seeds. */
  distinct: number;
  /** Episodes per target, over all seeds. */
  episodes: number;
  /** Episodes (per target) that played a training maze: 0 for "unseen", counted for "seen", absent for "any". */
  seenEpisodes?: number;
}

/** A short label for tables and logs: what the mazes of an evaluation were. */
export function mazeLabel(m: MazeDraws): string {
  if (m.kind === "unseen") return `unseen mazes (${m.distinct} distinct, none of the ${m.trainingMazes} training mazes)`;
  if (m.kind === "seen") return `seen mazes (${m.seenEpisodes} of ${m.episodes} episodes on training mazes; not enough mazes outside the training data)`;
  return `any mazes (${m.distinct} distinct; training mazes not excluded)`;
}

/**
 * The maze seeds of every episode of every evaluation seed (`perSeed[i][e]`, seed `seeds[i]`, episode e) and what
 * they are. With `exclude`, too few unseen mazes throw `TooFewUnseenMazesError`, unless `allowSeen`: then every
 * seed draws any maze and the draws are labelled "seen" with the count of episodes on training mazes.
 */
export function planEvaluationMazes(seeds: readonly number[], episodes: number, size: number, exclude?: ReadonlySet<string>, allowSeen = false): { perSeed: number[][]; draws: MazeDraws } {
  let kind: MazeDraws["kind"] = exclude ? "unseen" : "any";
  let perSeed: number[][];
  try {
    perSeed = seeds.map((s) => evaluationMazeSeeds(evaluationStreams(s).maze, size, episodes, exclude));
  } catch (e) {
    if (!(e instanceof TooFewUnseenMazesError) || !allowSeen) throw e;
    kind = "seen";
    perSeed = seeds.map((s) => evaluationMazeSeeds(evaluationStreams(s).maze, size, episodes));
  }
  const keys = perSeed.flat().map((s) => mazeSeedKey(s, size));
  const draws: MazeDraws = { kind, trainingMazes: exclude?.size ?? 0, distinct: new Set(keys).size, episodes: keys.length };
  if (exclude) draws.seenEpisodes = keys.filter((k) => exclude.has(k)).length;
  return { perSeed, draws };
}
