/**
 * Pendulum-v1 with Gymnasium's definition: a rod of mass 1 and length 1 on a pivot, torque u in [-2, 2].
 * Per step (dt = 0.05, g = 10): cost = normalize(theta)^2 + 0.1 thetaDot^2 + 0.001 u^2 computed on the state
 * before the step; thetaDot += (3 g / (2 l) sin(theta) + 3 / (m l^2) u) dt, clipped to [-8, 8];
 * theta += thetaDot dt (semi-implicit: the new velocity moves the angle; theta itself is never wrapped).
 * Reward = -cost; never terminates; truncated after 200 steps. Start theta U(-pi, pi), thetaDot U(-1, 1).
 *
 * State: [theta, thetaDot] (theta = 0 upright). Observation: [cos theta, sin theta, thetaDot].
 */
import { BaseEnv, box, type Action, type ResetResult, type StepResult } from "../core.js";
import { angleNormalize, clamp } from "./numerics.js";
import { checkInitialState, checkOptionKeys } from "./option-checks.js";
import { canvasToString, fmt, plot, textCanvas } from "./text-canvas.js";

export const PENDULUM = {
  gravity: 10.0,
  mass: 1.0,
  length: 1.0,
  dt: 0.05,
  maxSpeed: 8,
  maxTorque: 2.0,
  maxEpisodeSteps: 200,
  startTheta: Math.PI,
  startThetaDot: 1.0,
} as const;

export const PENDULUM_STATE_NAMES = ["theta", "thetaDot"] as const;

export class PendulumEnv extends BaseEnv {
  readonly id = "Pendulum-v1";
  readonly observationSpace = box([-1, -1, -PENDULUM.maxSpeed], [1, 1, PENDULUM.maxSpeed]);
  /** [torque], in [-2, 2]. */
  readonly actionSpace = box(-PENDULUM.maxTorque, PENDULUM.maxTorque, [1]);
  readonly maxEpisodeSteps = PENDULUM.maxEpisodeSteps;
  private state: number[] = [0, 0]; // [2] theta, thetaDot

  constructor(options?: Record<string, unknown>) {
    super();
    checkOptionKeys("Pendulum-v1", options, []);
  }

  protected resetState(initialState: number[] | undefined): ResetResult {
    const c = PENDULUM;
    this.state = initialState
      ? checkInitialState(this.id, initialState, PENDULUM_STATE_NAMES)
      : [this.rng.uniform(-c.startTheta, c.startTheta), this.rng.uniform(-c.startThetaDot, c.startThetaDot)];
    return { observation: this.observe(), info: {} };
  }

  protected stepState(action: Action): StepResult {
    const c = PENDULUM;
    const [theta, thetaDot] = this.state as [number, number];
    const u = clamp((action as number[])[0]!, -c.maxTorque, c.maxTorque);
    const th = angleNormalize(theta);
    const cost = th * th + 0.1 * thetaDot * thetaDot + 0.001 * (u * u);
    const acc = ((3 * c.gravity) / (2 * c.length)) * Math.sin(theta) + (3.0 / (c.mass * c.length * c.length)) * u;
    const newThetaDot = clamp(thetaDot + acc * c.dt, -c.maxSpeed, c.maxSpeed);
    this.state = [theta + newThetaDot * c.dt, newThetaDot];
    return { observation: this.observe(), reward: -cost, terminated: false, truncated: false, info: {} };
  }

  private observe(): number[] {
    const [theta, thetaDot] = this.state as [number, number];
    return [Math.cos(theta), Math.sin(theta), thetaDot]; // [3]
  }

  getState(): number[] {
    return [...this.state];
  }

  /** Pivot 'O', rod '*', bob '@'; theta = 0 points up, positive theta leans towards +x (right). */
  render(): string {
    const [theta, thetaDot] = this.state as [number, number];
    const canvas = textCanvas(9, 17);
    const toCell = (x: number, y: number): [number, number] => [Math.round(4 - y * 4), Math.round(8 + x * 8)];
    for (let k = 1; k <= 3; k++) plot(canvas, ...toCell((Math.sin(theta) * k) / 4, (Math.cos(theta) * k) / 4), "*");
    plot(canvas, ...toCell(Math.sin(theta), Math.cos(theta)), "@");
    plot(canvas, ...toCell(0, 0), "O");
    return `${canvasToString(canvas)}\ntheta=${fmt(angleNormalize(theta))} thetaDot=${fmt(thetaDot)}`;
  }
}
