/**
 * The direction of imports between the folders of src/. `LAYERS` is the one place the order is written down
 * (README's "Architecture" section prints it, and a test below keeps the two equal): a file may import from
 * its own folder or from a folder in a lower layer, never from a higher layer or from another folder of its
 * own layer, so no two folders can ever import each other.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import ts from "typescript";
import { ROOT, SRC, sourceFiles } from "./source-files.js";

/**
 * The layers of src/, top first: each entry of a layer is a folder of src/ or a file at its root. The package
 * index sits on top; bench (the `strl bench` cases) sits beside experiments; checkpoint sits above models
 * because loading one builds the model; io (files that know no model) and config (validation) are the base.
 */
export const LAYERS: ReadonlyArray<readonly string[]> = [
  ["index.ts"],
  ["cli"],
  ["experiments", "bench"],
  ["report", "export"],
  ["eval", "train", "online"],
  ["checkpoint"],
  ["models", "data"],
  ["envs"],
  ["snn", "energy"],
  ["tensor"],
  ["io"],
  ["config", "version.ts"],
];

/** One import of one file of src/ that crosses from one unit (folder or root file) to another. */
export interface Edge {
  /** The importing file, relative to the repository ("src/models/strl.ts"). */
  file: string;
  line: number;
  from: string;
  to: string;
}

/** The order as one line, top first: layers joined by " -> ", the units of a layer by ", ". */
export function describeOrder(layers: ReadonlyArray<readonly string[]>): string {
  return layers.map((l) => l.join(", ")).join(" -> ");
}

/**
 * The module specifiers `code` imports, with lines: static, type-only and side-effect imports, re-exports
 * (`export * as x from`), dynamic `import()` and `import("...").Type` (from the syntax tree, so comments and
 * strings never count).
 */
