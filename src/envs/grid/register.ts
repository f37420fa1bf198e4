// Registers the grid environments (Maze, MazeLocal, MiniGrid) and the older maze ids (see ../aliases.ts).
import { ENV_ALIASES } from "../aliases.js";
import { type Env, type EnvFactory, register, registerAlias } from "../core.js";
import { MazeEnv, type MazeLocalOptions, MazeLocalEnv, type MazeOptions } from "./maze.js";
import { MiniGridDoorKeyEnv, MiniGridEmptyEnv, MiniGridFourRoomsEnv, type SizedMiniGridOptions } from "./minigrid-envs.js";
import type { MiniGridOptions } from "./minigrid-env-base.js";

/** The ids this module registers (the older maze ids are aliases, not listed). */
export const GRID_ENV_IDS = [
  "Maze-v0",
  "MazeLocal-v0",
  "MiniGrid-Empty-8x8-v0",
  "MiniGrid-FourRooms-v0",
  "MiniGrid-DoorKey-8x8-v0",
] as const;

/** The side of a grid env: a maze's `size`, a MiniGrid's `width`. */
function sideOf(env: Env): number {
  const e = env as unknown as { size?: number; width?: number };
  return e.size ?? e.width ?? -1;
}

/**
 * For an id that names its grid's side (`...-21x21-v0`, `...-8x8-v0`): the options may not make another size.
 * `instead` says what to use for other sizes.
 */
function namedSide(id: string, side: number, build: EnvFactory, instead: (size: number) => string): EnvFactory {
  const refuse = (what: string, size: number): never => {
    throw new RangeError(`${id} names ${side === 8 ? "an" : "a"} ${side}x${side} grid, but ${what} ${size}x${size}; ${instead(size)}`);
  };
  return (o) => {
    const size = o?.size;
    if (size !== undefined && size !== side) refuse(`option 'size' asks for`, Number(size));
    const env = build(o);
    if (sideOf(env) !== side) refuse("the given maze is", sideOf(env));
    return env;
  };
}

register("Maze-v0", (o) => new MazeEnv(o as MazeOptions));
register("MazeLocal-v0", (o) => new MazeLocalEnv(o as MazeLocalOptions));
for (const [alias, { id, size }] of Object.entries(ENV_ALIASES)) {
  const build: EnvFactory = id === "Maze-v0" ? (o) => new MazeEnv(o as MazeOptions) : (o) => new MazeLocalEnv(o as MazeLocalOptions);
  registerAlias(alias, namedSide(alias, size, build, (n) => `use ${id} with the option size: ${n}`));
}
const fixedSize = () => "leave the option 'size' out (the id fixes it)";
register("MiniGrid-Empty-8x8-v0", namedSide("MiniGrid-Empty-8x8-v0", 8, (o) => new MiniGridEmptyEnv(o as SizedMiniGridOptions), fixedSize));
register("MiniGrid-FourRooms-v0", (o) => new MiniGridFourRoomsEnv(o as MiniGridOptions));
register("MiniGrid-DoorKey-8x8-v0", namedSide("MiniGrid-DoorKey-8x8-v0", 8, (o) => new MiniGridDoorKeyEnv(o as SizedMiniGridOptions), fixedSize));
