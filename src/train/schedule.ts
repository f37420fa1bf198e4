/**
 * Learning-rate schedules: linear warm-up, then cosine decay or a constant rate. Pure functions of the step.
 *
 * Step convention: `step` is the 0-based index of the optimiser update about to be made (the first update is
 * step 0). Warm-up (as the Decision Transformer's LambdaLR): lr * min(1, (step + 1) / warmupSteps). Cosine:
 * after warm-up, progress p = (step - warmupSteps) / max(1, totalSteps - warmupSteps) in [0, 1], and
 * lr(p) = minLr + (lr - minLr) * (1 + cos(pi * p)) / 2, so the last update runs just above minLr.
 */
import { checkEnum, checkInt, checkNumber } from "../config/index.js";

export const SCHEDULES = ["cosine", "constant"] as const;
export type ScheduleKind = (typeof SCHEDULES)[number];

export interface ScheduleOptions {
  /** Peak learning rate (> 0). */
  lr: number;
  /** Updates of linear warm-up (>= 0; 0 = none). */
  warmupSteps: number;
  /** Total number of updates in the run (>= 1); the cosine reaches minLr at this step. */
  totalSteps: number;
  kind: ScheduleKind;
  /** Floor of the cosine (default 0), in [0, lr]. */
  minLr?: number;
}

/** Validates schedule options, naming the bad key and value. */
export function checkSchedule(o: ScheduleOptions): Required<ScheduleOptions> {
  const lr = checkNumber("schedule", "lr", o.lr, { min: 0, minExclusive: true });
  const minLr = checkNumber("schedule", "minLr", o.minLr ?? 0, { min: 0, max: lr });
  return {
    lr,
    minLr,
    warmupSteps: checkInt("schedule", "warmupSteps", o.warmupSteps, { min: 0 }),
    totalSteps: checkInt("schedule", "totalSteps", o.totalSteps, { min: 1 }),
    kind: checkEnum("schedule", "kind", o.kind, SCHEDULES),
  };
}

/** The learning rate for update `step` (0-based). */
export function learningRate(step: number, o: ScheduleOptions): number {
  const { lr, minLr, warmupSteps, totalSteps, kind } = checkSchedule(o);
  checkInt("learningRate", "step", step, { min: 0 });
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  if (kind === "constant") return lr;
  const p = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * p))) / 2;
}
