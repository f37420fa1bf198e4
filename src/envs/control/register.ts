// Registers the continuous-state environments (classic control, Maze2D). Filled in by the environments work.
export {};
