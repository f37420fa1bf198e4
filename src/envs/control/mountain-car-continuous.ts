/**
 * MountainCarContinuous-v0 with Gymnasium's definition: the mountain car driven by a continuous force in [-1, 1].
 * Per step: velocity += force * 0.0015 - 0.0025 * cos(3 * position), then the same clipping as MountainCar-v0.
 * Terminates when position >= 0.45 and velocity >= 0. Reward: -0.1 * action^2 every step, plus 100 on the step
 * that reaches the goal. Truncated after 999 steps. Start: position U(-0.6, -0.4), velocity 0.
 * State and observation: [position, velocity], float64 (Gymnasium stores float32).
 */
import { BaseEnv, box, type Action, type ResetResult, type StepResult } from "../core.js";
import { checkOptionKeys, clamp } from "./util.js";
import { MOUNTAIN_CAR, checkMountainCarState, moveCar, renderHill } from "./mountain-car.js";

export const MOUNTAIN_CAR_CONTINUOUS = {
  minAction: -1,
  maxAction: 1,
  power: 0.0015,
  gravity: 0.0025,
  goalPosition: 0.45,
  goalVelocity: 0,
  goalReward: 100,
  actionCost: 0.1,
  maxEpisodeSteps: 999,
} as const;

export class MountainCarContinuousEnv extends BaseEnv {
  readonly id = "MountainCarContinuous-v0";
  readonly observationSpace = box([MOUNTAIN_CAR.minPosition, -MOUNTAIN_CAR.maxSpeed], [MOUNTAIN_CAR.maxPosition, MOUNTAIN_CAR.maxSpeed]);
  /** [force], in [-1, 1]. */
  readonly actionSpace = box(-1, 1, [1]);
  readonly maxEpisodeSteps = MOUNTAIN_CAR_CONTINUOUS.maxEpisodeSteps;
  private state: number[] = [0, 0]; // [2] position, velocity

  constructor(options?: Record<string, unknown>) {
    super();
    checkOptionKeys("MountainCarContinuous-v0", options, []);
  }

  protected resetState(initialState: number[] | undefined): ResetResult {
    this.state = initialState
      ? checkMountainCarState(this.id, initialState)
      : [this.rng.uniform(MOUNTAIN_CAR.startLow, MOUNTAIN_CAR.startHigh), 0];
    return { observation: [...this.state], info: {} };
  }

  protected stepState(action: Action): StepResult {
    const c = MOUNTAIN_CAR_CONTINUOUS;
    const a = (action as number[])[0]!;
    const force = clamp(a, c.minAction, c.maxAction);
    const [position, velocity] = this.state as [number, number];
    this.state = moveCar(position, velocity + (force * c.power - c.gravity * Math.cos(3 * position)));
    const [p, v] = this.state as [number, number];
    const terminated = p >= c.goalPosition && v >= c.goalVelocity;
    // Gymnasium charges the unclipped action; checkAction already keeps it within [-1, 1] (+1e-6).
    const reward = (terminated ? c.goalReward : 0) - a * a * c.actionCost;
    return { observation: [...this.state], reward, terminated, truncated: false, info: {} };
  }

  getState(): number[] {
    return [...this.state];
  }

  render(): string {
    return renderHill(this.state[0]!, this.state[1]!, MOUNTAIN_CAR_CONTINUOUS.goalPosition);
  }
}
