/**
 * Optimal (breadth-first) planning for the MiniGrid envs. The search state is the agent's pose (x, y, direction)
 * plus, when the layout has them, where the one pickable object is (a cell, or carried) and the state of the one
 * door (open / closed / locked). Transitions follow the MiniGrid rules of `minigrid-world.ts` exactly; every
 * action that changes the state is tried (0 left, 1 right, 2 forward, 3 pickup, 4 drop, 5 toggle, in that order),
 * so the first path found to the goal is a shortest one. Sizes: 8x8 DoorKey has 64 x 4 x 65 x 3 = 49,920 states,
 * solved in about a millisecond. `MiniGridExpert` plans once per layout and follows the plan, replanning when the
 * agent leaves it.
 */
import { MINIGRID_ACTIONS, type MiniGridSnapshot, OBJECT_TO_IDX, STATE_TO_IDX } from "./minigrid-world.js";

// Object indices and door states as plain constants for the search loop.
const { empty: EMPTY, wall: WALL, floor: FLOOR, door: DOOR, key: KEY, ball: BALL, box: BOX, goal: GOAL, lava: LAVA } = OBJECT_TO_IDX;
const { open: OPEN, closed: CLOSED, locked: LOCKED } = STATE_TO_IDX;
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];

export interface MiniGridPlan {
  /** The optimal actions, first to last. */
  actions: number[];
  /** The encoded state in which each action is taken (same length as `actions`). */
  states: number[];
}

export class MiniGridPlanner {
  readonly width: number;
  readonly height: number;
  /** Static layout: the pickable object removed, the door cell kept as DOOR (its state lives in the search state). */
  private readonly base: Uint8Array;
  private readonly hasObj: boolean;
  private readonly objType: number;
  private readonly objColor: number;
  private readonly doorCell: number;
  private readonly doorColor: number;
  /** Number of object locations (cells + "carried"), or 1 without an object. */
  private readonly K: number;
  /** Number of door states (3), or 1 without a door. */
  private readonly D: number;
  readonly numStates: number;
  private visitedVia: Int8Array | null = null;
  private parent: Int32Array | null = null;
  private queue: Int32Array | null = null;

  constructor(snap: MiniGridSnapshot) {
    const { width, height } = snap;
    this.width = width;
    this.height = height;
    const n = width * height;
    this.base = Uint8Array.from(snap.types);
    let objCell = -1;
    let objType = 0;
    let objColor = 0;
    let doorCell = -1;
    let doorColor = 0;
    for (let i = 0; i < n; i++) {
      const t = snap.types[i]!;
      if (t === KEY || t === BALL || t === BOX) {
        if (objCell >= 0 || snap.carryType !== 0) throw new Error("MiniGrid planner: supports at most one pickable object");
        if (t === BOX) throw new Error("MiniGrid planner: boxes (toggle opens them) are not supported");
        objCell = i;
        objType = t;
        objColor = snap.colors[i]!;
        this.base[i] = EMPTY;
      } else if (t === DOOR) {
        if (doorCell >= 0) throw new Error("MiniGrid planner: supports at most one door");
        doorCell = i;
        doorColor = snap.colors[i]!;
      }
    }
    if (snap.carryType !== 0) {
      objType = snap.carryType;
      objColor = snap.carryColor;
    }
    this.hasObj = objType !== 0;
    this.objType = objType;
    this.objColor = objColor;
    this.doorCell = doorCell;
    this.doorColor = doorColor;
    this.K = this.hasObj ? n + 1 : 1;
    this.D = doorCell >= 0 ? 3 : 1;
    this.numStates = n * 4 * this.K * this.D;
  }

  /** Encode a snapshot's dynamic state (which must share this planner's static layout). */
  encode(snap: MiniGridSnapshot): number {
    const n = this.width * this.height;
    const pos = snap.agentY * this.width + snap.agentX;
    let obj = 0;
    if (this.hasObj) {
      if (snap.carryType !== 0) obj = n;
      else {
        obj = -1;
        for (let i = 0; i < n; i++) {
          if (snap.types[i] === this.objType && snap.colors[i] === this.objColor) {
            obj = i;
            break;
          }
        }
        if (obj < 0) throw new Error("MiniGrid planner: the object is neither on the grid nor carried");
      }
    }
    const door = this.doorCell >= 0 ? snap.states[this.doorCell]! : 0;
    return ((pos * 4 + snap.agentDir) * this.K + obj) * this.D + door;
  }

  /** Decode to [x, y, dir, objectLocation (cell index, width*height = carried, 0 without object), doorState]. */
  decode(s: number): [number, number, number, number, number] {
    const door = s % this.D;
    let t = (s - door) / this.D;
    const obj = t % this.K;
    t = (t - obj) / this.K;
    const dir = t % 4;
    const pos = (t - dir) / 4;
    const x = pos % this.width;
    return [x, (pos - x) / this.width, dir, obj, door];
  }

