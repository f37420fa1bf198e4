/**
 * Fast path for the paper's maze dataset (STRL task 1): one episode per fresh 21x21 perfect maze, the A*
 * (Manhattan) expert walking from the entrance (0, 1) to the exit (20, 19). Instead of stepping an env through
 * `reset`/`step` (objects per step), it generates each maze, solves it once and writes the walk straight into
 * typed arrays.
 *
 * It reproduces `collectDataset({ envId: "Maze-v0", policy: "expert", ... })` exactly (test/data/collect
 * checks it): the same episode seeds (`new Rng(seed).fork("env")`), the same maze per episode seed (the env's
 * reset draws its maze seed as the first number of `new Rng(episodeSeed)`), and the same actions (in a perfect
 * maze the shortest path is unique, so A*'s path is the env expert's path).
 */
import { generateMaze, mazeEntrance, mazeExit } from "../envs/grid/maze-gen.js";
import { MAZE_DX, MAZE_DY, solveMazeAStar } from "../envs/grid/maze-solve.js";
import { MAZE_EXIT_BONUS, MAZE_STEP_REWARD } from "../envs/grid/maze.js";
import { discrete } from "../envs/core.js";
import { Rng } from "../tensor/rng.js";
import { VERSION } from "../version.js";
import { Dataset, type Trajectory } from "./trajectory.js";

export const MAZE_FAST_ENV = "Maze-v0";
const SIZE = 21;

export interface MazeExpertOptions {
  /** Number of mazes (= episodes); the paper used 50,000. */
  episodes: number;
  seed: number;
}

/** One A* expert episode in the maze of `mazeSeed`. */
export function mazeExpertEpisode(mazeSeed: number): Trajectory {
  const grid = generateMaze(mazeSeed, SIZE);
  const [sx, sy] = mazeEntrance(SIZE);
  const path = solveMazeAStar(grid, [sx, sy], mazeExit(SIZE));
  if (!path || path.length === 0) throw new Error(`maze ${mazeSeed}: no path from the entrance to the exit`);
  const len = path.length;
  const observations = new Float32Array(len * 2); // [len, 2] (x, y) before each move
  const actions = Int32Array.from(path); // [len]
  const rewards = new Float32Array(len).fill(MAZE_STEP_REWARD); // [len]
  rewards[len - 1] = MAZE_STEP_REWARD + MAZE_EXIT_BONUS;
  let x = sx;
  let y = sy;
  for (let t = 0; t < len; t++) {
    observations[2 * t] = x;
    observations[2 * t + 1] = y;
    x += MAZE_DX[path[t]!]!;
    y += MAZE_DY[path[t]!]!;
  }
  return { observations, actions, rewards, terminated: true, truncated: false };
}

/** The paper's maze dataset: `episodes` mazes, one expert episode each. */
export function collectMazeExpert(o: MazeExpertOptions): Dataset {
  const root = new Rng(o.seed);
  const envSeeds = root.fork("env");
  const trajectories: Trajectory[] = new Array(o.episodes);
  for (let i = 0; i < o.episodes; i++) {
    const mazeSeed = new Rng(envSeeds.nextU32()).nextU32();
    trajectories[i] = mazeExpertEpisode(mazeSeed);
  }
  return new Dataset({
    envId: MAZE_FAST_ENV,
    obsDim: 2,
    actionSpace: discrete(4),
    trajectories,
    metadata: { policy: "expert", seed: o.seed, episodes: o.episodes, collected_by: `strl ${VERSION}` },
  });
}
