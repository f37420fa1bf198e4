/** The grid environments (Maze, MazeLocal, MiniGrid), their maze generator, solvers and expert policies. */
export * from "./maze-gen.js";
export * from "./maze-solve.js";
export * from "./maze.js";
// MiniGrid: the same names as before the world / observation / render / planner split (issue 14).
export {
  COLOR_RGB,
  COLOR_TO_IDX,
  DIR_TO_VEC,
  MINIGRID_ACTIONS,
  type MiniGridSnapshot,
  OBJECT_TO_IDX,
  STATE_TO_IDX,
  canOverlap,
  canPickup,
  objectName,
} from "./minigrid-world.js";
export { MiniGridEnvBase, type MiniGridOptions } from "./minigrid-env-base.js";
export type { MiniGridObservationMode } from "./minigrid-observation.js";
export * from "./minigrid-envs.js";
export { type MiniGridPlan, MiniGridPlanner } from "./minigrid-planner.js";
export * from "./expert.js";
