/**
 * The maze2d expert, in the manner D4RL's data were made (d4rl/pointmaze/waypoint_controller.py): plan a path over
 * the maze's cells, then steer the ball towards the next waypoint with a clipped PD law
 *   action = clip(pGain * (waypoint - position) - dGain * velocity, -1, 1),   pGain = 10, dGain = 1 (D4RL's gains).
 * Differences from D4RL, chosen to make the expert a pure function of the state: the path is a breadth-first
 * search over free cells (D4RL runs Q-iteration on the same grid, which gives the same shortest paths), it is
 * recomputed from the ball's current cell at every call, and the waypoint is the geometric centre of the next
 * cell on the path (the goal point itself once the next cell is the goal cell, or the ball is already in it).
 * D4RL's data generator also adds N(0, 0.5^2) action noise; callers that want that add it from their own Rng.
 */
import { bfsPath, cellCentre, cellOf, parseMaze, U_MAZE, type MazeLayout } from "./maze2d-layout.js";

export const MAZE2D_EXPERT = { pGain: 10, dGain: 1 } as const;

const U_MAZE_LAYOUT = parseMaze(U_MAZE);

/** The point the expert steers towards from position (x, y): the next waypoint, or the goal. Returns [2]. */
export function maze2dWaypoint(
  x: number,
  y: number,
  layout: MazeLayout = U_MAZE_LAYOUT,
  goal: readonly [number, number] = layout.goal,
): [number, number] {
  const goalCell = cellOf(goal[0], goal[1]);
  const path = bfsPath(layout, cellOf(x, y), goalCell);
  const next = path[1];
  if (next === undefined || (next[0] === goalCell[0] && next[1] === goalCell[1])) return [goal[0], goal[1]];
  return cellCentre(next[0], next[1]);
}

/**
 * Expert action [fx, fy] for a Maze2D state [x, y, vx, vy] (as `Maze2DEnv.getState()` returns it).
 * `goal` defaults to the layout's goal point (the 'G' cell's integer coordinates, as D4RL).
 */
export function maze2dExpert(
  state: readonly number[],
  layout: MazeLayout = U_MAZE_LAYOUT,
  goal: readonly [number, number] = layout.goal,
): number[] {
  if (state.length !== 4) throw new RangeError(`maze2dExpert: state must be [x, y, vx, vy], got ${JSON.stringify(state)}`);
  const [x, y, vx, vy] = state as [number, number, number, number];
  const [wx, wy] = maze2dWaypoint(x, y, layout, goal);
  const { pGain, dGain } = MAZE2D_EXPERT;
  const clip = (u: number): number => Math.max(-1, Math.min(1, u));
  return [clip(pGain * (wx - x) - dGain * vx), clip(pGain * (wy - y) - dGain * vy)]; // [2]
}
