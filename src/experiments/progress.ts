/**
 * Progress of a closed-loop evaluation, as text: "closed loop 8/20 episodes, 12s, ~18s left". `episodeProgress`
 * turns the rollout's `onProgress(done, total)` calls into such lines, either every call (a live terminal line
 * rewritten in place) or only when another tenth of the episodes is done (a log: the same rhythm as the training
 * phase's "lines" output), always including the last episode.
 */
import { formatDuration } from "../train/index.js";

export type ProgressRhythm = "every" | "tenths";

/** The progress text after `done` of `total` episodes, `seconds` after the start. */
export function episodeProgressText(done: number, total: number, seconds: number): string {
  const left = done > 0 && done < total ? `, ~${formatDuration((seconds / done) * (total - done))} left` : "";
  return `closed loop ${done}/${total} episodes, ${formatDuration(seconds)}${left}`;
}

/** An `onProgress(done, total)` that calls `emit` with the progress text at the chosen rhythm. */
export function episodeProgress(emit: (text: string) => void, rhythm: ProgressRhythm, now: () => number = () => performance.now()): (done: number, total: number) => void {
  const t0 = now();
  let shownTenth = 0;
  return (done, total) => {
    const tenth = Math.floor((10 * done) / total);
    if (rhythm === "tenths" && tenth <= shownTenth && done < total) return;
    shownTenth = tenth;
    emit(episodeProgressText(done, total, (now() - t0) / 1000));
  };
}
