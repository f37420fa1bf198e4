/**
 * Issue 21, the bounded and the misleading: counts refused where they are read (with the limit and the memory
 * they would take), an --out where no folder can be made failing at once, a dangling checkpoint link recovered
 * from the newest complete version (eval and --resume), a NaN optimizer state named as such, a huge maze size
 * refused by range, and a JSON error that stays on one line.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { runCli, userErrorLine } from "./run-cli.js";

let dir = "";
const data = (): string => join(dir, "d.h5");
const train = (out: string, extra: string[] = []): string[] => ["train", "--env", "CartPole-v1", "--data", data(), "--model", "strl", "--preset", "tiny", "--batch-size", "4", "--out", join(dir, out), "--quiet", ...extra];
type Rec = Record<string, number>;
const log = (out: string): Rec[] => readFileSync(join(dir, out, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Rec);

before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-cli-bounds-"));
  const c = runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "12", "--out", data()]);
  assert.equal(c.status, 0, c.stderr);
  const t = runCli(train("run", ["--steps", "2", "--checkpoint-every", "1"]));
  assert.equal(t.status, 0, t.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("counts are bounded where they are read", () => {
  it("collect --episodes 99999999999 is refused at once with the limits and the memory it could need; no file", () => {
    const out = join(dir, "huge.h5");
    // CartPole: 500 steps at most, 4 + 1 + 1 floats and 2 flags = 26 bytes a step, twice: 2 x 99999999999 x 500 x 26 B
    assert.equal(
      userErrorLine(runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "99999999999", "--out", out])),
      "strl collect: --episodes 99999999999: 99999999999 episodes could need 2.6 PB of memory (up to 500 steps an episode x 26 bytes a step, held twice while the file is written); the limits are 1000000 episodes and 16.0 GB",
    );
    assert.ok(!existsSync(out));
  });

  it("eval refuses more than 1,000,000 episodes in all (targets x seeds x episodes) before reading the checkpoint", () => {
    assert.equal(
      userErrorLine(runCli(["eval", "--checkpoint", join(dir, "run"), "--episodes", "99999999999"])),
      "strl eval: --episodes 99999999999: 99999999999 episodes in all (targets x seeds x episodes) are above the limit of 1000000; their records alone would keep about 20.0 TB in memory",
    );
    // 300000 x 2 seeds x 2 targets = 1.2 million
    assert.equal(
      userErrorLine(runCli(["eval", "--checkpoint", join(dir, "nowhere"), "--episodes", "300000", "--seeds", "0,1", "--target-return", "1", "2"])),
      "strl eval: --episodes 300000: 1200000 episodes in all (targets x seeds x episodes) are above the limit of 1000000; their records alone would keep about 240.0 MB in memory",
    );
  });

  it("train --eval-episodes over the limit is refused before the data is read", () => {
    assert.equal(
      userErrorLine(runCli(train("evals", ["--steps", "1", "--eval-episodes", "2000000"]))),
      "strl train: --eval-episodes 2000000: 2000000 episodes in all (targets x seeds x episodes) are above the limit of 1000000; their records alone would keep about 400.0 MB in memory",
    );
    assert.ok(!existsSync(join(dir, "evals")));
  });
});

describe("impossible paths and misleading messages", () => {
  it("train --out under /proc fails at once, saying the folder cannot be made there (it used to spin mkdir at 100% CPU)", (t) => {
    if (!existsSync("/proc/self")) return t.skip("no /proc here");
    const r = runCli(train("x", ["--steps", "1"]).map((a) => (a === join(dir, "x") ? "/proc/strl-test/run" : a)));
    assert.equal(userErrorLine(r), "strl train: /proc/strl-test/run: cannot create folder /proc/strl-test: /proc exists but takes no new folders (ENOENT; a virtual file system such as /proc?)");
  });

  it("a huge maze size is refused by range with the memory it would take, not as 'Invalid typed array length'", () => {
    assert.equal(
      userErrorLine(runCli(["collect", "--env", "Maze-v0", "--policy", "random", "--episodes", "1", "--env-options", '{"size": 1000001}', "--out", join(dir, "m.h5")])),
      "strl collect: Maze-v0: option 'size' must be an odd integer in [5, 1001], got 1000001 (a 1000001x1000001 maze would take 5.0 TB)",
    );
  });

  it("a JSON error that quotes text with a line break stays on one line", () => {
    const line = userErrorLine(runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "1", "--env-options", '{"a":\n x}', "--out", join(dir, "j.h5")]));
    assert.match(line, /^strl collect: --env-options is not valid JSON: .*"\{"a": x\}" is not valid JSON$/);
    const cfg = join(dir, "bad.json");
    writeFileSync(cfg, '{"model":\n  oops}');
    assert.match(userErrorLine(runCli(train("cfg", ["--steps", "1", "--config", cfg]))), /^strl train: --config: '.*bad\.json' is not valid JSON \(.*"\{"model": oops\}" is not valid JSON\)$/);
  });

  it("a NaN in the optimizer state is named as such on --resume (it used to surface as a LIF's non-finite input); eval still reads the weights", () => {
    cpSync(join(dir, "run"), join(dir, "nan"), { recursive: true, verbatimSymlinks: true });
    const file = join(dir, "nan", "checkpoint", "optimizer.safetensors");
    const st = decodeSafetensors(readFileSync(file));
    const [name, t] = [...st.tensors][0]!;
    (t.data as Float32Array)[3] = Number.NaN;
    unlinkSync(file);
    writeFileSync(file, encodeSafetensors(st.tensors, st.metadata));
    assert.equal(
      userErrorLine(runCli(train("nan", ["--resume", "--steps", "3"]))),
      `strl train: checkpoint ${join(dir, "nan", "checkpoint")}: optimizer.safetensors: tensor '${name}' holds a non-finite value (NaN) at flat index 3: the optimizer state is not finite, so training cannot resume from it (the weights can still be evaluated)`,
    );
    const e = runCli(["eval", "--checkpoint", join(dir, "nan"), "--episodes", "1", "--target-return", "10", "--max-steps", "3"]);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stderr, /warning: .*the optimizer state is not finite.*\(the weights are fine: going on without the training state\)/);
  });
});

describe("a dangling checkpoint link", () => {
  it("--resume continues from the newest complete version beside it, with the losses of the run that was never cut", () => {
    cpSync(join(dir, "run"), join(dir, "dangle"), { recursive: true, verbatimSymlinks: true });
    rmSync(join(dir, "dangle", "checkpoint.v2"), { recursive: true }); // checkpoint -> checkpoint.v2, now missing
    const e = runCli(["eval", "--checkpoint", join(dir, "dangle"), "--episodes", "1", "--target-return", "10", "--max-steps", "3"]);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stderr, /warning: --checkpoint .*dangle\/checkpoint is missing or dangles \(a save cut short\?\); read .*dangle\/checkpoint\.v1, the newest complete version/);
    const r = runCli(train("dangle", ["--resume", "--steps", "2"]));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^strl train: warning: --resume: .*dangle\/checkpoint is missing or dangles \(a save cut short\?\); resuming from .*dangle\/checkpoint\.v1, the newest complete version \(step 1\)$/m);
    const [a, b] = [log("run"), log("dangle")];
    assert.deepEqual(b.map((x) => x.step), [1, 2]);
    assert.equal(b[1]!["training/loss"], a[1]!["training/loss"], "step 2 redone from step 1 gives the same loss");
    assert.ok(readdirSync(join(dir, "dangle")).includes("checkpoint.v2"), "the link points at a complete version again");
    assert.ok(existsSync(join(dir, "dangle", "checkpoint", "config.json")));
  });
});
