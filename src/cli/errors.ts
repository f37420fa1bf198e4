/** A mistake by the user (bad flag, missing file, unknown env): printed as one line, exit code 2, no stack. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
