/**
 * `--tensorboard DIR`: the training log's records as TensorBoard scalars. Every number a record of log.jsonl
 * holds (loss, lr, grad norm, steps/s, elapsed time, validation metrics, closed-loop return and success, each LIF
 * layer's firing rate) is written under the same key as its tag (`training/loss`, `evaluation/return`,
 * `firing/blocks.0.attn.q_lif`), at the record's step: the values are those of log.jsonl, not recomputed, rounded
 * to float32 as TensorBoard stores them. The byte format is src/io/tensorboard-events.ts's.
 */
import { EventFileWriter } from "../io/tensorboard-events.js";
import type { LogRecord } from "./log.js";

/** The scalars of one log record: every number in it but `step`, in the record's key order. */
export function scalarsOfRecord(record: LogRecord): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(record)) if (k !== "step" && typeof v === "number") out.push([k, v]);
  return out;
}

/**
 * Writes log records to a new event file in `dir`, opened at the first record (a run that fails before its
 * first update leaves no file). Each call of a run (a fresh start or a resume) writes its own file.
 */
export class TensorBoardLog {
  private writer: EventFileWriter | undefined;

  constructor(
    readonly dir: string,
    private readonly opts: { now?: () => number; host?: string } = {},
  ) {}

  /** The event file written so far, if any. */
  get path(): string | undefined {
    return this.writer?.path;
  }

  write(record: LogRecord): void {
    this.writer ??= new EventFileWriter(this.dir, this.opts);
    this.writer.writeScalars(record.step, scalarsOfRecord(record));
  }

  /** Appends scalars that are not a log record (a sweep job's final scores) at `step`. */
  writeScalars(step: number, scalars: Array<[string, number]>): void {
    this.writer ??= new EventFileWriter(this.dir, this.opts);
    this.writer.writeScalars(step, scalars);
  }

  close(): void {
    this.writer?.close();
  }
}
