/**
 * The README runs as written: every command line of its shell blocks runs here, in README order, in one temporary
 * folder (so later lines use what earlier ones wrote), with `npx strl` as the built CLI and smaller values only for
 * the flags readme-steps.ts names; each must exit 0 (serve: answer its page) and leave the files it promises. The
 * README's TypeScript examples are type-checked in a strict project that links this clone as `strl` and then run.
 * A README command that fails fails CI.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { STEPS, readmeCommands, withSmallFlags, type ReadmeStep } from "./readme-steps.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url)); // from dist/test/readme/
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "strl-readme-"));
  symlinkSync(join(ROOT, "sweeps"), join(dir, "sweeps"), "dir"); // the README's paths are relative to the clone
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The shell line to run: small flags applied, `npx strl` as the built CLI. */
const shellLine = (s: ReadmeStep): string => withSmallFlags(s.readme, s.set).replaceAll("npx strl", `"${process.execPath}" "${MAIN}"`);

function fetchPage(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

/** Runs a `serve` line until it prints its URL, fetches the page, stops it with SIGTERM; returns its exit code. */
async function runServe(line: string): Promise<{ code: number | null; page: { status: number; body: string }; stderr: string }> {
  const child = spawn("sh", ["-c", `exec ${line}`], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no URL within 240 s: ${err}`)), 240_000);
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(m[1]!);
      }
    });
    void exited.then((code) => fail(new Error(`exited ${code} before serving: ${err}`)));
  });
  const page = await fetchPage(url);
  child.kill("SIGTERM");
  return { code: await exited, page, stderr: err };
}

describe("the README runs as written", () => {
  it("lists every README command line in readme-steps.ts, in README order, and no other", () => {
    assert.deepEqual(STEPS.map((s) => s.readme), readmeCommands(join(ROOT, "README.md")));
  });

  it("gives small values only to flags, keeping every other word of the line", () => {
    assert.equal(withSmallFlags("npx strl x --seeds 0 1 2 --jobs 2", { "--seeds": "0", "--only": "a" }), "npx strl x --seeds 0 --jobs 2 --only a");
    assert.equal(withSmallFlags("npx strl eval --target-return -5 0 --episodes 20", { "--episodes": "2" }), "npx strl eval --target-return -5 0 --episodes 2");
    assert.equal(withSmallFlags("npx strl a --out r && npx strl b r --p cpu", { "--print": "" }), "npx strl a --out r && npx strl b r --p cpu --print");
  });

  for (const step of STEPS) {
    const name = step.skip ? `${step.readme} (not run: ${step.skip})` : withSmallFlags(step.readme, step.set);
    it(name, { skip: step.skip !== undefined }, async () => {
      const line = shellLine(step);
      if (step.serve) {
        const r = await runServe(line);
        assert.equal(r.page.status, 200, r.stderr);
        assert.match(r.page.body, /<html|<!doctype html/i);
        assert.equal(r.code, 0, r.stderr);
        return;
      }
      const r = spawnSync("sh", ["-c", line], { cwd: dir, encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, `${line}\n${r.stderr.slice(-2000)}`);
      if (step.stdout) assert.match(r.stdout, step.stdout);
      for (const f of step.writes ?? []) assert.ok(existsSync(join(dir, f)), `${f} was not written`);
    });
  }

  it("the README's TypeScript examples type-check in a strict project that links this clone, and run", () => {
    const md = readFileSync(join(ROOT, "README.md"), "utf8");
    const blocks = [...md.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    assert.ok(blocks.length >= 2, "the library example and the spiking core example");
    const project = join(dir, "my-project");
    mkdirSync(join(project, "node_modules"), { recursive: true });
    symlinkSync(ROOT, join(project, "node_modules", "strl"), "dir");
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-project", private: true, type: "module" }));
    const compilerOptions = { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", outDir: "out", typeRoots: [join(ROOT, "node_modules", "@types")] };
    const files = blocks.map((b, i) => {
      writeFileSync(join(project, `example${i}.ts`), `${b}\nexport {};\n`);
      return `example${i}.ts`;
    });
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files }));
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", project], { encoding: "utf8", stdio: "pipe" });
    for (const f of files) {
      const r = spawnSync(process.execPath, [join(project, "out", f.replace(/\.ts$/, ".js"))], { cwd: project, encoding: "utf8", timeout: 300_000 });
      assert.equal(r.status, 0, `${f}: ${r.stderr.slice(-2000)}`);
    }
  });

  it("npm pack would ship what an install needs (dist, the native sources and the build hook's stamp helper)", () => {
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const files = new Set((JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
    for (const f of ["dist/src/index.js", "dist/src/cli/main.js", "dist/web/index.html", "native/build.mjs", "native/binding.gyp", "scripts/source-stamp.mjs", "package.json"]) {
      assert.ok(files.has(f), `${f} is not in the tarball`);
    }
  });
});
