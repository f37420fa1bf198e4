/**
 * The page's charts over episodes, steps and time steps: the return of each finished episode of this page
 * session, the return-to-go fed to the model at each decision of the current episode against the target (with
 * the reward accumulated so far), and the membrane of the neuron clicked in the raster over the T time steps of
 * the decision, with its threshold and spikes.
 */
import { chart } from "./charts.js";

export const COLOURS = { rtg: "#4b7bec", target: "#6b7385", accumulated: "#e8833a", membrane: "#4b7bec", threshold: "#c0392b", spike: "#e8833a", episode: "#4b7bec" };

/** One finished episode of this page session. */
export interface FinishedEpisode {
  /** 1, 2, … in the order they finished on this page. */
  n: number;
  return: number;
  /** The seed and episode index it was played with. */
  seed: number;
  episode: number;
}

export function returnsChart(box: HTMLElement, eps: readonly FinishedEpisode[]): void {
  chart(box, {
    xLabel: "episode (this page session)",
    yLabel: "return",
    xInteger: true,
    xMin: [1, Math.max(2, eps.length)],
    empty: "no finished episode yet",
    series: [{ name: "return of a finished episode", colour: COLOURS.episode, cls: "episode-returns", points: eps.map((e) => [e.n, e.return]), bars: true }],
  });
}

/**
 * `rtg[t]`: the return-to-go the model was fed at decision t; `rewards[t]`: the reward decision t received.
 */
export function rtgChart(box: HTMLElement, target: number, rtg: readonly number[], rewards: readonly number[]): void {
  let acc = 0;
  const accumulated = rewards.map((r, t): [number, number] => [t, (acc += r)]);
  chart(box, {
    xLabel: "decision (step of this episode)",
    yLabel: "return (env units)",
    xInteger: true,
    xMin: [0, 1],
    empty: "press Step or Play",
    series: [
      { name: "return-to-go fed to the model", colour: COLOURS.rtg, cls: "rtg", points: rtg.map((v, t) => [t, v]), dots: rtg.length <= 60 },
      { name: "reward accumulated after the step", colour: COLOURS.accumulated, cls: "accumulated", points: accumulated, dots: false },
    ],
    refs: [{ name: `target return ${Number(target.toPrecision(6))} (dashed)`, colour: COLOURS.target, y: target, cls: "target" }],
  });
}

/** The clicked neuron of one decision: its membrane H_t before reset [T], its spikes [T] and the layer's threshold. */
export interface NeuronTrace {
  layer: string;
  neuron: number;
  membrane: number[];
  spikes: number[];
  vThreshold: number;
}

export function membraneChart(box: HTMLElement, tr: NeuronTrace | undefined): void {
  if (!tr) {
    box.replaceChildren();
    const p = document.createElement("p");
    p.className = "note";
    p.textContent = "Click a neuron (a column) in a spike raster above to see its membrane over the T time steps of the decision.";
    box.append(p);
    return;
  }
  chart(box, {
    xLabel: "time step t of the decision",
    yLabel: "membrane H_t",
    xInteger: true,
    height: 160,
    series: [
      { name: "membrane H_t (after charging, before the reset)", colour: COLOURS.membrane, cls: "membrane", points: tr.membrane.map((v, t) => [t + 1, v]) },
      { name: "spike (H_t ≥ threshold)", colour: COLOURS.spike, cls: "spikes", marker: "triangle", line: false, points: tr.spikes.flatMap((s, t): Array<[number, number]> => (s > 0 ? [[t + 1, tr.membrane[t]!]] : [])) },
    ],
    refs: [{ name: `threshold v_th = ${tr.vThreshold} (dashed)`, colour: COLOURS.threshold, y: tr.vThreshold, cls: "threshold" }],
  });
}
