/**
 * A TypeScript port of the Farama MiniGrid rules (the parts the strl tasks use), shared by `MiniGrid-Empty-8x8-v0`,
 * `MiniGrid-FourRooms-v0` and `MiniGrid-DoorKey-8x8-v0`.
 *
 * Facts taken from MiniGrid (`minigrid/core/constants.py`, `minigrid_env.py`, `grid.py`, `world_object.py`):
 * - Grid sizes include the outer walls. Coordinates (x, y): x = column, y = row, (0, 0) top-left.
 * - Directions: 0 right (+x), 1 down (+y), 2 left (-x), 3 up (-y).
 * - Actions (Discrete(7)): 0 turn left, 1 turn right, 2 forward, 3 pickup, 4 drop, 5 toggle, 6 done (no-op).
 * - Forward moves onto empty cells, the goal, floor, lava and open doors; reaching the goal terminates with
 *   reward `1 - 0.9 * (step_count / max_steps)` (step_count counts this step), otherwise the reward is 0.
 * - Pickup takes a key/ball/box in front when the hands are empty; drop puts the carried object on an empty cell
 *   in front; toggle opens/closes a door, and opens a locked door only while carrying a key of its colour.
 * - Truncation at `max_steps`.
 * - Egocentric view: 7x7 cells in front of the agent (agent at the bottom-centre, facing up), each cell encoded as
 *   (OBJECT_TO_IDX, COLOR_TO_IDX, state) with door state 0 open / 1 closed / 2 locked; occlusion by walls and
 *   closed doors unless the env sees through walls (Empty does: MiniGrid sets `see_through_walls=True` there).
 *
 * Random layouts use the env's seeded `Rng` with the same draws in the same order as MiniGrid's `_gen_grid`
 * (rejection sampling for placements), so the *distributions* match MiniGrid; the layout for a given seed differs
 * from the Python package's (a different generator).
 *
 * Observations (option `observation`):
 * - "xyd" (default): `[x, y, direction]` (the STRL paper's low-dimensional state).
 * - "xy": `[x, y]` (what the paper fed its model).
 * - "image": MiniGrid's `obs["image"]` (7x7x3) flattened to 147 numbers in NumPy C order of its (x, y, channel)
 *   layout, i.e. `image.flatten()`: index `(vx * 7 + vy) * 3 + channel`, where vx is the view column and vy the
 *   view row (the agent is at vx = 3, vy = 6, facing up, i.e. towards vy = 0).
 */
import { type Action, BaseEnv, type BoxSpace, type DiscreteSpace, type ResetResult, type RgbFrame, type StepResult, box, discrete } from "../core.js";
import { type Rgb, checkOptionKeys, fillAgentTriangle, fillRect, intOption, newFrame } from "./options.js";
import { MiniGridPlanner, type MiniGridSnapshot } from "./minigrid-planner.js";

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

export type MiniGridObservationMode = "xyd" | "xy" | "image";

export interface MiniGridOptions {
  /** "xyd" (default) `[x, y, dir]`, "xy" `[x, y]`, or "image" (the 147-number egocentric view). */
  observation?: MiniGridObservationMode;
  /** Truncation limit (default: the MiniGrid env's `max_steps`). */
  maxSteps?: number;
}

const O = OBJECT_TO_IDX;
const VIEW = 7;

/** Can the agent walk onto this cell? (`None`, i.e. empty, counts as yes.) */
export function canOverlap(type: number, state: number): boolean {
  return type === O.empty || type === O.goal || type === O.floor || type === O.lava || (type === O.door && state === STATE_TO_IDX.open);
}

export function canPickup(type: number): boolean {
  return type === O.key || type === O.ball || type === O.box;
}

function seeBehind(type: number, state: number): boolean {
  if (type === O.wall) return false;
  if (type === O.door) return state === STATE_TO_IDX.open;
  return true;
}

export abstract class MiniGridEnvBase extends BaseEnv {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = discrete(7);
  readonly maxEpisodeSteps: number;
  readonly width: number;
  readonly height: number;
  readonly observationMode: MiniGridObservationMode;
  /** MiniGrid's `see_through_walls` (no occlusion in the image observation). */
  protected readonly seeThroughWalls: boolean;
  /** Per cell (index y * width + x): object index, colour index, state (doors). Empty cells: (1, 0, 0). */
  protected types: Uint8Array;
  protected colors: Uint8Array;
  protected states: Uint8Array;
  protected agentX = -1;
  protected agentY = -1;
  protected agentDir = -1;
  /** Carried object: type 0 = nothing. */
  protected carryType = 0;
  protected carryColor = 0;
  private planner: MiniGridPlanner | null = null;
  private plan: Map<number, number> | null = null;

