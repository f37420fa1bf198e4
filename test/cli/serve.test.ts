/**
 * `strl serve`'s HTTP server: the page and the checkpoint's files only, read-only. Path escapes (`..`, encoded,
 * double-encoded, backslashes, links out of the folder), directory listings and unknown methods are refused, and
 * nothing outside the served folders is ever returned. Requests are raw (node:http keeps the path as written).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acceptedHosts, isLoopback, safeSegments, startServer, type RunningServer } from "../../src/cli/serve/http.js";
import { MAIN, runCli, userErrorLine } from "./run-cli.js";

const SECRET = "TOP-SECRET-OUTSIDE";
let tmp: string;
let srv: RunningServer;

function get(path: string, method = "GET", host?: string, server = srv): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const headers = host === undefined ? {} : { host };
    const req = request({ host: url.hostname, port: url.port, path, method, headers, agent: false }, (res) => {
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
  writeFileSync(join(tmp, "ck", "model.safetensors"), "weights");
  writeFileSync(join(tmp, "ck", "trainer.json"), '{"config":{}}');
  writeFileSync(join(tmp, "ck", "notes.txt"), SECRET);
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
    // cross-origin isolated (MuJoCo's shared WASM memory), on files and refusals alike
    for (const r of [page, await get("/checkpoint/notes.txt"), await get("/", "GET", "evil.example:80")]) {
      assert.equal(r.headers["cross-origin-opener-policy"], "same-origin");
      assert.equal(r.headers["cross-origin-embedder-policy"], "require-corp");
      assert.equal(r.headers["cross-origin-resource-policy"], "same-origin");
    }
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

  it("serves only config.json and model.safetensors of the checkpoint folder, nothing else in it", async () => {
    assert.equal((await get("/checkpoint/model.safetensors")).body, "weights");
    for (const p of ["/checkpoint/notes.txt", "/checkpoint/trainer.json", "/checkpoint/sub/config.json"]) {
      const r = await get(p);
      assert.equal(r.status, 404, p);
      assert.doesNotMatch(r.body, new RegExp(SECRET), p);
      assert.match(r.body, /only the checkpoint files the page reads are served/, p);
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

/** Opens a raw connection, writes `chunks` (one every `everyMs`), and resolves when the server closes it. */
function rawUntilClosed(server: RunningServer, chunks: string[], everyMs = 0): Promise<{ ms: number; data: string }> {
  const url = new URL(server.url);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    let data = "";
    const sock: Socket = connect(Number(url.port), url.hostname);
    const timer = setInterval(() => {
      const next = chunks.shift();
      if (next !== undefined && !sock.destroyed) sock.write(next);
    }, Math.max(everyMs, 1));
    const safety = setTimeout(() => {
      sock.destroy();
      reject(new Error("the server kept the connection open for 5 s"));
    }, 5000);
    sock.on("data", (c: Buffer) => (data += c.toString()));
    sock.on("error", () => undefined); // a reset is a close too
    sock.on("close", () => {
      clearInterval(timer);
      clearTimeout(safety);
      resolve({ ms: Date.now() - t0, data });
    });
  });
}

describe("strl serve: who may ask (DNS rebinding)", () => {
  it("refuses a rebinding-style request (Host: evil.example:PORT) with 421 and no file", async () => {
    const port = new URL(srv.url).port;
    for (const path of ["/", "/strl-serve.json", "/checkpoint/config.json", "/checkpoint/model.safetensors"]) {
      const r = await get(path, "GET", `evil.example:${port}`);
      assert.equal(r.status, 421, path);
      assert.doesNotMatch(r.body, /strl-checkpoint|weights|<title>/, path);
      assert.equal(r.body.split("\n").filter(Boolean).length, 1, "a one-line reason");
      assert.match(r.body, /evil\.example/);
    }
  });

  it("refuses a loopback name with another port, an empty Host and a missing one; accepts localhost and 127.0.0.1 with its port", async () => {
    const port = Number(new URL(srv.url).port);
    assert.equal((await get("/checkpoint/config.json", "GET", `127.0.0.1:${port + 1}`)).status, 421);
    assert.equal((await get("/checkpoint/config.json", "GET", "127.0.0.1")).status, 421);
    const empty = await rawUntilClosed(srv, ["GET /checkpoint/config.json HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n"]);
    assert.match(empty.data, /^HTTP\/1\.1 421 /);
    const http10 = await rawUntilClosed(srv, ["GET /checkpoint/config.json HTTP/1.0\r\n\r\n"]);
    assert.match(http10.data, /^HTTP\/1\.1 421 /);
    assert.doesNotMatch(http10.data, /strl-checkpoint/);
    assert.equal((await get("/checkpoint/config.json", "GET", `localhost:${port}`)).status, 200);
    assert.equal((await get("/checkpoint/config.json", "GET", `LOCALHOST:${port}`)).status, 200);
    assert.equal((await get("/checkpoint/config.json", "GET", `127.0.0.1:${port}`)).status, 200);
  });

  it("accepts the names given with --allow-remote, with the server's port only", async () => {
    const s2 = await startServer({ webRoot: join(tmp, "web"), checkpoint: join(tmp, "ck"), host: "127.0.0.1", port: 0, allowHosts: ["box.lan"] });
    try {
      const port = new URL(s2.url).port;
      assert.equal((await get("/checkpoint/config.json", "GET", `box.lan:${port}`, s2)).status, 200);
      assert.equal((await get("/checkpoint/config.json", "GET", `box.lan:1`, s2)).status, 421);
      assert.equal((await get("/checkpoint/config.json", "GET", `evil.box.lan:${port}`, s2)).status, 421);
    } finally {
      await s2.close();
    }
    assert.deepEqual([...acceptedHosts("0.0.0.0", 8080, ["[fe80::1]"])].sort(), ["127.0.0.1:8080", "[::1]:8080", "[fe80::1]:8080", "localhost:8080"]);
  });
});

