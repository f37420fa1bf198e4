/**
 * What `strl eval` prints per target and per episode, the same for a checkpoint and an ONNX file: the summary row
 * of each target (with the D4RL and strl-reference scores on MuJoCo v5 envs) and, with --actions, every episode.
 */
import { formatLocomotionScores, formatMeanStd, locomotionScores, type ClosedLoopResult } from "../eval/index.js";

/** One summary row per target return. */
export function targetRows(envId: string, r: ClosedLoopResult) {
  return r.targets.map((t) => ({
    targetReturn: t.targetReturn,
    returnMean: t.returnMean,
    returnStd: t.returnStd,
    successRate: t.successRate,
    lengthMean: t.lengthMean,
    normalizedMean: t.normalizedMean,
    // MuJoCo v5 envs: the D4RL score labelled as D4RL's v2 references, beside strl's own (absent until measured)
    scores: locomotionScores(envId, t.returnMean, t.returnStdErr),
  }));
}

/** Every episode of every target with its actions (`--json --actions`). */
export function episodeRows(r: ClosedLoopResult) {
  return r.targets.flatMap((t) => t.episodes.map((e) => ({ targetReturn: t.targetReturn, seed: e.seed, episode: e.episode, return: e.return, length: e.length, success: e.success, mazeSeed: e.mazeSeed, actions: e.actions })));
}

/** The text line of one target's row: target, return, success (where the env has it), length, scores. */
export function targetLine(r: ReturnType<typeof targetRows>[number]): string {
  const parts = [`target ${r.targetReturn}`, `return ${formatMeanStd(r.returnMean, r.returnStd, 2)}`];
  if (r.successRate !== null) parts.push(`success ${(100 * r.successRate).toFixed(1)}%`);
  parts.push(`length ${r.lengthMean.toFixed(1)}`);
  if (r.scores) parts.push(formatLocomotionScores(r.scores));
  else if (r.normalizedMean !== undefined) parts.push(`normalised ${r.normalizedMean.toFixed(1)}`);
  return `  ${parts.join(", ")}`;
}
