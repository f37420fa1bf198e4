/**
 * The MiniGrid world: the object tables, the grid with the agent and what it carries, and the rules of one action
 * (a TypeScript port of the parts of Farama MiniGrid that the strl tasks use). No env plumbing here: seeding, step
 * counting and rewards live in `minigrid-env-base.ts`, the egocentric view in `minigrid-observation.ts`, drawing in
 * `minigrid-render.ts` and the optimal planner in `minigrid-planner.ts`.
 *
 * Facts taken from MiniGrid (`minigrid/core/constants.py`, `minigrid_env.py`, `grid.py`, `world_object.py`):
 * - Grid sizes include the outer walls. Coordinates (x, y): x = column, y = row, (0, 0) top-left.
 * - Directions: 0 right (+x), 1 down (+y), 2 left (-x), 3 up (-y).
 * - Actions (Discrete(7)): 0 turn left, 1 turn right, 2 forward, 3 pickup, 4 drop, 5 toggle, 6 done (no-op).
 * - Forward moves onto empty cells, the goal, floor, lava and open doors; stepping onto the goal or lava ends the
 *   episode (the env turns that into a reward).
 * - Pickup takes a key/ball/box in front when the hands are empty; drop puts the carried object on an empty cell
 *   in front; toggle opens/closes a door, and opens a locked door only while carrying a key of its colour.
 */
import type { Rgb } from "./options.js";

export const OBJECT_TO_IDX = {
  unseen: 0,
  empty: 1,
  wall: 2,
  floor: 3,
  door: 4,
  key: 5,
  ball: 6,
  box: 7,
  goal: 8,
  lava: 9,
  agent: 10,
} as const;

export const COLOR_TO_IDX = { red: 0, green: 1, blue: 2, purple: 3, yellow: 4, grey: 5 } as const;

export const STATE_TO_IDX = { open: 0, closed: 1, locked: 2 } as const;

/** MiniGrid's `COLORS`, indexed by `COLOR_TO_IDX`. */
export const COLOR_RGB: readonly Rgb[] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [112, 39, 195],
  [255, 255, 0],
  [100, 100, 100],
];

/** Direction index to (dx, dy). */
export const DIR_TO_VEC: readonly (readonly [number, number])[] = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
];

export const MINIGRID_ACTIONS = { left: 0, right: 1, forward: 2, pickup: 3, drop: 4, toggle: 5, done: 6 } as const;

const O = OBJECT_TO_IDX;

/** Can the agent walk onto this cell? (`None`, i.e. empty, counts as yes.) */
export function canOverlap(type: number, state: number): boolean {
  return type === O.empty || type === O.goal || type === O.floor || type === O.lava || (type === O.door && state === STATE_TO_IDX.open);
}

export function canPickup(type: number): boolean {
  return type === O.key || type === O.ball || type === O.box;
}

/** Does this object let the agent see the cells behind it? (Walls never, doors only when open.) */
export function seeBehind(type: number, state: number): boolean {
  if (type === O.wall) return false;
  if (type === O.door) return state === STATE_TO_IDX.open;
  return true;
}

export function objectName(idx: number): string {
  for (const [k, v] of Object.entries(OBJECT_TO_IDX)) if (v === idx) return k;
  return `unknown(${idx})`;
}

/** The world's full state: what the planner searches from, what `snapshot()` copies, what the view and renders read. */
export interface MiniGridSnapshot {
  width: number;
  height: number;
  /** Per cell (index y * width + x): object index, colour, state. */
  types: Uint8Array;
  colors: Uint8Array;
  states: Uint8Array;
  agentX: number;
  agentY: number;
  agentDir: number;
  /** 0 when carrying nothing. */
  carryType: number;
  carryColor: number;
}

/** What an action did that ends the episode: reached the goal, stepped into lava, or neither. */
export type MiniGridActionEnd = "goal" | "lava" | null;

