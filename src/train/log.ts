/**
 * Training output: a progress bar with steps/s and ETA on a terminal, JSON lines otherwise, or nothing.
 *
 * Log records are flat objects keyed as the Decision Transformer's logs: `step`, `training/loss`,
 * `training/lr`, `training/grad_norm`, `training/steps_per_s`, `time/elapsed_s`, and `evaluation/*` on
 * evaluation steps. A JSON line is `JSON.stringify(record)`: numbers print in full (the shortest text that
 * reads back as the same double), so two runs with the same seed and data print the same losses digit for digit.
 */

export type LogRecord = { step: number } & Record<string, number | string>;

/**
 * "progress": one live line rewritten in place (a terminal); "lines": the same line printed anew every 10% of
 * the run and at evaluations (a log file, CI); "json": JSON lines; "quiet": nothing; "auto": progress on a
 * TTY, JSON lines otherwise.
 */
export type OutputMode = "auto" | "progress" | "lines" | "json" | "quiet";
export const OUTPUT_MODES: readonly OutputMode[] = ["auto", "progress", "lines", "json", "quiet"];

/** The part of a writable stream the loggers need (process.stderr, process.stdout, or a test double). */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Logger {
  /** Called for every record; `important` records (evaluation, last step) are always printed. */
  log(record: LogRecord, important?: boolean): void;
  /** Ends the output (the progress bar moves to a fresh line). */
  close(): void;
}

/** "1h02m", "4m05s", "12s" */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, "0")}s`;
  return `${r}s`;
}

/** A number in 4 significant digits, switching to exponent form for very small or large magnitudes. */
function short(x: number | string | undefined): string {
  if (typeof x !== "number") return String(x ?? "-");
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a < 1e-2 || a >= 1e5 ? x.toExponential(2) : x.toPrecision(4);
}

/**
 * One progress line: `[#######.............]  350/1000  35%  loss 1.234  lr 1.00e-3  12.5 steps/s  ETA 52s`.
 * `width` is the bar's number of cells.
 */
export function progressLine(record: LogRecord, total: number, width = 20): string {
  const frac = total > 0 ? Math.min(1, record.step / total) : 1;
  const filled = Math.round(frac * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  const rate = record["training/steps_per_s"];
  const eta = typeof rate === "number" && rate > 0 ? formatDuration((total - record.step) / rate) : "?";
  const parts = [
    bar,
    `${String(record.step).padStart(String(total).length)}/${total}`,
    `${Math.floor(frac * 100)}%`.padStart(4),
    `loss ${short(record["training/loss"])}`,
    `lr ${short(record["training/lr"])}`,
    `${typeof rate === "number" ? rate.toFixed(rate < 10 ? 2 : 1) : "?"} steps/s`,
    `ETA ${eta}`,
  ];
  for (const [k, v] of Object.entries(record)) if (k.startsWith("evaluation/")) parts.push(`val ${k.slice(11)} ${short(v)}`);
  return parts.join("  ");
}

/** Rewrites one line on a terminal, at most every `minIntervalMs`; evaluation results stay above it. */
class ProgressLogger implements Logger {
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(
    private readonly sink: TextSink,
    private readonly total: number,
    private readonly minIntervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  log(record: LogRecord, important = false): void {
    const t = this.now();
    const hasEval = Object.keys(record).some((k) => k.startsWith("evaluation/"));
    if (!important && t - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = t;
    let line = progressLine(record, this.total);
    const cols = this.sink.columns;
    if (cols && line.length > cols - 1) line = line.slice(0, cols - 1);
    this.sink.write(`\r\x1b[2K${line}`);
    this.drawn = true;
    if (hasEval) this.sink.write("\n"); // keep evaluation lines in the scroll-back
    if (hasEval) this.drawn = false;
  }

  close(): void {
    if (this.drawn) this.sink.write("\n");
    this.drawn = false;
  }
}

/** One JSON object per line, every `every` steps and on important records. */
class JsonLinesLogger implements Logger {
  constructor(
    private readonly sink: TextSink,
    private readonly every: number,
  ) {}

  log(record: LogRecord, important = false): void {
    if (important || record.step % this.every === 0) this.sink.write(`${JSON.stringify(record)}\n`);
  }

  close(): void {}
}

/** The progress line, printed anew every 10% of the run and on important records (no terminal control codes). */
class LinesLogger implements Logger {
  private nextAt: number;

  constructor(
    private readonly sink: TextSink,
    private readonly total: number,
  ) {
    this.nextAt = Math.max(1, Math.ceil(total / 10));
  }

  log(record: LogRecord, important = false): void {
    if (!important && record.step < this.nextAt) return;
    while (this.nextAt <= record.step) this.nextAt += Math.max(1, Math.ceil(this.total / 10));
    this.sink.write(`${progressLine(record, this.total)}\n`);
  }

  close(): void {}
}

const QUIET: Logger = { log() {}, close() {} };

/**
 * The logger for `mode`: "auto" picks the progress bar when `sink` is a TTY and JSON lines otherwise.
 * `every` thins JSON lines (default 1 = every step).
 */
export function createLogger(mode: OutputMode, sink: TextSink, total: number, opts: { every?: number; now?: () => number } = {}): Logger {
  const resolved = mode === "auto" ? (sink.isTTY ? "progress" : "json") : mode;
  if (resolved === "quiet") return QUIET;
  if (resolved === "progress") return new ProgressLogger(sink, total, 100, opts.now);
  if (resolved === "lines") return new LinesLogger(sink, total);
  return new JsonLinesLogger(sink, Math.max(1, opts.every ?? 1));
}
