/**
 * A full disk: `strl collect` onto a 2 MiB tmpfs that cannot hold the file exits with code 2 and one line that
 * says so, and leaves no temp file; a checkpoint save that runs out of space keeps the previous checkpoint.
 * Skipped (with a message) where mounting a tmpfs is not allowed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, userErrorLine } from "./run-cli.js";

let mnt: string | undefined;
let skip: string | false = false;
const root = mkdtempSync(join(tmpdir(), "strl-diskfull-"));

before(() => {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", root], { stdio: "pipe" });
    mnt = root;
  } catch (e) {
    skip = `cannot mount a tmpfs here (${(e as Error).message.split("\n")[0]}): disk-full tests skipped`;
    console.log(skip);
  }
});
after(() => {
  if (mnt) execFileSync("umount", [mnt]);
  rmSync(root, { recursive: true, force: true });
});

describe("full disk", () => {
  it("collect refuses in one line and leaves nothing behind", (t) => {
    if (skip) return t.skip(skip);
    const ok = runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "3000", "--out", join(root, "a.h5")]);
    assert.equal(ok.status, 0, ok.stderr); // about 1.7 MB: fits
    const full = runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "3000", "--seed", "1", "--out", join(root, "b.h5")]);
    assert.match(userErrorLine(full), /^strl collect: --out: .*b\.h5: cannot write: no space left on the device \(the file needs about 1\.8 MB, 0\.\d MB are free\)$/);
    assert.deepEqual(readdirSync(root), ["a.h5"], "no temp file, no partial b.h5");
  });

  it("train on a full disk keeps the previous checkpoint and says why in one line", (t) => {
    if (skip) return t.skip(skip);
    rmSync(join(root, "a.h5"));
    const data = join(root, "d.h5");
    assert.equal(runCli(["collect", "--env", "CartPole-v1", "--policy", "random", "--episodes", "10", "--out", data]).status, 0);
    const args = ["train", "--env", "CartPole-v1", "--data", data, "--model", "strl", "--preset", "tiny", "--steps", "1", "--batch-size", "4", "--out", join(root, "run"), "--quiet"];
    assert.equal(runCli(args).status, 0);
    // dModel 512 x 4 blocks: a checkpoint of tens of MB, which cannot fit
    const cfg = join(tmpdir(), `strl-diskfull-${process.pid}.json`);
    writeFileSync(cfg, JSON.stringify({ model: { dModel: 512, nBlocks: 4 } }));
    const r = runCli([...args, "--config", cfg, "--force"]); // replacing the run: the old checkpoint must survive the failed write
    rmSync(cfg, { force: true });
    assert.match(userErrorLine(r), /no space left on the device \(ENOSPC\)/);
    const left = readdirSync(join(root, "run")).sort();
    assert.deepEqual(left.filter((f) => f.startsWith("checkpoint")), ["checkpoint", "checkpoint.v1"], `the old checkpoint stays, no temp folder: ${left.join(", ")}`);
  });
});
