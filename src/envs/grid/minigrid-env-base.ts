/**
 * The Env shared by `MiniGrid-Empty-8x8-v0`, `MiniGrid-FourRooms-v0` and `MiniGrid-DoorKey-8x8-v0`: options,
 * spaces, seeding and MiniGrid's random placement, the reward, and the Gymnasium `reset` / `step`. It holds a
 * `MiniGridWorld` (grid, agent and the rules of one action, `minigrid-world.ts`) and hands it to the observation
 * (`minigrid-observation.ts`), the renders (`minigrid-render.ts`) and the expert (`minigrid-planner.ts`).
 *
 * From MiniGrid's `minigrid_env.py`: reaching the goal terminates with reward `1 - 0.9 * (step_count / max_steps)`
 * (step_count counts this step), lava terminates with reward 0, every other step gives 0; truncation at
 * `max_steps`.
 *
 * Random layouts use the env's seeded `Rng` with the same draws in the same order as MiniGrid's `_gen_grid`
 * (rejection sampling for placements), so the *distributions* match MiniGrid; the layout for a given seed differs
 * from the Python package's (a different generator).
 */
import { type Action, BaseEnv, type BoxSpace, type DiscreteSpace, type ResetResult, type RgbFrame, type StepResult, discrete } from "../core.js";
import { checkOptionKeys, intOption } from "./options.js";
import { MiniGridWorld, type MiniGridSnapshot, OBJECT_TO_IDX, objectName } from "./minigrid-world.js";
import { type MiniGridObservationMode, egocentricImage, observationSpaceFor, observeWorld } from "./minigrid-observation.js";
import { renderWorldRgb, renderWorldText } from "./minigrid-render.js";
import { MiniGridExpert } from "./minigrid-planner.js";

export interface MiniGridOptions {
  /** "xyd" (default) `[x, y, dir]`, "xy" `[x, y]`, or "image" (the 147-number egocentric view). */
  observation?: MiniGridObservationMode;
  /** Truncation limit (default: the MiniGrid env's `max_steps`). */
  maxSteps?: number;
}

export abstract class MiniGridEnvBase extends BaseEnv {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = discrete(7);
  readonly maxEpisodeSteps: number;
  readonly width: number;
  readonly height: number;
  readonly observationMode: MiniGridObservationMode;
  /** MiniGrid's `see_through_walls` (no occlusion in the image observation). */
  protected readonly seeThroughWalls: boolean;
  /** The grid, the agent and what it carries; `genGrid` builds it for each episode. */
  protected readonly world: MiniGridWorld;
  private expert: MiniGridExpert;

  protected constructor(
    id: string,
    width: number,
    height: number,
    defaultMaxSteps: number,
    seeThroughWalls: boolean,
    options: MiniGridOptions & Record<string, unknown>,
    extraKeys: readonly string[] = [],
  ) {
    super();
    this.id = id;
    checkOptionKeys(id, options, ["observation", "maxSteps", ...extraKeys]);
    const mode = options.observation ?? "xyd";
    if (mode !== "xyd" && mode !== "xy" && mode !== "image") {
      throw new RangeError(`${id}: option 'observation' must be "xyd", "xy" or "image", got ${JSON.stringify(options.observation)}`);
    }
    this.observationMode = mode;
    this.width = width;
    this.height = height;
    this.maxEpisodeSteps = intOption(id, "maxSteps", options.maxSteps) ?? defaultMaxSteps;
    this.seeThroughWalls = seeThroughWalls;
    this.world = new MiniGridWorld(width, height);
    this.expert = new MiniGridExpert(this.world);
    this.observationSpace = observationSpaceFor(mode, width, height);
  }

  /** Build the layout for a new episode in `this.world` (walls, objects, agent pose) using `this.rng`. */
  protected abstract genGrid(): void;

  // ---- MiniGrid's MiniGridEnv placement helpers (they draw from the env's seeded stream) ----

  /** Uniform integer in [low, high) (MiniGrid's `_rand_int`). */
  protected randInt(low: number, high: number): number {
    return low + this.rng.int(high - low);
  }

  /** MiniGrid's `place_obj`: rejection-sample an empty cell (not the agent's) in the rectangle; `type` 0 = none. */
  protected placeObj(type: number, color: number, state: number, top: [number, number] = [0, 0], size?: [number, number]): [number, number] {
    const w = this.world;
    const t0 = Math.max(top[0], 0);
    const t1 = Math.max(top[1], 0);
    const s = size ?? [this.width, this.height];
    for (;;) {
      const x = this.randInt(t0, Math.min(t0 + s[0], this.width));
      const y = this.randInt(t1, Math.min(t1 + s[1], this.height));
      if (w.types[y * this.width + x] !== OBJECT_TO_IDX.empty) continue;
      if (x === w.agentX && y === w.agentY) continue;
      if (type !== 0) w.setCell(x, y, type, color, state);
      return [x, y];
    }
  }

