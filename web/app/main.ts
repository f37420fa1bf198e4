/**
 * The page: loads the served checkpoint (or trains a tiny maze STRL in the browser), plays episodes step by step
 * with the same env, seeding and `getAction` as `strl eval`, and shows each decision's spikes, firing rates,
 * energy and action probabilities. State for tests and curious users is on `window.strl`.
 */
import { BROWSER_BACKENDS, describeEngine, startBrowserEngine, type BrowserBackend } from "../../src/tensor/browser.js";
import { applyWeights, checkpointFromBytes, CheckpointError } from "../../src/checkpoint/index.js";
import { modelFromJSON } from "../../src/models/factory.js";
import type { PolicyModel } from "../../src/models/types.js";
import { make, readyFor } from "../../src/envs/index.js";
import { isLocomotionEnv } from "../../src/envs/mujoco/index.js";
import { setMujocoWasmUrl } from "../../src/envs/mujoco/runtime.js";
import { d4rlReference } from "../../src/eval/normalized.js";
import { EpisodeStepper } from "../../src/eval/stepper.js";
import { DecisionInspector, type DecisionTrace } from "../../src/eval/decision.js";
import { measureReferenceReturns } from "../../src/eval/reference.js";
import { trainTinyMaze } from "../../src/experiments/tiny-maze.js";
import { drawEnv } from "./draw.js";
import type { MujocoDrawing } from "./draw-mujoco.js";
import { bars, raster, softmax, type PickedNeuron } from "./panels.js";
import { membraneChart, returnsChart, rtgChart, type FinishedEpisode, type NeuronTrace } from "./episode-charts.js";
import { attentionPanel } from "./attention-view.js";
import { attentionKind } from "../../src/eval/attention-row.js";
import { envLegend, PANEL_LEGEND, showLegend } from "./legend.js";
import { layerWarnings } from "./layer-warnings.js";
import { episodeStatus } from "./status.js";
import { layerLabel } from "../../src/models/layer-names.js";
import { formatEnergy } from "../../src/energy/units.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);

interface Loaded {
  model: PolicyModel;
  envId: string;
  envOptions?: Record<string, unknown>;
  source: string;
}

/** What the page shows, for tests (read-only by convention). */
const state = {
  ready: false,
  engine: "",
  envId: "",
  error: "",
  actions: [] as Array<number | number[]>,
  /** Per decision: neuron-steps within float rounding of threshold (DecisionTrace.nearThreshold). */
  nearThreshold: [] as number[],
  /** Spikes shown in each layer's raster over the episode so far. */
  layerSpikes: {} as Record<string, number>,
  done: false,
  return: 0,
  success: null as boolean | null,
  decision: undefined as (DecisionTrace & { probabilities?: number[] }) | undefined,
  episodeEnergyPj: undefined as number | undefined,
  annEpisodeEnergyPj: undefined as number | undefined,
  /** The status line, as shown. */
  status: "",
  /** Mean firing rate per LIF layer over the episode's decisions so far. */
  episodeRates: {} as Record<string, number>,
  /** The silent / saturated layer warnings shown (one line each), by layer. */
  warnings: [] as Array<{ layer: string; kind: string; text: string }>,
  /** Every episode finished on this page, in order (the return-per-episode chart). */
  episodeReturns: [] as FinishedEpisode[],
  /** The target return of the current episode and the return-to-go fed to the model at each of its decisions. */
  target: 0,
  rtg: [] as number[],
  /** The reward each decision of the current episode received. */
  rewards: [] as number[],
  /** The neuron clicked in a raster, and its membrane in the current decision (the membrane chart). */
  picked: undefined as PickedNeuron | undefined,
  membrane: undefined as NeuronTrace | undefined,
  /** MuJoCo envs: what the side view drew last. */
  view: undefined as MujocoDrawing | undefined,
};
(window as unknown as { strl: typeof state }).strl = state;

function showError(msg: string): void {
  state.error = msg;
  const box = $("error");
  box.hidden = false;
  box.textContent = msg;
  $("status").textContent = "error";
}

window.addEventListener("error", (e) => showError(`Error: ${e.message}`));
window.addEventListener("unhandledrejection", (e) => showError(`Error: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`));