  protected constructor(
    id: string,
    width: number,
    height: number,
    defaultMaxSteps: number,
    seeThroughWalls: boolean,
    options: MiniGridOptions & Record<string, unknown>,
    extraKeys: readonly string[] = [],
  ) {
    super();
    this.id = id;
    checkOptionKeys(id, options, ["observation", "maxSteps", ...extraKeys]);
    const mode = options.observation ?? "xyd";
    if (mode !== "xyd" && mode !== "xy" && mode !== "image") {
      throw new RangeError(`${id}: option 'observation' must be "xyd", "xy" or "image", got ${JSON.stringify(options.observation)}`);
    }
    this.observationMode = mode;
    this.width = width;
    this.height = height;
    this.maxEpisodeSteps = intOption(id, "maxSteps", options.maxSteps) ?? defaultMaxSteps;
    this.seeThroughWalls = seeThroughWalls;
    const n = width * height;
    this.types = new Uint8Array(n).fill(O.empty);
    this.colors = new Uint8Array(n);
    this.states = new Uint8Array(n);
    if (mode === "xyd") this.observationSpace = box([0, 0, 0], [width - 1, height - 1, 3]);
    else if (mode === "xy") this.observationSpace = box([0, 0], [width - 1, height - 1]);
    else {
      const high: number[] = [];
      for (let i = 0; i < VIEW * VIEW; i++) high.push(10, 5, 2);
      this.observationSpace = box(0, high, [VIEW, VIEW, 3]);
    }
  }

  /** Build the layout for a new episode (walls, objects, agent pose) using `this.rng`. */
  protected abstract genGrid(): void;

  // ---- grid helpers (MiniGrid's Grid / MiniGridEnv methods) ----

  protected setCell(x: number, y: number, type: number, color = 0, state = 0): void {
    const i = y * this.width + x;
    this.types[i] = type;
    this.colors[i] = type === O.empty ? 0 : color;
    this.states[i] = type === O.empty ? 0 : state;
  }

  protected wall(x: number, y: number): void {
    this.setCell(x, y, O.wall, COLOR_TO_IDX.grey);
  }

  protected horzWall(x: number, y: number, length = this.width - x): void {
    for (let i = 0; i < length; i++) this.wall(x + i, y);
  }

  protected vertWall(x: number, y: number, length = this.height - y): void {
    for (let j = 0; j < length; j++) this.wall(x, y + j);
  }

  protected wallRect(x: number, y: number, w: number, h: number): void {
    this.horzWall(x, y, w);
    this.horzWall(x, y + h - 1, w);
    this.vertWall(x, y, h);
    this.vertWall(x + w - 1, y, h);
  }

  /** Uniform integer in [low, high) (MiniGrid's `_rand_int`). */
  protected randInt(low: number, high: number): number {
    return low + this.rng.int(high - low);
  }

  /** MiniGrid's `place_obj`: rejection-sample an empty cell (not the agent's) in the rectangle; `type` 0 = none. */
  protected placeObj(type: number, color: number, state: number, top: [number, number] = [0, 0], size?: [number, number]): [number, number] {
    const t0 = Math.max(top[0], 0);
    const t1 = Math.max(top[1], 0);
    const s = size ?? [this.width, this.height];
    for (;;) {
      const x = this.randInt(t0, Math.min(t0 + s[0], this.width));
      const y = this.randInt(t1, Math.min(t1 + s[1], this.height));
      if (this.types[y * this.width + x] !== O.empty) continue;
      if (x === this.agentX && y === this.agentY) continue;
      if (type !== 0) this.setCell(x, y, type, color, state);
      return [x, y];
    }
  }

  /** MiniGrid's `place_agent` (random direction). */
  protected placeAgent(top?: [number, number], size?: [number, number]): void {
    this.agentX = -1;
    this.agentY = -1;
    const [x, y] = this.placeObj(0, 0, 0, top, size);
    this.agentX = x;
    this.agentY = y;
    this.agentDir = this.randInt(0, 4);
  }

  // ---- Env API ----