describe("strl serve: bounded connections", () => {
  it("closes connections beyond the cap at once and serves again when one ends", async () => {
    const s2 = await startServer({ webRoot: join(tmp, "web"), host: "127.0.0.1", port: 0, limits: { maxConnections: 2 } });
    const url = new URL(s2.url);
    const open: Socket[] = [];
    try {
      let accepted = 0;
      s2.server.on("connection", () => (accepted += 1));
      for (let i = 0; i < 2; i++) open.push(connect(Number(url.port), url.hostname));
      while (accepted < 2) await new Promise((r) => setTimeout(r, 10));
      const third = await rawUntilClosed(s2, [`GET / HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`], 20);
      assert.ok(third.ms < 1000, `closed after ${third.ms} ms`);
      assert.equal(third.data, "", "the connection over the cap gets no page");
      open.pop()!.destroy();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await get("/", "GET", undefined, s2)).status, 200);
    } finally {
      for (const s of open) s.destroy();
      await s2.close();
    }
  });

  it("disconnects a client that sends its headers too slowly (slowloris) and one that stays silent", async () => {
    const s2 = await startServer({ webRoot: join(tmp, "web"), host: "127.0.0.1", port: 0, limits: { headersTimeoutMs: 300, idleTimeoutMs: 400 } });
    try {
      const host = new URL(s2.url).host;
      const drip = [`GET / HTTP/1.1\r\nHost: ${host}\r\n`, ...Array.from({ length: 40 }, (_, i) => `X-${i}: y\r\n`)];
      const slow = await rawUntilClosed(s2, drip, 100);
      assert.ok(slow.ms >= 250 && slow.ms < 2000, `slow headers: closed after ${slow.ms} ms`);
      assert.doesNotMatch(slow.data, /<title>/);
      const silent = await rawUntilClosed(s2, []);
      assert.ok(silent.ms >= 250 && silent.ms < 2000, `silent: closed after ${silent.ms} ms`);
    } finally {
      await s2.close();
    }
  });
});

describe("strl serve: the command line", () => {
  it("binds loopback only unless --allow-remote, and rejects bad flags in one line", () => {
    assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("localhost"));
    assert.ok(!isLoopback("0.0.0.0") && !isLoopback("192.168.1.2"));
    assert.match(userErrorLine(runCli(["serve", "--host", "0.0.0.0", "--no-demo"])), /--allow-remote/);
    assert.match(userErrorLine(runCli(["serve", "--port", "http"])), /--port must be a decimal integer/);
    assert.match(userErrorLine(runCli(["serve", "--checkpoint", join(tmp, "missing")])), /folder not found/);
    assert.match(userErrorLine(runCli(["serve", "--host", "0.0.0.0", "--allow-remote", "*", "--no-demo"])), /--allow-remote: '\*' is not a host name/);
    assert.match(userErrorLine(runCli(["serve", "--allow-remote", "box.lan:80", "--no-demo"])), /without a port/);
  });

  it("serves the newest complete version when the checkpoint pointer dangles (a save cut before its switch)", async () => {
    const run = join(tmp, "run");
    for (const v of ["checkpoint.v1", "checkpoint.v2"]) {
      mkdirSync(join(run, v), { recursive: true });
      writeFileSync(join(run, v, "config.json"), '{"format":"strl-checkpoint"}');
      writeFileSync(join(run, v, "model.safetensors"), v);
    }
    writeFileSync(join(run, "checkpoint.v3"), "not a folder");
    symlinkSync("checkpoint.v9", join(run, "checkpoint")); // dangles
    const child = spawn(process.execPath, [MAIN, "serve", "--checkpoint", run, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /strl serve: ready at (http:\/\/\S+)/.exec(out);
        if (m) done(m[1]!);
      });
      child.on("exit", (code) => fail(new Error(`serve exited ${code}: ${err}`)));
    });
    try {
      assert.match(err, new RegExp(`warning: ${join(run, "checkpoint")} is missing or dangling .*serving the newest complete version beside it, ${join(run, "checkpoint.v2")}`));
      assert.match(out, new RegExp(`\\(checkpoint ${join(run, "checkpoint.v2")}\\)`));
      const served = await get("/checkpoint/model.safetensors", "GET", new URL(url).host, { url } as RunningServer);
      assert.deepEqual([served.status, served.body], [200, "checkpoint.v2"]);
    } finally {
      child.kill("SIGTERM");
      await new Promise((done) => child.once("exit", done));
    }
  });

  it("refuses a folder that is not a strl checkpoint in one line (strl serve --checkpoint ~)", () => {
    const plain = join(tmp, "home");
    mkdirSync(plain, { recursive: true });
    writeFileSync(join(plain, "diary.txt"), SECRET);
    const r = runCli(["serve", "--checkpoint", plain, "--port", "0"]);
    assert.match(userErrorLine(r), /not a strl checkpoint \(it has no config\.json\); refusing to serve it/);
    writeFileSync(join(plain, "config.json"), '{"format":"something-else"}');
    assert.match(userErrorLine(runCli(["serve", "--checkpoint", plain, "--port", "0"])), /not a strl checkpoint's/);
    writeFileSync(join(plain, "config.json"), "{not json");
    assert.match(userErrorLine(runCli(["serve", "--checkpoint", plain, "--port", "0"])), /config\.json cannot be read/);
  });
});
