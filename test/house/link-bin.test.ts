/**
 * `npm ci` links node_modules/.bin/strl to this checkout's CLI (scripts/link-bin.mjs in "prepare"), so `npx strl`
 * in a clone runs at once instead of installing the clone into npx's cache and building it again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

test("after npm ci, node_modules/.bin/strl is the checkout's own CLI", () => {
  const link = join(realpathSync(join(root, "node_modules")), ".bin", "strl");
  assert.equal(readlinkSync(link), join("..", "..", "dist", "src", "cli", "main.js"));
  assert.equal(realpathSync(link), realpathSync(join(root, "node_modules", "..", "dist", "src", "cli", "main.js")));
});
