/**
 * The published typings type-check in a strict consumer project without `skipLibCheck`: a TypeScript project
 * with `strict: true` that imports strl (linked as node_modules/strl, with the @types packages an install hoists
 * beside it) compiles with no error. tfjs-layers' typings fail under `strict` (15 errors), so this fails as soon
 * as a public .d.ts reaches them again (e.g. through `@tensorflow/tfjs`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url)); // the repo (tests run from dist/test/house)

test("a strict consumer project that imports strl type-checks without skipLibCheck", () => {
  const dir = mkdtempSync(join(tmpdir(), "strl-consumer-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "strl"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const compilerOptions = { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", typeRoots: [join(root, "node_modules", "@types")] };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["main.ts"] }));
    writeFileSync(
      join(dir, "main.ts"),
      [
        `import { envs, models, tensor, VERSION } from "strl";`,
        `const env = envs.make("CartPole-v1");`,
        `const first: ArrayLike<number> = env.reset({ seed: 0 }).observation as ArrayLike<number>;`,
        `const kinds: readonly string[] = models.MODEL_KINDS;`,
        `const t: tensor.Tensor | undefined = undefined;`,
        `console.log(VERSION, first.length, kinds.length, t);`,
      ].join("\n"),
    );
    let out = "";
    try {
      execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      out = `${(e as { stdout?: string }).stdout ?? ""}${(e as { stderr?: string }).stderr ?? ""}`;
    }
    assert.equal(out, "", `tsc --strict reported:\n${out.split("\n").slice(0, 12).join("\n")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
