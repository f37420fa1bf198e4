/**
 * Shortest-path solvers for `MazeGrid`s: A* with the Manhattan heuristic (what the STRL paper used) and plain
 * breadth-first search. Both return the optimal action sequence (0 left, 1 right, 2 up, 3 down) or `null` when
 * the goal cannot be reached. Typed arrays throughout; one 21x21 solve takes a few microseconds.
 */
import { type MazeGrid, OPEN, mazeEntrance, mazeExit } from "./maze-gen.js";

/** Maze actions: 0 left (x - 1), 1 right (x + 1), 2 up (y - 1), 3 down (y + 1). */
export const MAZE_ACTION_NAMES = ["left", "right", "up", "down"] as const;
export const MAZE_DX: readonly number[] = [-1, 1, 0, 0];
export const MAZE_DY: readonly number[] = [0, 0, -1, 1];

function checkCell(grid: MazeGrid, p: readonly [number, number], what: string): number {
  const [x, y] = p;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= grid.size || y >= grid.size) {
    throw new RangeError(`maze solver: ${what} (${x}, ${y}) is outside the ${grid.size}x${grid.size} grid`);
  }
  if (grid.cells[y * grid.size + x] !== OPEN) throw new RangeError(`maze solver: ${what} (${x}, ${y}) is a wall`);
  return y * grid.size + x;
}

/** Neighbour of cell `c` by action `a`, or -1 when outside the grid or a wall. */
function neighbour(grid: MazeGrid, c: number, a: number): number {
  const size = grid.size;
  const x = c % size;
  let n: number;
  switch (a) {
    case 0:
      if (x === 0) return -1;
      n = c - 1;
      break;
    case 1:
      if (x === size - 1) return -1;
      n = c + 1;
      break;
    case 2:
      if (c < size) return -1;
      n = c - size;
      break;
    default:
      if (c >= size * (size - 1)) return -1;
      n = c + size;
  }
  return grid.cells[n] === OPEN ? n : -1;
}

/** Walk the recorded incoming actions back from `goal` to `start`. */
function backtrack(grid: MazeGrid, via: Int8Array, start: number, goal: number): number[] {
  const out: number[] = [];
  let c = goal;
  while (c !== start) {
    const a = via[c]!;
    out.push(a);
    c -= MAZE_DX[a]! + MAZE_DY[a]! * grid.size;
  }
  return out.reverse();
}

/**
 * A* with the Manhattan heuristic (admissible and consistent on a 4-connected grid, so the result is optimal).
 * Ties on f are broken towards the smaller heuristic. Defaults: entrance to exit.
 */
