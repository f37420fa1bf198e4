/** Evaluation: closed-loop returns, normalised scores, energy per decision, statistics. */
export * from "./stats.js";
export * from "./intervals.js";
export * from "./normalized.js";
export * from "./success.js";
export * from "./rtg.js";
export * from "./policy.js";
export * from "./episode.js";
export * from "./seeds.js";
export * from "./unseen-mazes.js";
export * from "./model-policy.js";
export * from "./rollout.js";
export * from "./reference.js";
export * from "./measured-energy.js";
export * from "./spikes.js";
export * from "./locomotion-scores.js";
export * from "./silent-score.js";
