/**
 * What `strl eval` prints per target and per episode, the same for a checkpoint and an ONNX file: the summary row
 * of each target (with the D4RL and strl-reference scores on MuJoCo v5 envs) and, with --actions, every episode.
 */
import { locomotionScores, type ClosedLoopResult } from "../eval/index.js";

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
