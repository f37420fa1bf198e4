/**
 * One native boundary: only src/tensor reaches the C++ addon. Outside src/tensor a file may use the native engine
 * only through `nativeEngine()` (typed calls taking one parameter object, src/tensor/native/engine.ts); it never
 * imports a module of src/tensor/native/, never names the raw addon (`loadAddon`, `NativeAddon`, `nativeEngineOf`,
 * the old `nativeKernels`), and never loads a `.node` file itself. Read from the syntax tree (the `typescript`
 * package), so comments and prose never count.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import ts from "typescript";
import { SRC, sourceFiles } from "./source-files.js";

/** Names that reach the raw addon: its loader, its type, the wrapper factory, the old accessor, Node's loader. */
const RAW_NAMES = new Set(["loadAddon", "NativeAddon", "nativeEngineOf", "nativeKernels", "dlopen"]);

/**
 * "src/<path>:<line>: <what>" for every use of the addon in the file at `path` (relative to src/, "/"
 * separators). Files under tensor/ are the boundary itself and have none by definition.
 */
export function addonUses(path: string, code: string): string[] {
  if (path.startsWith("tensor/")) return [];
  const sf = ts.createSourceFile(path, code, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const at = (node: ts.Node, what: string): void => {
    out.push(`src/${path}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${what}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node)) {
      const text = node.text;
      const target = text.startsWith(".") ? posix.normalize(posix.join(posix.dirname(path), text)) : "";
      if (target.startsWith("tensor/native/")) at(node, `imports ${text} (inside src/tensor/native)`);
      else if (/\.node$/.test(text) || text.includes("strl_native")) at(node, `names the addon file '${text}'`);
    } else if (ts.isIdentifier(node) && RAW_NAMES.has(node.text)) {
      at(node, `uses ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** "<method>: n parameters" for each method of `interface NativeEngine` in `code` that takes other than one. */
export function positionalCalls(code: string): string[] {
  const sf = ts.createSourceFile("engine.ts", code, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === "NativeEngine") {
      found = true;
      for (const m of node.members) {
        if (ts.isMethodSignature(m) && m.parameters.length !== 1) out.push(`${m.name.getText(sf)}: ${m.parameters.length} parameters`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (!found) out.push("no interface NativeEngine");
  return out;
}

describe("the native boundary", () => {
  it("no file of src/ outside src/tensor reaches the addon", () => {
    const files = sourceFiles();
    assert.ok(files.length > 150, `only ${files.length} files under ${SRC}`);
    // the two former offenders are read and use the typed door instead
    for (const f of ["snn/lif-kernel.ts", "models/blocks/fused-spiking-attention.ts"]) {
      assert.match(files.find((x) => x.path === f)!.code, /nativeEngine\(\)/, `${f} no longer calls nativeEngine()`);
    }
    const bad = files.flatMap((f) => addonUses(f.path, f.code));
    assert.deepEqual(bad, [], `the addon is reached outside src/tensor:\n${bad.join("\n")}`);
  });

  it("every call of the native engine takes one parameter object", () => {
    const code = readFileSync(join(SRC, "tensor", "native", "engine.ts"), "utf8");
    assert.deepEqual(positionalCalls(code), []);
  });
});

describe("the boundary check itself", () => {
  it("catches planted uses: static and dynamic imports of tensor/native, the raw names, a .node file, process.dlopen", () => {
    const planted = [
      'import type { NativeAddon } from "../tensor/native/addon.js";',
      'import { nativeKernels } from "../tensor/index.js";',
      'const m = createRequire(import.meta.url)("../../native/build/Release/strl_native.node");',
      "process.dlopen(mod, path);",
      'const k = await import("../tensor/native/kernels.js");',
    ].join("\n");
    assert.deepEqual(addonUses("snn/bad.ts", planted), [
      "src/snn/bad.ts:1: uses NativeAddon",
      "src/snn/bad.ts:1: imports ../tensor/native/addon.js (inside src/tensor/native)",
      "src/snn/bad.ts:2: uses nativeKernels",
      "src/snn/bad.ts:3: names the addon file '../../native/build/Release/strl_native.node'",
      "src/snn/bad.ts:4: uses dlopen",
      "src/snn/bad.ts:5: imports ../tensor/native/kernels.js (inside src/tensor/native)",
    ]);
  });

  it("passes the typed door, comments, prose in strings, and files inside src/tensor", () => {
    const clean = [
      'import { nativeEngine, type NativeEngine } from "../tensor/index.js";',
      "// loadAddon() and nativeKernels() used to be called here",
      'const why = "the native engine (not loadAddon) runs this";',
      "const e: NativeEngine | undefined = nativeEngine();",
    ].join("\n");
    assert.deepEqual(addonUses("models/good.ts", clean), []);
    assert.deepEqual(addonUses("tensor/backend.ts", 'import { loadAddon } from "./native/addon.js";'), []);
  });

  it("names every engine method that takes positional arguments", () => {
    const code = "export interface NativeEngine {\n  a(c: A): void;\n  b(x: Float32Array, n: number, y: Float32Array): void;\n  c(): number;\n}";
    assert.deepEqual(positionalCalls(code), ["b: 3 parameters", "c: 0 parameters"]);
    assert.deepEqual(positionalCalls("interface Other { f(a: number, b: number): void }"), ["no interface NativeEngine"]);
  });
});
