/** Environment registry, with every built-in environment registered on import. */
export * from "./core.js";
export { canonicalEnvId, ENV_ALIASES, type EnvAlias } from "./aliases.js";
export * as mujoco from "./mujoco/index.js";
import "./grid/register.js";
import "./control/register.js";
import "./mujoco/register.js";
import { loadMujoco } from "./mujoco/runtime.js";
import { isLocomotionEnv } from "./mujoco/specs.js";

/**
 * Loads what some envs need before `make` can build them: the MuJoCo simulator's WASM module for Hopper-v5,
 * Walker2d-v5 and HalfCheetah-v5 (about 0.3 s, once per process). Every other env works without it.
 */
export async function ready(): Promise<void> {
  await loadMujoco();
}

/**
 * `ready()` only when env `id` needs it (a MuJoCo id): what a command that builds one env awaits before `make(id)`,
 * so that the other envs never pay the simulator's load.
 */
export async function readyFor(id: string): Promise<void> {
  if (isLocomotionEnv(id)) await loadMujoco();
}