  /** MiniGrid's `place_agent` (random direction). */
  protected placeAgent(top?: [number, number], size?: [number, number]): void {
    const w = this.world;
    w.agentX = -1;
    w.agentY = -1;
    const [x, y] = this.placeObj(0, 0, 0, top, size);
    w.agentX = x;
    w.agentY = y;
    w.agentDir = this.randInt(0, 4);
  }

  // ---- Env API ----

  protected resetState(initialState: number[] | undefined, _options: Record<string, unknown>): ResetResult {
    const w = this.world;
    w.clear();
    this.genGrid();
    this.expert = new MiniGridExpert(w);
    if (initialState !== undefined) {
      if (initialState.length !== 3 || !initialState.every(Number.isInteger)) {
        throw new RangeError(`${this.id}.reset: initialState must be [x, y, direction] (three integers), got ${JSON.stringify(initialState)}`);
      }
      const [x, y, d] = initialState as [number, number, number];
      if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
        throw new RangeError(`${this.id}.reset: initialState (x=${x}, y=${y}) is outside the ${this.width}x${this.height} grid`);
      }
      if (d < 0 || d > 3) throw new RangeError(`${this.id}.reset: initialState direction must be 0..3 (right, down, left, up), got ${d}`);
      const t = w.types[y * this.width + x]!;
      if (t !== OBJECT_TO_IDX.empty) {
        throw new RangeError(`${this.id}.reset: initialState (x=${x}, y=${y}) is not an empty cell (it holds object ${t}: ${objectName(t)})`);
      }
      w.agentX = x;
      w.agentY = y;
      w.agentDir = d;
    }
    return { observation: this.observe(), info: {} };
  }

  protected stepState(action: Action): StepResult {
    const end = this.world.applyAction(action as number);
    const terminated = end !== null;
    const reward = end === "goal" ? 1 - 0.9 * ((this.elapsedSteps + 1) / this.maxEpisodeSteps) : 0;
    return { observation: this.observe(), reward, terminated, truncated: false, info: terminated && reward > 0 ? { isSuccess: true } : {} };
  }

  protected observe(): number[] {
    return observeWorld(this.world, this.observationMode, this.seeThroughWalls);
  }

  /** `[x, y, direction]` (what `options.initialState` accepts). */
  getState(): number[] {
    return [this.world.agentX, this.world.agentY, this.world.agentDir];
  }

  /** A copy of the full internal state (layout, agent pose, carried object) for solvers and tests. */
  snapshot(): MiniGridSnapshot {
    return this.world.snapshot();
  }

  /** The object (type, colour, state) at (x, y); `[1, 0, 0]` for empty. */
  cellAt(x: number, y: number): [number, number, number] {
    return this.world.cellAt(x, y);
  }

  /** The carried object as (type, colour), or null. */
  carrying(): [number, number] | null {
    return this.world.carrying();
  }

  /**
   * Optimal action sequence from the current state to the goal (BFS over agent pose, carried/dropped object and
   * door state), or `null` when the goal cannot be reached.
   */
  solve(): number[] | null {
    return this.expert.solve();
  }

  /**
   * The optimal next action from the current state. Plans once with BFS and reuses the plan while the agent stays
   * on it; replans when it leaves it (e.g. after a noisy action). Returns 6 (done) when the agent already stands
   * on the goal; throws when the goal is unreachable.
   */
  expertAction(): number {
    return this.expert.nextAction(this.id);
  }

  /** MiniGrid's `gen_obs()["image"]`, flattened (see `minigrid-observation.ts`). */
  imageObservation(): number[] {
    return egocentricImage(this.world, this.seeThroughWalls);
  }

  /**
   * One character per cell, one line per row: '#' wall, '.' empty, 'G' goal, 'K' key, 'B' ball, 'X' box,
   * 'L' locked door, 'D' closed door, '_' open door, 'F' floor, 'V' lava; the agent as '>', 'v', '<', '^'.
   */
  render(): string {
    return renderWorldText(this.world);
  }

  /** RGB frame, `tilePx` pixels per cell, in MiniGrid's colours (agent: red triangle pointing its way). */
  renderRgb(tilePx = 8): RgbFrame {
    return renderWorldRgb(this.world, tilePx);
  }
}
