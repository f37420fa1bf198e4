/**
 * Draws a MuJoCo locomotion env (Hopper, Walker2d, HalfCheetah) from the side: each geom's world position and
 * orientation projected on the x-z plane (src/envs/mujoco/side-view.ts), capsules as round-capped segments of
 * their radius, the floor as a line with a tick every half metre, the camera following the torso's x.
 */
import type { LocomotionEnv } from "../../src/envs/mujoco/index.js";
import { sideView, type SideShape } from "../../src/envs/mujoco/side-view.js";

/** Metres of the world across the canvas, and where the floor sits (fraction of the height from the top). */
const VIEW_WIDTH_M = 3;
const FLOOR_AT = 0.85;
const TICK_M = 0.5;

/** What was drawn, for the page's state (tests read it). */
export interface MujocoDrawing {
  /** Body geoms drawn (capsules and spheres). */
  bodies: number;
  /** World x the camera is centred on (the torso's). */
  focusX: number;
  /** Every body shape's extent on the canvas, in pixels. */
  box: { left: number; right: number; top: number; bottom: number };
}

function css(rgba: number[], darken = 1): string {
  const c = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, v * darken)));
  return `rgba(${c(rgba[0]!)}, ${c(rgba[1]!)}, ${c(rgba[2]!)}, ${rgba[3] ?? 1})`;
}

export function drawMujoco(ctx: CanvasRenderingContext2D, env: LocomotionEnv): MujocoDrawing {
  const W = ctx.canvas.width;
  const H = ctx.canvas.height;
  const view = sideView(env.geoms());
  const scale = W / VIEW_WIDTH_M;
  const floorY = H * FLOOR_AT;
  const px = (x: number): number => W / 2 + (x - view.focusX) * scale;
  const py = (z: number): number => floorY - z * scale;
  const box = { left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity };
  const extend = (x: number, y: number, r: number): void => {
    box.left = Math.min(box.left, x - r);
    box.right = Math.max(box.right, x + r);
    box.top = Math.min(box.top, y - r);
    box.bottom = Math.max(box.bottom, y + r);
  };
  let bodies = 0;
  const floors = view.shapes.filter((s): s is Extract<SideShape, { kind: "floor" }> => s.kind === "floor");
  for (const f of floors) {
    const y = py(f.z);
    ctx.fillStyle = css(f.rgba);
    ctx.fillRect(0, y, W, H - y);
    ctx.strokeStyle = css(f.rgba, 0.55);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(W, y);
    // ticks at fixed world x, so the ground visibly slides under a body that moves
    const first = Math.ceil((view.focusX - VIEW_WIDTH_M / 2) / TICK_M) * TICK_M;
    for (let x = first; x <= view.focusX + VIEW_WIDTH_M / 2; x += TICK_M) {
      ctx.moveTo(px(x), y);
      ctx.lineTo(px(x), y + 8);
    }
    ctx.stroke();
  }
  ctx.lineCap = "round";
  for (const s of view.shapes) {
    if (s.kind === "capsule") {
      const [ax, ay, bx, by] = [px(s.a[0]), py(s.a[1]), px(s.b[0]), py(s.b[1])];
      const r = s.radius * scale;
      for (const [width, colour] of [[2 * r + 2, css(s.rgba, 0.5)], [2 * r, css(s.rgba)]] as const) {
        ctx.strokeStyle = colour;
        ctx.lineWidth = width;
        ctx.beginPath();
        ctx.moveTo(ax, ay);
        ctx.lineTo(bx, by);
        ctx.stroke();
      }
      extend(ax, ay, r);
      extend(bx, by, r);
      bodies++;
    } else if (s.kind === "sphere") {
      const [cx, cy, r] = [px(s.c[0]), py(s.c[1]), s.radius * scale];
      ctx.fillStyle = css(s.rgba);
      ctx.strokeStyle = css(s.rgba, 0.5);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      extend(cx, cy, r);
      bodies++;
    }
  }
  ctx.fillStyle = "#333";
  ctx.font = "12px sans-serif";
  ctx.fillText(`${env.id}   x = ${view.focusX.toFixed(2)} m`, 8, 16);
  return { bodies, focusX: view.focusX, box };
}
