/**
 * `strl serve`'s HTTP server: the page and the checkpoint's files only, read-only. Path escapes (`..`, encoded,
 * double-encoded, backslashes, links out of the folder), directory listings and unknown methods are refused, and
 * nothing outside the served folders is ever returned. Requests are raw (node:http keeps the path as written).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLoopback, safeSegments, startServer, type RunningServer } from "../../src/cli/serve/http.js";
import { runCli, userErrorLine } from "./run-cli.js";

const SECRET = "TOP-SECRET-OUTSIDE";
let tmp: string;
let srv: RunningServer;

function get(path: string, method = "GET"): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "strl-serve-"));
  mkdirSync(join(tmp, "web", "wasm"), { recursive: true });
  mkdirSync(join(tmp, "ck", "sub"), { recursive: true });
  writeFileSync(join(tmp, "web", "index.html"), "<!doctype html><title>page</title>");
  writeFileSync(join(tmp, "web", "wasm", "x.wasm"), "wasm");
  writeFileSync(join(tmp, "ck", "config.json"), '{"format":"strl-checkpoint"}');
  writeFileSync(join(tmp, "ck", ".hidden"), SECRET);
  writeFileSync(join(tmp, "secret.txt"), SECRET);
  symlinkSync(join(tmp, "secret.txt"), join(tmp, "ck", "link.txt"));
  symlinkSync(tmp, join(tmp, "ck", "up"));
  srv = await startServer({ webRoot: join(tmp, "web"), checkpoint: join(tmp, "ck"), host: "127.0.0.1", port: 0 });
});

after(async () => {
  await srv?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("strl serve: what it serves", () => {
  it("serves the page, its assets and the checkpoint's files with their types", async () => {
    const page = await get("/");
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>page<\/title>/);
    assert.match(String(page.headers["content-type"]), /text\/html/);
    assert.equal((await get("/wasm/x.wasm")).headers["content-type"], "application/wasm");
    const cfg = await get("/checkpoint/config.json?v=1");
    assert.equal(cfg.status, 200);
    assert.match(cfg.body, /strl-checkpoint/);
    const head = await get("/checkpoint/config.json", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
  });

  it("says whether a checkpoint is served (strl-serve.json)", async () => {
    assert.deepEqual(JSON.parse((await get("/strl-serve.json")).body), { checkpoint: true });
    const bare = await startServer({ webRoot: join(tmp, "web"), host: "127.0.0.1", port: 0 });
    try {
      const r = await new Promise<string>((resolve, reject) => {
        const u = new URL(bare.url);
        request({ host: u.hostname, port: u.port, path: "/strl-serve.json" }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve(body));
        }).on("error", reject).end();
      });
      assert.deepEqual(JSON.parse(r), { checkpoint: false });
    } finally {
      await bare.close();
    }
  });

  it("lists no directory and answers 404 for missing files", async () => {
    for (const p of ["/checkpoint/", "/checkpoint", "/checkpoint/sub/", "/checkpoint/sub", "/wasm/", "/nope.js"]) {
      const r = await get(p);
      assert.equal(r.status, 404, p);
      assert.doesNotMatch(r.body, /config\.json|x\.wasm/, p);
    }
  });
});

describe("strl serve: refusals", () => {
  const escapes = [
    "/checkpoint/../secret.txt",
    "/../secret.txt",
    "/checkpoint/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/checkpoint/%2e%2e/secret.txt",
    "/checkpoint/%2E%2E%2Fsecret.txt",
    "/checkpoint/..%2fsecret.txt",
    "/checkpoint/..%5csecret.txt",
    "/checkpoint/..\\secret.txt",
    "/checkpoint/%252e%252e/secret.txt",
    "/checkpoint/%c0%ae%c0%ae/secret.txt",
    "/checkpoint/./config.json",
    "/checkpoint//config.json",
    "/checkpoint/link.txt",
    "/checkpoint/up/secret.txt",
    "/checkpoint/.hidden",
    "/checkpoint/config.json%00.png",
    "//etc/passwd",
    "/checkpoint/%2fetc%2fpasswd",
  ];
  for (const p of escapes) {
    it(`refuses ${p}`, async () => {
      const r = await get(p);
      assert.ok(r.status === 400 || r.status === 404, `${p}: status ${r.status}`);
      assert.doesNotMatch(r.body, new RegExp(SECRET));
      assert.doesNotMatch(r.body, /root:/);
      assert.equal(r.body.split("\n").filter(Boolean).length, 1, "a one-line reason");
    });
  }

  it("refuses every method but GET and HEAD with 405 and an Allow header", async () => {
    for (const m of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"]) {
      const r = await get("/checkpoint/config.json", m);
      assert.equal(r.status, 405, m);
      assert.equal(r.headers.allow, "GET, HEAD");
    }
  });

  it("safeSegments decodes once and refuses what would still decode", () => {
    assert.deepEqual(safeSegments("/a/b%20c.json"), { segments: ["a", "b c.json"] });
    assert.ok("refuse" in safeSegments("/a/%252e%252e/x"));
    assert.ok("refuse" in safeSegments("/a/%zz"));
    assert.ok("refuse" in safeSegments("a/b"));
  });
});

describe("strl serve: the command line", () => {
  it("binds loopback only unless --allow-remote, and rejects bad flags in one line", () => {
    assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("localhost"));
    assert.ok(!isLoopback("0.0.0.0") && !isLoopback("192.168.1.2"));
    assert.match(userErrorLine(runCli(["serve", "--host", "0.0.0.0", "--no-demo"])), /--allow-remote/);
    assert.match(userErrorLine(runCli(["serve", "--port", "http"])), /--port must be a decimal integer/);
    assert.match(userErrorLine(runCli(["serve", "--checkpoint", join(tmp, "missing")])), /folder not found/);
  });
});
