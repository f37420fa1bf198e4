/**
 * The `strl serve` HTTP server: the built page (dist/web) at `/`, and the two files of a checkpoint the page
 * reads (config.json, model.safetensors), read-only, at `/checkpoint/<file>`; nothing else of that folder.
 * Only GET and HEAD; no directory listings; a request path is decoded once, must be plain
 * (no `..` or `.` segments, backslashes, NUL or control characters, no double-encoding) and must resolve to a
 * regular file inside its root after following links; anything else is a 4xx with a one-line text body.
 * `/strl-serve.json` says whether a checkpoint is served (`{ "checkpoint": false }`: the page offers to train one).
 *
 * A web page the user visits must not read this server through DNS rebinding (a name of the attacker's that
 * resolves to 127.0.0.1): every request's `Host` must be the address the server listens on, a loopback name
 * (`localhost`, `127.0.0.1`, `[::1]`) or a name given with `--allow-remote`, with the server's port; anything
 * else is 421. Open connections are capped, and a request's headers, the whole request and an idle connection
 * each have a time limit (a slow or silent client is disconnected).
 *
 * Every response is cross-origin isolated (`ISOLATION_HEADERS`): MuJoCo's WASM module (the locomotion envs) runs on
 * shared WebAssembly memory, which browsers grant only to isolated pages, and no other site may embed or open
 * what this server returns.
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, sep } from "node:path";
import { CHECKPOINT_FILES } from "../../checkpoint/config-json.js";

export interface ServeOptions {
  /** Folder of the built page (index.html, app.js, wasm/). */
  webRoot: string;
  /** Checkpoint folder served at /checkpoint/, if any. */
  checkpoint?: string;
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Further names (or addresses) accepted in the Host header, besides the listen address and loopback names. */
  allowHosts?: readonly string[];
  limits?: Partial<ServeLimits>;
}

export interface ServeLimits {
  /** Open connections at once; more are closed at once. */
  maxConnections: number;
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request. */
  requestTimeoutMs: number;
  /** A connection with no traffic for this long is closed. */
  idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServeLimits = { maxConnections: 32, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 30_000 };

/** The checkpoint files the page reads; the only ones served from a checkpoint folder. */
export const SERVED_CHECKPOINT_FILES: readonly string[] = [CHECKPOINT_FILES.config, CHECKPOINT_FILES.model];

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

/** Sent with every response: the page is cross-origin isolated, and its files are for this origin only. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
});

/** True for the loopback hosts `strl serve` binds without `--allow-remote`. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const HOST_NAME_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV6_RE = /^[0-9a-f:.]+$/i;

/**
 * `name` as it appears in a Host header (lower case, IPv6 in brackets), or a reason it is not a host name.
 * Wildcards, ports, paths and user info are refused: each accepted name is given on its own.
 */
export function hostHeaderName(name: string): { host: string } | { refuse: string } {
  const n = name.trim().toLowerCase();
  const bare = n.startsWith("[") && n.endsWith("]") ? n.slice(1, -1) : n;
  if (bare.includes(":")) {
    if (IPV6_RE.test(bare)) return { host: `[${bare}]` };
    return { refuse: `'${name}' is not a host name or address (give the name without a port)` };
  }
  if (n.length === 0 || n.length > 253 || !HOST_NAME_RE.test(n)) return { refuse: `'${name}' is not a host name or address` };
  return { host: n };
}

/** The exact Host header values the server accepts: each name with `:port` (and bare when the port is 80). */
export function acceptedHosts(listenHost: string, port: number, extra: readonly string[] = []): Set<string> {
  const out = new Set<string>();
  for (const name of ["localhost", "127.0.0.1", "::1", listenHost, ...extra]) {
    const h = hostHeaderName(name);
    if (!("host" in h)) continue;
    if (h.host === "0.0.0.0" || h.host === "[::]") continue; // "any address" is not an address a browser asks for
    out.add(`${h.host}:${port}`);
    if (port === 80) out.add(h.host);
  }
  return out;
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

async function handle(o: ServeOptions, hosts: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
  const host = (req.headers.host ?? "").toLowerCase();
  if (!hosts.has(host)) {
    const shown = host === "" ? "no Host header" : `Host '${host.slice(0, 80).replace(/[^\x20-\x7e]/g, "?")}'`;
    return reply(res, 421, `${shown}: this server answers only to ${[...hosts].join(", ")} (strl serve --allow-remote NAME adds one)`);
  }
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
    if (segments.length !== 1 || !SERVED_CHECKPOINT_FILES.includes(segments[0]!)) {
      return reply(res, 404, "not found (only the checkpoint files the page reads are served)");
    }
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
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  let hosts = new Set<string>();
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      keepAliveTimeout: Math.min(5000, limits.idleTimeoutMs),
      // how often node checks the two timeouts above (its default, 30 s, would let a slow client stay that long)
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      handle(o, hosts, req, res).catch(() => {
        if (!res.headersSent) reply(res, 500, "internal error");
        else res.destroy();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleTimeoutMs); // no callback: an idle socket is destroyed
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : o.port;
      hosts = acceptedHosts(o.host, port, o.allowHosts);
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
