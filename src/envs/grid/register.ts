// Registers the grid environments (Maze, MazeLocal, MiniGrid).
import { register } from "../core.js";
import { MazeEnv, type MazeLocalOptions, MazeLocalEnv, type MazeOptions } from "./maze.js";
import { MiniGridDoorKeyEnv, MiniGridEmptyEnv, MiniGridFourRoomsEnv, type SizedMiniGridOptions } from "./minigrid-envs.js";
import type { MiniGridOptions } from "./minigrid-core.js";

/** The ids this module registers. */
export const GRID_ENV_IDS = [
  "Maze-21x21-v0",
  "MazeLocal-21x21-v0",
  "MiniGrid-Empty-8x8-v0",
  "MiniGrid-FourRooms-v0",
  "MiniGrid-DoorKey-8x8-v0",
] as const;

register("Maze-21x21-v0", (o) => new MazeEnv(o as MazeOptions));
register("MazeLocal-21x21-v0", (o) => new MazeLocalEnv(o as MazeLocalOptions));
register("MiniGrid-Empty-8x8-v0", (o) => new MiniGridEmptyEnv(o as SizedMiniGridOptions));
register("MiniGrid-FourRooms-v0", (o) => new MiniGridFourRoomsEnv(o as MiniGridOptions));
register("MiniGrid-DoorKey-8x8-v0", (o) => new MiniGridDoorKeyEnv(o as SizedMiniGridOptions));
