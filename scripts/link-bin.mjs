// Links node_modules/.bin/strl to this checkout's CLI after `npm ci` (the "prepare" script), so that `npx strl ...`
// in a clone runs the clone's own build at once: without the link npx does not find a local `strl` and installs the
// clone as a package into its cache, building everything a second time (over a minute before the first output).
// It creates only that link; an existing `strl` there that is not this link is left alone (with a note).
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const modules = join(root, "node_modules");
const target = join("..", "..", "dist", "src", "cli", "main.js");
if (existsSync(modules)) {
  const bin = join(modules, ".bin");
  mkdirSync(bin, { recursive: true });
  const link = join(bin, "strl");
  let present;
  try {
    present = lstatSync(link);
  } catch {
    present = undefined;
  }
  if (!present) symlinkSync(target, link);
  else if (!present.isSymbolicLink() || readlinkSync(link) !== target) console.log(`link-bin: ${link} exists and is not strl's link; left as it is`);
}
