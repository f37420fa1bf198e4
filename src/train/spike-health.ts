/**
 * Spike health after training: a LIF layer that never fires (rate 0) passes nothing on, and one that fires at
 * almost every step (rate >= 0.95) carries almost no information; both usually mean a threshold, a scale or a
 * learning rate to revisit. Reads the `firing/<layer>` rates the trainer logs at evaluations.
 */

/** Rates at or above this count as saturated. */
export const SATURATED_RATE = 0.95;

/** One warning line per silent or saturated layer, naming it, from an evaluation record's `firing/*` keys. */
export function spikeHealthWarnings(metrics: Record<string, number | string> | undefined): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(metrics ?? {})) {
    if (!k.startsWith("firing/") || typeof v !== "number") continue;
    const layer = k.slice("firing/".length);
    if (v === 0) out.push(`spiking layer '${layer}' is silent (firing rate 0 on the held-out windows)`);
    else if (v >= SATURATED_RATE) out.push(`spiking layer '${layer}' is saturated (firing rate ${v.toFixed(3)} on the held-out windows)`);
  }
  return out;
}