export function solveMazeAStar(
  grid: MazeGrid,
  start: readonly [number, number] = mazeEntrance(grid.size),
  goal: readonly [number, number] = mazeExit(grid.size),
): number[] | null {
  const s = checkCell(grid, start, "start");
  const t = checkCell(grid, goal, "goal");
  if (s === t) return [];
  const size = grid.size;
  const n = size * size;
  const gx = goal[0];
  const gy = goal[1];
  const g = new Int32Array(n).fill(-1);
  const closed = new Uint8Array(n);
  const via = new Int8Array(n);
  // Binary min-heap keyed by (f, h), lazy deletion; each cell is pushed at most once per improvement.
  const cap = 4 * n + 1;
  const hf = new Int32Array(cap);
  const hh = new Int32Array(cap);
  const hc = new Int32Array(cap);
  let len = 0;
  const less = (i: number, j: number): boolean => hf[i]! < hf[j]! || (hf[i] === hf[j] && hh[i]! < hh[j]!);
  const swap = (i: number, j: number): void => {
    let t0 = hf[i]!;
    hf[i] = hf[j]!;
    hf[j] = t0;
    t0 = hh[i]!;
    hh[i] = hh[j]!;
    hh[j] = t0;
    t0 = hc[i]!;
    hc[i] = hc[j]!;
    hc[j] = t0;
  };
  const push = (f: number, h: number, c: number): void => {
    let i = len++;
    hf[i] = f;
    hh[i] = h;
    hc[i] = c;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const pop = (): number => {
    const c = hc[0]!;
    len--;
    if (len > 0) {
      hf[0] = hf[len]!;
      hh[0] = hh[len]!;
      hc[0] = hc[len]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= len) break;
        const r = l + 1;
        const m = r < len && less(r, l) ? r : l;
        if (!less(m, i)) break;
        swap(m, i);
        i = m;
      }
    }
    return c;
  };
  const hOf = (c: number): number => {
    const x = c % size;
    return Math.abs(x - gx) + Math.abs((c - x) / size - gy);
  };
  g[s] = 0;
  const h0 = hOf(s);
  push(h0, h0, s);
  while (len > 0) {
    const c = pop();
    if (closed[c]) continue;
    if (c === t) return backtrack(grid, via, s, t);
    closed[c] = 1;
    const gc = g[c]! + 1;
    for (let a = 0; a < 4; a++) {
      const m = neighbour(grid, c, a);
      if (m < 0 || closed[m]) continue;
      if (g[m] === -1 || gc < g[m]!) {
        g[m] = gc;
        via[m] = a;
        const h = hOf(m);
        push(gc + h, h, m);
      }
    }
  }
  return null;
}

/** Breadth-first search; actions tried in order 0..3. Defaults: entrance to exit. */
export function solveMazeBfs(
  grid: MazeGrid,
  start: readonly [number, number] = mazeEntrance(grid.size),
  goal: readonly [number, number] = mazeExit(grid.size),
): number[] | null {
  const s = checkCell(grid, start, "start");
  const t = checkCell(grid, goal, "goal");
  if (s === t) return [];
  const n = grid.size * grid.size;
  const seen = new Uint8Array(n);
  const via = new Int8Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  queue[tail++] = s;
  seen[s] = 1;
  while (head < tail) {
    const c = queue[head++]!;
    for (let a = 0; a < 4; a++) {
      const m = neighbour(grid, c, a);
      if (m < 0 || seen[m]) continue;
      seen[m] = 1;
      via[m] = a;
      if (m === t) return backtrack(grid, via, s, t);
      queue[tail++] = m;
    }
  }
  return null;
}

/**
 * Distance (in steps) from every cell to `goal` by BFS; -1 for walls and unreachable cells. The expert policies
 * use it: from any open cell, the optimal action is one whose neighbour is one step closer.
 */
export function mazeDistances(grid: MazeGrid, goal: readonly [number, number] = mazeExit(grid.size)): Int32Array {
  const t = checkCell(grid, goal, "goal");
  const n = grid.size * grid.size;
  const dist = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  queue[tail++] = t;
  dist[t] = 0;
  while (head < tail) {
    const c = queue[head++]!;
    const d = dist[c]! + 1;
    for (let a = 0; a < 4; a++) {
      const m = neighbour(grid, c, a);
      if (m < 0 || dist[m] !== -1) continue;
      dist[m] = d;
      queue[tail++] = m;
    }
  }
  return dist;
}

/**
 * The optimal action from (x, y) given a distance field from `mazeDistances`: the lowest-numbered action whose
 * neighbour is one step closer. Returns -1 at the goal, and throws when the goal is unreachable from (x, y).
 */
export function mazeBestAction(grid: MazeGrid, dist: Int32Array, x: number, y: number): number {
  const c = y * grid.size + x;
  const d = dist[c]!;
  if (d === 0) return -1;
  if (d < 0) throw new Error(`maze expert: the exit is unreachable from (${x}, ${y})`);
  for (let a = 0; a < 4; a++) {
    const m = neighbour(grid, c, a);
    if (m >= 0 && dist[m] === d - 1) return a;
  }
  throw new Error("maze expert: inconsistent distance field");
}
