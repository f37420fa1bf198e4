/**
 * The README's benchmark table, rendered from a committed bench record (`npm run bench -- models demo sac gemm engines --publish`
 * writes docs/bench/<date>.json). The README holds the table between `<!-- bench:start FILE -->` and
 * `<!-- bench:end -->`; `node dist/bench/published-table.js FILE --update README.md` rewrites that block and
 * test/bench/published-table.test.ts fails when the block differs from the rendering of the FILE it names, so a
 * published speed number always comes from a record the repository keeps.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { BenchResult } from "./types.js";

/** What `bench/run.ts` writes (the fields the table reads). */
export interface BenchRecord {
  date: string;
  cpu: string;
  cores: number;
  node: string;
  commit: string;
  /** The 1-minute load average when the run started and when it ended. */
  load: { start: number; end: number };
  results: Record<string, BenchResult[]>;
}

const MODEL_NAMES: Record<string, string> = { strl: "STRL", "ann-strl": "ANN-STRL", dt: "DT" };
const CONFIG_TEXT: Record<string, string> = { small: "small", paper: "paper" };

/** "native: strl small train (ms per training step)" -> its parts, or undefined for another case. */
function parseCase(name: string): { engine: string; model: string; config: string; mode: string } | undefined {
  const m = /^(native|wasm): (strl|ann-strl|dt) (small|paper) (train|infer) /.exec(name);
  return m ? { engine: m[1]!, model: m[2]!, config: m[3]!, mode: m[4]! } : undefined;
}

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The markdown block (provenance line and table) for `record`, which was read from `file`. */
export function renderBenchBlock(record: BenchRecord, file: string): string {
  const rows = new Map<string, { native?: BenchResult; wasm?: BenchResult }>();
  for (const r of record.results.models ?? []) {
    const c = parseCase(r.case);
    if (!c) continue;
    const key = `${c.model} ${c.config} ${c.mode}`;
    rows.set(key, { ...rows.get(key), [c.engine]: r });
  }
  const lines = [
    `Generated from [${file}](${file}) (\`npm run bench -- models demo sac gemm engines --publish\`, ${record.date.slice(0, 10)}, commit ${record.commit.slice(0, 7)}, ${record.cpu}, ${record.cores} cores, Node ${record.node}, load ${record.load.start.toFixed(2)} at the start and ${record.load.end.toFixed(2)} at the end): median ms, each case in a fresh process.`,
    "",
    "| case | native | wasm | native target | native peak RSS (MB) |",
    "|---|---|---|---|---|",
  ];
  for (const [key, { native, wasm }] of rows) {
    const [model, config, mode] = key.split(" ") as [string, string, string];
    const what = mode === "train" ? "training step" : "batch-1 decision";
    const micro = (r: BenchResult | undefined): string => {
      const n = r?.extra?.micro_batches;
      return typeof n === "number" && n > 1 ? ` (${n} micro-batches)` : "";
    };
    const target = native?.extra?.target_ms;
    lines.push(
      `| ${MODEL_NAMES[model]} ${CONFIG_TEXT[config]} ${what} | ${native ? ms(native.value) + micro(native) : "n/a"} | ${wasm ? ms(wasm.value) + micro(wasm) : "n/a"} | ${typeof target === "number" ? String(target) : ""} | ${typeof native?.extra?.peak_rss_mb === "number" ? (native.extra.peak_rss_mb as number).toFixed(0) : "n/a"} |`,
    );
  }
  const demo = record.results.demo ?? [];
  if (demo.length > 0) {
    lines.push("", `\`strl demo\` (default flags), wall-clock: ${demo.map((r) => `${r.value.toFixed(1)} s ${r.case}`).join(", ")}.`);
  }
  const gemm = (record.results.gemm ?? []).filter((r) => {
    const sh = r.extra?.shape as { M: number; N: number; K: number } | undefined;
    return sh !== undefined && Math.min(sh.M, sh.N, sh.K) >= 256;
  });
  if (gemm.length > 0) {
    const range = (threads: number): string => {
      const v = gemm.filter((r) => r.extra?.threads === threads).map((r) => r.value);
      return v.length ? `${Math.min(...v).toFixed(0)}-${Math.max(...v).toFixed(0)} GFLOP/s on ${threads} thread${threads > 1 ? "s" : ""}` : "";
    };
    lines.push("", `sgemm on the models' shapes with every dimension >= 256 (\`npm run bench -- gemm\`, ${gemm.length / 2} shapes): ${[range(2), range(1)].filter(Boolean).join(", ")}.`);
  }
  const agree = record.results.engines ?? [];
  if (agree.length > 0) lines.push("", `${agree[0]!.case}: ${agree[0]!.value.toExponential(1)} (\`npm run bench -- engines\`).`);
  const sac = record.results.sac ?? [];
  if (sac.length > 0) {
    lines.push("", `One SAC update of \`strl expert train\` on Hopper's shapes (\`npm run bench -- sac\`, median ms): ${sac.map((r) => `${r.case.replace(/^SAC update, | \(ms\)$/g, "")}: ${ms(r.value)}`).join("; ")}.`);
  }
  return lines.join("\n");
}

const START = /<!-- bench:start (\S+) -->\n/;
const END = "<!-- bench:end -->";

/** Where the README's block is: its start marker's offset, the offsets its body starts and ends at, its file. */
function findBlock(readme: string): { start: number; from: number; to: number; file: string } | undefined {
  const m = START.exec(readme);
  if (!m) return undefined;
  const from = m.index + m[0].length;
  const to = readme.indexOf(END, from);
  if (to < 0) throw new Error(`README: '${m[0].trim()}' has no '${END}'`);
  return { start: m.index, from, to, file: m[1]! };
}

/** The file the README's block names and the text between its markers, or undefined without a block. */
export function readmeBenchBlock(readme: string): { file: string; body: string } | undefined {
  const b = findBlock(readme);
  return b && { file: b.file, body: readme.slice(b.from, b.to).replace(/\n$/, "") };
}

/** `readme` with its block replaced by the rendering of `record` (read from `file`). */
export function updateReadme(readme: string, record: BenchRecord, file: string): string {
  const b = findBlock(readme);
  if (!b) throw new Error("README has no '<!-- bench:start FILE -->' block");
  return `${readme.slice(0, b.start)}<!-- bench:start ${file} -->\n${renderBenchBlock(record, file)}\n${readme.slice(b.to)}`;
}

if (process.argv[1]?.endsWith("published-table.js") && process.argv[2]) {
  const file = process.argv[2];
  const record = JSON.parse(readFileSync(file, "utf8")) as BenchRecord;
  const at = process.argv.indexOf("--update");
  if (at > 0 && process.argv[at + 1]) {
    const readmePath = process.argv[at + 1]!;
    const next = updateReadme(readFileSync(readmePath, "utf8"), record, file);
    writeFileSync(`${readmePath}.tmp`, next);
    renameSync(`${readmePath}.tmp`, readmePath);
  } else {
    console.log(renderBenchBlock(record, file));
  }
}
