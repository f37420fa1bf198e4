/**
 * The three MiniGrid tasks, ported from Farama MiniGrid's `envs/empty.py`, `envs/fourrooms.py` and
 * `envs/doorkey.py` (the env in `minigrid-env-base.ts`, the rules in `minigrid-world.ts`).
 *
 * - `MiniGrid-Empty-8x8-v0`: 8x8 including the outer walls; agent at (1, 1) facing right (dir 0); goal in the
 *   bottom-right corner (6, 6); max_steps 4 * 8 * 8 = 256; MiniGrid sees through walls here. The class takes `size`; the registered id is 8x8
 *   only (an id names its size).
 * - `MiniGrid-FourRooms-v0`: 19x19; four 9x9 rooms joined by one gap in each inner wall at random positions;
 *   agent (random cell and direction) and goal (random cell) anywhere; max_steps 100.
 * - `MiniGrid-DoorKey-8x8-v0`: 8x8; a vertical wall at a random column 2..5 with a locked yellow door at a random
 *   row 1..5; the agent (random pose) and a yellow key left of the wall, the goal at (6, 6); max_steps
 *   10 * 8 * 8 = 640. The class takes `size`; the registered id is 8x8 only.
 */
import { MiniGridEnvBase, type MiniGridOptions } from "./minigrid-env-base.js";
import { COLOR_TO_IDX, OBJECT_TO_IDX, STATE_TO_IDX } from "./minigrid-world.js";
import { intOption } from "./options.js";

export interface SizedMiniGridOptions extends MiniGridOptions {
  /** Grid side including the outer walls (default 8). */
  size?: number;
}

/** The largest grid side strl builds (a million cells). */
const MAX_GRID_SIZE = 1000;

function sizeOption(id: string, options: SizedMiniGridOptions, min: number): number {
  const size = intOption(id, "size", options.size, min) ?? 8;
  if (size > MAX_GRID_SIZE) throw new RangeError(`${id}: option 'size' must be an integer in [${min}, ${MAX_GRID_SIZE}], got ${size}`);
  return size;
}

export class MiniGridEmptyEnv extends MiniGridEnvBase {
  /** `id` defaults to Farama's name for the size, `MiniGrid-Empty-<size>x<size>-v0`. */
  constructor(options: SizedMiniGridOptions = {}, id?: string) {
    const size = sizeOption(id ?? "MiniGrid-Empty", options, 4);
    id ??= `MiniGrid-Empty-${size}x${size}-v0`;
    super(id, size, size, 4 * size * size, true, options as SizedMiniGridOptions & Record<string, unknown>, ["size"]);
  }

  protected genGrid(): void {
    const w = this.world;
    w.wallRect(0, 0, this.width, this.height);
    w.setCell(this.width - 2, this.height - 2, OBJECT_TO_IDX.goal, COLOR_TO_IDX.green);
    w.agentX = 1;
    w.agentY = 1;
    w.agentDir = 0;
  }
}

export class MiniGridFourRoomsEnv extends MiniGridEnvBase {
  constructor(options: MiniGridOptions = {}, id = "MiniGrid-FourRooms-v0") {
    super(id, 19, 19, 100, false, options as MiniGridOptions & Record<string, unknown>);
  }

  protected genGrid(): void {
    const { width, height, world: w } = this;
    w.horzWall(0, 0);
    w.horzWall(0, height - 1);
    w.vertWall(0, 0);
    w.vertWall(width - 1, 0);
    const roomW = Math.floor(width / 2);
    const roomH = Math.floor(height / 2);
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < 2; i++) {
        const xL = i * roomW;
        const yT = j * roomH;
        const xR = xL + roomW;
        const yB = yT + roomH;
        if (i + 1 < 2) {
          w.vertWall(xR, yT, roomH);
          w.setCell(xR, this.randInt(yT + 1, yB), OBJECT_TO_IDX.empty);
        }
        if (j + 1 < 2) {
          w.horzWall(xL, yB, roomW);
          w.setCell(this.randInt(xL + 1, xR), yB, OBJECT_TO_IDX.empty);
        }
      }
    }
    this.placeAgent();
    this.placeObj(OBJECT_TO_IDX.goal, COLOR_TO_IDX.green, 0);
  }
}

export class MiniGridDoorKeyEnv extends MiniGridEnvBase {
  /** `id` defaults to Farama's name for the size, `MiniGrid-DoorKey-<size>x<size>-v0`. */
  constructor(options: SizedMiniGridOptions = {}, id?: string) {
    const size = sizeOption(id ?? "MiniGrid-DoorKey", options, 5);
    id ??= `MiniGrid-DoorKey-${size}x${size}-v0`;
    super(id, size, size, 10 * size * size, false, options as SizedMiniGridOptions & Record<string, unknown>, ["size"]);
  }

  protected genGrid(): void {
    const { width, height, world: w } = this;
    w.wallRect(0, 0, width, height);
    w.setCell(width - 2, height - 2, OBJECT_TO_IDX.goal, COLOR_TO_IDX.green);
    const splitIdx = this.randInt(2, width - 2);
    w.vertWall(splitIdx, 0);
    this.placeAgent([0, 0], [splitIdx, height]);
    const doorIdx = this.randInt(1, width - 2);
    w.setCell(splitIdx, doorIdx, OBJECT_TO_IDX.door, COLOR_TO_IDX.yellow, STATE_TO_IDX.locked);
    this.placeObj(OBJECT_TO_IDX.key, COLOR_TO_IDX.yellow, 0, [0, 0], [splitIdx, height]);
  }
}
