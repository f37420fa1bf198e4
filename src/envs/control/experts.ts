/**
 * Scripted experts for the continuous-state environments: each is a pure function of the environment's internal
 * state (`env.getState()`, Gymnasium's order) returning an action in the env's action space. They are the
 * demonstrators of the offline datasets; the numbers in each comment were measured over seeds 0-99 (see
 * test/envs/control/experts.test.ts for the checked thresholds).
 */
import type { Action } from "../core.js";
import { angleNormalize, clamp } from "./numerics.js";
import { PENDULUM } from "./pendulum.js";
import { maze2dExpert } from "./maze2d-expert.js";

export { maze2dExpert, maze2dWaypoint, MAZE2D_EXPERT } from "./maze2d-expert.js";

/** A scripted policy: internal state -> action. */
export type StateExpert = (state: readonly number[]) => Action;

/**
 * CartPole-v1 gains on [x, xDot, theta, thetaDot]: push right when k . s > 0. The pattern of an LQR solution for the
 * linearised cart-pole (all gains positive in Gymnasium's sign convention: push under the leaning pole, and let the
 * small cart terms tilt the pole back towards the centre), tuned by hand for the bang-bang +-10 N actuator.
 * Balances all 500 steps from every start tried, with |x| < 0.16.
 */
export const CARTPOLE_GAINS = [1.0, 1.5, 18.0, 3.0] as const;

export function cartPoleExpert(state: readonly number[]): number {
  const k = CARTPOLE_GAINS;
  const u = k[0] * state[0]! + k[1] * state[1]! + k[2] * state[2]! + k[3] * state[3]!;
  return u > 0 ? 1 : 0;
}

/**
 * MountainCar-v0 energy pumping: accelerate in the direction of the velocity (right when at rest), which adds
 * the most energy per step. Reaches the goal in 113-125 steps (return -113 to -125) over seeds 0-99.
 */
export function mountainCarExpert(state: readonly number[]): number {
  return state[1]! >= 0 ? 2 : 0;
}

/** MountainCarContinuous-v0: the same pumping with full force +-1. Return 88.9-89.5 (goal in 105-111 steps). */
export function mountainCarContinuousExpert(state: readonly number[]): number[] {
  return [state[1]! >= 0 ? 1 : -1];
}

/**
 * Acrobot-v1 energy pumping: torque +1 when thetaDot2 / 2 - thetaDot1 > 0, else -1. The joint torque tau turns
 * link 2 relative to link 1 and pushes back on link 1 with -tau, so tau = -sign(thetaDot1) pushes link 1 along its
 * swing and pumps energy in (the plain "tau along thetaDot1" rule never reaches the goal); the thetaDot2 term, found
 * by a small search, shortens the pumping. Mean return about -81 (worst about -112) over seeds 0-99.
 */
export function acrobotExpert(state: readonly number[]): number {
  return 0.5 * state[3]! - state[2]! > 0 ? 2 : 0;
}

/** Pendulum-v1 swing-up and balance gains. */
export const PENDULUM_EXPERT = {
  /** Balance when |theta| (normalised, 0 = upright) is below this (rad). */
  balanceAngle: 0.8,
  /** Balance law u = -(kTheta theta + kThetaDot thetaDot). */
  kTheta: 10,
  kThetaDot: 3,
  /** Swing-up law u = kEnergy (E_top - E) thetaDot. */
  kEnergy: 0.5,
} as const;

/**
 * Pendulum-v1: energy-based swing-up plus a linear balance controller near the top. With theta = 0 upright the
 * dynamics are thetaDdot = (3g/2l) sin(theta) + 3u/(ml^2), so E = thetaDot^2 / 2 + (3g/2l) cos(theta) is conserved
 * without torque, equals 3g/2l = 15 at rest upright, and changes as dE/dt = 3 u thetaDot: pushing along thetaDot
 * while E < 15 pumps the pendulum up. Mean return about -159 over seeds 0-99.
 */
export function pendulumExpert(state: readonly number[]): number[] {
  const c = PENDULUM;
  const k = PENDULUM_EXPERT;
  const theta = angleNormalize(state[0]!);
  const thetaDot = state[1]!;
  if (Math.abs(theta) < k.balanceAngle) {
    return [clamp(-(k.kTheta * theta + k.kThetaDot * thetaDot), -c.maxTorque, c.maxTorque)];
  }
  const gravityTerm = (3 * c.gravity) / (2 * c.length);
  const energy = 0.5 * thetaDot * thetaDot + gravityTerm * Math.cos(theta);
  return [clamp(k.kEnergy * (gravityTerm - energy) * thetaDot, -c.maxTorque, c.maxTorque)];
}

/** The expert of each environment id registered in `./register.ts`. */
export const CONTROL_EXPERTS: Readonly<Record<string, StateExpert>> = {
  "CartPole-v1": cartPoleExpert,
  "MountainCar-v0": mountainCarExpert,
  "MountainCarContinuous-v0": mountainCarContinuousExpert,
  "Acrobot-v1": acrobotExpert,
  "Pendulum-v1": pendulumExpert,
  "Maze2D-UMaze-v0": (state) => maze2dExpert(state),
};
