/**
 * The STRL maze environments.
 *
 * `Maze-v0`: a perfect maze, 21x21 unless the option `size` says otherwise (see `maze-gen.ts`); the agent starts at
 * the entrance (x, y) = (0, 1) and must reach the exit (size - 1, size - 2), (20, 19) for 21x21.
 * Observation: `[x, y]`, **x = column (0 = left), y = row (0 = top)**.
 * Actions (Discrete(4)): 0 left (x - 1), 1 right (x + 1), 2 up (y - 1), 3 down (y + 1). A move into a wall or out
 * of the grid leaves the agent in place. Reward: -0.1 every step, plus 1.0 on the step that reaches the exit
 * (so +0.9 on that step), which terminates the episode. Truncation after `maxSteps` steps (default 4 x the number
 * of open cells: 4 x 201 = 804 for a 21x21 perfect maze).
 *
 * `MazeLocal-v0`: the same mazes and dynamics; the observation adds what the agent can sense around it:
 * `[x, y, left, right, up, down]` wall bits (1 = blocked by a wall or the border), or with `view: "3x3"`
 * `[x, y, b0..b8]`, the 3x3 neighbourhood row by row from (x - 1, y - 1) to (x + 1, y + 1) (1 = wall or outside;
 * the centre b4 is always 0). The local view is what lets a policy navigate mazes it has never seen.
 *
 * Options (to `make(id, options)`; `mazeSeed` and `maze` may also be given per episode in `reset({ options })`):
 * - `size`: odd integer in [5, 1001] (default 21). Entrance (0, 1), exit (size - 1, size - 2).
 * - `mazeSeed`: which maze (`generateMaze(mazeSeed, size)`). **Default: each reset draws a fresh maze seed from
 *   the env's Rng**, so `reset({ seed })` with a new seed gives a new maze, the same seed gives the same maze, and a
 *   `reset()` without a seed continues the stream (the next episode gets the next maze). The seed in use is
 *   reported as `info.mazeSeed` by `reset`. Give `mazeSeed` to keep one maze for every episode.
 * - `maze`: a given grid (any `MazeInput`: '#'/'.' rows, 0/1 rows or a `MazeGrid`); overrides `size`/`mazeSeed`.
 * - `maxSteps`: the truncation limit.
 * The older ids `Maze-21x21-v0` / `MazeLocal-21x21-v0` still make 21x21 mazes, and only those (`../aliases.ts`).
 * - `initialState` (reset option): `[x, y]` of the agent; must be an open cell other than the exit.
 */
import { assertSeed } from "../../tensor/rng.js";
import { type Action, BaseEnv, type BoxSpace, type DiscreteSpace, type ResetResult, type RgbFrame, type StepResult, box, discrete } from "../core.js";
import {
  type MazeGrid,
  type MazeInput,
  OPEN,
  assertMazeSize,
  countOpen,
  generateMaze,
  mazeEntrance,
  mazeExit,
  mazeToString,
  parseMaze,
} from "./maze-gen.js";
import { MAZE_DX, MAZE_DY, mazeBestAction, mazeDistances, solveMazeAStar } from "./maze-solve.js";
import { checkOptionKeys, fillRect, intOption, newFrame } from "./options.js";

export const MAZE_STEP_REWARD = -0.1;
export const MAZE_EXIT_BONUS = 1.0;

export interface MazeOptions {
  /** Odd integer >= 5 (default 21). */
  size?: number;
  /** Fixed maze seed; default: a new maze per reset, drawn from the env's Rng. */
  mazeSeed?: number;
  /** A given maze grid (overrides `size` and `mazeSeed`). */
  maze?: MazeInput;
  /** Truncation limit (default 4 x open cells). */
  maxSteps?: number;
}

const MAZE_OPTION_KEYS = ["size", "mazeSeed", "maze", "maxSteps"] as const;

export class MazeEnv extends BaseEnv {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = discrete(4);
  readonly size: number;
  protected readonly fixedMaze: MazeGrid | undefined;
  protected readonly fixedMazeSeed: number | undefined;
  protected readonly maxStepsOption: number | undefined;
  protected grid: MazeGrid;
  protected gridSeed: number | undefined;
  protected maxSteps: number;
  protected x = 0;
  protected y = 1;
  protected exitX: number;
  protected exitY: number;
  private dist: Int32Array | null = null;

