/** Gymnasium v5's default arguments for Hopper, Walker2d and HalfCheetah (see locomotion.ts for how they act). */
import type { LocomotionSpec } from "./locomotion.js";
import { HALF_CHEETAH_XML, HOPPER_XML, WALKER2D_XML } from "./models.js";

const ROOT = ["rootx", "rootz", "rooty"];
const velocities = (names: readonly string[]): string[] => names.map((n) => `${n}_vel`);

const HOPPER_Q = [...ROOT, "thigh", "leg", "foot"];
const WALKER_Q = [...ROOT, "thigh", "leg", "foot", "thigh_left", "leg_left", "foot_left"];
const CHEETAH_Q = [...ROOT, "bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"];

/** Strictly inside (lo, hi), as Gymnasium's healthy checks compare. */
const inside = (v: number, lo: number, hi: number): boolean => lo < v && v < hi;

export const HOPPER_V5: LocomotionSpec = {
  id: "Hopper-v5",
  xml: HOPPER_XML,
  frameSkip: 4,
  stateNames: [...HOPPER_Q, ...velocities(HOPPER_Q)],
  velocityClip: 10,
  forwardRewardWeight: 1,
  ctrlCostWeight: 1e-3,
  healthyReward: 1,
  // z = qpos[1] > 0.7, angle = qpos[2] in (-0.2, 0.2), and qpos[2:] and qvel all in (-100, 100).
  healthy: (qpos, qvel) => {
    if (!(inside(qpos[1]!, 0.7, Infinity) && inside(qpos[2]!, -0.2, 0.2))) return false;
    for (let i = 2; i < qpos.length; i++) if (!inside(qpos[i]!, -100, 100)) return false;
    for (let i = 0; i < qvel.length; i++) if (!inside(qvel[i]!, -100, 100)) return false;
    return true;
  },
  resetNoise: { kind: "uniform", scale: 5e-3 },
};

export const WALKER2D_V5: LocomotionSpec = {
  id: "Walker2d-v5",
  xml: WALKER2D_XML,
  frameSkip: 4,
  stateNames: [...WALKER_Q, ...velocities(WALKER_Q)],
  velocityClip: 10,
  forwardRewardWeight: 1,
  ctrlCostWeight: 1e-3,
  healthyReward: 1,
  // z = qpos[1] in (0.8, 2), angle = qpos[2] in (-1, 1).
  healthy: (qpos) => inside(qpos[1]!, 0.8, 2) && inside(qpos[2]!, -1, 1),
  resetNoise: { kind: "uniform", scale: 5e-3 },
};

export const HALF_CHEETAH_V5: LocomotionSpec = {
  id: "HalfCheetah-v5",
  xml: HALF_CHEETAH_XML,
  frameSkip: 5,
  stateNames: [...CHEETAH_Q, ...velocities(CHEETAH_Q)],
  velocityClip: undefined,
  forwardRewardWeight: 1,
  ctrlCostWeight: 0.1,
  healthyReward: 0,
  healthy: undefined,
  resetNoise: { kind: "uniform-normal", scale: 0.1 },
};

export const LOCOMOTION_SPECS: readonly LocomotionSpec[] = [HOPPER_V5, WALKER2D_V5, HALF_CHEETAH_V5];

/** True for the ids of the MuJoCo locomotion envs. */
export function isLocomotionEnv(id: string): boolean {
  return LOCOMOTION_SPECS.some((s) => s.id === id);
}