/** MiniGrid's `Grid` plus the agent (pose and carried object), with the rules of one action. */
export class MiniGridWorld implements MiniGridSnapshot {
  readonly width: number;
  readonly height: number;
  /** Per cell (index y * width + x): object index, colour index, state (doors). Empty cells: (1, 0, 0). */
  readonly types: Uint8Array;
  readonly colors: Uint8Array;
  readonly states: Uint8Array;
  /** The agent's cell and direction; -1 before it is placed. */
  agentX = -1;
  agentY = -1;
  agentDir = -1;
  /** Carried object: type 0 = nothing. */
  carryType = 0;
  carryColor = 0;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    const n = width * height;
    this.types = new Uint8Array(n).fill(O.empty);
    this.colors = new Uint8Array(n);
    this.states = new Uint8Array(n);
  }

  /** Empty every cell, unplace the agent and empty its hands (before a new layout is generated). */
  clear(): void {
    this.types.fill(O.empty);
    this.colors.fill(0);
    this.states.fill(0);
    this.agentX = -1;
    this.agentY = -1;
    this.agentDir = -1;
    this.carryType = 0;
    this.carryColor = 0;
  }

  // ---- MiniGrid's Grid methods ----

  setCell(x: number, y: number, type: number, color = 0, state = 0): void {
    const i = y * this.width + x;
    this.types[i] = type;
    this.colors[i] = type === O.empty ? 0 : color;
    this.states[i] = type === O.empty ? 0 : state;
  }

  wall(x: number, y: number): void {
    this.setCell(x, y, O.wall, COLOR_TO_IDX.grey);
  }

  horzWall(x: number, y: number, length = this.width - x): void {
    for (let i = 0; i < length; i++) this.wall(x + i, y);
  }

  vertWall(x: number, y: number, length = this.height - y): void {
    for (let j = 0; j < length; j++) this.wall(x, y + j);
  }

  wallRect(x: number, y: number, w: number, h: number): void {
    this.horzWall(x, y, w);
    this.horzWall(x, y + h - 1, w);
    this.vertWall(x, y, h);
    this.vertWall(x + w - 1, y, h);
  }

  /** The object (type, colour, state) at (x, y); `[1, 0, 0]` for empty. */
  cellAt(x: number, y: number): [number, number, number] {
    const i = y * this.width + x;
    return [this.types[i]!, this.colors[i]!, this.states[i]!];
  }

  /** The carried object as (type, colour), or null. */
  carrying(): [number, number] | null {
    return this.carryType === 0 ? null : [this.carryType, this.carryColor];
  }

  /** A copy of the full state (layout, agent pose, carried object). */
  snapshot(): MiniGridSnapshot {
    return {
      width: this.width,
      height: this.height,
      types: this.types.slice(),
      colors: this.colors.slice(),
      states: this.states.slice(),
      agentX: this.agentX,
      agentY: this.agentY,
      agentDir: this.agentDir,
      carryType: this.carryType,
      carryColor: this.carryColor,
    };
  }

  // ---- the rules of one action (MiniGridEnv.step without the reward and the step count) ----

  /** Apply one action (0..6) to the world; says whether it reached the goal or stepped into lava. */
  applyAction(action: number): MiniGridActionEnd {
    const [dx, dy] = DIR_TO_VEC[this.agentDir]!;
    const fx = this.agentX + dx;
    const fy = this.agentY + dy;
    const fi = fy * this.width + fx;
    const ft = this.types[fi]!;
    const fs = this.states[fi]!;
    switch (action) {
      case MINIGRID_ACTIONS.left:
        this.agentDir = (this.agentDir + 3) % 4;
        break;
      case MINIGRID_ACTIONS.right:
        this.agentDir = (this.agentDir + 1) % 4;
        break;
      case MINIGRID_ACTIONS.forward:
        if (canOverlap(ft, fs)) {
          this.agentX = fx;
          this.agentY = fy;
        }
        if (ft === O.goal) return "goal";
        if (ft === O.lava) return "lava";
        break;
      case MINIGRID_ACTIONS.pickup:
        if (canPickup(ft) && this.carryType === 0) {
          this.carryType = ft;
          this.carryColor = this.colors[fi]!;
          this.setCell(fx, fy, O.empty);
        }
        break;
      case MINIGRID_ACTIONS.drop:
        if (ft === O.empty && this.carryType !== 0) {
          this.setCell(fx, fy, this.carryType, this.carryColor);
          this.carryType = 0;
          this.carryColor = 0;
        }
        break;
      case MINIGRID_ACTIONS.toggle:
        if (ft === O.door) {
          if (fs === STATE_TO_IDX.locked) {
            if (this.carryType === O.key && this.carryColor === this.colors[fi]) this.states[fi] = STATE_TO_IDX.open;
          } else {
            this.states[fi] = fs === STATE_TO_IDX.open ? STATE_TO_IDX.closed : STATE_TO_IDX.open;
          }
        }
        break;
      default: // done: no-op
        break;
    }
    return null;
  }
}
