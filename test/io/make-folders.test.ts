/**
 * `makeFolders` creates output folders one level at a time: an impossible path (under /proc, where Node's recursive
 * mkdir spins forever at 100% CPU) fails at once, and a read-only disk or a denied permission is reported as
 * such (Node's recursive mkdir calls both ENOENT). The file-system calls are replaced by fakes for the errno
 * cases; the /proc and read-only-mount cases run for real where the machine allows (skipped with a message
 * otherwise).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileSystemError, makeFolders, checkWritableFolder, type FolderOps } from "../../src/io/fs-safe.js";

const FS_SAFE = fileURLToPath(new URL("../../src/io/fs-safe.js", import.meta.url));
let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), "strl-folders-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const errno = (code: string, path: string): Error => Object.assign(new Error(`${code}: ${path}`), { code, path });

/** Fake file system: `folders` exist; mkdir of a path fails with `fail[path]`, else adds it. */
function fakeOps(folders: string[], fail: Record<string, string>): FolderOps & { made: string[] } {
  const have = new Set(folders);
  const made: string[] = [];
  return {
    made,
    isFolder: (p) => {
      if (have.has(p)) return true;
      throw errno("ENOENT", p);
    },
    mkdir: (p) => {
      if (fail[p]) throw errno(fail[p], p);
      have.add(p);
      made.push(p);
    },
  };
}

/** Runs `makeFolders(path)` in a child process (a hang cannot block the test run); returns its output and time. */
function makeInChild(path: string): { out: string; ms: number; status: number | null } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import { makeFolders } from ${JSON.stringify(FS_SAFE)}; try { makeFolders(${JSON.stringify(path)}); console.log("made"); } catch (e) { console.log(e.code + " " + e.message); }`], { encoding: "utf8", timeout: 10_000 });
  return { out: r.stdout.trim(), ms: Date.now() - t0, status: r.status };
}

describe("makeFolders", () => {
  it("creates every missing parent, top first, and accepts a folder that exists", () => {
    const ops = fakeOps(["/", "/a"], {});
    makeFolders("/a/b/c", ops);
    assert.deepEqual(ops.made, ["/a/b", "/a/b/c"]);
    makeFolders(join(root, "x", "y"));
    assert.ok(statSync(join(root, "x", "y")).isDirectory());
    makeFolders(join(root, "x", "y")); // again: nothing to do
  });

  it("reports a read-only file system as EROFS at the level that failed, not as ENOENT", () => {
    const ops = fakeOps(["/", "/ro"], { "/ro/run": "EROFS" });
    assert.throws(() => makeFolders("/ro/run/checkpoint", ops), (e: unknown) => {
      assert.ok(e instanceof FileSystemError);
      assert.equal(e.code, "EROFS");
      assert.equal(e.message, "/ro/run/checkpoint: cannot create folder /ro/run: the file system is read-only (EROFS)");
      return true;
    });
  });

  it("reports a denied permission as EACCES", () => {
    const ops = fakeOps(["/", "/home"], { "/home/other": "EACCES" });
    assert.throws(() => makeFolders("/home/other", ops), { code: "EACCES", message: "/home/other: cannot create folder /home/other: permission denied (EACCES)" });
  });

  it("names a file that stands where a folder is needed", () => {
    writeFileSync(join(root, "file"), "x");
    assert.throws(() => makeFolders(join(root, "file", "sub")), { code: "ENOTDIR", message: `${join(root, "file", "sub")}: cannot create the folder: ${join(root, "file")} is a file, not a folder (ENOTDIR)` });
    assert.throws(() => checkWritableFolder(join(root, "file", "sub")), { code: "ENOTDIR" });
  });

  it("fails at once under /proc, where Node's recursive mkdir spins forever", (t) => {
    if (!existsSync("/proc/self")) return t.skip("no /proc here");
    const r = makeInChild("/proc/strl-no-such/run");
    assert.equal(r.status, 0, "the child ended by itself");
    assert.equal(r.out, "ENOENT /proc/strl-no-such/run: cannot create folder /proc/strl-no-such: /proc exists but takes no new folders (ENOENT; a virtual file system such as /proc?)");
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  it("reports a real read-only mount as EROFS", (t) => {
    const mnt = join(root, "ro");
    mkdirSync(mnt);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mnt], { stdio: "pipe" });
    } catch (e) {
      return t.skip(`cannot mount a read-only tmpfs here (${(e as Error).message.split("\n")[0]})`);
    }
    try {
      const r = makeInChild(join(mnt, "run", "checkpoint"));
      assert.equal(r.out, `EROFS ${join(mnt, "run", "checkpoint")}: cannot create folder ${join(mnt, "run")}: the file system is read-only (EROFS)`);
    } finally {
      execFileSync("umount", [mnt]);
    }
  });
});
