/**
 * The long fuzz run (`npm run fuzz [-- N SEED]`): N cases (default 200) of seed SEED (default 1), two at a time;
 * prints every bad case and the figures: inputs tried / clean / accepted / bad, and the bad ones by class (hang,
 * stack trace, wrongly accepted, wrong exit code, not one line, the line does not name the input, the folder
 * changed). Exits 1 when any case is bad. `STRL_FUZZ_CLI` and `STRL_FUZZ_TIMEOUT_S`: see `runStrl`.
 * Without arguments (as `node --test dist/test` runs every file) it does nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { badClass, makeFixtures, runCase } from "./fuzz-cases.js";

if (process.argv[2] !== undefined) await fuzz();

async function fuzz(): Promise<void> {
  const n = Number(process.argv[2]);
  const seed = Number(process.argv[3] ?? 1);
  const work = mkdtempSync(join(tmpdir(), "strl-fuzz-run-"));
  const counts = { clean: 0, accepted: 0, bad: 0 };
  const byKind = new Map<string, number>();
  const byClass = new Map<string, number>();
  try {
    await makeFixtures(join(work, "fixtures"));
    for (let i = 0; i < n; i += 2) {
      const rs = await Promise.all([i, i + 1].filter((j) => j < n).map((j) => runCase(seed, j, join(work, "fixtures"), work)));
      for (const r of rs) {
        counts[r.verdict] += 1;
        const k = r.c.kind.split(" ").slice(0, 2).join(" ");
        byKind.set(k, (byKind.get(k) ?? 0) + 1);
        if (r.verdict === "bad") {
          console.log(`BAD ${r.c.kind}: ${r.why}`);
          byClass.set(badClass(r.why!), (byClass.get(badClass(r.why!)) ?? 0) + 1);
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`fuzz seed ${seed}: ${n} inputs tried, ${counts.clean} clean, ${counts.accepted} accepted (damage that left the input valid), ${counts.bad} bad`);
  console.log(`bad, by class: ${[...byClass].sort().map(([k, v]) => `${k} ${v}`).join("; ") || "none"}`);
  console.log([...byKind].sort().map(([k, v]) => `${k}: ${v}`).join("; "));
  process.exitCode = counts.bad > 0 ? 1 : 0;
}
