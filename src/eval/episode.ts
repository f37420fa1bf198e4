/**
 * One closed-loop episode: reset the env, then ask the policy for an action at every step, feeding it the
 * return-to-go reduced by each reward (rtg.ts), until the env terminates or truncates, or `maxSteps` is reached.
 */
import type { Action, Env, Observation } from "../envs/core.js";
import type { Rng } from "../tensor/rng.js";
import type { DecisionContext, Policy } from "./policy.js";
import { ReturnToGo } from "./rtg.js";
import { SuccessTracker, type SuccessRule } from "./success.js";

export interface EpisodeOptions {
  env: Env;
  policy: Policy;
  /** Seed of `env.reset({ seed })`. */
  resetSeed: number;
  /** Passed as `env.reset({ options })` (e.g. `{ mazeSeed }`). */
  resetOptions?: Record<string, unknown>;
  /** Unscaled target return. */
  targetReturn: number;
  /** Divisor of the returns-to-go, as in training. */
  rtgScale: number;
  /** Stop (counted as truncated) after this many steps, if the env has not ended before. Default: no cap. */
  maxSteps?: number;
  /** The policy's random stream. */
  rng: Rng;
  /** The success rule (success.ts); `null` = no notion of success. */
  success: SuccessRule | null;
  /** Keep the actions taken in the result (`actions`). */
  recordActions?: boolean;
  /**
   * Stops the episode: checked before every step; the loop yields to the event loop at least every 100 ms so that
   * a signal handler can abort it. An aborted episode throws `signal.reason`.
   */
  signal?: AbortSignal;
}

/** How long a loop watching a signal runs before it yields to the event loop (signal handlers run there). */
export const YIELD_EVERY_MS = 100;

/** Resolves after the event loop has run its pending callbacks (signal handlers included); Node and browsers. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

let lastYield = 0;

/**
 * For loops that watch `signal` (none: returns at once): yields to the event loop when `YIELD_EVERY_MS` have
 * passed since the last yield of any such loop, then throws `signal.reason` if it was aborted.
 */
export async function checkSignal(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  if (performance.now() - lastYield >= YIELD_EVERY_MS) {
    await yieldToEventLoop();
    lastYield = performance.now();
  }
  signal.throwIfAborted();
}

export interface EpisodeResult {
  /** Sum of the rewards. */
  return: number;
  /** Steps taken. */
  length: number;
  terminated: boolean;
  truncated: boolean;
  /** `null` when the env has no success rule. */
  success: boolean | null;
  /** The maze of this episode (maze envs only, from `info.mazeSeed` of the reset). */
  mazeSeed?: number;
  /** The actions taken, in order (only with `recordActions`). */
  actions?: Action[];
}

/** Runs one episode of `policy` in `env`. */
export async function playEpisode(o: EpisodeOptions): Promise<EpisodeResult> {
  const { env, policy } = o;
  if (o.maxSteps !== undefined && !(Number.isInteger(o.maxSteps) && o.maxSteps >= 1)) {
    throw new RangeError(`playEpisode: maxSteps must be an integer >= 1, got ${String(o.maxSteps)}`);
  }
  const rtg = new ReturnToGo(o.targetReturn, o.rtgScale);
  const tracker = new SuccessTracker(o.success);
  const reset = env.reset({ seed: o.resetSeed, options: o.resetOptions });
  policy.reset?.();
  const observations: Observation[] = [reset.observation];
  const actions: Action[] = [];
  const rewards: number[] = [];
  const ctx: DecisionContext = {
    observations,
    actions,
    rewards,
    returnsToGo: rtg.values,
    returnsToGoUnscaled: rtg.unscaledValues,
    get timestep() {
      return actions.length;
    },
    targetReturn: o.targetReturn,
    env,
    rng: o.rng,
  };
  let ret = 0;
  for (;;) {
    await checkSignal(o.signal);
    const a = await policy.act(ctx);
    const r = env.step(a);
    actions.push(a);
    rewards.push(r.reward);
    ret += r.reward;
    tracker.step(r);
    const capped = o.maxSteps !== undefined && actions.length >= o.maxSteps;
    if (r.terminated || r.truncated || capped) {
      const truncated = r.truncated || (capped && !r.terminated);
      const success = tracker.end({
        length: actions.length,
        terminated: r.terminated,
        truncated,
        lastReward: r.reward,
        envMaxSteps: env.maxEpisodeSteps,
      });
      const out: EpisodeResult = { return: ret, length: actions.length, terminated: r.terminated, truncated, success };
      if (typeof reset.info.mazeSeed === "number") out.mazeSeed = reset.info.mazeSeed;
      if (o.recordActions) out.actions = actions.slice();
      return out;
    }
    observations.push(r.observation);
    rtg.update(r.reward);
  }
}
