/**
 * Perfect-maze generation for the STRL maze task, usable without an environment.
 *
 * Conventions (shared by every maze function and env in this folder):
 * - A maze is a `size` x `size` grid stored row-major in a `Uint8Array`: `cells[y * size + x]`, where
 *   **x is the column** (0 = left) and **y is the row** (0 = top). `1` (`WALL`) is a wall, `0` (`OPEN`) is open.
 * - Cells with both coordinates odd are "rooms"; the cells between two rooms are walls unless carved.
 * - The entrance is (x, y) = (0, 1) on the left border and the exit is (size - 1, size - 2) on the right border;
 *   both are opened in the outer wall. For 21x21: entrance (0, 1), exit (20, 19).
 *
 * Generation is seeded recursive backtracking (depth-first search) run with an explicit stack (no recursion, so
 * large sizes cannot overflow the call stack), starting from the room (1, 1). Every room is visited once and one
 * wall is carved per newly visited room, so the open cells form a tree: exactly one path joins any two of them.
 */
import { Rng, assertSeed } from "../../tensor/rng.js";
import { bytesText } from "../../config/index.js";

export const WALL = 1;
export const OPEN = 0;

/** A square maze grid; see the module comment for the layout convention. */
export interface MazeGrid {
  readonly size: number;
  /** `size * size` cells, row-major: `cells[y * size + x]`, 1 = wall, 0 = open. */
  readonly cells: Uint8Array;
}

/** What `parseMaze` (and the envs' `maze` option) accept. */
export type MazeInput =
  | MazeGrid
  /** Rows of characters: '#' is a wall; '.', ' ', 'A', 'E', 'S', 'G' are open. One string with "\n" also works. */
  | string
  | readonly string[]
  /** Rows of numbers: 1 = wall, 0 = open. */
  | readonly (readonly number[])[];

/** The entrance cell (x, y) = (0, 1). */
export function mazeEntrance(_size?: number): [number, number] {
  return [0, 1];
}

/** The exit cell (x, y) = (size - 1, size - 2). */
export function mazeExit(size: number): [number, number] {
  return [size - 1, size - 2];
}

/** The largest maze side strl builds (a million cells; the maze, its distance map and the expert's plan fit easily). */
export const MAX_MAZE_SIZE = 1001;

/** Throws a clear error unless `size` is an odd integer in [5, MAX_MAZE_SIZE]. */
export function assertMazeSize(size: unknown, name = "maze size"): number {
  if (typeof size !== "number" || !Number.isInteger(size) || size < 5 || size % 2 === 0 || size > MAX_MAZE_SIZE) {
    // cells (1 byte) and the distance map (4 bytes) per square
    const need = typeof size === "number" && Number.isFinite(size) && size > MAX_MAZE_SIZE ? ` (a ${size}x${size} maze would take ${bytesText(5 * size * size)})` : "";
    throw new RangeError(`${name} must be an odd integer in [5, ${MAX_MAZE_SIZE}], got ${String(size)}${need}`);
  }
  return size;
}

/**
 * Carve a perfect maze with the given random stream (consumed in a fixed order, so the same stream state gives
 * the same maze). `size` must be odd and >= 5.
 */
export function carveMaze(rng: Rng, size = 21): MazeGrid {
  assertMazeSize(size);
  const cells = new Uint8Array(size * size).fill(WALL);
  const r = (size - 1) >> 1; // rooms per side
  const visited = new Uint8Array(r * r);
  const stack = new Int32Array(r * r);
  const nb = new Int32Array(4);
  // Room (rx, ry) sits at cell (2 rx + 1, 2 ry + 1).
  let sp = 0;
  stack[sp++] = 0;
  visited[0] = 1;
  cells[1 * size + 1] = OPEN;
  while (sp > 0) {
    const room = stack[sp - 1]!;
    const rx = room % r;
    const ry = (room - rx) / r;
    let k = 0;
    if (rx > 0 && visited[room - 1] === 0) nb[k++] = room - 1;
    if (rx < r - 1 && visited[room + 1] === 0) nb[k++] = room + 1;
    if (ry > 0 && visited[room - r] === 0) nb[k++] = room - r;
    if (ry < r - 1 && visited[room + r] === 0) nb[k++] = room + r;
    if (k === 0) {
      sp--;
      continue;
    }
    const next = nb[k === 1 ? 0 : rng.int(k)]!;
    const nx = next % r;
    const ny = (next - nx) / r;
    // Open the wall between the two rooms, then the new room itself.
    cells[(ry + ny + 1) * size + (rx + nx + 1)] = OPEN;
    cells[(2 * ny + 1) * size + (2 * nx + 1)] = OPEN;
    visited[next] = 1;
    stack[sp++] = next;
  }
  cells[1 * size + 0] = OPEN; // entrance (0, 1)
  cells[(size - 2) * size + (size - 1)] = OPEN; // exit (size - 1, size - 2)
  return { size, cells };
}

/** The maze for a seed: `carveMaze(new Rng(seed), size)`. Deterministic; ~10 µs for 21x21. */
export function generateMaze(seed: number, size = 21): MazeGrid {
  return carveMaze(new Rng(assertSeed(seed, "generateMaze: seed")), size);
}

