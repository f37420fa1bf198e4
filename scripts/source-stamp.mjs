// A content stamp of the files a build reads: the SHA-256 over their sorted relative paths and bytes. `npm ci`'s
// install and prepare hooks compare it with the stamp the last finished build left beside its output and skip the
// build when they are equal. npx runs those hooks again on its first call in a clone (npm 11 links the clone's
// own package into its cache, which re-runs them); with the stamps that call starts at once.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** The files under `paths` (files or folders, relative to `root`), sorted by their '/'-separated relative path. */
function listFiles(root, paths) {
  const out = [];
  const walk = (abs) => {
    const st = statSync(abs);
    if (st.isDirectory()) {
      for (const name of readdirSync(abs)) walk(join(abs, name));
    } else if (st.isFile()) {
      out.push(relative(root, abs).split(sep).join("/"));
    }
  };
  for (const p of paths) {
    const abs = join(root, p);
    if (existsSync(abs)) walk(abs);
  }
  return out.sort();
}

/** The hex SHA-256 over the files under `paths` of `root` and the `extra` strings (a Node version, an ABI). */
export function sourceStamp(root, paths, extra = []) {
  const h = createHash("sha256");
  for (const e of extra) h.update(`extra\0${e}\0`);
  for (const f of listFiles(root, paths)) {
    h.update(`file\0${f}\0`);
    h.update(readFileSync(join(root, f)));
    h.update("\0");
  }
  return h.digest("hex");
}

/** True when the stamp file holds exactly `stamp` and every file of `outputs` exists. */
export function stampMatches(stampFile, stamp, outputs) {
  if (!outputs.every((f) => existsSync(f))) return false;
  try {
    return readFileSync(stampFile, "utf8").trim() === stamp;
  } catch {
    return false;
  }
}