async function fetchCheckpoint(): Promise<Loaded | undefined> {
  const where = "served by strl serve";
  const info = (await (await fetch("strl-serve.json")).json()) as { checkpoint: boolean };
  if (!info.checkpoint) return undefined;
  const cfg = await fetch("checkpoint/config.json");
  if (cfg.status === 404) throw new CheckpointError(where, "config.json is missing");
  if (!cfg.ok) throw new CheckpointError(where, `config.json: HTTP ${cfg.status}`);
  const bin = await fetch("checkpoint/model.safetensors");
  if (!bin.ok) throw new CheckpointError(where, bin.status === 404 ? "model.safetensors is missing" : `model.safetensors: HTTP ${bin.status}`);
  const { config, weights } = checkpointFromBytes(where, await cfg.text(), new Uint8Array(await bin.arrayBuffer()));
  try {
    await readyFor(config.env.id); // the MuJoCo simulator's WASM module, for a locomotion env only
  } catch (e) {
    throw new CheckpointError(where, `it was trained for '${config.env.id}', whose simulator (wasm/mujoco.wasm) did not load: ${(e as Error).message}`);
  }
  try {
    const probe = make(config.env.id, config.env.options);
    (probe as { close?(): void }).close?.(); // a MuJoCo env holds simulator memory until closed
  } catch (e) {
    throw new CheckpointError(where, `it was trained for the environment '${config.env.id}', which this page cannot run (${(e as Error).message})`);
  }
  let model: PolicyModel;
  try {
    model = modelFromJSON({ ...config.model.config, kind: config.model.kind });
  } catch (e) {
    throw new CheckpointError(where, `config.json: cannot build the '${config.model.kind}' model: ${(e as Error).message}`);
  }
  applyWeights(model, weights, where);
  model.eval();
  return { model, envId: config.env.id, envOptions: config.env.options, source: `${config.model.kind} on ${config.env.id}` };
}

class Player {
  private stepper!: EpisodeStepper;
  private readonly inspector: DecisionInspector;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;
  private rateSums: Record<string, number> = {};
  private terminated: boolean | undefined;
  private seed = 0;
  private episode = 0;

  constructor(private readonly l: Loaded) {
    this.inspector = new DecisionInspector(l.model, { membrane: true, attention: true });
  }

  newEpisode(): void {
    this.pause();
    const target = Number(($("target") as HTMLInputElement).value);
    const seed = Number(($("seed") as HTMLInputElement).value);
    const episode = Number(($("episode") as HTMLInputElement).value);
    (this.stepper?.env as { close?(): void } | undefined)?.close?.();
    Object.assign(this, { seed, episode });
    this.stepper = new EpisodeStepper({ envId: this.l.envId, envOptions: this.l.envOptions, model: this.l.model, targetReturn: target, seed, episode });
    this.inspector.resetEpisode();
    this.rateSums = {};
    this.terminated = undefined;
    Object.assign(state, { actions: [], nearThreshold: [], layerSpikes: {}, done: false, return: 0, success: null, decision: undefined, episodeEnergyPj: undefined, annEpisodeEnergyPj: undefined, episodeRates: {}, warnings: [], target, rtg: [], rewards: [], membrane: undefined });
    for (const id of ["probs", "energy", "rates", "raster", "layer-warnings"]) $(id).replaceChildren();
    this.showDecisionViews();
    this.render();
    this.showStatus();
  }

  async step(): Promise<void> {
    if (this.busy || this.stepper.done) return;
    this.busy = true;
    try {
      const tokens = Math.min(this.stepper.actions.length + 1, this.l.model.contextLength);
      let trace!: DecisionTrace;
      const r = await this.stepper.step(async (decide) => {
        const out = await this.inspector.inspect(tokens, decide);
        trace = out.trace;
        return out.value;
      });
      const discrete = this.l.model.head.kind === "discrete";
      state.actions.push(typeof r.action === "number" ? r.action : [...r.action]);
      state.nearThreshold.push(trace.nearThreshold);
      for (const [layer, rate] of Object.entries(trace.rates)) this.rateSums[layer] = (this.rateSums[layer] ?? 0) + rate;
      state.episodeRates = Object.fromEntries(Object.entries(this.rateSums).map(([k, v]) => [k, v / state.actions.length]));
      for (const l of trace.spikes) state.layerSpikes[l.layer] = (state.layerSpikes[l.layer] ?? 0) + l.spikes.flat().reduce((a, b) => a + b, 0);
      Object.assign(state, { done: r.done, return: r.return, success: r.success });
      state.rtg = this.stepper.returnsToGo.slice(0, state.actions.length);
      state.rewards = [...this.stepper.rewards];
      if (r.done) state.episodeReturns.push({ n: state.episodeReturns.length + 1, return: r.return, seed: this.seed, episode: this.episode });
      state.decision = { ...trace, probabilities: discrete ? softmax(r.predictions) : undefined };
      const ep = this.inspector.episodeEnergy();
      state.episodeEnergyPj = ep?.model.energyPerDecisionPj;
      state.annEpisodeEnergyPj = ep?.ann?.energyPerDecisionPj;
      this.show(r.predictions, r.action, discrete);
      this.render();
      if (r.done) {
        this.terminated = r.terminated;
        this.pause();
      }
      this.showStatus();
    } finally {
      this.busy = false;
    }
  }

