/** MuJoCo locomotion envs (Gymnasium v5): the simulator runtime, the models and the env class. */
export { LocomotionEnv, LOCOMOTION_MAX_STEPS, type LocomotionSpec, type GeomPose } from "./locomotion.js";
export { HOPPER_V5, WALKER2D_V5, HALF_CHEETAH_V5, LOCOMOTION_SPECS, isLocomotionEnv } from "./specs.js";
export { loadMujoco, mujocoLoaded, liveEnvCount } from "./runtime.js";
