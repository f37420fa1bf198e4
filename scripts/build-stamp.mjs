// `node scripts/build-stamp.mjs fresh`: exit 0 when dist/ was built by `npm run build` from exactly the sources
// in the clone now (the stamp `write` left matches), else exit 1. `npm ci`'s prepare hook runs the build only
// when this fails, so npx's second run of that hook (see source-stamp.mjs) costs a hash of the sources, not a
// build. `write` records the stamp; `npm run build` calls it last, so a failed build leaves no stamp.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceStamp, stampMatches } from "./source-stamp.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
// What tsc and web/build.mjs read: the sources, the compiler settings and the dependency versions.
const INPUTS = ["src", "test", "bench", "web", "tsconfig.json", "package.json", "package-lock.json"];
const stampFile = join(root, "dist", ".sources-sha256");
const outputs = [join(root, "dist", "src", "cli", "main.js"), join(root, "dist", "src", "index.js"), join(root, "dist", "web", "app.js")];

const mode = process.argv[2];
const stamp = sourceStamp(root, INPUTS);
if (mode === "fresh") {
  const fresh = stampMatches(stampFile, stamp, outputs);
  if (fresh) process.stderr.write("strl: dist/ was built from these sources; not rebuilding (npm run build forces it)\n");
  process.exit(fresh ? 0 : 1);
} else if (mode === "write") {
  mkdirSync(join(root, "dist"), { recursive: true });
  const staged = `${stampFile}.${process.pid}.tmp`;
  writeFileSync(staged, `${stamp}\n`);
  renameSync(staged, stampFile);
} else {
  process.stderr.write("usage: node scripts/build-stamp.mjs fresh|write\n");
  process.exit(2);
}