  play(): void {
    if (this.timer || this.stepper.done) return;
    ($("play") as HTMLButtonElement).disabled = true;
    ($("pause") as HTMLButtonElement).disabled = false;
    const tick = async (): Promise<void> => {
      await this.step();
      if (this.stepper.done || !this.timer) return;
      const speed = Number(($("speed") as HTMLInputElement).value);
      this.timer = setTimeout(() => void tick(), 1000 / speed);
    };
    this.timer = setTimeout(() => void tick(), 0);
    this.showStatus();
  }

  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    ($("play") as HTMLButtonElement).disabled = false;
    ($("pause") as HTMLButtonElement).disabled = true;
    if (this.stepper) this.showStatus();
  }

  /** The status line follows the episode (status.ts). */
  private showStatus(): void {
    const s = this.stepper;
    state.status = episodeStatus({ steps: s.actions.length, return: s.return, done: s.done, success: s.done ? s.success : null, terminated: this.terminated, playing: this.timer !== undefined });
    $("status").textContent = state.status;
  }

  private render(): void {
    const s = this.stepper;
    state.view = drawEnv($("env") as HTMLCanvasElement, s.env, s.observations[s.observations.length - 1]!);
    $("t").textContent = String(s.actions.length);
    $("return").textContent = s.return.toFixed(3);
    $("success").textContent = s.done ? (s.success === null ? "n/a" : s.success ? "yes" : "no") : "–";
    this.showEpisodeCharts();
  }

  /** The return-per-episode and return-to-go charts (drawn at their boxes' widths: again after a resize). */
  showEpisodeCharts(): void {
    returnsChart($("returns-chart"), state.episodeReturns);
    rtgChart($("rtg-chart"), state.target, state.rtg, state.rewards);
  }

  /** Picks a raster neuron: its membrane in this decision and, as the episode goes on, in each next one. */
  pick(p: PickedNeuron): void {
    state.picked = p;
    this.showDecisionViews();
  }

  /** The raster (with the picked neuron), the picked neuron's membrane chart and the attention maps of the decision. */
  showDecisionViews(): void {
    const d = state.decision;
    const p = state.picked;
    const layer = p && d ? d.spikes.find((l) => l.layer === p.layer) : undefined;
    state.membrane = layer?.membrane && p && p.neuron < (layer.spikes[0]?.length ?? 0)
      ? { layer: p.layer, neuron: p.neuron, membrane: layer.membrane.map((row) => row[p.neuron]!), spikes: layer.spikes.map((row) => row[p.neuron]!), vThreshold: layer.vThreshold! }
      : undefined;
    if (d) raster($("raster"), d, p, (q) => this.pick(q));
    const box = $("membrane");
    membraneChart(box, state.membrane);
    $("membrane-title").textContent = state.membrane
      ? `Membrane of ${layerLabel(state.membrane.layer)}, neuron ${state.membrane.neuron + 1} (this decision)`
      : "Membrane of a clicked neuron (this decision)";
    attentionPanel($("attention"), d?.attention, state.actions.length - 1, attentionKind(this.l.model));
  }

  private show(pred: Float32Array, action: number | number[], discrete: boolean): void {
    const d = state.decision!;
    if (discrete) {
      const names = this.l.envId.startsWith("Maze") ? ["left", "right", "up", "down"] : [];
      bars($("probs"), d.probabilities!.map((p, i) => ({ name: names[i] ?? `action ${i}`, value: p, label: p.toFixed(3), cls: i === action ? "pick" : "" })), 1);
    } else {
      bars($("probs"), Array.from(pred, (v, i) => ({ name: `a[${i}]`, value: Math.abs(v), label: v.toFixed(3) })));
    }
    const rows = [{ name: `${this.l.model.kind.toUpperCase()} (this decision)`, value: d.energyPj, label: formatEnergy(d.energyPj) }];
    if (d.annEnergyPj !== undefined && this.l.model.kind !== "ann-strl") rows.push({ name: "ANN-STRL, same size", value: d.annEnergyPj, label: formatEnergy(d.annEnergyPj), cls: "ann" } as never);
    if (state.episodeEnergyPj !== undefined) rows.push({ name: "episode mean / decision", value: state.episodeEnergyPj, label: formatEnergy(state.episodeEnergyPj) });
    bars($("energy"), rows);
    const box = $("energy");
    box.dataset.decisionPj = String(d.energyPj);
    box.dataset.annPj = String(d.annEnergyPj ?? "");
    box.dataset.episodePj = String(state.episodeEnergyPj ?? "");
    bars($("rates"), Object.entries(d.rates).map(([n, r]) => ({ name: layerLabel(n), title: n, value: r, label: r.toFixed(4) })), 1);
    state.warnings = layerWarnings(state.episodeRates);
    $("layer-warnings").replaceChildren(...state.warnings.map((w) => {
      const li = document.createElement("li");
      li.className = `warn ${w.kind}`;
      li.dataset.layer = w.layer;
      li.textContent = w.text;
      return li;
    }));
    this.showDecisionViews();
  }
}

