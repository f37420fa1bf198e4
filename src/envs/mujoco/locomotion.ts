/**
 * Gymnasium's v5 MuJoCo locomotion envs (Hopper-v5, Walker2d-v5, HalfCheetah-v5) with their default arguments.
 *
 * step(a): ctrl = a; `frameSkip` MuJoCo steps; x velocity = (x after - x before) / dt with dt = timestep ·
 * frameSkip; reward = forward weight · x velocity + healthy reward (only while healthy after the step) - control
 * weight · sum(a²); terminated when unhealthy (Hopper, Walker2d; HalfCheetah never); truncated after 1000 steps.
 * Observation: qpos without the x position, then qvel (clipped to ±10 for Hopper and Walker2d).
 * reset: MuJoCo's default state plus noise from the env's seeded Rng (Hopper, Walker2d: uniform ±5e-3 on qpos and
 * qvel; HalfCheetah: uniform ±0.1 on qpos, normal std 0.1 on qvel), or exactly `options.initialState` =
 * [...qpos, ...qvel] (Gymnasium's `set_state` order), which `getState()` returns.
 */
import { BaseEnv, box, type Action, type ResetResult, type StepResult } from "../core.js";
import { checkOptionKeys } from "../control/option-checks.js";
import { compiledModel, freeData, newData, type MjData, type MjModel, mujoco } from "./runtime.js";

/** What distinguishes one locomotion env from another: Gymnasium v5's defaults for it. */
export interface LocomotionSpec {
  readonly id: string;
  readonly xml: string;
  readonly frameSkip: number;
  /** Names of qpos then qvel entries (`initialState` order). */
  readonly stateNames: readonly string[];
  /** qvel is clipped to ±this in the observation; undefined = not clipped. */
  readonly velocityClip: number | undefined;
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  /** Reward per step while healthy (0 for an env that never terminates). */
  readonly healthyReward: number;
  /** Healthy after a step? undefined = the env never terminates. */
  readonly healthy: ((qpos: Float64Array, qvel: Float64Array) => boolean) | undefined;
  /** Reset noise: uniform ±scale on qpos and on qvel, or uniform ±scale on qpos and normal std scale on qvel. */
  readonly resetNoise: { readonly kind: "uniform" | "uniform-normal"; readonly scale: number };
}

export const LOCOMOTION_MAX_STEPS = 1000;

/** A geom's placement for drawing: type (MuJoCo's mjtGeom), size [3], world position [3], rotation [3x3 row-major]. */
export interface GeomPose {
  type: number;
  size: number[];
  pos: number[];
  mat: number[];
  rgba: number[];
}

export class LocomotionEnv extends BaseEnv {
  readonly id: string;
  readonly observationSpace;
  readonly actionSpace;
  readonly maxEpisodeSteps = LOCOMOTION_MAX_STEPS;
  /** Seconds per env step (MuJoCo's timestep · frameSkip). */
  readonly dt: number;
  private readonly model: MjModel;
  private data: MjData | undefined;
  /** Sizes of qpos and qvel. */
  readonly nq: number;
  readonly nv: number;

  constructor(readonly spec: LocomotionSpec, options?: Record<string, unknown>) {
    super();
    this.id = spec.id;
    checkOptionKeys(spec.id, options, []);
    this.model = compiledModel(spec.id, spec.xml);
    this.data = newData(spec.id, this.model, this);
    this.nq = this.model.nq;
    this.nv = this.model.nv;
    if (spec.stateNames.length !== this.nq + this.nv) throw new Error(`${spec.id}: ${spec.stateNames.length} state names for nq ${this.nq} + nv ${this.nv}`);
    this.dt = this.model.opt.timestep * spec.frameSkip;
    const obsDim = this.nq - 1 + this.nv;
    this.observationSpace = box(-Infinity, Infinity, [obsDim]);
    this.actionSpace = box(-1, 1, [this.model.nu]);
  }

  private live(): MjData {
    if (!this.data) throw new Error(`${this.id}: the env was closed`);
    return this.data;
  }

  /** Frees the simulator's memory for this env now; the env cannot be used afterwards. */
  close(): void {
    if (this.data) freeData(this, this.data);
    this.data = undefined;
    this.needsReset = true;
  }

