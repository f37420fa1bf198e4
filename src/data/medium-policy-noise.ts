/**
 * The noise level of the `medium` behaviour policy per environment, chosen so that its mean return lies roughly
 * half-way between the random policy's and the expert's (D4RL's "medium" idea), with the returns measured when
 * it was chosen: `measureReturns` over `TUNE_EPISODES` episodes, seed `TUNE_SEED`, in each eps of `TUNE_GRID`,
 * keeping the eps whose return is nearest the midpoint. Re-run `tuneMediumEps(envId)` (./medium-policy-tune.ts)
 * after an env or expert changes.
 */
export interface MediumEntry {
  eps: number;
  /** Mean returns measured at tuning time. */
  random: number;
  expert: number;
  medium: number;
}

export const TUNE_EPISODES = 100;
export const TUNE_SEED = 2024;
/** 0.025, 0.05, ..., 0.975 */
export const TUNE_GRID: readonly number[] = Array.from({ length: 39 }, (_, i) => (i + 1) / 40);

// Measured with strl 0.1.0 (TUNE_EPISODES episodes from TUNE_SEED; mean returns).
// prettier-ignore
export const MEDIUM_EPS: Readonly<Record<string, MediumEntry>> = {
  "Maze-v0": { eps: 0.775, random: -80.4, expert: -8.92, medium: -45.0 },
  "MazeLocal-v0": { eps: 0.775, random: -80.4, expert: -8.92, medium: -45.0 },
  "MiniGrid-Empty-8x8-v0": { eps: 0.925, random: 0.0952, expert: 0.961, medium: 0.479 },
  "MiniGrid-FourRooms-v0": { eps: 0.7, random: 0.0239, expert: 0.86, medium: 0.434 },
  "MiniGrid-DoorKey-8x8-v0": { eps: 0.875, random: 0.00305, expert: 0.977, medium: 0.553 },
  "CartPole-v1": { eps: 0.475, random: 19.9, expert: 500.0, medium: 225.9 },
  "MountainCar-v0": { eps: 0.275, random: -200.0, expert: -119.2, medium: -156.2 },
  "MountainCarContinuous-v0": { eps: 0.85, random: -33.2, expert: 89.3, medium: 37.9 },
  "Acrobot-v1": { eps: 0.775, random: -500.0, expert: -81.7, medium: -289.8 },
  "Pendulum-v1": { eps: 0.5, random: -1294.5, expert: -160.4, medium: -721.7 },
  "Maze2D-UMaze-v0": { eps: 0.725, random: 31.4, expert: 238.6, medium: 142.2 },
};
