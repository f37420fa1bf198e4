/** The bounded part of the CLI fuzzer (fuzz-cases.ts): a few seeded cases, every one clean or legitimately accepted. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOUNDS_CASES, makeFixtures, runCase } from "./fuzz-cases.js";

const CASES = 6; // about 20 s with the fixtures
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "strl-fuzz-"));
  await makeFixtures(join(work, "fixtures"));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("CLI fuzz (bounded)", () => {
  it(`refuses ${CASES} damaged inputs with one line, exit 2, nothing changed`, async () => {
    const bad: string[] = [];
    const kinds: string[] = [];
    for (let i = 0; i < CASES; i += 2) {
      const rs = await Promise.all([i, i + 1].map((j) => runCase(0, j, join(work, "fixtures"), work)));
      for (const r of rs) {
        kinds.push(r.c.kind);
        if (r.verdict === "bad") bad.push(`${r.c.kind}: ${r.why}`);
      }
    }
    assert.deepEqual(bad, [], bad.join("\n"));
    assert.equal(kinds.length, CASES);
  });

  it(`refuses every bounds case (${BOUNDS_CASES.length}: counts, declared sizes, impossible paths, bad state) in one line, at once`, async () => {
    const bad: string[] = [];
    for (let i = 0; i < BOUNDS_CASES.length; i += 2) {
      const rs = await Promise.all(BOUNDS_CASES.slice(i, i + 2).map((how) => runCase(0, how, join(work, "fixtures"), work)));
      for (const r of rs) if (r.verdict !== "clean") bad.push(`${r.c.kind}: ${r.verdict} ${r.why ?? ""}`);
    }
    assert.deepEqual(bad, [], bad.join("\n"));
  });
});
