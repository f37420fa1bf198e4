/**
 * Acrobot-v1 with Gymnasium's definition (Sutton 1996; Sutton & Barto's book): two unit links hanging from a
 * fixed pivot, torque -1, 0 or +1 on the joint between them. The "book" dynamics (the ones Gymnasium uses by
 * default), integrated by one classic RK4 step of dt = 0.2 s; afterwards both angles are wrapped into [-pi, pi]
 * and the velocities clipped to +-4 pi and +-9 pi. Terminates when the free end rises above one link length over
 * the pivot, -cos(theta1) - cos(theta1 + theta2) > 1. Reward -1 per step and 0 on the terminating step (as
 * Gymnasium); truncated after 500 steps. Start U(-0.1, 0.1)^4 (Gymnasium rounds it to float32; we keep float64).
 *
 * State: [theta1, theta2, theta1Dot, theta2Dot] (theta1 = 0 hanging down, theta2 relative to link 1).
 * Observation: [cos theta1, sin theta1, cos theta2, sin theta2, theta1Dot, theta2Dot].
 */
import { BaseEnv, box, discrete, type Action, type ResetResult, type StepResult } from "../core.js";
import { clamp, rk4Step, wrap } from "./numerics.js";
import { checkInitialState, checkOptionKeys } from "./option-checks.js";
import { canvasToString, fmt, plot, textCanvas } from "./text-canvas.js";

export const ACROBOT = {
  dt: 0.2,
  linkLength1: 1.0,
  linkLength2: 1.0,
  linkMass1: 1.0,
  linkMass2: 1.0,
  linkComPos1: 0.5,
  linkComPos2: 0.5,
  linkMoi: 1.0,
  gravity: 9.8,
  maxVel1: 4 * Math.PI,
  maxVel2: 9 * Math.PI,
  torques: [-1, 0, 1] as readonly number[],
  maxEpisodeSteps: 500,
  startBound: 0.1,
} as const;

export const ACROBOT_STATE_NAMES = ["theta1", "theta2", "theta1Dot", "theta2Dot"] as const;

/**
 * Time derivative of the acrobot state under the book dynamics with a constant torque.
 * `s`: [5] theta1, theta2, theta1Dot, theta2Dot, torque; returns [5] (the torque's derivative is 0).
 */
export function acrobotDerivative(s: readonly number[]): number[] {
  const c = ACROBOT;
  const [theta1, theta2, dTheta1, dTheta2, torque] = s as [number, number, number, number, number];
  const m1 = c.linkMass1;
  const m2 = c.linkMass2;
  const l1 = c.linkLength1;
  const lc1 = c.linkComPos1;
  const lc2 = c.linkComPos2;
  const i1 = c.linkMoi;
  const i2 = c.linkMoi;
  const g = c.gravity;
  const d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * Math.cos(theta2)) + i1 + i2;
  const d2 = m2 * (lc2 * lc2 + l1 * lc2 * Math.cos(theta2)) + i2;
  const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2);
  const phi1 =
    -m2 * l1 * lc2 * dTheta2 * dTheta2 * Math.sin(theta2) -
    2 * m2 * l1 * lc2 * dTheta2 * dTheta1 * Math.sin(theta2) +
    (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  const ddTheta2 =
    (torque + (d2 / d1) * phi1 - m2 * l1 * lc2 * dTheta1 * dTheta1 * Math.sin(theta2) - phi2) / (m2 * lc2 * lc2 + i2 - (d2 * d2) / d1);
  const ddTheta1 = -(d2 * ddTheta2 + phi1) / d1;
  return [dTheta1, dTheta2, ddTheta1, ddTheta2, 0];
}

export class AcrobotEnv extends BaseEnv {
  readonly id = "Acrobot-v1";
  readonly observationSpace = box([-1, -1, -1, -1, -ACROBOT.maxVel1, -ACROBOT.maxVel2], [1, 1, 1, 1, ACROBOT.maxVel1, ACROBOT.maxVel2]);
  /** 0: torque -1, 1: torque 0, 2: torque +1 (on the joint between the links). */
  readonly actionSpace = discrete(3);
  readonly maxEpisodeSteps = ACROBOT.maxEpisodeSteps;
  private state: number[] = [0, 0, 0, 0]; // [4] theta1, theta2, theta1Dot, theta2Dot

  constructor(options?: Record<string, unknown>) {
    super();
    checkOptionKeys("Acrobot-v1", options, []);
  }

  protected resetState(initialState: number[] | undefined): ResetResult {
    const b = ACROBOT.startBound;
    this.state = initialState
      ? checkInitialState(this.id, initialState, ACROBOT_STATE_NAMES)
      : [this.rng.uniform(-b, b), this.rng.uniform(-b, b), this.rng.uniform(-b, b), this.rng.uniform(-b, b)];
    return { observation: this.observe(), info: {} };
  }

  protected stepState(action: Action): StepResult {
    const c = ACROBOT;
    const torque = c.torques[action as number]!;
    const next = rk4Step(acrobotDerivative, [...this.state, torque], c.dt); // [5]
    this.state = [
      wrap(next[0]!, -Math.PI, Math.PI),
      wrap(next[1]!, -Math.PI, Math.PI),
      clamp(next[2]!, -c.maxVel1, c.maxVel1),
      clamp(next[3]!, -c.maxVel2, c.maxVel2),
    ];
    const terminated = this.tipHeight() > 1.0;
    return { observation: this.observe(), reward: terminated ? 0 : -1, terminated, truncated: false, info: {} };
  }

  /** Height of the free end above the pivot, in link lengths: -cos(theta1) - cos(theta1 + theta2). */
  tipHeight(): number {
    const [t1, t2] = this.state as [number, number];
    return -Math.cos(t1) - Math.cos(t1 + t2);
  }

  private observe(): number[] {
    const [t1, t2, d1, d2] = this.state as [number, number, number, number];
    return [Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), d1, d2]; // [6]
  }

  getState(): number[] {
    return [...this.state];
  }

  /** Pivot 'O', links '*', free end '@', target height '-'. Up is up; x is sin(theta1). */
  render(): string {
    const [t1, t2, d1, d2] = this.state as [number, number, number, number];
    const rows = 11;
    const cols = 23;
    const canvas = textCanvas(rows, cols);
    const toCell = (x: number, y: number): [number, number] => [Math.round(5 - y * 2.5), Math.round(11 + x * 5)];
    for (let i = 0; i < cols; i++) plot(canvas, toCell(0, 1)[0], i, "-");
    const p1: [number, number] = [Math.sin(t1), -Math.cos(t1)];
    const p2: [number, number] = [p1[0] + Math.sin(t1 + t2), p1[1] - Math.cos(t1 + t2)];
    for (let k = 1; k <= 4; k++) {
      const f = k / 5;
      plot(canvas, ...toCell(p1[0] * f, p1[1] * f), "*");
      plot(canvas, ...toCell(p1[0] + (p2[0] - p1[0]) * f, p1[1] + (p2[1] - p1[1]) * f), "*");
    }
    plot(canvas, ...toCell(p1[0], p1[1]), "o");
    plot(canvas, ...toCell(p2[0], p2[1]), "@");
    plot(canvas, ...toCell(0, 0), "O");
    return `${canvasToString(canvas)}\ntheta1=${fmt(t1)} theta2=${fmt(t2)} theta1Dot=${fmt(d1)} theta2Dot=${fmt(d2)}`;
  }
}
