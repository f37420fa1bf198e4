// Registers the grid environments (Maze, MazeLocal, MiniGrid). Filled in by the environments work.
export {};
