/**
 * CartPole-v1 with Gymnasium's definition: a pole hinged on a cart moving on a frictionless track, pushed by
 * +-10 N. Dynamics of Florian (2007) "Correct equations for the dynamics of the cart-pole system", explicit
 * (forward) Euler with tau = 0.02 s. Terminates when |x| > 2.4 or |theta| > 12 degrees; reward 1 for every step,
 * the terminating one included; truncated after 500 steps. Start state U(-0.05, 0.05)^4.
 *
 * State and observation: [x, xDot, theta, thetaDot] (theta = 0 upright, positive leaning towards +x), float64
 * (Gymnasium returns float32 copies of the same numbers).
 */
import { BaseEnv, box, discrete, type Action, type ResetResult, type StepResult } from "../core.js";
import { FLOAT32_MAX } from "./numerics.js";
import { checkInitialState, checkOptionKeys } from "./option-checks.js";
import { canvasToString, fmt, plot, textCanvas } from "./text-canvas.js";

export const CARTPOLE = {
  gravity: 9.8,
  massCart: 1.0,
  massPole: 0.1,
  /** Half the pole's length (m). */
  halfLength: 0.5,
  forceMag: 10.0,
  /** Seconds per step. */
  tau: 0.02,
  xThreshold: 2.4,
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  maxEpisodeSteps: 500,
  startBound: 0.05,
} as const;

export const CARTPOLE_STATE_NAMES = ["x", "xDot", "theta", "thetaDot"] as const;

export class CartPoleEnv extends BaseEnv {
  readonly id = "CartPole-v1";
  readonly observationSpace = box(
    [-2 * CARTPOLE.xThreshold, -FLOAT32_MAX, -2 * CARTPOLE.thetaThreshold, -FLOAT32_MAX],
    [2 * CARTPOLE.xThreshold, FLOAT32_MAX, 2 * CARTPOLE.thetaThreshold, FLOAT32_MAX],
  );
  /** 0: push left (-10 N), 1: push right (+10 N). */
  readonly actionSpace = discrete(2);
  readonly maxEpisodeSteps = CARTPOLE.maxEpisodeSteps;
  private state: number[] = [0, 0, 0, 0]; // [4] x, xDot, theta, thetaDot

  constructor(options?: Record<string, unknown>) {
    super();
    checkOptionKeys("CartPole-v1", options, []);
  }

  protected resetState(initialState: number[] | undefined): ResetResult {
    const b = CARTPOLE.startBound;
    this.state = initialState
      ? checkInitialState(this.id, initialState, CARTPOLE_STATE_NAMES)
      : [this.rng.uniform(-b, b), this.rng.uniform(-b, b), this.rng.uniform(-b, b), this.rng.uniform(-b, b)];
    return { observation: [...this.state], info: {} };
  }

  protected stepState(action: Action): StepResult {
    const c = CARTPOLE;
    const [x, xDot, theta, thetaDot] = this.state as [number, number, number, number];
    const force = action === 1 ? c.forceMag : -c.forceMag;
    const totalMass = c.massCart + c.massPole;
    const poleMassLength = c.massPole * c.halfLength;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + poleMassLength * thetaDot * thetaDot * sin) / totalMass;
    const thetaAcc = (c.gravity * sin - cos * temp) / (c.halfLength * (4 / 3 - (c.massPole * cos * cos) / totalMass));
    const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
    // Explicit Euler: positions advance with the old velocities.
    this.state = [x + c.tau * xDot, xDot + c.tau * xAcc, theta + c.tau * thetaDot, thetaDot + c.tau * thetaAcc];
    const [nx, , nTheta] = this.state as [number, number, number, number];
    const terminated = nx < -c.xThreshold || nx > c.xThreshold || nTheta < -c.thetaThreshold || nTheta > c.thetaThreshold;
    return { observation: [...this.state], reward: 1, terminated, truncated: false, info: {} };
  }

  getState(): number[] {
    return [...this.state];
  }

  /** Track from -2.4 to 2.4 with the cart ('#') and the pole's lean ('/', '|', '\'). */
  render(): string {
    const [x, xDot, theta, thetaDot] = this.state as [number, number, number, number];
    const width = 49;
    const canvas = textCanvas(3, width);
    const col = Math.round(((x + CARTPOLE.xThreshold) / (2 * CARTPOLE.xThreshold)) * (width - 1));
    const lean = Math.round(Math.sin(theta) * 2);
    plot(canvas, 0, col + lean, theta > 0.05 ? "/" : theta < -0.05 ? "\\" : "|");
    plot(canvas, 1, col, "#");
    for (let i = 0; i < width; i++) plot(canvas, 2, i, i === 0 || i === width - 1 ? "|" : "-");
    const caption = `x=${fmt(x)} xDot=${fmt(xDot)} theta=${fmt((theta * 180) / Math.PI, 1)}deg thetaDot=${fmt(thetaDot)}`;
    return `${canvasToString(canvas)}\n${caption}`;
  }
}
