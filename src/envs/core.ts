/**
 * Gymnasium-style environment API: `reset({ seed, options }) -> { observation, info }` and
 * `step(action) -> { observation, reward, terminated, truncated, info }`, with Box / Discrete spaces and a
 * registry (`make(id, options)`). Pure TypeScript; randomness comes only from the seeded `Rng`.
 */
import { Rng, assertSeed } from "../tensor/rng.js";

export type Action = number | number[];
export type Observation = number[];
export type Info = Record<string, unknown>;

export interface DiscreteSpace {
  readonly kind: "discrete";
  readonly n: number;
}

export interface BoxSpace {
  readonly kind: "box";
  readonly shape: readonly number[];
  readonly low: readonly number[];
  readonly high: readonly number[];
}

export type Space = DiscreteSpace | BoxSpace;

export function discrete(n: number): DiscreteSpace {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Discrete space: n must be a positive integer, got ${n}`);
  return { kind: "discrete", n };
}

/** A 1-D (or flattened) Box; `low`/`high` may be scalars broadcast to the size. */
export function box(low: number | readonly number[], high: number | readonly number[], shape?: readonly number[]): BoxSpace {
  const size = shape ? shape.reduce((a, b) => a * b, 1) : Array.isArray(low) ? low.length : Array.isArray(high) ? high.length : 1;
  const lo = typeof low === "number" ? new Array<number>(size).fill(low) : [...low];
  const hi = typeof high === "number" ? new Array<number>(size).fill(high) : [...high];
  if (lo.length !== size || hi.length !== size) throw new RangeError(`Box space: low/high length must be ${size}`);
  return { kind: "box", shape: shape ? [...shape] : [size], low: lo, high: hi };
}

/** Number of scalars in a space's sample (1 for Discrete). */
export function spaceSize(space: Space): number {
  return space.kind === "discrete" ? 1 : space.shape.reduce((a, b) => a * b, 1);
}

/** Throws a clear error when `action` is not a member of `space`. Returns the action normalised. */
export function checkAction(space: Space, action: unknown, envId = "env"): Action {
  if (space.kind === "discrete") {
    const a = Array.isArray(action) && action.length === 1 ? action[0] : action;
    if (typeof a !== "number" || !Number.isInteger(a) || a < 0 || a >= space.n) {
      throw new RangeError(`${envId}: action must be an integer in [0, ${space.n - 1}], got ${JSON.stringify(action)}`);
    }
    return a;
  }
  const size = spaceSize(space);
  const arr = typeof action === "number" && size === 1 ? [action] : action;
  if (!Array.isArray(arr) || arr.length !== size || arr.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
    throw new RangeError(`${envId}: action must be an array of ${size} finite numbers, got ${JSON.stringify(action)}`);
  }
  for (let i = 0; i < size; i++) {
    const v = arr[i] as number;
    if (v < space.low[i]! - 1e-6 || v > space.high[i]! + 1e-6) {
      throw new RangeError(`${envId}: action[${i}] = ${v} is outside [${space.low[i]}, ${space.high[i]}]`);
    }
  }
  return arr as number[];
}

export interface ResetOptions {
  seed?: number;
  options?: { initialState?: number[]; [key: string]: unknown };
}

export interface ResetResult {
  observation: Observation;
  info: Info;
}

export interface StepResult {
  observation: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/** An RGB frame (row-major, 3 bytes per pixel) for the browser demo. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  /** Step limit after which `truncated` is set (Gymnasium's TimeLimit). */
  readonly maxEpisodeSteps: number;
  reset(args?: ResetOptions): ResetResult;
  step(action: Action): StepResult;
  /** Text rendering (one string, lines separated by "\n"). */
  render(): string;
  /** Optional RGB frame for the browser. */
  renderRgb?(): RgbFrame;
  /** Internal physical state in Gymnasium's order, as plain numbers (what `options.initialState` accepts). */
  getState(): number[];
  /** Frees what the env holds outside the JS heap (the MuJoCo envs' simulator memory); the env is unusable after.
   *  Envs that hold nothing there have no `close`: call it as `env.close?.()`. */
  close?(): void;
}

/**
 * Shared base: seeding (Gymnasium semantics: `reset({ seed })` reseeds, `reset()` continues the stream),
 * step counting, truncation and action checking. Subclasses implement `resetState` and `stepState`.
 */
export abstract class BaseEnv implements Env {
  abstract readonly id: string;
  abstract readonly observationSpace: BoxSpace;
  abstract readonly actionSpace: Space;
  abstract readonly maxEpisodeSteps: number;
  protected rng: Rng = new Rng(0);
  protected elapsedSteps = 0;
  protected needsReset = true;

  reset(args: ResetOptions = {}): ResetResult {
    if (args.seed !== undefined) this.rng = new Rng(assertSeed(args.seed, `${this.id}.reset: seed`));
    this.elapsedSteps = 0;
    this.needsReset = false;
    const initial = args.options?.initialState;
    if (initial !== undefined) {
      if (!Array.isArray(initial) || initial.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
        throw new RangeError(`${this.id}.reset: options.initialState must be an array of finite numbers, got ${JSON.stringify(initial)}`);
      }
    }
    return this.resetState(initial, args.options ?? {});
  }

  step(action: Action): StepResult {
    if (this.needsReset) throw new Error(`${this.id}.step: call reset() before step() (and after an episode ends)`);
    const a = checkAction(this.actionSpace, action, this.id);
    const r = this.stepState(a);
    this.elapsedSteps++;
    if (!r.terminated && this.elapsedSteps >= this.maxEpisodeSteps) r.truncated = true;
    if (r.terminated || r.truncated) this.needsReset = true;
    return r;
  }

  protected abstract resetState(initialState: number[] | undefined, options: Record<string, unknown>): ResetResult;
  protected abstract stepState(action: Action): StepResult;
  abstract render(): string;
  abstract getState(): number[];
}

export type EnvFactory = (options?: Record<string, unknown>) => Env;

const registry = new Map<string, EnvFactory>();
const aliasIds = new Set<string>();

export function register(id: string, factory: EnvFactory): void {
  if (registry.has(id)) throw new Error(`environment '${id}' is already registered`);
  registry.set(id, factory);
}

/**
 * Registers an older id that `make` still accepts (see `aliases.ts`); its factory checks that the options agree
 * with what the old id names and builds the env under its current id. Aliases are not listed by `registeredIds`.
 */
export function registerAlias(alias: string, factory: EnvFactory): void {
  register(alias, factory);
  aliasIds.add(alias);
}

/** The current env ids, sorted (older ids that `make` still accepts are left out). */
export function registeredIds(): string[] {
  return [...registry.keys()].filter((id) => !aliasIds.has(id)).sort();
}

/** True for a registered id or an older id that `make` still accepts. */
export function isEnvId(id: string): boolean {
  return registry.has(id);
}

export function make(id: string, options?: Record<string, unknown>): Env {
  const f = registry.get(id);
  if (!f) throw new RangeError(`unknown environment '${id}'; known: ${registeredIds().join(", ")}`);
  return f(options);
}

/**
 * The id a dataset or checkpoint should record for `make(id, options)`: `id` itself, or for an older id the one it
 * stands for, after checking that `options` agree with it (throws the env's own error when they do not).
 */
export function resolveEnvId(id: string, options?: Record<string, unknown>): string {
  if (!aliasIds.has(id)) {
    if (!registry.has(id)) throw new RangeError(`unknown environment '${id}'; known: ${registeredIds().join(", ")}`);
    return id;
  }
  return make(id, options).id;
}
