/** Small helpers shared by the grid envs: strict option checking and RGB frames. */
import type { RgbFrame } from "../core.js";

/** Throws a clear error for option keys the env does not know (catches typos such as `mazeseed`). */
export function checkOptionKeys(envId: string, options: Record<string, unknown> | undefined, allowed: readonly string[]): void {
  if (!options) return;
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) {
      throw new RangeError(`${envId}: unknown option '${k}'; known options: ${allowed.join(", ")}`);
    }
  }
}

/** A positive integer option, or `undefined` when absent. */
export function intOption(envId: string, name: string, v: unknown, min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${envId}: option '${name}' must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export type Rgb = readonly [number, number, number];

export function newFrame(width: number, height: number): RgbFrame {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

/** Fill the rectangle [x0, x1) x [y0, y1) of a frame. */
export function fillRect(f: RgbFrame, x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
  for (let y = Math.max(0, y0); y < Math.min(f.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(f.width, x1); x++) {
      const i = (y * f.width + x) * 3;
      f.data[i] = c[0];
      f.data[i + 1] = c[1];
      f.data[i + 2] = c[2];
    }
  }
}

/**
 * Draw MiniGrid's agent triangle ((0.12, 0.19), (0.87, 0.50), (0.12, 0.81) in tile units, pointing right) in the
 * tile whose top-left pixel is (px, py), rotated by `dir` quarter turns clockwise (0 right, 1 down, 2 left, 3 up).
 */
export function fillAgentTriangle(f: RgbFrame, px: number, py: number, tile: number, dir: number, c: Rgb): void {
  const ax = 0.12, ay = 0.19, bx = 0.87, by = 0.5, cx = 0.12, cy = 0.81;
  const side = (x0: number, y0: number, x1: number, y1: number, x: number, y: number): number =>
    (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0);
  for (let j = 0; j < tile; j++) {
    for (let i = 0; i < tile; i++) {
      // Pixel centre in tile units, rotated back into the facing-right frame about the tile centre.
      let u = (i + 0.5) / tile - 0.5;
      let v = (j + 0.5) / tile - 0.5;
      for (let k = 0; k < dir; k++) {
        const t = u;
        u = v;
        v = -t;
      }
      u += 0.5;
      v += 0.5;
      const d1 = side(ax, ay, bx, by, u, v);
      const d2 = side(bx, by, cx, cy, u, v);
      const d3 = side(cx, cy, ax, ay, u, v);
      const neg = d1 < 0 || d2 < 0 || d3 < 0;
      const pos = d1 > 0 || d2 > 0 || d3 > 0;
      if (!(neg && pos)) fillRect(f, px + i, py + j, px + i + 1, py + j + 1, c);
    }
  }
}
