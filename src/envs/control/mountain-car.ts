/**
 * MountainCar-v0 with Gymnasium's definition (Moore 1990): a car in a valley whose hill height is
 * sin(3 x) * 0.45 + 0.55, too weak to drive straight up. Per step:
 *   velocity += (action - 1) * 0.001 - 0.0025 * cos(3 * position), clipped to [-0.07, 0.07];
 *   position += velocity, clipped to [-1.2, 0.6]; at the left wall a negative velocity becomes 0.
 * Terminates when position >= 0.5 and velocity >= 0; reward -1 per step; truncated after 200 steps.
 * Start: position U(-0.6, -0.4), velocity 0. State and observation: [position, velocity].
 */
import { BaseEnv, box, discrete, type Action, type ResetResult, type StepResult } from "../core.js";
import { clamp } from "./numerics.js";
import { checkInitialState, checkOptionKeys, checkStateRange } from "./option-checks.js";
import { canvasToString, fmt, plot, textCanvas } from "./text-canvas.js";

export const MOUNTAIN_CAR = {
  minPosition: -1.2,
  maxPosition: 0.6,
  maxSpeed: 0.07,
  goalPosition: 0.5,
  goalVelocity: 0,
  force: 0.001,
  gravity: 0.0025,
  maxEpisodeSteps: 200,
  startLow: -0.6,
  startHigh: -0.4,
} as const;

export const MOUNTAIN_CAR_STATE_NAMES = ["position", "velocity"] as const;

/** Shared `initialState` check of both mountain-car variants: position and velocity inside their bounds. */
export function checkMountainCarState(envId: string, initialState: number[]): number[] {
  const s = checkInitialState(envId, initialState, MOUNTAIN_CAR_STATE_NAMES);
  checkStateRange(envId, "position", s[0]!, MOUNTAIN_CAR.minPosition, MOUNTAIN_CAR.maxPosition);
  checkStateRange(envId, "velocity", s[1]!, -MOUNTAIN_CAR.maxSpeed, MOUNTAIN_CAR.maxSpeed);
  return s;
}

/**
 * The position update shared by both variants, after the velocity change: clip velocity, move, clip position,
 * stop at the left wall. Returns [position, velocity].
 */
export function moveCar(position: number, velocity: number): [number, number] {
  const c = MOUNTAIN_CAR;
  let v = clamp(velocity, -c.maxSpeed, c.maxSpeed);
  const p = clamp(position + v, c.minPosition, c.maxPosition);
  if (p === c.minPosition && v < 0) v = 0;
  return [p, v];
}

/** Text picture of the hill ('.'), the car ('C') and the goal flag ('F'). */
export function renderHill(position: number, velocity: number, goalPosition: number): string {
  const c = MOUNTAIN_CAR;
  const rows = 8;
  const cols = 46;
  const canvas = textCanvas(rows, cols);
  const colOf = (p: number): number => Math.round(((p - c.minPosition) / (c.maxPosition - c.minPosition)) * (cols - 1));
  // Height sin(3p) * 0.45 + 0.55 spans [0.1, 1.0]: map it onto the rows, top row = highest.
  const rowOf = (p: number): number => rows - 1 - Math.round(((Math.sin(3 * p) * 0.45 + 0.45) / 0.9) * (rows - 1));
  for (let i = 0; i < cols; i++) {
    const p = c.minPosition + ((c.maxPosition - c.minPosition) * i) / (cols - 1);
    plot(canvas, rowOf(p), i, ".");
  }
  plot(canvas, Math.max(0, rowOf(goalPosition) - 1), colOf(goalPosition), "F");
  plot(canvas, Math.max(0, rowOf(position) - 1), colOf(position), "C");
  return `${canvasToString(canvas)}\nposition=${fmt(position, 4)} velocity=${fmt(velocity, 5)}`;
}

/**
 * What both mountain-car variants share: the observation space, the [position, velocity] state, option and
 * `initialState` checks, the start distribution, `getState` and the text picture. Subclasses give the action
 * space, the step limit, the goal position and the step.
 */
export abstract class MountainCarBase extends BaseEnv {
  readonly observationSpace = box([MOUNTAIN_CAR.minPosition, -MOUNTAIN_CAR.maxSpeed], [MOUNTAIN_CAR.maxPosition, MOUNTAIN_CAR.maxSpeed]);
  protected state: number[] = [0, 0]; // [2] position, velocity
  protected abstract readonly goalPosition: number;

  constructor(envId: string, options?: Record<string, unknown>) {
    super();
    checkOptionKeys(envId, options, []);
  }

  protected resetState(initialState: number[] | undefined): ResetResult {
    this.state = initialState
      ? checkMountainCarState(this.id, initialState)
      : [this.rng.uniform(MOUNTAIN_CAR.startLow, MOUNTAIN_CAR.startHigh), 0];
    return { observation: [...this.state], info: {} };
  }

  getState(): number[] {
    return [...this.state];
  }

  render(): string {
    return renderHill(this.state[0]!, this.state[1]!, this.goalPosition);
  }
}

export class MountainCarEnv extends MountainCarBase {
  readonly id = "MountainCar-v0";
  /** 0: accelerate left, 1: no push, 2: accelerate right. */
  readonly actionSpace = discrete(3);
  readonly maxEpisodeSteps = MOUNTAIN_CAR.maxEpisodeSteps;
  protected readonly goalPosition = MOUNTAIN_CAR.goalPosition;

  constructor(options?: Record<string, unknown>) {
    super("MountainCar-v0", options);
  }

  protected stepState(action: Action): StepResult {
    const c = MOUNTAIN_CAR;
    const [position, velocity] = this.state as [number, number];
    // Python's `velocity += a + b` adds the bracketed sum, so keep that rounding order.
    const v = velocity + (((action as number) - 1) * c.force + Math.cos(3 * position) * -c.gravity);
    this.state = moveCar(position, v);
    const [p, nv] = this.state as [number, number];
    const terminated = p >= c.goalPosition && nv >= c.goalVelocity;
    return { observation: [...this.state], reward: -1, terminated, truncated: false, info: {} };
  }
}
