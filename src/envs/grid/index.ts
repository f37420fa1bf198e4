/** The grid environments (Maze, MazeLocal, MiniGrid), their maze generator, solvers and expert policies. */
export * from "./maze-gen.js";
export * from "./maze-solve.js";
export * from "./maze.js";
export * from "./minigrid-core.js";
export * from "./minigrid-envs.js";
export * from "./minigrid-planner.js";
export * from "./expert.js";
