/** Helpers for the models' `opRecords` (energy per decision, see src/energy). */

/** Query-key pairs one head scores over `L` positions: L(L+1)/2 when causal, L² otherwise. */
export function attentionPairs(L: number, causal: boolean): number {
  return causal ? (L * (L + 1)) / 2 : L * L;
}

/** The measured firing rate of spiking layer `name`; a missing or invalid rate is an error naming the layer. */
export function rateOf(rates: Record<string, number>, name: string): number {
  const r = rates[name];
  if (typeof r !== "number" || !(r >= 0 && r <= 1)) {
    throw new RangeError(`opRecords: rates['${name}'] must be a firing rate in [0, 1], got ${String(r)}`);
  }
  return r;
}

export function checkTokens(tokens: number, contextLength: number): number {
  if (!Number.isInteger(tokens) || tokens < 1 || tokens > contextLength) {
    throw new RangeError(`opRecords: tokens must be an integer in [1, ${contextLength}] (the context length), got ${tokens}`);
  }
  return tokens;
}
