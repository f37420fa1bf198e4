import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { altText, writeReport, formatCell, renderReport } from "../../src/report/write.js";
import { engineInfo } from "../../src/tensor/index.js";
import { collectHeader } from "../../src/report/header.js";
import { firingRates } from "../../src/report/firing-rates.js";

const header = { command: "strl eval --seeds 0,1", seeds: [0, 1], gitCommit: "abc123", machine: "test box", date: "2025-01-01T00:00:00.000Z" };

describe("writeReport", () => {
  it("writes report.md with the header, every section, table and figure link, and the SVG files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "strl-report-"));
    try {
      const svg = await firingRates({ a: 0.25 });
      const out = await writeReport(join(dir, "run1"), {
        title: "Maze run",
        header,
        sections: [
          { title: "Returns", text: "Closed-loop returns.", table: { columns: ["model", "return"], rows: [["STRL", "0.4 ± 0.0"], ["DT | base", -0.3]] } },
          { title: "Firing", figures: [{ file: "rates.svg", svg, caption: "Firing rate per layer" }] },
        ],
      });
      const md = await readFile(out.report, "utf8");
      for (const line of [
        "# Maze run",
        "- Command: `strl eval --seeds 0,1`",
        "- Seeds: 0, 1",
        "- Git commit: abc123",
        "- Machine: test box",
        "- Date: 2025-01-01T00:00:00.000Z",
        "## Returns",
        "| model | return |",
        "| STRL | 0.4 ± 0.0 |",
        "| DT \\| base | -0.3 |",
        "## Firing",
        "![Firing rate per layer](rates.svg)",
      ]) {
        assert.ok(md.includes(line), `report.md lacks '${line}'`);
      }
      assert.equal(await readFile(join(dir, "run1", "rates.svg"), "utf8"), svg);
      assert.deepEqual((await readdir(join(dir, "run1"))).sort(), ["rates.svg", "report.md"]); // no temp files left
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("checks everything first: a NaN cell or a duplicate figure writes nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "strl-report-"));
    try {
      const target = join(dir, "bad");
      await assert.rejects(
        writeReport(target, { title: "t", header, sections: [{ title: "S", table: { columns: ["x"], rows: [[NaN]] } }] }),
        /section 0 \('S'\): table row 0 column 'x' must be a string or a finite number, got NaN/,
      );
      const fig = { file: "a.svg", svg: "<svg></svg>", caption: "c" };
      await assert.rejects(writeReport(target, { title: "t", header, sections: [{ title: "S", figures: [fig, fig] }] }), /figure file 'a.svg' is used twice/);
      await assert.rejects(writeReport(target, { title: "t", header, sections: [] }), /sections: needs at least one entry/);
      await assert.rejects(writeReport(target, { title: "t", header: { ...header, gitCommit: "" }, sections: [{ title: "S", text: "x" }] }), /header.gitCommit must be a non-empty string/);
      assert.equal(existsSync(target), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("formats table numbers to 4 significant digits and collects a header", () => {
    assert.equal(formatCell(0.123456, "c"), "0.1235");
    assert.equal(formatCell(42, "c"), "42");
    assert.equal(formatCell(1.5e7 + 0.5, "c"), "1.500e+7");
    const h = collectHeader("strl x", [3]);
    assert.match(h.gitCommit, /^([0-9a-f]{40}|unknown)/);
    assert.ok(!Number.isNaN(Date.parse(h.date)));
    assert.equal(h.engine, engineInfo());
    const md = renderReport({ title: "t", header: { ...header, engine: "native (avx2, 3 threads)" }, sections: [{ title: "S", text: "x" }] }).markdown;
    assert.match(md, /- Machine: test box\n- Engine: native \(avx2, 3 threads\)\n- Date: /);
  });
});

describe("figure alt text", () => {
  it("keeps a caption's brackets (escaped for markdown) and joins its lines", () => {
    assert.equal(altText("Return, mean [95% CI]\nper seed"), "Return, mean \\[95% CI\\] per seed");
    assert.equal(altText("a \\ b"), "a \\\\ b");
  });
});
