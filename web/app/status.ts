/**
 * The page's one-line status, from where the episode stands: before the first step, while stepping or playing,
 * and at its end with the return and whether the task was solved (tasks with no notion of success say "n/a").
 */

export interface EpisodeView {
  /** Actions taken so far. */
  steps: number;
  return: number;
  done: boolean;
  /** null: the task has no notion of success. */
  success: boolean | null;
  /** At the end: true when the env ended it (goal, fall), false when the time limit did. */
  terminated?: boolean;
  playing: boolean;
}

const fmt = (r: number): string => r.toFixed(3);

/** "new episode: …", "playing: step N, return R", "paused at step N, return R", "episode done: return R (success; …)". */
export function episodeStatus(v: EpisodeView): string {
  if (v.done) {
    const outcome = v.success === null ? "success n/a" : v.success ? "success" : "failure";
    const end = v.terminated === undefined ? "" : v.terminated ? ", ended by the env" : ", time limit";
    return `episode done: return ${fmt(v.return)} (${outcome}; ${v.steps} steps${end})`;
  }
  if (v.steps === 0) return v.playing ? "playing: step 0" : "new episode: press Step or Play";
  return `${v.playing ? "playing: step" : "paused at step"} ${v.steps}, return ${fmt(v.return)}`;
}
