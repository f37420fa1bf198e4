/**
 * The engine boundary: only src/tensor/ may touch tfjs. Every other source file reaches tensors through the
 * named operations of src/tensor/index.ts, never through `@tensorflow/*` or the `tf` namespace, so a faster
 * engine can replace tfjs in one place.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as tensorModule from "../../src/tensor/index.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url)); // from dist/test/tensor/ to the repository
const SRC = join(ROOT, "src");

/** Every .ts file under `dir`, as paths relative to the repository root with "/" separators. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.isFile() && e.name.endsWith(".ts")) out.push(relative(ROOT, p).split(sep).join("/"));
  }
  return out.sort();
}

/**
 * `code` with comments blanked (and, with `strings`, the contents of string and template literals too, keeping
 * `${...}` expressions), newlines kept so offsets map to the same lines.
 */
function blank(code: string, strings: boolean): string {
  const out = code.split("");
  const wipe = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  const templateDepth: number[] = []; // brace depth at which each open template's `${` started
  let depth = 0;
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    const d = code[i + 1];
    if (c === "/" && d === "/") {
      const end = code.indexOf("\n", i);
      const stop = end < 0 ? code.length : end;
      wipe(i, stop);
      i = stop;
    } else if (c === "/" && d === "*") {
      const end = code.indexOf("*/", i + 2);
      const stop = end < 0 ? code.length : end + 2;
      wipe(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < code.length && code[j] !== c && code[j] !== "\n") j += code[j] === "\\" ? 2 : 1;
      if (strings) wipe(i + 1, j);
      i = j + 1;
    } else if (c === "`" || (c === "}" && templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === depth)) {
      if (c === "}") templateDepth.pop();
      let j = i + 1;
      while (j < code.length && code[j] !== "`" && !(code[j] === "$" && code[j + 1] === "{")) j += code[j] === "\\" ? 2 : 1;
      if (strings) wipe(i + 1, j);
      if (code[j] === "$") {
        templateDepth.push(depth);
        i = j + 2;
      } else i = j + 1;
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      i++;
    }
  }
  return out.join("");
}

const lineOf = (code: string, index: number): number => code.slice(0, index).split("\n").length;

/** "file:line: what" for each use of tfjs in `code` (a file outside src/tensor/). */
function boundaryViolations(file: string, code: string): string[] {
  const found: string[] = [];
  const noComments = blank(code, false);
  const bare = blank(code, true);
  const at = (index: number, what: string): void => {
    found.push(`${file}:${lineOf(code, index)}: ${what}`);
  };
  // import ... from "x" / export ... from "x"
  for (const m of noComments.matchAll(/\b(import|export)\s+(type\s+)?([^;"'`]*?)\s*\bfrom\s*(["'])([^"']+)\4/g)) {
    const [, , , clause, , spec] = m;
    if (spec!.startsWith("@tensorflow/")) at(m.index!, `imports "${spec}"`);
    else if (/(^|\/)tf(\.js)?$/.test(spec!) && spec!.includes("tensor")) at(m.index!, `imports the tf module "${spec}"`);
    if (/(^|[\s{,*])tf\s*($|[\s},])/.test(clause!)) at(m.index!, `imports the tf namespace from "${spec}"`);
  }
  // import "x", import("x"), require("x")
  for (const m of noComments.matchAll(/(\bimport\s*\(?|\brequire\s*\()\s*(["'])(@tensorflow\/[^"']*)\2/g)) at(m.index!, `imports "${m[3]}"`);
  // tf.xxx in code (not in comments or strings), not as a property (`x.tf.y`)
  for (const m of bare.matchAll(/(?<![\w$.])tf\s*\./g)) at(m.index!, "uses the tf namespace");
  return found;
}

describe("engine boundary", () => {
  it("no file outside src/tensor/ imports @tensorflow/* or uses the tf namespace", () => {
    const files = tsFiles(SRC).filter((f) => !f.startsWith("src/tensor/"));
    assert.ok(files.length > 50, `found only ${files.length} source files under ${SRC}`);
    const bad = files.flatMap((f) => boundaryViolations(f, readFileSync(join(ROOT, f), "utf8")));
    assert.deepEqual(bad, [], `tfjs used outside src/tensor/ (use the named ops of src/tensor/index.ts):\n${bad.join("\n")}`);
  });

  it("src/tensor/index.ts exports named operations, not the tf namespace", () => {
    assert.ok(!("tf" in tensorModule), "src/tensor/index.ts exports tf");
    for (const name of ["add", "mul", "matMul", "reshape", "tensor", "tidy", "variableGrads"]) {
      assert.equal(typeof (tensorModule as Record<string, unknown>)[name], "function", `missing export ${name}`);
    }
  });

  it("the scan finds imports and tf. uses, with their lines, and ignores comments and strings", () => {
    const code = [
      'import * as tf from "@tensorflow/tfjs";', // 1
      'import { add, tf, type Tensor } from "../tensor/index.js";', // 2
      "// tf.add(a, b) in a comment", // 3
      'const s = "tf.add in a string" + `tf.mul ${tf.sub(a, b)}`;', // 4
      "/* tf.x", // 5
      "   tf.y */ const y = add(x.tf.z, tf .mul(a, b));", // 6
      'const m = await import("@tensorflow/tfjs-backend-wasm");', // 7
      'export { tf } from "../tensor/tf.js";', // 8
    ].join("\n");
    assert.deepEqual(boundaryViolations("f.ts", code), [
      'f.ts:1: imports "@tensorflow/tfjs"',
      'f.ts:1: imports the tf namespace from "@tensorflow/tfjs"',
      'f.ts:2: imports the tf namespace from "../tensor/index.js"',
      'f.ts:8: imports the tf module "../tensor/tf.js"',
      'f.ts:8: imports the tf namespace from "../tensor/tf.js"',
      'f.ts:7: imports "@tensorflow/tfjs-backend-wasm"',
      "f.ts:4: uses the tf namespace",
      "f.ts:6: uses the tf namespace",
    ]);
    assert.deepEqual(boundaryViolations("ok.ts", 'import { add } from "../tensor/index.js";\nconst tfx = add(a, b); // tf.add\n'), []);
  });
});
