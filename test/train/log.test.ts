import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLogger, formatDuration, progressLine, type LogRecord, type TextSink } from "../../src/train/log.js";

function sink(isTTY: boolean): TextSink & { text: string } {
  const s = { text: "", isTTY, write(t: string) { s.text += t; return true; } };
  return s;
}

const rec = (step: number, extra: Record<string, number> = {}): LogRecord => ({
  step,
  "training/loss": 1.23456,
  "training/lr": 0.001,
  "training/steps_per_s": 5,
  ...extra,
});

describe("formatDuration", () => {
  it("prints seconds, minutes and hours compactly", () => {
    assert.equal(formatDuration(12.4), "12s");
    assert.equal(formatDuration(245), "4m05s");
    assert.equal(formatDuration(3720), "1h02m");
    assert.equal(formatDuration(Infinity), "?");
  });
});

describe("progressLine", () => {
  it("shows the bar, the counts, loss, lr, rate and the ETA from the rate", () => {
    // 350 of 1000 at 5 steps/s: 650 / 5 = 130 s left
    assert.equal(progressLine(rec(350), 1000), "[#######.............]   350/1000   35%  loss 1.235  lr 1.00e-3  5.00 steps/s  ETA 2m10s");
  });

  it("appends evaluation metrics without their prefix", () => {
    assert.match(progressLine(rec(10, { "evaluation/accuracy": 0.875 }), 10), /100%.*ETA 0s  val accuracy 0\.8750$/);
  });
});

describe("createLogger", () => {
  it("prints one JSON object per line that parses back to the record", () => {
    const s = sink(false);
    const log = createLogger("auto", s, 3);
    const r = { ...rec(1), "training/loss": 0.1 + 0.2 };
    log.log(r);
    log.close();
    assert.equal(s.text, `${JSON.stringify(r)}\n`);
    assert.deepEqual(JSON.parse(s.text), r);
    assert.match(s.text, /"training\/loss":0\.30000000000000004/, "every digit is printed");
  });

  it("thins JSON lines to every n-th step but always prints important records", () => {
    const s = sink(false);
    const log = createLogger("json", s, 10, { every: 5 });
    for (let i = 1; i <= 7; i++) log.log(rec(i), i === 7);
    assert.deepEqual(s.text.trim().split("\n").map((l) => JSON.parse(l).step), [5, 7]);
  });

  it("draws a self-overwriting progress bar on a TTY, throttled in time", () => {
    const s = sink(true);
    let now = 0;
    const log = createLogger("auto", s, 100, { now: () => now });
    log.log(rec(1));
    now = 50;
    log.log(rec(2)); // within 100 ms: skipped
    now = 200;
    log.log(rec(3));
    log.close();
    const draws = s.text.split("\r\x1b[2K").filter(Boolean);
    assert.equal(draws.length, 2);
    assert.match(draws[0]!, /^\[\.+\] +1\/100 /);
    assert.match(draws[1]!, / +3\/100 .*\n$/);
  });

  it("prints nothing when quiet", () => {
    const s = sink(true);
    const log = createLogger("quiet", s, 10);
    log.log(rec(1), true);
    log.close();
    assert.equal(s.text, "");
  });
});
