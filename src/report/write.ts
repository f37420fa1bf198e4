/**
 * Writes `report.md` and its SVG figures into a run folder (e.g. `reports/<run>/`). Everything is checked
 * before anything is written (an invalid section writes no file); each file is written to a temporary name in
 * the same folder and renamed into place, figures first and report.md last, so a reader never sees a half
 * written file or a report pointing at a missing figure.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeFolders, tempPath } from "../io/fs-safe.js";
import { label, nonEmpty } from "./check.js";
import type { ReportHeader } from "./header.js";

export interface ReportTable {
  columns: string[];
  /** One array of cells per row; numbers must be finite (format them yourself for fixed decimals). */
  rows: Array<Array<string | number>>;
}

export interface ReportFigure {
  /** File name inside the report folder, `*.svg` (letters, digits, '.', '_', '-'). */
  file: string;
  /** The SVG text (from a figure function). */
  svg: string;
  /** Alt text and caption. */
  caption: string;
}

export interface ReportSection {
  title: string;
  /** Markdown paragraphs. */
  text?: string;
  table?: ReportTable;
  figures?: ReportFigure[];
}

export interface ReportSpec {
  title: string;
  header: ReportHeader;
  sections: ReportSection[];
}

const FILE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.svg$/;

/** A number for a table: integers as they are, others with 4 significant digits. */
export function formatCell(v: string | number, where: string): string {
  if (typeof v === "string") return v.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${where} must be a string or a finite number, got ${String(v)}`);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

function table(t: ReportTable, where: string): string {
  nonEmpty(`${where}: table columns`, t.columns);
  t.columns.forEach((c, i) => label(`${where}: table column ${i}`, c));
  if (!Array.isArray(t.rows)) throw new RangeError(`${where}: table rows must be an array`);
  const lines = [`| ${t.columns.map((c) => formatCell(c, `${where} column`)).join(" | ")} |`, `|${t.columns.map(() => "---").join("|")}|`];
  t.rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== t.columns.length) {
      throw new RangeError(`${where}: table row ${i} has ${Array.isArray(r) ? r.length : "no"} cells, expected ${t.columns.length}`);
    }
    lines.push(`| ${r.map((c, j) => formatCell(c, `${where}: table row ${i} column '${t.columns[j]}'`)).join(" | ")} |`);
  });
  return lines.join("\n");
}

function headerBlock(h: ReportHeader): string {
  for (const k of ["command", "gitCommit", "machine", "date"] as const) label(`writeReport: header.${k}`, h?.[k]);
  const seeds = typeof h.seeds === "string" ? label("writeReport: header.seeds", h.seeds) : nonEmpty("writeReport: header.seeds", h.seeds).join(", ");
  return [
    `- Command: \`${h.command.replace(/`/g, "'")}\``,
    `- Seeds: ${seeds}`,
    `- Git commit: ${h.gitCommit}`,
    `- Machine: ${h.machine}`,
    ...(h.engine !== undefined ? [`- Engine: ${label("writeReport: header.engine", h.engine)}`] : []),
    `- Date: ${h.date}`,
  ].join("\n");
}

/** Builds report.md and the list of figure files; throws on any invalid input. */
export function renderReport(spec: ReportSpec): { markdown: string; figures: ReportFigure[] } {
  label("writeReport: title", spec?.title);
  const parts = [`# ${spec.title}`, headerBlock(spec.header)];
  const figures: ReportFigure[] = [];
  const files = new Set<string>();
  nonEmpty("writeReport: sections", spec.sections);
  spec.sections.forEach((s, i) => {
    const where = `writeReport: section ${i} ('${String(s?.title)}')`;
    label(`writeReport: section ${i} title`, s?.title);
    parts.push(`## ${s.title}`);
    if (s.text !== undefined) parts.push(label(`${where} text`, s.text));
    if (s.table !== undefined) parts.push(table(s.table, where));
    for (const [j, f] of (s.figures ?? []).entries()) {
      if (typeof f.file !== "string" || !FILE_RE.test(f.file)) throw new RangeError(`${where}: figure ${j} file must match ${FILE_RE}, got ${JSON.stringify(f.file)}`);
      if (f.file === "report.md" || files.has(f.file)) throw new RangeError(`${where}: figure file '${f.file}' is used twice`);
      if (typeof f.svg !== "string" || !f.svg.trimStart().startsWith("<svg")) throw new RangeError(`${where}: figure '${f.file}' is not an SVG string`);
      label(`${where}: figure '${f.file}' caption`, f.caption);
      files.add(f.file);
      figures.push(f);
      parts.push(`![${altText(f.caption)}](${f.file})\n\n*${f.caption.replace(/\n/g, " ")}*`);
    }
    if (s.text === undefined && s.table === undefined && (s.figures ?? []).length === 0) throw new RangeError(`${where} has no text, table or figure`);
  });
  return { markdown: `${parts.join("\n\n")}\n`, figures };
}

async function writeAtomic(path: string, content: string): Promise<void> {
  const tmp = tempPath(path);
  try {
    await writeFile(tmp, content, { encoding: "utf8", flag: "wx" });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes the figures and report.md into `dir` (created if needed); returns the paths written. */
export async function writeReport(dir: string, spec: ReportSpec): Promise<{ report: string; figures: string[] }> {
  label("writeReport: dir", dir);
  const { markdown, figures } = renderReport(spec);
  makeFolders(dir);
  const written: string[] = [];
  for (const f of figures) {
    const p = join(dir, f.file);
    await writeAtomic(p, f.svg);
    written.push(p);
  }
  const report = join(dir, "report.md");
  await writeAtomic(report, markdown);
  return { report, figures: written };
}

/** A caption as markdown alt text: one line, its brackets escaped (kept, not dropped: "[0.1, 0.3]" stays readable). */
export function altText(caption: string): string {
  return caption.replace(/\n/g, " ").replace(/[\\[\]]/g, (c) => `\\${c}`);
}
