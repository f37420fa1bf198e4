/** Offline-RL datasets: episodes in memory, HDF5 files, behaviour policies, collection and context windows. */
export * from "./trajectory.js";
export * from "./hdf5.js";
export * from "./windows.js";
export * from "./policies.js";
export * from "./collect.js";
export { collectMazeExpert, mazeExpertEpisode, MAZE_FAST_ENV } from "./maze-expert-dataset.js";
export { MEDIUM_EPS, type MediumEntry } from "./medium-policy-noise.js";
export { measureReturns, tuneMediumEps } from "./medium-policy-tune.js";
