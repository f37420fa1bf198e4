/**
 * Draws the environment on the page's canvas: grid worlds (mazes, MiniGrid) from the env's own `renderRgb`,
 * with the maze agent's local view (the four wall bits it observes) outlined; the classic-control tasks and
 * Maze2D from their physical state (`getState()`); the MuJoCo locomotion envs from the side (draw-mujoco.ts).
 */
import type { Env } from "../../src/envs/core.js";
import { parseMaze, U_MAZE } from "../../src/envs/control/maze2d-layout.js";
import { LocomotionEnv } from "../../src/envs/mujoco/index.js";
import { drawMujoco, type MujocoDrawing } from "./draw-mujoco.js";

type Ctx = CanvasRenderingContext2D;

function clear(ctx: Ctx): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

function drawGrid(ctx: Ctx, env: Env, obs: ArrayLike<number>): void {
  const frame = env.renderRgb!();
  const img = new ImageData(frame.width, frame.height);
  for (let i = 0, j = 0; i < frame.width * frame.height; i++) {
    img.data[j++] = frame.data[3 * i]!;
    img.data[j++] = frame.data[3 * i + 1]!;
    img.data[j++] = frame.data[3 * i + 2]!;
    img.data[j++] = 255;
  }
  const off = document.createElement("canvas");
  off.width = frame.width;
  off.height = frame.height;
  off.getContext("2d")!.putImageData(img, 0, 0);
  const W = ctx.canvas.width;
  const s = Math.min(W / frame.width, ctx.canvas.height / frame.height);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, frame.width * s, frame.height * s);
  if (env.id.startsWith("MazeLocal")) {
    // the local view: the agent's four neighbours (its wall bits)
    const size = (env as unknown as { size: number }).size;
    const cell = (frame.width / size) * s;
    const [x, y] = [obs[0]!, obs[1]!];
    ctx.strokeStyle = "#e8833a";
    ctx.lineWidth = 2;
    for (const [dx, dy] of [[-1, 0], [1, 0], [0, -1], [0, 1]] as const) ctx.strokeRect((x + dx) * cell + 1, (y + dy) * cell + 1, cell - 2, cell - 2);
  }
}

function cartPole(ctx: Ctx, s: number[]): void {
  const W = ctx.canvas.width;
  const H = ctx.canvas.height;
  const scale = W / 4.8;
  const cx = W / 2 + s[0]! * scale;
  const cy = H * 0.65;
  ctx.fillStyle = "#333";
  ctx.fillRect(0, cy + 15, W, 2);
  ctx.fillStyle = "#4b7bec";
  ctx.fillRect(cx - 25, cy - 12, 50, 24);
  ctx.strokeStyle = "#c8813a";
  ctx.lineWidth = 8;
  ctx.beginPath();
  ctx.moveTo(cx, cy);
  ctx.lineTo(cx + Math.sin(s[2]!) * scale, cy - Math.cos(s[2]!) * scale);
  ctx.stroke();
}

function acrobot(ctx: Ctx, s: number[]): void {
  const W = ctx.canvas.width;
  const c = [W / 2, ctx.canvas.height / 2];
  const L = W / 5;
  const p1 = [c[0]! + L * Math.sin(s[0]!), c[1]! + L * Math.cos(s[0]!)];
  const p2 = [p1[0]! + L * Math.sin(s[0]! + s[1]!), p1[1]! + L * Math.cos(s[0]! + s[1]!)];
  ctx.strokeStyle = "#aaa";
  ctx.beginPath();
  ctx.moveTo(0, c[1]! - L);
  ctx.lineTo(W, c[1]! - L);
  ctx.stroke();
  ctx.strokeStyle = "#4b7bec";
  ctx.lineWidth = 8;
  ctx.beginPath();
  ctx.moveTo(c[0]!, c[1]!);
  ctx.lineTo(p1[0]!, p1[1]!);
  ctx.lineTo(p2[0]!, p2[1]!);
  ctx.stroke();
}

function mountainCar(ctx: Ctx, s: number[]): void {
  const W = ctx.canvas.width;
  const H = ctx.canvas.height;
  const X = (p: number) => ((p + 1.2) / 1.8) * W;
  const Y = (p: number) => H * 0.8 - (Math.sin(3 * p) * 0.45 + 0.55) * H * 0.5;
  ctx.strokeStyle = "#333";
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let p = -1.2; p <= 0.6; p += 0.01) ctx.lineTo(X(p), Y(p));
  ctx.stroke();
  ctx.fillStyle = "#2e9e5b";
  ctx.fillRect(X(0.5) - 2, Y(0.5) - 30, 3, 30);
  ctx.fillStyle = "#4b7bec";
  ctx.beginPath();
  ctx.arc(X(s[0]!), Y(s[0]!) - 8, 8, 0, 2 * Math.PI);
  ctx.fill();
}

function pendulum(ctx: Ctx, s: number[]): void {
  const W = ctx.canvas.width;
  const c = [W / 2, ctx.canvas.height / 2];
  const L = W / 3;
  ctx.strokeStyle = "#c8413a";
  ctx.lineWidth = 10;
  ctx.beginPath();
  ctx.moveTo(c[0]!, c[1]!);
  ctx.lineTo(c[0]! + L * Math.sin(s[0]!), c[1]! - L * Math.cos(s[0]!));
  ctx.stroke();
}

function maze2d(ctx: Ctx, s: number[]): void {
  const layout = parseMaze(U_MAZE);
  const cell = Math.min(ctx.canvas.width / layout.cols, ctx.canvas.height / layout.rows);
  for (let r = 0; r < layout.rows; r++) {
    for (let c = 0; c < layout.cols; c++) {
      ctx.fillStyle = layout.wall[r]![c] ? "#333" : r === layout.goal[0] && c === layout.goal[1] ? "#bfe8c8" : "#fff";
      ctx.fillRect(c * cell, r * cell, cell, cell);
    }
  }
  // observation (x, y) ~ (row, col) with the 1.2 body offset (maze2d-layout.ts: cellOf)
  ctx.fillStyle = "#4b7bec";
  ctx.beginPath();
  ctx.arc((s[1]! + 1.2 - 0.5) * cell, (s[0]! + 1.2 - 0.5) * cell, cell * 0.2, 0, 2 * Math.PI);
  ctx.fill();
}

/** Draws `env`'s current state (obs: its latest observation); for a MuJoCo env, says what it drew. */
export function drawEnv(canvas: HTMLCanvasElement, env: Env, obs: ArrayLike<number>): MujocoDrawing | undefined {
  const ctx = canvas.getContext("2d")!;
  clear(ctx);
  if (env instanceof LocomotionEnv) return drawMujoco(ctx, env);
  if (typeof env.renderRgb === "function") drawGrid(ctx, env, obs);
  else {
    const s = env.getState();
    if (env.id.startsWith("CartPole")) cartPole(ctx, s);
    else if (env.id.startsWith("Acrobot")) acrobot(ctx, s);
    else if (env.id.startsWith("MountainCar")) mountainCar(ctx, s);
    else if (env.id.startsWith("Pendulum")) pendulum(ctx, s);
    else if (env.id.startsWith("Maze2D")) maze2d(ctx, s);
    else {
      ctx.fillStyle = "#333";
      ctx.fillText(env.render().slice(0, 200), 10, 20);
    }
  }
  return undefined;
}
