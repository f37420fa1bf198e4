/** The source files the house tests read: every .ts file under src/, with its path relative to src/ and its text. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository (tests run from dist/test/house/). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const SRC = join(ROOT, "src");

/** Every .ts file under `dir` (default src/), its path relative to src/ ("/" separators) and its text. */
export function sourceFiles(dir = SRC): Array<{ path: string; code: string }> {
  const out: Array<{ path: string; code: string }> = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.isFile() && e.name.endsWith(".ts")) out.push({ path: relative(SRC, p).split(sep).join("/"), code: readFileSync(p, "utf8") });
  }
  return out;
}
