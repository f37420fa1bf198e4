/**
 * The `strl serve` HTTP server: the built page (dist/web) at `/`, and a checkpoint's files, read-only, at
 * `/checkpoint/<file>`. Only GET and HEAD; no directory listings; a request path is decoded once, must be plain
 * (no `..` or `.` segments, backslashes, NUL or control characters, no double-encoding) and must resolve to a
 * regular file inside its root after following links; anything else is a 4xx with a one-line text body.
 * `/strl-serve.json` says whether a checkpoint is served (`{ "checkpoint": false }`: the page offers to train one).
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, sep } from "node:path";

export interface ServeOptions {
  /** Folder of the built page (index.html, app.js, wasm/). */
  webRoot: string;
  /** Checkpoint folder served at /checkpoint/, if any. */
  checkpoint?: string;
  host: string;
  /** 0 = any free port. */
  port: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".safetensors": "application/octet-stream",
};

/** True for the loopback hosts `strl serve` binds without `--allow-remote`. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function reply(res: ServerResponse, code: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(`${text}\n`);
}

/**
 * The path segments of a request target, or a reason to refuse it. Decodes percent-escapes once and refuses
 * anything that would still need decoding, or that names a parent, the folder itself, or a hidden file.
 */
export function safeSegments(rawUrl: string): { segments: string[] } | { refuse: string } {
  const path = rawUrl.split("?")[0]!.split("#")[0]!;
  if (!path.startsWith("/")) return { refuse: "the path must start with /" };
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return { refuse: "bad percent-encoding" };
  }
  if (/%[0-9a-f]{2}/i.test(decoded)) return { refuse: "double-encoded path" };
  if (/[\\\0-\x1f\x7f]/.test(decoded)) return { refuse: "backslash or control character in the path" };
  const segments = decoded.split("/").slice(1);
  if (segments.some((s) => s === ".." || s === ".")) return { refuse: "relative path segment" };
  if (segments.slice(0, -1).some((s) => s === "")) return { refuse: "empty path segment" };
  if (segments.some((s) => s.startsWith("."))) return { refuse: "hidden files are not served" };
  return { segments };
}

/** Resolves segments under root to a regular file that really lies inside root (links followed), or undefined. */
async function fileUnder(root: string, segments: string[]): Promise<string | undefined> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return undefined;
  }
  const rel = segments.length === 0 || segments[segments.length - 1] === "" ? [...segments.filter((s) => s !== ""), "index.html"] : segments;
  let real: string;
  try {
    real = await realpath(join(realRoot, ...rel));
  } catch {
    return undefined;
  }
  if (!real.startsWith(realRoot + sep)) return undefined;
  const st = await stat(real).catch(() => undefined);
  return st?.isFile() ? real : undefined;
}

async function handle(o: ServeOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, `method ${req.method} not allowed`, { allow: "GET, HEAD" });
  const parsed = safeSegments(req.url ?? "/");
  if ("refuse" in parsed) return reply(res, 400, `bad path: ${parsed.refuse}`);
  let segments = parsed.segments;
  if (segments.length === 1 && segments[0] === "strl-serve.json") {
    // what the page asks first: is a checkpoint served? (so it never fetches a file that cannot exist)
    const body = JSON.stringify({ checkpoint: o.checkpoint !== undefined });
    res.writeHead(200, { "content-type": TYPES[".json"]!, "cache-control": "no-store" });
    return void res.end(req.method === "HEAD" ? undefined : body);
  }
  let root = o.webRoot;
  if (segments[0] === "checkpoint") {
    if (!o.checkpoint) return reply(res, 404, "no checkpoint is served (strl serve --checkpoint DIR)");
    root = o.checkpoint;
    segments = segments.slice(1);
    if (segments.length === 0 || segments[segments.length - 1] === "") return reply(res, 404, "no directory listing");
  }
  const file = await fileUnder(root, segments);
  if (!file) return reply(res, 404, "not found");
  const st = await stat(file);
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": String(st.size),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") return void res.end();
  createReadStream(file).on("error", () => res.destroy()).pipe(res);
}

/** Starts the server; resolves once it listens. */
export function startServer(o: ServeOptions): Promise<RunningServer> {
  const server = createServer((req, res) => {
    handle(o, req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, "internal error");
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : o.port;
      const host = o.host.includes(":") ? `[${o.host}]` : o.host;
      resolve({
        server,
        url: `http://${host}:${port}/`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
