/**
 * MountainCarContinuous-v0 with Gymnasium's definition: the mountain car driven by a continuous force in [-1, 1].
 * Per step: velocity += force * 0.0015 - 0.0025 * cos(3 * position), then the same clipping as MountainCar-v0.
 * Terminates when position >= 0.45 and velocity >= 0. Reward: -0.1 * action^2 every step, plus 100 on the step
 * that reaches the goal. Truncated after 999 steps. Start: position U(-0.6, -0.4), velocity 0.
 * State and observation: [position, velocity], float64 (Gymnasium stores float32).
 */
import { box, type Action, type StepResult } from "../core.js";
import { clamp } from "./numerics.js";
import { MountainCarBase, moveCar } from "./mountain-car.js";

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

export class MountainCarContinuousEnv extends MountainCarBase {
  readonly id = "MountainCarContinuous-v0";
  /** [force], in [-1, 1]. */
  readonly actionSpace = box(-1, 1, [1]);
  readonly maxEpisodeSteps = MOUNTAIN_CAR_CONTINUOUS.maxEpisodeSteps;
  protected readonly goalPosition = MOUNTAIN_CAR_CONTINUOUS.goalPosition;

  constructor(options?: Record<string, unknown>) {
    super("MountainCarContinuous-v0", options);
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
}
