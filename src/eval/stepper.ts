/**
 * One closed-loop episode taken a step at a time, for displays that show every decision (the browser page).
 * The same episode as `evaluateClosedLoop` plays for (seed, episode index): the reset seed and maze come from
 * `evaluationStreams(seed)` (episode e takes the e-th draws), the policy is the model's own `getAction` through
 * `modelPolicy` (arg-max), and the returns-to-go are reduced by each reward as in `playEpisode`.
 */
import type { Action, Env, Observation } from "../envs/core.js";
import { make } from "../envs/index.js";
import type { PolicyModel } from "../models/types.js";
import { modelPolicy, modelRtgScale } from "./model-policy.js";
import type { DecisionContext, Policy } from "./policy.js";
import { ReturnToGo } from "./rtg.js";
import { drawsMazes, evaluationStreams } from "./seeds.js";
import { evaluationMazeSeeds } from "./unseen-mazes.js";
import { SuccessTracker, successRule } from "./success.js";

export interface StepperOptions {
  envId: string;
  envOptions?: Record<string, unknown>;
  model: PolicyModel;
  /** Unscaled target return. */
  targetReturn: number;
  /** Evaluation seed (uint32), as `strl eval --seeds`. */
  seed: number;
  /** Episode index within the seed (default 0). */
  episode?: number;
  /** Stop (truncated) after this many steps. */
  maxSteps?: number;
  /** Grid keys of training mazes never drawn (as `evaluateClosedLoop`'s `excludeMazes`; too few unseen mazes throw). */
  excludeMazes?: ReadonlySet<string>;
}

export interface StepResult {
  /** Index of the step just taken. */
  t: number;
  action: Action;
  reward: number;
  /** Sum of the rewards so far. */
  return: number;
  done: boolean;
  terminated: boolean;
  truncated: boolean;
  /** Known once done (null: the env has no success rule, or not done yet). */
  success: boolean | null;
  /** The decision's raw predictions at the current position: logits (discrete) or the continuous action. */
  predictions: Float32Array;
}

export class EpisodeStepper {
  readonly env: Env;
  readonly observations: Observation[] = [];
  readonly actions: Action[] = [];
  readonly rewards: number[] = [];
  readonly mazeSeed?: number;
  return = 0;
  done = false;
  success: boolean | null = null;
  private readonly policy: Policy;
  private readonly rtg: ReturnToGo;
  private readonly tracker: SuccessTracker;
  private readonly ctx: DecisionContext;
  private predictions = new Float32Array(0);

  constructor(private readonly o: StepperOptions) {
    const episode = o.episode ?? 0;
    if (!Number.isInteger(episode) || episode < 0) throw new RangeError(`EpisodeStepper: episode must be an integer >= 0, got ${episode}`);
    const rtgScale = modelRtgScale(o.model);
    if (rtgScale === undefined) throw new RangeError(`EpisodeStepper: the '${o.model.kind}' model's config has no rtgScale`);
    this.env = make(o.envId, o.envOptions);
    const streams = evaluationStreams(o.seed);
    let resetSeed = 0;
    for (let e = 0; e <= episode; e++) resetSeed = streams.env.nextU32();
    const mazeSeed = drawsMazes(o.envId, o.envOptions) ? evaluationMazeSeeds(streams.maze, (this.env as unknown as { size: number }).size, episode + 1, o.excludeMazes)[episode] : undefined;
    const reset = this.env.reset({ seed: resetSeed, options: mazeSeed === undefined ? undefined : { mazeSeed } });
    if (typeof reset.info.mazeSeed === "number") this.mazeSeed = reset.info.mazeSeed;
    this.observations.push(reset.observation);
    this.rtg = new ReturnToGo(o.targetReturn, rtgScale);
    this.tracker = new SuccessTracker(successRule(o.envId));
    this.policy = modelPolicy(o.model, { onPredictions: (p) => (this.predictions = Float32Array.from(p)) });
    const self = this;
    this.ctx = {
      observations: this.observations,
      actions: this.actions,
      rewards: this.rewards,
      returnsToGo: this.rtg.values,
      returnsToGoUnscaled: this.rtg.unscaledValues,
      get timestep() {
        return self.actions.length;
      },
      targetReturn: o.targetReturn,
      env: this.env,
      rng: streams.policy,
    };
  }

  /**
   * The return-to-go (unscaled: the target minus the rewards received before each step) fed to the model at each
   * decision so far, [actions] (one more, the next decision's, while the episode goes on).
   */
  get returnsToGo(): readonly number[] {
    return this.rtg.unscaledValues;
  }

  /** The target return the episode started with (unscaled). */
  get targetReturn(): number {
    return this.o.targetReturn;
  }

  /**
   * Decides and takes one step. `around` runs the decision (e.g. inside a spike capture); it must call `decide`
   * exactly once and return its action.
   */
  async step(around: (decide: () => Action | Promise<Action>) => Action | Promise<Action> = (d) => d()): Promise<StepResult> {
    if (this.done) throw new Error("EpisodeStepper: the episode is over; start a new one");
    const a = await around(() => this.policy.act(this.ctx));
    const r = this.env.step(a);
    this.actions.push(a);
    this.rewards.push(r.reward);
    this.return += r.reward;
    this.tracker.step(r);
    const capped = this.o.maxSteps !== undefined && this.actions.length >= this.o.maxSteps;
    const truncated = r.truncated || (capped && !r.terminated);
    this.done = r.terminated || truncated;
    if (this.done) {
      this.success = this.tracker.end({ length: this.actions.length, terminated: r.terminated, truncated, lastReward: r.reward, envMaxSteps: this.env.maxEpisodeSteps });
    } else {
      this.observations.push(r.observation);
      this.rtg.update(r.reward);
    }
    return { t: this.actions.length - 1, action: a, reward: r.reward, return: this.return, done: this.done, terminated: r.terminated, truncated, success: this.success, predictions: this.predictions };
  }
}
