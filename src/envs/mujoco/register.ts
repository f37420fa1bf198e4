/** Registers the MuJoCo locomotion envs (usable once `await envs.ready()` has loaded the simulator). */
import { register } from "../core.js";
import { LocomotionEnv } from "./locomotion.js";
import { LOCOMOTION_SPECS } from "./specs.js";

for (const spec of LOCOMOTION_SPECS) register(spec.id, (options) => new LocomotionEnv(spec, options));
