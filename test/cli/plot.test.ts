/** `strl plot` on two runs (and seeds of one), and the aggregation it draws. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregate, ema, meanBand, runPanels } from "../../src/report/run-plot.js";
import { pngUnavailable } from "../../src/report/png.js";
import { runCli, userErrorLine } from "./run-cli.js";

let dir = "";
/** A run folder with a log of `steps` records: loss = a / step, accuracy and a firing rate every 5 steps. */
function fakeRun(name: string, kind: string, a: number, steps = 20): string {
  const run = join(dir, name);
  mkdirSync(join(run, "checkpoint"), { recursive: true });
  writeFileSync(join(run, "checkpoint", "config.json"), JSON.stringify({ model: { kind } }));
  const lines = Array.from({ length: steps }, (_, i) => {
    const step = i + 1;
    const r: Record<string, number> = { step, "training/loss": a / step };
    if (step % 5 === 0) Object.assign(r, { "evaluation/accuracy": 0.5 + a / 10, "firing/blocks.0.mlp.lif": a / 20, "evaluation/return": 10 * a });
    return JSON.stringify(r);
  });
  writeFileSync(join(run, "log.jsonl"), lines.join("\n") + "\n");
  return run;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-plot-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("run aggregation", () => {
  it("mean and 95% t-interval of the mean", () => {
    assert.deepEqual(meanBand([3]), { mean: 3, lo: 3, hi: 3 });
    const b = meanBand([1, 2, 3]); // sd 1, t(0.975, 2) = 4.303
    assert.equal(b.mean, 2);
    assert.ok(Math.abs(b.hi - (2 + 4.303 / Math.sqrt(3))) < 1e-12);
    assert.ok(Math.abs(b.lo - (2 - 4.303 / Math.sqrt(3))) < 1e-12);
  });

  it("EMA is bias-corrected (a constant stays constant) and 0 leaves the data as it is", () => {
    assert.deepEqual(ema([2, 2, 2], 0.9).map((x) => Math.round(x * 1e12) / 1e12), [2, 2, 2]);
    assert.deepEqual(ema([1, 5], 0), [1, 5]);
    assert.ok(Math.abs(ema([0, 1], 0.5)[1]! - 0.5 / 0.75) < 1e-12);
  });

  it("clips a band to the valid range: [0.01, 0, 0.02] is 0.01 ± 0.0248 by t, shown as [0, 0.0348] for a rate", () => {
    // sd 0.01, half-width 4.303 x 0.01 / sqrt 3 = 0.024843
    const b = meanBand([0.01, 0, 0.02], [0, 1]);
    assert.equal(b.lo, 0);
    assert.ok(Math.abs(b.hi - 0.034843) < 1e-6, String(b.hi));
    const acc = meanBand([1, 1, 0.97], [0, 1]); // mean 0.99, sd 0.017321, half 0.043030: hi 1.033 -> 1
    assert.equal(acc.hi, 1);
    assert.ok(Math.abs(acc.lo - (0.99 - 0.04303)) < 1e-6, String(acc.lo));
  });

  it("draws every panel's band inside its range: loss and MSE >= 0, accuracy and firing rate in [0, 1], return free", () => {
    // three seeds of one label at step 1: losses 0.01 0 0.02, accuracies 1 1 0.97, firing 0.01 0 0.02, returns -1 0 1
    const rec = (loss: number, acc: number, fire: number, ret: number) => [{ step: 1, "training/loss": loss, "evaluation/accuracy": acc, "firing/a": fire, "evaluation/return": ret }];
    const runs = [rec(0.01, 1, 0.01, -1), rec(0, 1, 0, 0), rec(0.02, 0.97, 0.02, 1)].map((records) => ({ label: "s", records }));
    const panels = runPanels(runs, 0);
    const band = (title: string) => panels.find((p) => p.title.startsWith(title))!.pts[0]!;
    assert.equal(band("Training loss").lo, 0);
    assert.equal(band("Validation accuracy").hi, 1);
    assert.equal(band("Mean firing rate").lo, 0);
    // returns -1 0 1: sd 1, half-width 4.303 / sqrt 3 = 2.484; a return has no bound, so the band is left as it is
    assert.ok(Math.abs(band("Closed-loop return").lo + 4.303 / Math.sqrt(3)) < 1e-12);
  });

  it("groups runs by label and steps", () => {
    const pts = aggregate(
      [
        { label: "a", records: [{ step: 1, x: 1 }, { step: 2, x: 3 }] },
        { label: "a", records: [{ step: 1, x: 3 }] },
        { label: "b", records: [{ step: 1, x: 7 }] },
      ],
      (r) => r.x as number,
    );
    assert.deepEqual(pts.map((p) => [p.label, p.step, p.mean, p.n]), [["a", 1, 2, 2], ["a", 2, 3, 1], ["b", 1, 7, 1]]);
  });
});

describe("strl plot", () => {
  it("plots two labels (strl with two seeds, dt with one) to an SVG with every panel", () => {
    const runs = [fakeRun("strl-s0", "strl", 1), fakeRun("strl-s1", "strl", 2), fakeRun("dt-s0", "dt", 3)];
    const out = join(dir, "cmp.svg");
    const r = runCli(["plot", ...runs, "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `wrote ${out}\n`);
    const svg = readFileSync(out, "utf8");
    for (const t of ["Training loss (EMA; raw faint)", "Validation accuracy", "Closed-loop return", "Mean firing rate (LIF layers)", "strl: 2 runs, dt: 1 run", "clipped to each panel's valid range"]) assert.ok(svg.includes(t), t);
    assert.match(svg, />strl<\/text>/);
    assert.match(svg, />dt<\/text>/);
  });

  it("takes labels in order, and refuses a count mismatch or a folder without a log in one line", () => {
    const runs = [fakeRun("a", "strl", 1), fakeRun("b", "strl", 2)];
    const out = join(dir, "labels.svg");
    assert.equal(runCli(["plot", ...runs, "--label", "T=4", "T=8", "--out", out]).status, 0);
    assert.match(readFileSync(out, "utf8"), /T=4: 1 run, T=8: 1 run/);
    assert.match(userErrorLine(runCli(["plot", ...runs, "--label", "x"])), /--label gives 1 labels for 2 runs/);
    assert.match(userErrorLine(runCli(["plot", join(dir, "nothing")])), /nothing: no log\.jsonl/);
  });

  it("names the file and line of a record whose step or drawn value is not a number, and draws nothing", () => {
    const run = fakeRun("bad", "strl", 1, 3);
    const log = join(run, "log.jsonl");
    const good = readFileSync(log, "utf8");
    const out = join(dir, "bad.svg");
    const cases: Array<[string, string]> = [
      ['{"step":"2","training/loss":0.5}', `line 4: 'step' is "2", not a whole number >= 0`],
      ['{"step":4,"training/loss":"abc"}', `line 4: 'training/loss' is "abc", not a finite number`],
      ['{"step":4,"training/loss":null}', `line 4: 'training/loss' is null (NaN or Infinity when written), not a finite number`],
      ['{"step":4,"training/loss":0.1,"evaluation/return":true}', `line 4: 'evaluation/return' is true, not a finite number`],
      ["[4, 0.1]", "line 4 is not a JSON object (a log record), got [4,0.1]"],
      ["{not json", "line 4 is not JSON"],
    ];
    for (const [line, says] of cases) {
      writeFileSync(log, `${good}${line}\n`);
      assert.equal(userErrorLine(runCli(["plot", run, "--out", out])), `strl plot: ${log}: ${says}`);
      assert.ok(!existsSync(out), "nothing drawn");
    }
    // a blank line still counts in the numbering
    writeFileSync(log, `${good}\n{"step":5,"training/loss":"x"}\n`);
    assert.equal(userErrorLine(runCli(["plot", run, "--out", out])), `strl plot: ${log}: line 5: 'training/loss' is "x", not a finite number`);
  });

  it("--png writes a PNG beside the SVG (where chromium is installed)", async (t) => {
    const why = await pngUnavailable();
    if (why) return t.skip(why);
    const out = join(dir, "png.svg");
    const r = runCli(["plot", fakeRun("p", "strl", 1), "--out", out, "--png"]);
    assert.equal(r.status, 0, r.stderr);
    const png = readFileSync(out.replace(/svg$/, "png"));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(existsSync(out));
  });
});