  protected resetState(initialState: number[] | undefined): ResetResult {
    const d = this.live();
    const m = mujoco(this.id);
    m.mj_resetData(this.model, d);
    const { nq, nv } = this;
    if (initialState) {
      if (initialState.length !== nq + nv) {
        throw new RangeError(`${this.id}.reset: options.initialState must have ${nq + nv} entries (qpos [${nq}] then qvel [${nv}]: ${this.spec.stateNames.join(", ")}), got ${initialState.length}`);
      }
      d.qpos.set(initialState.slice(0, nq));
      d.qvel.set(initialState.slice(nq));
    } else {
      const qpos0 = this.model.qpos0;
      const s = this.spec.resetNoise.scale;
      const qpos = new Float64Array(nq); // [nq]
      for (let i = 0; i < nq; i++) qpos[i] = qpos0[i]! + this.rng.uniform(-s, s);
      const qvel = new Float64Array(nv); // [nv]
      for (let i = 0; i < nv; i++) qvel[i] = this.spec.resetNoise.kind === "uniform" ? this.rng.uniform(-s, s) : s * this.rng.normal();
      d.qpos.set(qpos);
      d.qvel.set(qvel);
    }
    m.mj_forward(this.model, d);
    return { observation: this.observe(d), info: { x_position: d.qpos[0]! } };
  }

  protected stepState(action: Action): StepResult {
    const d = this.live();
    const m = mujoco(this.id);
    const a = action as number[];
    const xBefore = d.qpos[0]!;
    d.ctrl.set(a);
    for (let i = 0; i < this.spec.frameSkip; i++) m.mj_step(this.model, d);
    const qpos = d.qpos;
    const qvel = d.qvel;
    const xVelocity = (qpos[0]! - xBefore) / this.dt;
    let ctrl = 0;
    for (const v of a) ctrl += v * v;
    const ctrlCost = this.spec.ctrlCostWeight * ctrl;
    const healthy = this.spec.healthy ? this.spec.healthy(qpos, qvel) : true;
    const healthyReward = healthy ? this.spec.healthyReward : 0;
    const reward = this.spec.forwardRewardWeight * xVelocity + healthyReward - ctrlCost;
    return {
      observation: this.observe(d),
      reward,
      terminated: this.spec.healthy !== undefined && !healthy,
      truncated: false,
      info: { x_position: qpos[0]!, x_velocity: xVelocity, reward_ctrl: -ctrlCost, reward_survive: healthyReward },
    };
  }

  private observe(d: MjData): number[] {
    const qpos = d.qpos;
    const qvel = d.qvel;
    const clip = this.spec.velocityClip;
    const obs = new Array<number>(this.nq - 1 + this.nv); // [obsDim]
    for (let i = 1; i < this.nq; i++) obs[i - 1] = qpos[i]!;
    for (let i = 0; i < this.nv; i++) {
      const v = qvel[i]!;
      obs[this.nq - 1 + i] = clip === undefined ? v : v < -clip ? -clip : v > clip ? clip : v;
    }
    return obs;
  }

  getState(): number[] {
    const d = this.live();
    return [...d.qpos, ...d.qvel];
  }

  /** Every geom's placement now (the floor first), for a side view. */
  geoms(): GeomPose[] {
    const d = this.live();
    const out: GeomPose[] = [];
    const xpos = d.geom_xpos;
    const xmat = d.geom_xmat;
    const size = this.model.geom_size;
    const rgba = this.model.geom_rgba;
    for (let g = 0; g < this.model.ngeom; g++) {
      out.push({
        type: this.model.geom_type[g]!,
        size: [...size.subarray(3 * g, 3 * g + 3)],
        pos: [...xpos.subarray(3 * g, 3 * g + 3)],
        mat: [...xmat.subarray(9 * g, 9 * g + 9)],
        rgba: [...rgba.subarray(4 * g, 4 * g + 4)],
      });
    }
    return out;
  }

  render(): string {
    const d = this.live();
    const f = (v: number): string => v.toFixed(3);
    return `${this.id} step ${this.elapsedSteps}: x=${f(d.qpos[0]!)} z=${f(d.qpos[1]!)} angle=${f(d.qpos[2]!)} vx=${f(d.qvel[0]!)}`;
  }
}
