/**
 * What "success" means, per environment family. An episode is a success when any of its steps satisfies
 * `atStep`, or its end satisfies `atEnd`.
 *
 * | family                                   | success                                                             |
 * |------------------------------------------|---------------------------------------------------------------------|
 * | Maze-*, MazeLocal-*, MiniGrid-*          | `info.isSuccess` on a step (the exit / goal was reached)            |
 * | CartPole-v1                              | survived to the env's time limit without the pole falling           |
 * | MountainCar-v0, MountainCarContinuous-v0 | terminated (the car reached the flag)                               |
 * | Acrobot-v1                               | terminated (the tip swung above the line)                           |
 * | Maze2D-UMaze-v0                          | the ball came within 0.5 of the goal on some step (`info.distance`) |
 * | Pendulum-v1                              | none: no success notion; the success rate is reported as `null`     |
 * | Hopper-v5, Walker2d-v5, HalfCheetah-v5   | none (judged by return; a fall terminates them, never a success)    |
 * | any other env                            | `info.isSuccess` on a step, or terminated with a positive reward    |
 */
import type { StepResult } from "../envs/core.js";
import { isLocomotionEnv } from "../envs/mujoco/specs.js";

export interface EpisodeEnd {
  /** Steps taken. */
  length: number;
  terminated: boolean;
  truncated: boolean;
  /** Reward of the last step. */
  lastReward: number;
  /** The env's own time limit (`env.maxEpisodeSteps`). */
  envMaxSteps: number;
}

export interface SuccessRule {
  /** One line for reports. */
  readonly description: string;
  atStep?(r: StepResult): boolean;
  atEnd?(e: EpisodeEnd): boolean;
}

const infoSuccess = (r: StepResult): boolean => r.info.isSuccess === true;

const INFO_FLAG: SuccessRule = { description: "info.isSuccess (goal reached)", atStep: infoSuccess };
const TERMINATED: SuccessRule = { description: "terminated (goal reached)", atEnd: (e) => e.terminated };
const GENERIC: SuccessRule = {
  description: "info.isSuccess, or terminated with a positive last reward",
  atStep: infoSuccess,
  atEnd: (e) => e.terminated && e.lastReward > 0,
};

const BY_ID: Record<string, SuccessRule | null> = {
  "CartPole-v1": {
    description: "survived to the time limit (not terminated)",
    atEnd: (e) => !e.terminated && e.length >= e.envMaxSteps,
  },
  "MountainCar-v0": TERMINATED,
  "MountainCarContinuous-v0": TERMINATED,
  "Acrobot-v1": TERMINATED,
  "Maze2D-UMaze-v0": {
    description: "came within 0.5 of the goal (info.distance <= 0.5)",
    atStep: (r) => typeof r.info.distance === "number" && r.info.distance <= 0.5,
  },
  "Pendulum-v1": null,
};

/** The success rule of `envId` (see the table above), or `null` for envs without a notion of success. */
export function successRule(envId: string): SuccessRule | null {
  if (envId in BY_ID) return BY_ID[envId]!;
  if (isLocomotionEnv(envId)) return null;
  if (/^(Maze|MazeLocal|MiniGrid)-/.test(envId)) return INFO_FLAG;
  return GENERIC;
}

/** Tracks one episode under a rule. */
export class SuccessTracker {
  private hit = false;

  constructor(private readonly rule: SuccessRule | null) {}

  step(r: StepResult): void {
    if (this.rule?.atStep && this.rule.atStep(r)) this.hit = true;
  }

  /** The verdict at the episode's end (`null` without a rule). */
  end(e: EpisodeEnd): boolean | null {
    if (!this.rule) return null;
    return this.hit || (this.rule.atEnd?.(e) ?? false);
  }
}