  protected resetState(initialState: number[] | undefined, _options: Record<string, unknown>): ResetResult {
    this.types.fill(O.empty);
    this.colors.fill(0);
    this.states.fill(0);
    this.agentX = -1;
    this.agentY = -1;
    this.agentDir = -1;
    this.genGrid();
    this.carryType = 0;
    this.carryColor = 0;
    this.planner = null;
    this.plan = null;
    if (initialState !== undefined) {
      if (initialState.length !== 3 || !initialState.every(Number.isInteger)) {
        throw new RangeError(`${this.id}.reset: initialState must be [x, y, direction] (three integers), got ${JSON.stringify(initialState)}`);
      }
      const [x, y, d] = initialState as [number, number, number];
      if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
        throw new RangeError(`${this.id}.reset: initialState (x=${x}, y=${y}) is outside the ${this.width}x${this.height} grid`);
      }
      if (d < 0 || d > 3) throw new RangeError(`${this.id}.reset: initialState direction must be 0..3 (right, down, left, up), got ${d}`);
      const t = this.types[y * this.width + x]!;
      if (t !== O.empty) {
        throw new RangeError(`${this.id}.reset: initialState (x=${x}, y=${y}) is not an empty cell (it holds object ${t}: ${objectName(t)})`);
      }
      this.agentX = x;
      this.agentY = y;
      this.agentDir = d;
    }
    return { observation: this.observe(), info: {} };
  }

  protected stepState(action: Action): StepResult {
    const a = action as number;
    const [dx, dy] = DIR_TO_VEC[this.agentDir]!;
    const fx = this.agentX + dx;
    const fy = this.agentY + dy;
    const fi = fy * this.width + fx;
    const ft = this.types[fi]!;
    const fs = this.states[fi]!;
    let reward = 0;
    let terminated = false;
    switch (a) {
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
        if (ft === O.goal) {
          terminated = true;
          reward = 1 - 0.9 * ((this.elapsedSteps + 1) / this.maxEpisodeSteps);
        } else if (ft === O.lava) {
          terminated = true;
        }
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
    return { observation: this.observe(), reward, terminated, truncated: false, info: terminated && reward > 0 ? { isSuccess: true } : {} };
  }

  protected observe(): number[] {
    if (this.observationMode === "xyd") return [this.agentX, this.agentY, this.agentDir];
    if (this.observationMode === "xy") return [this.agentX, this.agentY];
    return this.imageObservation();
  }

  /** `[x, y, direction]` (what `options.initialState` accepts). */
  getState(): number[] {
    return [this.agentX, this.agentY, this.agentDir];
  }

  /** A copy of the full internal state (layout, agent pose, carried object) for solvers and tests. */
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

  /** The object (type, colour, state) at (x, y); `[1, 0, 0]` for empty. */
  cellAt(x: number, y: number): [number, number, number] {
    const i = y * this.width + x;
    return [this.types[i]!, this.colors[i]!, this.states[i]!];
  }

  /** The carried object as (type, colour), or null. */
  carrying(): [number, number] | null {
    return this.carryType === 0 ? null : [this.carryType, this.carryColor];
  }

  /**
   * Optimal action sequence from the current state to the goal (BFS over agent pose, carried/dropped object and
   * door state), or `null` when the goal cannot be reached.
   */
  solve(): number[] | null {
    const planner = this.getPlanner();
    const r = planner.solve(planner.encode(this.snapshotView()));
    return r ? r.actions : null;
  }

  /**
   * The optimal next action from the current state. Plans once with BFS and reuses the plan while the agent stays
   * on it; replans when it leaves it (e.g. after a noisy action). Returns 6 (done) when the agent already stands
   * on the goal; throws when the goal is unreachable.
   */
  expertAction(): number {
    const gi = this.agentY * this.width + this.agentX;
    if (this.types[gi] === O.goal) return MINIGRID_ACTIONS.done;
    const planner = this.getPlanner();
    const s = planner.encode(this.snapshotView());
    const cached = this.plan?.get(s);
    if (cached !== undefined) return cached;
    const r = planner.solve(s);
    if (!r) throw new Error(`${this.id}: expert found no path to the goal from the current state`);
    this.plan = new Map();
    for (let i = 0; i < r.actions.length; i++) this.plan.set(r.states[i]!, r.actions[i]!);
    return r.actions[0]!;
  }

  private getPlanner(): MiniGridPlanner {
    if (!this.planner) this.planner = new MiniGridPlanner(this.snapshotView());
    return this.planner;
  }

  /** The live arrays (no copies), for the planner. */
  private snapshotView(): MiniGridSnapshot {
    return {
      width: this.width,
      height: this.height,
      types: this.types,
      colors: this.colors,
      states: this.states,
      agentX: this.agentX,
      agentY: this.agentY,
      agentDir: this.agentDir,
      carryType: this.carryType,
      carryColor: this.carryColor,
    };
  }

  /** MiniGrid's `gen_obs()["image"]`, flattened (see the module comment). */
  imageObservation(): number[] {
    const vs = VIEW;
    const half = vs >> 1;
    const ax = this.agentX;
    const ay = this.agentY;
    let topX: number;
    let topY: number;
    switch (this.agentDir) {
      case 0:
        topX = ax;
        topY = ay - half;
        break;
      case 1:
        topX = ax - half;
        topY = ay;
        break;
      case 2:
        topX = ax - vs + 1;
        topY = ay - half;
        break;
      default:
        topX = ax - half;
        topY = ay - vs + 1;
    }
    // Grid.slice: view cell (i, j) at index j * vs + i; outside the world reads as a (grey) wall.
    let t = new Uint8Array(vs * vs);
    let c = new Uint8Array(vs * vs);
    let s = new Uint8Array(vs * vs);
    for (let j = 0; j < vs; j++) {
      for (let i = 0; i < vs; i++) {
        const x = topX + i;
        const y = topY + j;
        const k = j * vs + i;
        if (x >= 0 && y >= 0 && x < this.width && y < this.height) {
          const w = y * this.width + x;
          t[k] = this.types[w]!;
          c[k] = this.colors[w]!;
          s[k] = this.states[w]!;
        } else {
          t[k] = O.wall;
          c[k] = COLOR_TO_IDX.grey;
          s[k] = 0;
        }
      }
    }
    // Grid.rotate_left, agent_dir + 1 times: new(j, vs - 1 - i) = old(i, j).
    for (let r = 0; r <= this.agentDir; r++) {
      const t2 = new Uint8Array(vs * vs);
      const c2 = new Uint8Array(vs * vs);
      const s2 = new Uint8Array(vs * vs);
      for (let i = 0; i < vs; i++) {
        for (let j = 0; j < vs; j++) {
          const from = j * vs + i;
          const to = (vs - 1 - i) * vs + j;
          t2[to] = t[from]!;
          c2[to] = c[from]!;
          s2[to] = s[from]!;
        }
      }
      t = t2;
      c = c2;
      s = s2;
    }
    // Grid.process_vis from the agent at (vs // 2, vs - 1).
    const mask = new Uint8Array(vs * vs);
    if (this.seeThroughWalls) {
      mask.fill(1);
    } else {
      mask[(vs - 1) * vs + half] = 1;
      const opaque = (i: number, j: number): boolean => {
        const k = j * vs + i;
        return t[k] !== O.empty && !seeBehind(t[k]!, s[k]!);
      };
      for (let j = vs - 1; j >= 0; j--) {
        for (let i = 0; i < vs - 1; i++) {
          if (!mask[j * vs + i] || opaque(i, j)) continue;
          mask[j * vs + i + 1] = 1;
          if (j > 0) {
            mask[(j - 1) * vs + i + 1] = 1;
            mask[(j - 1) * vs + i] = 1;
          }
        }
        for (let i = vs - 1; i >= 1; i--) {
          if (!mask[j * vs + i] || opaque(i, j)) continue;
          mask[j * vs + i - 1] = 1;
          if (j > 0) {
            mask[(j - 1) * vs + i - 1] = 1;
            mask[(j - 1) * vs + i] = 1;
          }
        }
      }
      for (let k = 0; k < vs * vs; k++) {
        if (!mask[k]) {
          t[k] = O.empty;
          c[k] = 0;
          s[k] = 0;
        }
      }
    }
    // The agent's own cell shows what it carries (or nothing).
    const ak = (vs - 1) * vs + half;
    t[ak] = this.carryType === 0 ? O.empty : this.carryType;
    c[ak] = this.carryType === 0 ? 0 : this.carryColor;
    s[ak] = 0;
    // Grid.encode, laid out as a (x, y, 3) array flattened in C order.
    const out = new Array<number>(vs * vs * 3);
    for (let i = 0; i < vs; i++) {
      for (let j = 0; j < vs; j++) {
        const k = j * vs + i;
        const o = (i * vs + j) * 3;
        if (!mask[k]) {
          out[o] = 0;
          out[o + 1] = 0;
          out[o + 2] = 0;
        } else if (t[k] === O.empty) {
          out[o] = O.empty;
          out[o + 1] = 0;
          out[o + 2] = 0;
        } else {
          out[o] = t[k]!;
          out[o + 1] = c[k]!;
          out[o + 2] = t[k] === O.door ? s[k]! : 0;
        }
      }
    }
    return out;
  }

  /**
   * One character per cell, one line per row: '#' wall, '.' empty, 'G' goal, 'K' key, 'B' ball, 'X' box,
   * 'L' locked door, 'D' closed door, '_' open door, 'F' floor, 'V' lava; the agent as '>', 'v', '<', '^'.
   */
  render(): string {
    const lines: string[] = [];
    for (let y = 0; y < this.height; y++) {
      let line = "";
      for (let x = 0; x < this.width; x++) {
        if (x === this.agentX && y === this.agentY) {
          line += ">v<^"[this.agentDir] ?? "?";
          continue;
        }
        const i = y * this.width + x;
        const t = this.types[i]!;
        if (t === O.door) line += this.states[i] === STATE_TO_IDX.open ? "_" : this.states[i] === STATE_TO_IDX.locked ? "L" : "D";
        else line += CELL_CHARS[t] ?? "?";
      }
      lines.push(line);
    }
    return lines.join("\n");
  }

  /** RGB frame, `tilePx` pixels per cell, in MiniGrid's colours (agent: red triangle pointing its way). */
  renderRgb(tilePx = 8): RgbFrame {
    const f = newFrame(this.width * tilePx, this.height * tilePx);
    const p = tilePx;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const i = y * this.width + x;
        const t = this.types[i]!;
        const col = COLOR_RGB[this.colors[i]!]!;
        const x0 = x * p;
        const y0 = y * p;
        if (t === O.wall || t === O.goal) fillRect(f, x0, y0, x0 + p, y0 + p, col);
        else if (t === O.door) {
          const st = this.states[i]!;
          if (st === STATE_TO_IDX.open) fillRect(f, x0 + p - Math.max(1, p >> 3), y0, x0 + p, y0 + p, col);
          else {
            fillRect(f, x0, y0, x0 + p, y0 + p, col);
            const m = Math.max(1, p >> 3);
            const inner: Rgb = st === STATE_TO_IDX.locked ? [Math.round(col[0] * 0.45), Math.round(col[1] * 0.45), Math.round(col[2] * 0.45)] : [0, 0, 0];
            fillRect(f, x0 + m, y0 + m, x0 + p - m, y0 + p - m, inner);
          }
        } else if (t === O.key || t === O.ball || t === O.box) {
          const m = Math.max(1, Math.floor(p / 4));
          fillRect(f, x0 + m, y0 + m, x0 + p - m, y0 + p - m, col);
        } else if (t === O.lava) fillRect(f, x0, y0, x0 + p, y0 + p, [255, 128, 0]);
        else if (t === O.floor) fillRect(f, x0 + 1, y0 + 1, x0 + p, y0 + p, [col[0] >> 1, col[1] >> 1, col[2] >> 1]);
        // Grid lines (top and left edges), as MiniGrid draws them.
        if (t !== O.wall) {
          fillRect(f, x0, y0, x0 + p, y0 + 1, [100, 100, 100]);
          fillRect(f, x0, y0, x0 + 1, y0 + p, [100, 100, 100]);
        }
      }
    }
    if (this.agentX >= 0) fillAgentTriangle(f, this.agentX * p, this.agentY * p, p, this.agentDir, [255, 0, 0]);
    return f;
  }
}

const CELL_CHARS: Record<number, string> = {
  [O.empty]: ".",
  [O.wall]: "#",
  [O.floor]: "F",
  [O.key]: "K",
  [O.ball]: "B",
  [O.box]: "X",
  [O.goal]: "G",
  [O.lava]: "V",
};

export function objectName(idx: number): string {
  for (const [k, v] of Object.entries(OBJECT_TO_IDX)) if (v === idx) return k;
  return `unknown(${idx})`;
}
