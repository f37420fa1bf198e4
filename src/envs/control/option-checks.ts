/** The checks of `reset`'s `initialState` and of constructor options shared by the control environments. */

/** Throws a clear error unless `state` has exactly one entry per name in `names`. Returns a copy. */
export function checkInitialState(envId: string, state: readonly number[], names: readonly string[]): number[] {
  if (state.length !== names.length) {
    throw new RangeError(
      `${envId}.reset: options.initialState must have ${names.length} entries [${names.join(", ")}], got ${JSON.stringify(state)}`,
    );
  }
  return [...state];
}

/** Throws a clear error when a state entry lies outside [lo, hi]. */
export function checkStateRange(envId: string, name: string, value: number, lo: number, hi: number): void {
  if (!(value >= lo && value <= hi)) {
    throw new RangeError(`${envId}.reset: initialState ${name} must lie in [${lo}, ${hi}], got ${value}`);
  }
}

/** Throws a clear error naming any constructor option that `envId` does not accept. */
export function checkOptionKeys(envId: string, options: Record<string, unknown> | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${envId}: options must be an object, got ${JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const known = allowed.length > 0 ? `accepted: ${allowed.join(", ")}` : "it accepts none";
      throw new RangeError(`${envId}: unknown option '${key}' (${known})`);
    }
  }
}