  constructor(options: MazeOptions = {}, id = "Maze-v0", extraKeys: readonly string[] = []) {
    super();
    this.id = id;
    checkOptionKeys(id, options as Record<string, unknown>, [...MAZE_OPTION_KEYS, ...extraKeys]);
    if (options.maze !== undefined) {
      this.fixedMaze = parseMaze(options.maze, `${id}: option 'maze'`);
      this.size = this.fixedMaze.size;
      if (options.size !== undefined && options.size !== this.size) {
        throw new RangeError(`${id}: option 'size' (${options.size}) disagrees with the given maze (${this.size}x${this.size})`);
      }
    } else {
      this.size = assertMazeSize(options.size ?? 21, `${id}: option 'size'`);
    }
    if (options.mazeSeed !== undefined) this.fixedMazeSeed = assertSeed(options.mazeSeed, `${id}: option 'mazeSeed'`);
    this.maxStepsOption = intOption(id, "maxSteps", options.maxSteps);
    // Until the first reset: the maze of seed 0 (or the given one), so render()/getState() work.
    this.grid = this.fixedMaze ?? generateMaze(this.fixedMazeSeed ?? 0, this.size);
    this.gridSeed = this.fixedMaze ? undefined : (this.fixedMazeSeed ?? 0);
    [this.exitX, this.exitY] = mazeExit(this.size);
    this.maxSteps = this.maxStepsOption ?? 4 * countOpen(this.grid);
    this.observationSpace = this.makeObservationSpace();
  }

  get maxEpisodeSteps(): number {
    return this.maxSteps;
  }

  protected makeObservationSpace(): BoxSpace {
    return box([0, 0], [this.size - 1, this.size - 1]);
  }

  protected observe(): number[] {
    return [this.x, this.y];
  }

  protected resetState(initialState: number[] | undefined, options: Record<string, unknown>): ResetResult {
    const perEpisodeMaze = options.maze as MazeInput | undefined;
    const perEpisodeSeed = options.mazeSeed;
    if (perEpisodeMaze !== undefined) {
      const g = parseMaze(perEpisodeMaze, `${this.id}.reset: options.maze`);
      if (g.size !== this.size) throw new RangeError(`${this.id}.reset: options.maze must be ${this.size}x${this.size}, got ${g.size}x${g.size}`);
      this.setGrid(g, undefined);
    } else if (perEpisodeSeed !== undefined) {
      this.useSeed(assertSeed(perEpisodeSeed, `${this.id}.reset: options.mazeSeed`));
    } else if (this.fixedMaze) {
      this.setGrid(this.fixedMaze, undefined);
    } else if (this.fixedMazeSeed !== undefined) {
      this.useSeed(this.fixedMazeSeed);
    } else {
      this.useSeed(this.rng.nextU32());
    }
    if (initialState !== undefined) {
      if (initialState.length !== 2 || !initialState.every(Number.isInteger)) {
        throw new RangeError(`${this.id}.reset: initialState must be [x, y] (two integers), got ${JSON.stringify(initialState)}`);
      }
      const [x, y] = initialState as [number, number];
      if (x < 0 || y < 0 || x >= this.size || y >= this.size) {
        throw new RangeError(`${this.id}.reset: initialState (x=${x}, y=${y}) is outside the ${this.size}x${this.size} maze`);
      }
      if (this.grid.cells[y * this.size + x] !== OPEN) {
        throw new RangeError(`${this.id}.reset: initialState (x=${x}, y=${y}) is a wall, not an open cell`);
      }
      if (x === this.exitX && y === this.exitY) throw new RangeError(`${this.id}.reset: initialState (x=${x}, y=${y}) is the exit`);
      this.x = x;
      this.y = y;
    } else {
      [this.x, this.y] = mazeEntrance(this.size);
    }
    const info: Record<string, unknown> = {};
    if (this.gridSeed !== undefined) info.mazeSeed = this.gridSeed;
    return { observation: this.observe(), info };
  }

  private useSeed(seed: number): void {
    if (this.gridSeed === seed && !this.fixedMaze) return; // same maze as now: keep it (and the expert cache)
    this.setGrid(generateMaze(seed, this.size), seed);
  }

  private setGrid(g: MazeGrid, seed: number | undefined): void {
    if (g !== this.grid) this.dist = null;
    this.grid = g;
    this.gridSeed = seed;
    this.maxSteps = this.maxStepsOption ?? 4 * countOpen(g);
  }

