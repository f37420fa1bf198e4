/**
 * Maze2D-UMaze-v0: D4RL's maze2d-umaze (the v1 registration: 300 steps, sparse reward, fixed goal, reference
 * returns 23.85 / 161.86), a force-controlled ball in the U-shaped maze, simulated without MuJoCo.
 *
 * Which model and why. D4RL builds its MuJoCo model in code (d4rl/pointmaze/maze_model.py): a sphere of radius
 * 0.1 and density 1000 (mass 4/3 pi 0.1^3 1000 = 4.18879 kg) on two slide joints (x, y) with damping 1, one motor
 * per joint with gear 100 and ctrlrange [-1, 1], no gravity, timestep 0.01 s, integrator "Euler", frame_skip 1;
 * walls are 1x1 boxes, frictionless contacts (condim 1). We simulate exactly that point mass in plain TypeScript
 * rather than load MuJoCo: mujoco-js exists but ships no model files (the MJCF would have to be generated here)
 * and reports MJCF parse errors without a message, while the documented point-mass physics is a few lines, keeps
 * the environment dependency-free and runs unchanged in the browser.
 *
 * One step, per axis, as MuJoCo's Euler integrator does it (semi-implicit in velocity, implicit in joint damping):
 *   u = clip(action, -1, 1);  v = clip(v, -5, 5)             (D4RL clips qvel before each step)
 *   v' = v + h (gear u - b v) / (m + h b)                      (h = 0.01, gear = 100, b = 1, m = 4.18879)
 *   p' = p + h v'
 * then wall contacts: the ball (radius 0.1) is resolved against each wall box grown by the radius, x first, then
 * y; an overlapping ball is put back on the box face and its velocity along that axis set to 0 (an inelastic,
 * frictionless, hard contact). This differs from MuJoCo's soft contact (a small penetration and rebound) and the
 * grown boxes have square instead of rounded corners; away from walls the motion is MuJoCo's to rounding error.
 * Per-step travel is at most 0.06 (speed <= 5 + 0.24), far below the wall thickness 1, so no wall is tunnelled.
 *
 * Observation and state: [x, y, vx, vy] in D4RL's observation frame (see maze2d-layout.ts). Reward "sparse"
 * (default): 1 when the ball is within 0.5 of the goal, else 0; "dense": exp(-distance). Never terminates;
 * truncated after 300 steps. Reset as D4RL: a free cell (goal included) chosen uniformly, position = its integer
 * coordinates + U(-0.1, 0.1)^2, velocity N(0, 0.1^2)^2. The goal is the 'G' cell's integer coordinates (1, 1).
 */
import { BaseEnv, box, type Action, type ResetResult, type StepResult } from "../core.js";
import { FLOAT32_MAX, clamp } from "./numerics.js";
import { checkInitialState, checkOptionKeys } from "./option-checks.js";
import { fmt } from "./text-canvas.js";
import { U_MAZE, cellOf, parseMaze, type MazeLayout } from "./maze2d-layout.js";

export const MAZE2D = {
  timestep: 0.01,
  gear: 100,
  damping: 1,
  radius: 0.1,
  density: 1000,
  mass: (4 / 3) * Math.PI * 0.1 ** 3 * 1000,
  maxVelocity: 5,
  goalRadius: 0.5,
  maxEpisodeSteps: 300,
  resetNoise: 0.1,
  /** D4RL's reference returns of maze2d-umaze-v1 (normalised score 0 and 100). */
  refMinScore: 23.85,
  refMaxScore: 161.86,
} as const;

export type Maze2DReward = "sparse" | "dense";

export const MAZE2D_STATE_NAMES = ["x", "y", "vx", "vy"] as const;

/** Wall boxes grown by the ball radius: [xMin, xMax, yMin, yMax] per wall. */
type GrownBox = [number, number, number, number];

/** The face of [lo, hi] the ball came through: the near face for its direction of travel (nearest if at rest). */
function pushOut(p: number, v: number, lo: number, hi: number): number {
  if (v > 0) return lo;
  if (v < 0) return hi;
  return p - lo < hi - p ? lo : hi;
}

export class Maze2DEnv extends BaseEnv {
  readonly id = "Maze2D-UMaze-v0";
  readonly observationSpace = box(-FLOAT32_MAX, FLOAT32_MAX, [4]);
  /** [fx, fy], each in [-1, 1] (times gear 100 N). */
  readonly actionSpace = box(-1, 1, [2]);
  readonly maxEpisodeSteps = MAZE2D.maxEpisodeSteps;
  readonly layout: MazeLayout;
  readonly rewardType: Maze2DReward;
  /** Goal point in observation coordinates: the goal cell's integer coordinates, as D4RL. */
  readonly goal: readonly [number, number];
  private readonly grown: GrownBox[];
  private state: number[] = [0, 0, 0, 0]; // [4] x, y, vx, vy