/** Turn any accepted maze description into a validated `MazeGrid` (a copy; the input is not kept). */
export function parseMaze(input: MazeInput, name = "maze"): MazeGrid {
  let size: number;
  let cells: Uint8Array;
  if (typeof input === "object" && input !== null && !Array.isArray(input) && "cells" in input) {
    const g = input as MazeGrid;
    size = g.size;
    if (!Number.isInteger(size) || size < 3 || !g.cells || g.cells.length !== size * size) {
      throw new RangeError(`${name}: a MazeGrid needs an integer size >= 3 and size*size cells`);
    }
    cells = Uint8Array.from(g.cells);
    for (let i = 0; i < cells.length; i++) {
      if (cells[i] !== WALL && cells[i] !== OPEN) throw new RangeError(`${name}: cells must be 0 (open) or 1 (wall)`);
    }
  } else {
    const rows: readonly (string | readonly number[])[] =
      typeof input === "string" ? input.split("\n").filter((l) => l.length > 0) : (input as readonly (string | readonly number[])[]);
    if (!Array.isArray(rows)) throw new RangeError(`${name}: expected a MazeGrid, a string, string rows or number rows`);
    size = rows.length;
    if (size < 3) throw new RangeError(`${name}: needs at least 3 rows, got ${size}`);
    cells = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) {
      const row = rows[y]!;
      if (row.length !== size) {
        throw new RangeError(`${name}: must be square; row ${y} has length ${row.length}, expected ${size}`);
      }
      for (let x = 0; x < size; x++) {
        let v: number;
        if (typeof row === "string") {
          const ch = row[x]!;
          if (ch === "#") v = WALL;
          else if (". AESG".includes(ch)) v = OPEN;
          else throw new RangeError(`${name}: unknown character '${ch}' at (x=${x}, y=${y}); use '#' and '.'`);
        } else {
          v = row[x] as number;
          if (v !== WALL && v !== OPEN) throw new RangeError(`${name}: cell (x=${x}, y=${y}) must be 0 or 1, got ${String(v)}`);
        }
        cells[y * size + x] = v;
      }
    }
  }
  const [ex, ey] = mazeExit(size);
  if (cells[1 * size + 0] !== OPEN) throw new RangeError(`${name}: the entrance (x=0, y=1) must be open`);
  if (cells[ey * size + ex] !== OPEN) throw new RangeError(`${name}: the exit (x=${ex}, y=${ey}) must be open`);
  return { size, cells };
}

/** True when (x, y) is inside the grid and open. */
export function isOpen(grid: MazeGrid, x: number, y: number): boolean {
  return x >= 0 && y >= 0 && x < grid.size && y < grid.size && grid.cells[y * grid.size + x] === OPEN;
}

/** Number of open cells. */
export function countOpen(grid: MazeGrid): number {
  let n = 0;
  for (let i = 0; i < grid.cells.length; i++) if (grid.cells[i] === OPEN) n++;
  return n;
}

/** Number of unordered pairs of 4-adjacent open cells. */
export function countAdjacencies(grid: MazeGrid): number {
  const { size, cells } = grid;
  let n = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (cells[y * size + x] !== OPEN) continue;
      if (x + 1 < size && cells[y * size + x + 1] === OPEN) n++;
      if (y + 1 < size && cells[(y + 1) * size + x] === OPEN) n++;
    }
  }
  return n;
}

/** Number of open cells reachable from the entrance. */
export function countReachable(grid: MazeGrid, fromX = 0, fromY = 1): number {
  const { size, cells } = grid;
  if (!isOpen(grid, fromX, fromY)) return 0;
  const seen = new Uint8Array(size * size);
  const queue = new Int32Array(size * size);
  let head = 0;
  let tail = 0;
  queue[tail++] = fromY * size + fromX;
  seen[fromY * size + fromX] = 1;
  while (head < tail) {
    const c = queue[head++]!;
    const x = c % size;
    const y = (c - x) / size;
    const ns = [x > 0 ? c - 1 : -1, x < size - 1 ? c + 1 : -1, y > 0 ? c - size : -1, y < size - 1 ? c + size : -1];
    for (const n of ns) {
      if (n >= 0 && cells[n] === OPEN && seen[n] === 0) {
        seen[n] = 1;
        queue[tail++] = n;
      }
    }
  }
  return tail;
}

/** A perfect maze: every open cell reachable from the entrance and no cycles (open cells - 1 == adjacencies). */
export function isPerfectMaze(grid: MazeGrid): boolean {
  const open = countOpen(grid);
  return countReachable(grid) === open && countAdjacencies(grid) === open - 1;
}

/**
 * Text picture: '#' wall, '.' open, 'E' the exit, 'A' the agent (drawn over the exit when it stands there).
 * One line per row (y), x increasing to the right.
 */
export function mazeToString(grid: MazeGrid, agent?: readonly [number, number]): string {
  const { size, cells } = grid;
  const [ex, ey] = mazeExit(size);
  const lines: string[] = [];
  for (let y = 0; y < size; y++) {
    let line = "";
    for (let x = 0; x < size; x++) {
      if (agent && agent[0] === x && agent[1] === y) line += "A";
      else if (x === ex && y === ey) line += "E";
      else line += cells[y * size + x] === WALL ? "#" : ".";
    }
    lines.push(line);
  }
  return lines.join("\n");
}