  /**
   * The next encoded state after `action` from `s`: -2 when the step reaches the goal, -1 when the action leaves
   * the state unchanged or ends the episode without reward (lava).
   */
  next(s: number, action: number): number {
    const D = this.D;
    const K = this.K;
    const n = this.width * this.height;
    const door = s % D;
    let t = (s - door) / D;
    const obj = t % K;
    t = (t - obj) / K;
    const dir = t % 4;
    const pos = (t - dir) / 4;
    const x = pos % this.width;
    const y = (pos - x) / this.width;
    const enc = (p: number, d: number, o: number, ds: number): number => ((p * 4 + d) * K + o) * D + ds;
    if (action === 0) return enc(pos, (dir + 3) % 4, obj, door);
    if (action === 1) return enc(pos, (dir + 1) % 4, obj, door);
    const fx = x + DX[dir]!;
    const fy = y + DY[dir]!;
    if (fx < 0 || fy < 0 || fx >= this.width || fy >= this.height) return -1;
    const f = fy * this.width + fx;
    const objHere = this.hasObj && obj === f;
    const carrying = this.hasObj && obj === n;
    const ft = objHere ? this.objType : this.base[f]!;
    switch (action) {
      case 2: {
        if (ft === GOAL) return -2;
        if (ft === LAVA || ft === WALL || objHere) return -1;
        if (ft === DOOR) return door === OPEN ? enc(f, dir, obj, door) : -1;
        if (ft === EMPTY || ft === FLOOR) return enc(f, dir, obj, door);
        return -1;
      }
      case 3:
        return objHere && !carrying ? enc(pos, dir, n, door) : -1;
      case 4:
        return carrying && ft === EMPTY && f !== this.doorCell ? enc(pos, dir, f, door) : -1;
      case 5:
        if (f !== this.doorCell) return -1;
        if (door === LOCKED) return carrying && this.objType === KEY && this.objColor === this.doorColor ? enc(pos, dir, obj, OPEN) : -1;
        return enc(pos, dir, obj, door === OPEN ? CLOSED : OPEN);
      default:
        return -1;
    }
  }

  /** Shortest plan from encoded state `start` to the goal, or null when unreachable. */
  solve(start: number): MiniGridPlan | null {
    const N = this.numStates;
    if (!this.visitedVia) {
      this.visitedVia = new Int8Array(N);
      this.parent = new Int32Array(N);
      this.queue = new Int32Array(N);
    }
    const via = this.visitedVia;
    const parent = this.parent!;
    const queue = this.queue!;
    via.fill(-1);
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    via[start] = 7; // the root's marker (not an action)
    while (head < tail) {
      const s = queue[head++]!;
      for (let a = 0; a < 6; a++) {
        const m = this.next(s, a);
        if (m === -2) {
          const actions = [a];
          const states = [s];
          let c = s;
          while (c !== start) {
            actions.push(via[c]!);
            c = parent[c]!;
            states.push(c);
          }
          return { actions: actions.reverse(), states: states.reverse() };
        }
        if (m < 0 || via[m] !== -1) continue;
        via[m] = a;
        parent[m] = s;
        queue[tail++] = m;
      }
    }
    return null;
  }
}

/**
 * The optimal next action for one episode's world: plans with BFS on first use and reuses the plan while the agent
 * stays on it; replans when it leaves it (e.g. after a noisy action). Make a new one for each new layout.
 */
export class MiniGridExpert {
  private readonly world: MiniGridSnapshot;
  private planner: MiniGridPlanner | null = null;
  private plan: Map<number, number> | null = null;

  /** `world` is read live (not copied): the expert always plans from its current state. */
  constructor(world: MiniGridSnapshot) {
    this.world = world;
  }

  /** Optimal action sequence from the current state to the goal, or `null` when the goal cannot be reached. */
  solve(): number[] | null {
    const planner = this.getPlanner();
    const r = planner.solve(planner.encode(this.world));
    return r ? r.actions : null;
  }

  /** The optimal next action; 6 (done) on the goal; throws (naming `envId`) when the goal is unreachable. */
  nextAction(envId: string): number {
    const w = this.world;
    if (w.types[w.agentY * w.width + w.agentX] === GOAL) return MINIGRID_ACTIONS.done;
    const planner = this.getPlanner();
    const s = planner.encode(w);
    const cached = this.plan?.get(s);
    if (cached !== undefined) return cached;
    const r = planner.solve(s);
    if (!r) throw new Error(`${envId}: expert found no path to the goal from the current state`);
    this.plan = new Map();
    for (let i = 0; i < r.actions.length; i++) this.plan.set(r.states[i]!, r.actions[i]!);
    return r.actions[0]!;
  }

  private getPlanner(): MiniGridPlanner {
    if (!this.planner) this.planner = new MiniGridPlanner(this.world);
    return this.planner;
  }
}
