/**
 * Drawing the MiniGrid world: one character per cell for terminals and tests, and an RGB frame in MiniGrid's
 * colours (walls and goal filled, doors as an outline or a side bar when open, objects as smaller squares, the agent
 * as MiniGrid's red triangle).
 */
import type { RgbFrame } from "../core.js";
import { type Rgb, fillAgentTriangle, fillRect, newFrame } from "./options.js";
import { COLOR_RGB, type MiniGridSnapshot, OBJECT_TO_IDX, STATE_TO_IDX } from "./minigrid-world.js";

const O = OBJECT_TO_IDX;

const CELL_CHARS: Record<number, string> = {
  [O.empty]: ".",
  [O.wall]: "#",
  [O.floor]: "F",
  [O.key]: "K",
  [O.ball]: "B",
  [O.box]: "X",
  [O.goal]: "G",
  [O.lava]: "V",
};

/**
 * One character per cell, one line per row: '#' wall, '.' empty, 'G' goal, 'K' key, 'B' ball, 'X' box,
 * 'L' locked door, 'D' closed door, '_' open door, 'F' floor, 'V' lava; the agent as '>', 'v', '<', '^'.
 */
export function renderWorldText(world: MiniGridSnapshot): string {
  const lines: string[] = [];
  for (let y = 0; y < world.height; y++) {
    let line = "";
    for (let x = 0; x < world.width; x++) {
      if (x === world.agentX && y === world.agentY) {
        line += ">v<^"[world.agentDir] ?? "?";
        continue;
      }
      const i = y * world.width + x;
      const t = world.types[i]!;
      if (t === O.door) line += world.states[i] === STATE_TO_IDX.open ? "_" : world.states[i] === STATE_TO_IDX.locked ? "L" : "D";
      else line += CELL_CHARS[t] ?? "?";
    }
    lines.push(line);
  }
  return lines.join("\n");
}

/** RGB frame, `tilePx` pixels per cell, in MiniGrid's colours (agent: red triangle pointing its way). */
export function renderWorldRgb(world: MiniGridSnapshot, tilePx: number): RgbFrame {
  const f = newFrame(world.width * tilePx, world.height * tilePx);
  const p = tilePx;
  for (let y = 0; y < world.height; y++) {
    for (let x = 0; x < world.width; x++) {
      const i = y * world.width + x;
      const t = world.types[i]!;
      const col = COLOR_RGB[world.colors[i]!]!;
      const x0 = x * p;
      const y0 = y * p;
      if (t === O.wall || t === O.goal) fillRect(f, x0, y0, x0 + p, y0 + p, col);
      else if (t === O.door) {
        const st = world.states[i]!;
        if (st === STATE_TO_IDX.open) fillRect(f, x0 + p - Math.max(1, p >> 3), y0, x0 + p, y0 + p, col);
        else {
          fillRect(f, x0, y0, x0 + p, y0 + p, col);
          const m = Math.max(1, p >> 3);
          const inner: Rgb = st === STATE_TO_IDX.locked ? [Math.round(col[0] * 0.45), Math.round(col[1] * 0.45), Math.round(col[2] * 0.45)] : [0, 0, 0];
          fillRect(f, x0 + m, y0 + m, x0 + p - m, y0 + p - m, inner);
        }
      } else if (t === O.key || t === O.ball || t === O.box) {
        const m = Math.max(1, Math.floor(p / 4));
        fillRect(f, x0 + m, y0 + m, x0 + p - m, y0 + p - m, col);
      } else if (t === O.lava) fillRect(f, x0, y0, x0 + p, y0 + p, [255, 128, 0]);
      else if (t === O.floor) fillRect(f, x0 + 1, y0 + 1, x0 + p, y0 + p, [col[0] >> 1, col[1] >> 1, col[2] >> 1]);
      // Grid lines (top and left edges), as MiniGrid draws them.
      if (t !== O.wall) {
        fillRect(f, x0, y0, x0 + p, y0 + 1, [100, 100, 100]);
        fillRect(f, x0, y0, x0 + 1, y0 + p, [100, 100, 100]);
      }
    }
  }
  if (world.agentX >= 0) fillAgentTriangle(f, world.agentX * p, world.agentY * p, p, world.agentDir, [255, 0, 0]);
  return f;
}