  protected stepState(action: Action): StepResult {
    const a = action as number;
    const nx = this.x + MAZE_DX[a]!;
    const ny = this.y + MAZE_DY[a]!;
    if (nx >= 0 && ny >= 0 && nx < this.size && ny < this.size && this.grid.cells[ny * this.size + nx] === OPEN) {
      this.x = nx;
      this.y = ny;
    }
    const atExit = this.x === this.exitX && this.y === this.exitY;
    const reward = atExit ? MAZE_STEP_REWARD + MAZE_EXIT_BONUS : MAZE_STEP_REWARD;
    return { observation: this.observe(), reward, terminated: atExit, truncated: false, info: atExit ? { isSuccess: true } : {} };
  }

  /** `[x, y]` of the agent (what `options.initialState` accepts). */
  getState(): number[] {
    return [this.x, this.y];
  }

  /** The current maze (do not modify it). */
  getMaze(): MazeGrid {
    return this.grid;
  }

  /** The seed of the current maze, or `undefined` for a given grid. */
  getMazeSeed(): number | undefined {
    return this.gridSeed;
  }

  /** Optimal (A*, Manhattan) action sequence from the agent's cell to the exit, or `null` if unreachable. */
  solve(): number[] | null {
    return solveMazeAStar(this.grid, [this.x, this.y], [this.exitX, this.exitY]);
  }

  /**
   * The optimal next action from the current state (a step along the unique shortest path; for mazes with
   * several shortest paths, the lowest-numbered action that gets one step closer). At the exit it returns 0.
   * Throws when the exit is unreachable from the agent's cell.
   */
  expertAction(): number {
    if (!this.dist) this.dist = mazeDistances(this.grid, [this.exitX, this.exitY]);
    const a = mazeBestAction(this.grid, this.dist, this.x, this.y);
    return a < 0 ? 0 : a;
  }

  /** '#' walls, '.' open, 'A' agent, 'E' exit; one line per row. */
  render(): string {
    return mazeToString(this.grid, [this.x, this.y]);
  }

  /** RGB frame, `cellPx` pixels per cell: walls dark grey, open white, exit green, agent red. */
  renderRgb(cellPx = 8): RgbFrame {
    const s = this.size;
    const f = newFrame(s * cellPx, s * cellPx);
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const wall = this.grid.cells[y * s + x] !== OPEN;
        const c: [number, number, number] = wall ? [40, 40, 40] : x === this.exitX && y === this.exitY ? [0, 200, 0] : [255, 255, 255];
        fillRect(f, x * cellPx, y * cellPx, (x + 1) * cellPx, (y + 1) * cellPx, c);
      }
    }
    const m = Math.max(1, Math.floor(cellPx / 5));
    fillRect(f, this.x * cellPx + m, this.y * cellPx + m, (this.x + 1) * cellPx - m, (this.y + 1) * cellPx - m, [220, 0, 0]);
    return f;
  }
}

export type MazeLocalView = "walls" | "3x3";

export interface MazeLocalOptions extends MazeOptions {
  /** "walls" (default): [left, right, up, down] wall bits; "3x3": the 9-cell neighbourhood. */
  view?: MazeLocalView;
}

export class MazeLocalEnv extends MazeEnv {
  readonly view: MazeLocalView;

  constructor(options: MazeLocalOptions = {}, id = "MazeLocal-v0") {
    const view = options.view ?? "walls";
    if (view !== "walls" && view !== "3x3") {
      throw new RangeError(`${id}: option 'view' must be "walls" or "3x3", got ${JSON.stringify(options.view)}`);
    }
    super(options, id, ["view"]);
    this.view = view;
    // The base constructor built the 2-D space before `view` was known; rebuild it.
    (this as { observationSpace: BoxSpace }).observationSpace = this.makeObservationSpace();
  }

  protected override makeObservationSpace(): BoxSpace {
    const bits = this.view === "3x3" ? 9 : 4;
    return box([0, 0, ...new Array<number>(bits).fill(0)], [this.size - 1, this.size - 1, ...new Array<number>(bits).fill(1)]);
  }

  private blocked(x: number, y: number): number {
    return x >= 0 && y >= 0 && x < this.size && y < this.size && this.grid.cells[y * this.size + x] === OPEN ? 0 : 1;
  }

  protected override observe(): number[] {
    const { x, y } = this;
    if (this.view === "3x3") {
      const out = [x, y];
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) out.push(this.blocked(x + dx, y + dy));
      return out;
    }
    return [x, y, this.blocked(x - 1, y), this.blocked(x + 1, y), this.blocked(x, y - 1), this.blocked(x, y + 1)];
  }
}

