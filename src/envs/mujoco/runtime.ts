/**
 * The MuJoCo simulator (npm `mujoco`, Google DeepMind's official WASM build of MuJoCo 3.5.1) behind the locomotion
 * envs. Its WASM module loads asynchronously, once per process: `await ready()` (exported as `envs.ready()`) before
 * `make("Hopper-v5")`; `make` on a MuJoCo id before that is a one-line error that says what to call.
 *
 * Compiled models are cached per MJCF text (a model is never changed after compiling); every env owns one `MjData`,
 * freed by `close()` or, for an env dropped without it, by a FinalizationRegistry.
 */

/** The few parts of the `mujoco` package's module that strl uses (typed loosely: the package's own .d.ts is huge). */
export interface MujocoModule {
  FS: { mkdir(path: string): void; writeFile(path: string, text: string): void; unlink(path: string): void };
  MjModel: { mj_loadXML(path: string): MjModel };
  MjData: new (model: MjModel) => MjData;
  mj_step(model: MjModel, data: MjData): void;
  mj_forward(model: MjModel, data: MjData): void;
  mj_resetData(model: MjModel, data: MjData): void;
}

export interface MjModel {
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly ngeom: number;
  readonly opt: { readonly timestep: number };
  readonly qpos0: Float64Array;
  readonly geom_type: Int32Array;
  readonly geom_size: Float64Array;
  readonly geom_rgba: Float32Array;
  readonly geom_bodyid: Int32Array;
  delete(): void;
}

export interface MjData {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly ctrl: Float64Array;
  readonly geom_xpos: Float64Array;
  readonly geom_xmat: Float64Array;
  time: number;
  delete(): void;
}

let loaded: MujocoModule | undefined;
let loading: Promise<MujocoModule> | undefined;
let wasmUrl: string | undefined;

/**
 * Where the module fetches `mujoco.wasm` (a URL), for a page that serves it elsewhere than beside the bundled
 * script (the browser page: `wasm/mujoco.wasm`). Call before the first `loadMujoco()`; Node never needs it.
 */
export function setMujocoWasmUrl(url: string): void {
  if (loading) throw new Error("setMujocoWasmUrl: the MuJoCo module is already loading; set its URL before envs.ready()");
  wasmUrl = url;
}
let fileCounter = 0;
const models = new Map<string, MjModel>();

/** Loads the MuJoCo WASM module (about 0.3 s, once per process); later calls return at once. */
export async function loadMujoco(): Promise<MujocoModule> {
  if (loaded) return loaded;
  loading ??= (async () => {
    const pkg = (await import("mujoco")) as unknown as { default: (overrides: object) => Promise<MujocoModule> };
    // A full WASM heap is reported by newData's one-line error; the module's own line about it would only repeat it.
    const printErr = (text: string): void => void (text.startsWith("Cannot enlarge memory") || console.error(text));
    const locateFile = wasmUrl === undefined ? undefined : (path: string, dir: string): string => (path.endsWith(".wasm") ? wasmUrl! : dir + path);
    const m = await pkg.default(locateFile ? { printErr, locateFile } : { printErr });
    m.FS.mkdir("/strl");
    loaded = m;
    return m;
  })();
  return loading;
}

/** The loaded module, or a one-line error naming what to call first. */
export function mujoco(envId: string): MujocoModule {
  if (!loaded) {
    throw new Error(`${envId} runs on the MuJoCo simulator, which loads asynchronously: call 'await envs.ready()' (strl.envs.ready() from the package) before make('${envId}')`);
  }
  return loaded;
}

/** True once `loadMujoco()` has finished. */
export function mujocoLoaded(): boolean {
  return loaded !== undefined;
}

/** The compiled model of an MJCF text, compiled on first use and kept for the process. */
export function compiledModel(envId: string, xml: string): MjModel {
  const m = mujoco(envId);
  let model = models.get(xml);
  if (!model) {
    const path = `/strl/model-${fileCounter++}.xml`;
    m.FS.writeFile(path, xml);
    try {
      model = m.MjModel.mj_loadXML(path);
    } finally {
      m.FS.unlink(path);
    }
    models.set(xml, model);
  }
  return model;
}

let liveData = 0;
const dataRegistry = new FinalizationRegistry<MjData>((data) => {
  liveData--;
  data.delete();
});

/**
 * A new MjData for `model`, deleted when `owner` is garbage collected unless `freeData` deleted it first. Each one
 * holds MuJoCo's default arena (13.6 MB for these models) in a WASM heap capped at 2 GiB, and the garbage collector
 * does not see that cost: at most about 150 envs can be alive at once, so code that makes many envs closes them.
 */
export function newData(envId: string, model: MjModel, owner: object): MjData {
  let data: MjData;
  try {
    data = new (mujoco(envId).MjData)(model);
  } catch (e) {
    if (!/allocate memory/i.test((e as Error).message)) throw e;
    throw new Error(`${envId}: MuJoCo's 2 GiB memory is full (${liveData} locomotion envs alive, about 14 MB each): close() the envs you no longer use`);
  }
  liveData++;
  dataRegistry.register(owner, data, owner);
  return data;
}

/** Deletes an env's MjData now (idempotent through the owner's bookkeeping). */
export function freeData(owner: object, data: MjData): void {
  dataRegistry.unregister(owner);
  liveData--;
  data.delete();
}

/** How many MjData (one per open locomotion env) are alive now: neither closed nor collected. */
export function liveEnvCount(): number {
  return liveData;
}
