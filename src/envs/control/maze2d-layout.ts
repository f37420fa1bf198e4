/**
 * D4RL maze2d layouts and their geometry, in D4RL's observation coordinates.
 *
 * A layout is D4RL's string: rows separated by a backslash, '#' wall, 'O' free, 'G' the goal (a free cell).
 * D4RL puts row r, column c of the layout at MuJoCo world position (r + 1, c + 1) (walls are boxes of half-size 0.5
 * there), so x follows the row index and y the column index. The ball's slide joints sit on a body placed at
 * world (1.2, 1.2), and the observation is the joint position (qpos), i.e. world - 1.2. Hence, in observation
 * coordinates, cell (r, c) covers x in [r - 0.7, r + 0.3] and y in [c - 0.7, c + 0.3], its geometric centre is
 * (r - 0.2, c - 0.2), and D4RL's goal and reset points (the integers (r, c)) sit 0.2 off the cell centres.
 */

/** maze2d-umaze: the goal 'G' at row 1, column 1 (D4RL's U_MAZE). */
export const U_MAZE = "#####\\#GOO#\\###O#\\#OOO#\\#####";

/** Offset between D4RL's world frame and its observation frame (the ball body's position). */
export const BODY_OFFSET = 1.2;

export interface WallBox {
  /** Extent in observation coordinates (not expanded by the ball radius). */
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

export interface MazeLayout {
  readonly spec: string;
  readonly rows: number;
  readonly cols: number;
  /** wall[r][c]: [rows][cols] */
  readonly wall: readonly (readonly boolean[])[];
  /** Goal cell [r, c]. */
  readonly goal: readonly [number, number];
  /** Free cells (including the goal), sorted by (r, c): D4RL's reset locations. */
  readonly freeCells: readonly (readonly [number, number])[];
  /** One box per wall cell, in observation coordinates. */
  readonly wallBoxes: readonly WallBox[];
}

/** Parses a D4RL maze string; throws a clear error for unknown tiles, ragged rows or a missing/duplicate goal. */
export function parseMaze(spec: string): MazeLayout {
  const lines = spec.trim().split("\\");
  const cols = lines[0]?.length ?? 0;
  if (lines.length < 3 || cols < 3) throw new RangeError(`parseMaze: maze must be at least 3x3, got ${JSON.stringify(spec)}`);
  const wall: boolean[][] = [];
  const free: [number, number][] = [];
  const goals: [number, number][] = [];
  const boxes: WallBox[] = [];
  const centre = 1 - BODY_OFFSET; // observation coordinate of cell 0's centre
  lines.forEach((line, r) => {
    if (line.length !== cols) throw new RangeError(`parseMaze: row ${r} has ${line.length} tiles, expected ${cols}: '${line}'`);
    const row: boolean[] = [];
    for (let c = 0; c < cols; c++) {
      const t = line[c]!;
      if (t === "#") {
        row.push(true);
        boxes.push({ xMin: r + centre - 0.5, xMax: r + centre + 0.5, yMin: c + centre - 0.5, yMax: c + centre + 0.5 });
      } else if (t === "O" || t === "0" || t === " " || t === "G") {
        row.push(false);
        free.push([r, c]);
        if (t === "G") goals.push([r, c]);
      } else {
        throw new RangeError(`parseMaze: unknown tile '${t}' at row ${r}, column ${c}`);
      }
    }
    wall.push(row);
  });
  if (goals.length !== 1) throw new RangeError(`parseMaze: expected exactly one goal 'G', found ${goals.length}`);
  return { spec, rows: lines.length, cols, wall, goal: goals[0]!, freeCells: free, wallBoxes: boxes };
}

/** The cell [r, c] containing observation point (x, y). */
export function cellOf(x: number, y: number): [number, number] {
  return [Math.floor(x + 0.5 + BODY_OFFSET - 1), Math.floor(y + 0.5 + BODY_OFFSET - 1)];
}

/** Geometric centre of cell (r, c) in observation coordinates. */
export function cellCentre(r: number, c: number): [number, number] {
  return [r + 1 - BODY_OFFSET, c + 1 - BODY_OFFSET];
}

export function isFree(layout: MazeLayout, r: number, c: number): boolean {
  return r >= 0 && r < layout.rows && c >= 0 && c < layout.cols && !layout.wall[r]![c]!;
}

/**
 * Shortest 4-connected path of free cells from `from` to `to` (both included), by breadth-first search with the
 * neighbour order +x, -x, +y, -y. Returns [] when `to` cannot be reached.
 */
export function bfsPath(layout: MazeLayout, from: readonly [number, number], to: readonly [number, number]): [number, number][] {
  if (!isFree(layout, from[0], from[1]) || !isFree(layout, to[0], to[1])) return [];
  const key = (r: number, c: number): number => r * layout.cols + c;
  const parent = new Map<number, number>([[key(from[0], from[1]), -1]]);
  const queue: [number, number][] = [[from[0], from[1]]];
  const steps: [number, number][] = [[1, 0], [-1, 0], [0, 1], [0, -1]];
  for (let head = 0; head < queue.length; head++) {
    const [r, c] = queue[head]!;
    if (r === to[0] && c === to[1]) break;
    for (const [dr, dc] of steps) {
      const nr = r + dr;
      const nc = c + dc;
      if (isFree(layout, nr, nc) && !parent.has(key(nr, nc))) {
        parent.set(key(nr, nc), key(r, c));
        queue.push([nr, nc]);
      }
    }
  }
  if (!parent.has(key(to[0], to[1]))) return [];
  const path: [number, number][] = [];
  for (let k = key(to[0], to[1]); k !== -1; k = parent.get(k)!) path.push([Math.floor(k / layout.cols), k % layout.cols]);
  return path.reverse();
}
