// Removes the compiled files under dist/{src,test,bench} whose TypeScript source is gone (a renamed or deleted
// module would otherwise still run as a test), and nothing else: dist/ stays in place, so `npx strl` keeps
// working while `npm test` rebuilds. Only files tsc writes (.js, .d.ts, .js.map, .d.ts.map) are considered.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const outputs = [".d.ts.map", ".js.map", ".d.ts", ".js"];
let removed = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
      continue;
    }
    const ext = outputs.find((e) => name.endsWith(e));
    if (!ext) continue;
    const source = join(root, relative(join(root, "dist"), dir), name.slice(0, -ext.length) + ".ts");
    if (!existsSync(source)) {
      rmSync(path);
      removed++;
    }
  }
}

for (const top of ["src", "test", "bench"]) {
  const dir = join(root, "dist", top);
  if (existsSync(dir)) walk(dir);
}
if (removed > 0) console.log(`prune-dist: removed ${removed} compiled file(s) whose source is gone`);