async function defaultTarget(envId: string, envOptions?: Record<string, unknown>): Promise<number> {
  const fromUrl = params.get("target");
  if (fromUrl !== null && Number.isFinite(Number(fromUrl))) return Number(fromUrl);
  const d4rl = isLocomotionEnv(envId) ? d4rlReference(envId) : undefined;
  if (d4rl) {
    // the trained SAC experts are files the page does not load: D4RL's expert reference return instead
    $("target").title = `D4RL's expert reference return (${d4rl.source})`;
    return d4rl.expert;
  }
  // as `strl eval`: the expert's mean return on 10 episodes (seed 12345), rounded to 3 decimals
  const refs = await measureReferenceReturns(envId, { episodes: 10, seeds: [12345], envOptions });
  return Math.round(refs.expert * 1000) / 1000;
}

async function start(l: Loaded): Promise<void> {
  $("train").hidden = true;
  $("main").hidden = false;
  $("ckinfo").textContent = `checkpoint: ${l.source}`;
  state.envId = l.envId;
  showLegend($("env-legend"), envLegend(l.envId));
  showLegend($("panel-legend"), PANEL_LEGEND);
  ($("target") as HTMLInputElement).value = String(await defaultTarget(l.envId, l.envOptions));
  for (const k of ["seed", "episode"]) if (params.get(k) !== null) ($(k) as HTMLInputElement).value = params.get(k)!;
  const player = new Player(l);
  $("new").onclick = () => player.newEpisode();
  $("step").onclick = () => void player.step();
  $("play").onclick = () => player.play();
  $("pause").onclick = () => player.pause();
  const speed = $("speed") as HTMLInputElement;
  speed.oninput = () => ($("speed-text").textContent = `${speed.value} steps/s`);
  if (params.get("speed")) speed.value = params.get("speed")!;
  speed.oninput(new Event("input"));
  player.newEpisode();
  let resized: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener("resize", () => {
    clearTimeout(resized);
    resized = setTimeout(() => {
      player.showEpisodeCharts();
      player.showDecisionViews();
    }, 100);
  });
  state.ready = true;
  if (params.get("autoplay") === "1") player.play();
}

function offerTraining(): void {
  $("train").hidden = false;
  $("ckinfo").textContent = "checkpoint: none";
  const btn = $("train-btn") as HTMLButtonElement;
  btn.onclick = async () => {
    btn.disabled = true;
    const bar = $("train-progress") as HTMLProgressElement;
    const t0 = performance.now();
    const run = await trainTinyMaze({
      onProgress: async (done, total) => {
        bar.value = done / total;
        $("train-text").textContent = `${done}/${total} updates, ${((performance.now() - t0) / 1000).toFixed(1)} s`;
        await new Promise((r) => setTimeout(r, 0)); // let the page repaint
      },
    });
    run.model.eval();
    await start({ model: run.model, envId: run.envId, envOptions: run.envOptions, source: `strl trained in this browser on ${run.envId}` });
  };
  state.ready = true;
}

async function main(): Promise<void> {
  setMujocoWasmUrl(new URL("wasm/mujoco.wasm", location.href).href);
  const asked = params.get("backend");
  const order = asked && (BROWSER_BACKENDS as readonly string[]).includes(asked) ? [asked as BrowserBackend] : undefined;
  const engine = await startBrowserEngine({ wasmPaths: new URL("wasm/", location.href).href, order });
  state.engine = describeEngine(engine);
  $("engine").textContent = `engine: ${state.engine}`;
  $("engine").title = engine.skipped.join("\n");
  let loaded: Loaded | undefined;
  try {
    loaded = await fetchCheckpoint();
  } catch (e) {
    showError(`Cannot load the checkpoint: ${(e as Error).message}`);
    $("ckinfo").textContent = "checkpoint: unusable";
    state.ready = true;
    return;
  }
  if (loaded) await start(loaded);
  else offerTraining();
}

main().catch((e: unknown) => {
  showError(`The page could not start: ${e instanceof Error ? e.message : String(e)}`);
  state.ready = true;
});
