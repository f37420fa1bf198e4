/** The one-line warning printed (once per process) when a model is built in paper mode (causal: false). */
let warned = false;

export function warnPaperMode(model: string): void {
  if (warned) return;
  warned = true;
  console.warn(
    `strl: warning: ${model} in paper mode (causal: false): position t attends to position t+1, whose token holds a_t, the very action predicted at t; its accuracy leaks the label`,
  );
}
