/**
 * The content stamp that lets `npm ci`'s install and prepare hooks skip a build npx would repeat
 * (scripts/source-stamp.mjs): it must change with any byte, name or file of the inputs, and only then.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Stamp = (root: string, paths: string[], extra?: string[]) => string;
type Matches = (stampFile: string, stamp: string, outputs: string[]) => boolean;
const modulePath = new URL("../../../scripts/source-stamp.mjs", import.meta.url).href; // from dist/test/scripts/
const { sourceStamp, stampMatches } = (await import(modulePath)) as { sourceStamp: Stamp; stampMatches: Matches };

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), "strl-stamp-"));
  mkdirSync(join(root, "src", "sub"), { recursive: true });
  writeFileSync(join(root, "src", "a.ts"), "export const a = 1;\n");
  writeFileSync(join(root, "src", "sub", "b.ts"), "export const b = 2;\n");
  writeFileSync(join(root, "tsconfig.json"), "{}\n");
  return root;
}

describe("source stamp of a build's inputs", () => {
  it("is the SHA-256 of the sorted paths and bytes, written out by hand", () => {
    const root = tree();
    try {
      const h = createHash("sha256");
      h.update("extra\0v20\0");
      for (const [f, body] of [["src/a.ts", "export const a = 1;\n"], ["src/sub/b.ts", "export const b = 2;\n"], ["tsconfig.json", "{}\n"]]) {
        h.update(`file\0${f}\0${body}\0`);
      }
      assert.equal(sourceStamp(root, ["tsconfig.json", "src", "missing-folder"], ["v20"]), h.digest("hex"));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("changes when one byte, one file name or one extra (the Node ABI) changes, and comes back with the bytes", () => {
    const root = tree();
    try {
      const before = sourceStamp(root, ["src"], ["115"]);
      writeFileSync(join(root, "src", "a.ts"), "export const a = 2;\n");
      const edited = sourceStamp(root, ["src"], ["115"]);
      assert.notEqual(edited, before);
      writeFileSync(join(root, "src", "a.ts"), "export const a = 1;\n");
      assert.equal(sourceStamp(root, ["src"], ["115"]), before);
      assert.notEqual(sourceStamp(root, ["src"], ["127"]), before);
      rmSync(join(root, "src", "a.ts"));
      writeFileSync(join(root, "src", "c.ts"), "export const a = 1;\n");
      assert.notEqual(sourceStamp(root, ["src"], ["115"]), before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("matches only a stamp file with the same digest and every output present", () => {
    const root = tree();
    try {
      const stamp = sourceStamp(root, ["src"]);
      const file = join(root, "stamp");
      const out = join(root, "src", "a.ts");
      assert.equal(stampMatches(file, stamp, [out]), false, "no stamp file yet");
      writeFileSync(file, `${stamp}\n`);
      assert.equal(stampMatches(file, stamp, [out]), true);
      assert.equal(stampMatches(file, stamp, [out, join(root, "dist", "main.js")]), false, "an output is missing");
      writeFileSync(file, `${"0".repeat(64)}\n`);
      assert.equal(stampMatches(file, stamp, [out]), false, "an older build's stamp");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
