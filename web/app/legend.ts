/**
 * What the colours mean: the env drawing's (per env family, as draw.ts, draw-mujoco.ts and the grid envs'
 * `renderRgb` paint them) and the decision panels' (bars and spike raster, as panels.ts and style.css paint them).
 */

export interface LegendItem {
  /** A CSS colour; `outline` draws it as a frame instead of a filled swatch. */
  colour: string;
  text: string;
  outline?: boolean;
}

/** The env drawing's colours for `envId` ([] when the drawing has none to explain). */
export function envLegend(envId: string): LegendItem[] {
  if (envId.startsWith("Maze2D")) {
    return [
      { colour: "#333", text: "wall" },
      { colour: "#bfe8c8", text: "goal cell" },
      { colour: "#4b7bec", text: "the ball (agent)" },
    ];
  }
  if (envId.startsWith("Maze")) {
    const items: LegendItem[] = [
      { colour: "rgb(40,40,40)", text: "wall" },
      { colour: "#fff", text: "open cell" },
      { colour: "rgb(0,200,0)", text: "exit (goal)" },
      { colour: "rgb(220,0,0)", text: "agent" },
    ];
    if (envId.startsWith("MazeLocal")) items.push({ colour: "#e8833a", text: "the 4 neighbours whose walls the agent observes", outline: true });
    return items;
  }
  if (envId.startsWith("MiniGrid")) {
    return [
      { colour: "rgb(255,0,0)", text: "agent (points its way)" },
      { colour: "rgb(0,255,0)", text: "goal" },
      { colour: "rgb(100,100,100)", text: "wall" },
      { colour: "rgb(255,255,0)", text: "key / door (their colour)" },
    ];
  }
  if (envId.startsWith("CartPole")) return [{ colour: "#4b7bec", text: "cart" }, { colour: "#c8813a", text: "pole (keep it upright)" }, { colour: "#333", text: "track" }];
  if (envId.startsWith("Acrobot")) return [{ colour: "#4b7bec", text: "the two links" }, { colour: "#aaa", text: "height the tip must reach" }];
  if (envId.startsWith("MountainCar")) return [{ colour: "#4b7bec", text: "car" }, { colour: "#2e9e5b", text: "flag (goal)" }, { colour: "#333", text: "hill" }];
  if (envId.startsWith("Pendulum")) return [{ colour: "#c8413a", text: "pendulum (goal: upright)" }];
  if (/^(Hopper|Walker2d|HalfCheetah)/.test(envId)) {
    // Hopper/Walker2d/HalfCheetah's MJCF colour their bodies rgba(0.8, 0.6, 0.4) and their floors a light plane (drawn in its own rgba)
    return [
      { colour: "rgb(204,153,102)", text: "body parts (the model's colours), seen from the side" },
      { colour: "#cde6cd", text: "floor (its colour in the model), a tick every 0.5 m; the view follows the torso" },
    ];
  }
  return [];
}

/** The decision panels' colours. */
export const PANEL_LEGEND: readonly LegendItem[] = [
  { colour: "#e8833a", text: "action taken" },
  { colour: "#4b7bec", text: "probability / this model's energy / firing rate" },
  { colour: "#a0a8b8", text: "ANN-STRL of the same size (energy)" },
  { colour: "#1d2330", text: "raster: a spike" },
  { colour: "#eef1f6", text: "raster: no spike" },
  { colour: "#ffcf9e", text: "raster: the clicked neuron (no spike)" },
];

/** Fills `box` with one swatch + text per item. */
export function showLegend(box: HTMLElement, items: readonly LegendItem[]): void {
  box.replaceChildren();
  for (const it of items) {
    const row = document.createElement("span");
    row.className = "item";
    const sw = document.createElement("span");
    sw.className = it.outline ? "swatch outline" : "swatch";
    if (it.outline) sw.style.borderColor = it.colour;
    else sw.style.background = it.colour;
    row.append(sw, document.createTextNode(it.text));
    box.append(row);
  }
}