export function importsOf(code: string): Array<{ spec: string; line: number }> {
  const sf = ts.createSourceFile("file.ts", code, ts.ScriptTarget.Latest, true);
  const out: Array<{ spec: string; line: number }> = [];
  const add = (lit: ts.Node | undefined): void => {
    if (lit && ts.isStringLiteralLike(lit)) out.push({ spec: lit.text, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The unit of src/ a path relative to src/ belongs to: its first folder, or the file name at the root. */
function unitOf(pathInSrc: string): string {
  return pathInSrc.split("/")[0]!.replace(/\.js$/, ".ts");
}

/** Every edge between units among the relative imports of the files `files` (paths relative to src/). */
export function edgesOf(files: ReadonlyArray<{ path: string; code: string }>): Edge[] {
  const edges: Edge[] = [];
  for (const { path, code } of files) {
    for (const { spec, line } of importsOf(code)) {
      if (!spec.startsWith(".")) continue; // packages and node: builtins
      const target = posix.normalize(posix.join(posix.dirname(path), spec));
      if (target.startsWith("..")) {
        edges.push({ file: `src/${path}`, line, from: unitOf(path), to: `outside src (${spec})` });
        continue;
      }
      const from = unitOf(path);
      const to = unitOf(target);
      if (from !== to) edges.push({ file: `src/${path}`, line, from, to });
    }
  }
  return edges;
}

/** "file:line: from -> to ..." for every edge that points up the order, sideways, or to a unit not in it. */
export function orderViolations(edges: readonly Edge[], layers: ReadonlyArray<readonly string[]>): string[] {
  const layerOf = new Map<string, number>();
  layers.forEach((l, i) => l.forEach((u) => layerOf.set(u, i)));
  const out: string[] = [];
  for (const e of edges) {
    const where = `${e.file}:${e.line}: ${e.from} -> ${e.to}`;
    const a = layerOf.get(e.from);
    const b = layerOf.get(e.to);
    if (a === undefined) out.push(`${where}: '${e.from}' is not in the order (add it to LAYERS and README's Architecture)`);
    else if (b === undefined) out.push(`${where}: '${e.to}' is not in the order (add it to LAYERS and README's Architecture)`);
    else if (b < a) out.push(`${where} points up the order (${e.to} is above ${e.from})`);
    else if (b === a) out.push(`${where} points sideways (${e.from} and ${e.to} share a layer)`);
  }
  return out;
}

/** Cycles between units (strongly connected groups of more than one unit), each naming the edges that close it. */
export function folderCycles(edges: readonly Edge[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  // Tarjan's strongly connected components
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.map((g) => {
    const inside = edges.filter((e) => g.includes(e.from) && g.includes(e.to)).map((e) => `${e.file}:${e.line} (${e.from} -> ${e.to})`);
    return `cycle between ${g.join(", ")}: ${[...new Set(inside)].join("; ")}`;
  });
}

describe("imports between the folders of src/", () => {
  const files = sourceFiles();
  const edges = edgesOf(files);

  it("reads every source file and finds the cross-folder imports", () => {
    assert.ok(files.length > 150, `only ${files.length} files under ${SRC}`);
    // a known edge of each kind the parser must see: a static import, a type-only import, a re-export
    const seen = (file: string, to: string): boolean => edges.some((e) => e.file === file && e.to === to);
    assert.ok(seen("src/cli/main.ts", "version.ts"), "static import of ../version.js");
    assert.ok(seen("src/train/grads.ts", "models"), "type-only import of ../models/types.js");
    assert.ok(seen("src/index.ts", "tensor"), "re-export of ./tensor/index.js");
  });

  it("every import points down the order, none sideways, every folder is in the order", () => {
    const bad = orderViolations(edges, LAYERS);
    assert.deepEqual(bad, [], `imports against the order ${describeOrder(LAYERS)}:\n${bad.join("\n")}`);
    const units = new Set(LAYERS.flat());
    const missing = [...new Set(files.map((f) => unitOf(f.path)))].filter((u) => !units.has(u)).sort();
    assert.deepEqual(missing, [], `units of src/ missing from LAYERS: ${missing.join(", ")}`);
  });

  it("no two folders import each other, directly or through others", () => {
    const cycles = folderCycles(edges);
    assert.deepEqual(cycles, [], cycles.join("\n"));
  });

  it("README's Architecture section states the same order as LAYERS", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.split(/^## /m).find((s) => s.startsWith("Architecture"));
    assert.ok(section, "README.md has no '## Architecture' section");
    assert.ok(section.includes(describeOrder(LAYERS)), `README's Architecture section must contain the line:\n${describeOrder(LAYERS)}`);
  });
});

describe("the import check itself", () => {
  it("parses static, type-only, re-export, namespace re-export, side-effect, dynamic and type imports, and skips comments and strings", () => {
    const code = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      'export * from "./c.js";',
      '// import { g } from "./g.js";',
      'import "./e.js";',
      'const s = "import h from \'./h.js\'";',
      'const f = await import("./f.js");',
      'export * as g from "./g2.js";',
      'let t: import("./t.js").T;',
    ].join("\n");
    assert.deepEqual(importsOf(code), [
      { spec: "./a.js", line: 1 },
      { spec: "../b.js", line: 2 },
      { spec: "./c.js", line: 3 },
      { spec: "./e.js", line: 5 },
      { spec: "./f.js", line: 7 },
      { spec: "./g2.js", line: 8 },
      { spec: "./t.js", line: 9 },
    ]);
  });

  it("maps imports to folder edges: same-folder and package imports are not edges, root files are units", () => {
    const edges = edgesOf([
      { path: "models/blocks/x.ts", code: 'import "../types.js";\nimport "../../snn/index.js";\nimport "node:fs";\nimport "h5wasm";' },
      { path: "data/collect.ts", code: 'import { VERSION } from "../version.js";\nimport "../../bench/x.js";' },
    ]);
    assert.deepEqual(edges, [
      { file: "src/models/blocks/x.ts", line: 2, from: "models", to: "snn" },
      { file: "src/data/collect.ts", line: 1, from: "data", to: "version.ts" },
      { file: "src/data/collect.ts", line: 2, from: "data", to: "outside src (../../bench/x.js)" },
    ]);
  });

  it("names the file and the edge of an upward, a sideways and an unknown import, and passes downward ones", () => {
    const layers = [["train"], ["models", "data"], ["tensor"]];
    const edges: Edge[] = [
      { file: "src/models/benchmark.ts", line: 6, from: "models", to: "train" },
      { file: "src/models/x.ts", line: 2, from: "models", to: "data" },
      { file: "src/train/y.ts", line: 9, from: "train", to: "io" },
      { file: "src/train/z.ts", line: 1, from: "train", to: "tensor" },
      { file: "src/data/w.ts", line: 4, from: "data", to: "tensor" },
    ];
    assert.deepEqual(orderViolations(edges, layers), [
      "src/models/benchmark.ts:6: models -> train points up the order (train is above models)",
      "src/models/x.ts:2: models -> data points sideways (models and data share a layer)",
      "src/train/y.ts:9: train -> io: 'io' is not in the order (add it to LAYERS and README's Architecture)",
    ]);
  });

  it("reports a cycle between folders with the imports that form it, and none for a chain", () => {
    const edges: Edge[] = [
      { file: "src/io/checkpoint.ts", line: 25, from: "io", to: "models" },
      { file: "src/models/factory.ts", line: 2, from: "models", to: "io" },
      { file: "src/train/t.ts", line: 3, from: "train", to: "models" },
    ];
    assert.deepEqual(folderCycles(edges), [
      "cycle between io, models: src/io/checkpoint.ts:25 (io -> models); src/models/factory.ts:2 (models -> io)",
    ]);
    const three: Edge[] = [
      { file: "src/a/1.ts", line: 1, from: "a", to: "b" },
      { file: "src/b/1.ts", line: 1, from: "b", to: "c" },
      { file: "src/c/1.ts", line: 1, from: "c", to: "a" },
    ];
    assert.deepEqual(folderCycles(three), ["cycle between a, b, c: src/a/1.ts:1 (a -> b); src/b/1.ts:1 (b -> c); src/c/1.ts:1 (c -> a)"]);
    assert.deepEqual(folderCycles(edges.slice(0, 1).concat(edges.slice(2))), []);
  });

  it("describes the order top first, a layer's units joined by commas", () => {
    assert.equal(describeOrder([["cli"], ["eval", "train"], ["tensor"]]), "cli -> eval, train -> tensor");
  });
});