  constructor(options?: Record<string, unknown>) {
    super();
    checkOptionKeys("Maze2D-UMaze-v0", options, ["reward"]);
    const reward = options?.reward ?? "sparse";
    if (reward !== "sparse" && reward !== "dense") {
      throw new RangeError(`Maze2D-UMaze-v0: option reward must be "sparse" or "dense", got ${JSON.stringify(reward)}`);
    }
    this.rewardType = reward;
    this.layout = parseMaze(U_MAZE);
    this.goal = [this.layout.goal[0], this.layout.goal[1]];
    const r = MAZE2D.radius;
    this.grown = this.layout.wallBoxes.map((b) => [b.xMin - r, b.xMax + r, b.yMin - r, b.yMax + r]);
  }

  protected resetState(initialState: number[] | undefined): ResetResult {
    if (initialState) {
      const s = checkInitialState(this.id, initialState, MAZE2D_STATE_NAMES);
      if (this.overlapsWall(s[0]!, s[1]!)) {
        throw new RangeError(`${this.id}.reset: initialState position (${s[0]}, ${s[1]}) puts the ball (radius 0.1) inside a wall`);
      }
      this.state = s;
    } else {
      const [r, c] = this.rng.choice(this.layout.freeCells);
      const n = MAZE2D.resetNoise;
      const x = r + this.rng.uniform(-n, n);
      const y = c + this.rng.uniform(-n, n);
      this.state = [x, y, this.rng.normal(0, n), this.rng.normal(0, n)];
    }
    return { observation: [...this.state], info: {} };
  }

  protected stepState(action: Action): StepResult {
    const c = MAZE2D;
    const a = action as number[];
    const ux = clamp(a[0]!, -1, 1);
    const uy = clamp(a[1]!, -1, 1);
    const [x, y, vx0, vy0] = this.state as [number, number, number, number];
    const h = c.timestep;
    const denom = c.mass + h * c.damping;
    let vx = clamp(vx0, -c.maxVelocity, c.maxVelocity);
    let vy = clamp(vy0, -c.maxVelocity, c.maxVelocity);
    vx = vx + (h * (c.gear * ux - c.damping * vx)) / denom;
    vy = vy + (h * (c.gear * uy - c.damping * vy)) / denom;
    let nx = x + h * vx;
    // x first: against every wall the ball overlaps at its old y.
    for (const [x0, x1, y0, y1] of this.grown) {
      if (nx > x0 && nx < x1 && y > y0 && y < y1) {
        nx = pushOut(nx, vx, x0, x1);
        vx = 0;
      }
    }
    let ny = y + h * vy;
    for (const [x0, x1, y0, y1] of this.grown) {
      if (nx > x0 && nx < x1 && ny > y0 && ny < y1) {
        ny = pushOut(ny, vy, y0, y1);
        vy = 0;
      }
    }
    this.state = [nx, ny, vx, vy];
    const distance = Math.hypot(nx - this.goal[0], ny - this.goal[1]);
    const reward = this.rewardType === "sparse" ? (distance <= c.goalRadius ? 1 : 0) : Math.exp(-distance);
    return { observation: [...this.state], reward, terminated: false, truncated: false, info: { distance } };
  }

  /** True when a ball centred at (x, y) would overlap a wall. */
  overlapsWall(x: number, y: number): boolean {
    return this.grown.some(([x0, x1, y0, y1]) => x > x0 && x < x1 && y > y0 && y < y1);
  }

  getState(): number[] {
    return [...this.state];
  }

  /** The layout with '#' walls, 'G' the goal cell, 'o' the ball's cell (rows are x, columns y). */
  render(): string {
    const [x, y, vx, vy] = this.state as [number, number, number, number];
    const [br, bc] = cellOf(x, y);
    const lines: string[] = [];
    for (let r = 0; r < this.layout.rows; r++) {
      let line = "";
      for (let c = 0; c < this.layout.cols; c++) {
        if (r === br && c === bc) line += "o";
        else if (this.layout.wall[r]![c]) line += "#";
        else if (r === this.layout.goal[0] && c === this.layout.goal[1]) line += "G";
        else line += ".";
      }
      lines.push(line);
    }
    lines.push(`x=${fmt(x)} y=${fmt(y)} vx=${fmt(vx)} vy=${fmt(vy)}`);
    return lines.join("\n");
  }
}
