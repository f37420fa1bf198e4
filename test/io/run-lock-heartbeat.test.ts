/**
 * Run locks with a heartbeat: the lock records pid, host, start and a heartbeat that a worker thread refreshes
 * even while the main thread is busy; a lock is stale when its process is gone (same host) or its heartbeat is
 * older than the timeout (any host); lock files written by an attacker or a crash are judged without a crash.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { acquireRunLock, heartbeatMs, inspectRunLock, lockTimeoutS, removeRunLock, LOCK_FILE, RunLockedError } from "../../src/io/run-lock.js";

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), "strl-lock-hb-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh folder holding `content` as its lock (written `ageS` seconds ago by the file's clock). */
function lockDir(content?: unknown, ageS = 0): string {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir);
  if (content !== undefined) {
    const path = join(dir, LOCK_FILE);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    const t = (Date.now() - ageS * 1000) / 1000;
    utimesSync(path, t, t);
  }
  return dir;
}
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as Record<string, unknown>;
const NOW = 1_700_000_000_000;
const other = (beatAgoS: number) => ({ pid: 4242, host: "node-elsewhere-7", started: NOW - 3_600_000, heartbeat: NOW - beatAgoS * 1000, token: "abc123" });

describe("run lock heartbeat", () => {
  it("records pid, host, start and a heartbeat that advances while the main thread is busy", () => {
    const dir = lockDir();
    const lock = acquireRunLock(dir, { timeoutS: 0.6 }); // beats every 50 ms
    const first = lockOf(dir);
    assert.equal(first.pid, process.pid);
    assert.equal(first.host, hostname());
    assert.equal(first.started, first.heartbeat);
    assert.match(String(first.token), /^[0-9a-f]{16}$/);
    const t0 = Date.now();
    while (Date.now() - t0 < 1000) {
      /* the main thread is busy: only a worker thread can beat now */
    }
    const later = lockOf(dir);
    assert.ok((later.heartbeat as number) > (first.heartbeat as number), "the heartbeat did not advance while the main thread was busy");
    assert.equal(later.started, first.started);
    assert.equal(inspectRunLock(dir, { timeoutS: 0.6 }).state, "held");
    lock.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });

  it("beats every timeout / 12, at most every 10 s; STRL_LOCK_TIMEOUT_S sets the timeout, bad values are one line", () => {
    assert.equal(heartbeatMs(120), 10_000);
    assert.equal(heartbeatMs(60), 5_000);
    assert.equal(heartbeatMs(600), 10_000);
    assert.equal(heartbeatMs(0.12), 50);
    assert.equal(lockTimeoutS({}), 120);
    assert.equal(lockTimeoutS({ STRL_LOCK_TIMEOUT_S: "0.5" }), 0.5);
    for (const bad of ["0", "-3", "abc", "1e3", "999999999"]) {
      assert.throws(() => lockTimeoutS({ STRL_LOCK_TIMEOUT_S: bad }), (e: Error) => e.name === "ConfigError" && e.message === `STRL_LOCK_TIMEOUT_S must be a number of seconds > 0 and <= 604800 (default 120), got '${bad}'`);
    }
  });

  it("judges another host's lock by its heartbeat: fresh is held, older than the timeout is stale", () => {
    const fresh = lockDir(other(119));
    const held = inspectRunLock(fresh, { timeoutS: 120, now: NOW });
    assert.equal(held.state, "held");
    assert.equal(held.ageS, 119);
    const stale = inspectRunLock(lockDir(other(300)), { timeoutS: 120, now: NOW });
    assert.equal(stale.state, "stale");
    assert.equal(stale.ageS, 300);
    assert.equal(stale.why, "heartbeat 300s ago, over the 120s timeout");
    // A heartbeat from the far future is not believed: the file's own age decides.
    const future = inspectRunLock(lockDir({ ...other(0), heartbeat: Date.now() + 86_400_000 }, 300), { timeoutS: 120 });
    assert.equal(future.state, "stale");
    assert.match(future.why!, /^no valid heartbeat; lock written 30\ds ago, over the 120s timeout$/);
  });

  it("refuses a live lock of another host in one line naming pid, host and heartbeat; takes over a stale one", () => {
    const live = lockDir({ ...other(0), heartbeat: Date.now() - 5000, started: Date.parse("2025-01-02T03:04:05Z") });
    assert.throws(
      () => acquireRunLock(live, { timeoutS: 120 }),
      (e: unknown) => e instanceof RunLockedError && e.pid === 4242 && /^.*: another strl process \(pid 4242\) is using this run folder \(host node-elsewhere-7, started 2025-01-02T03:04:05Z, heartbeat [56]s ago\); wait for it or choose another --out$/.test(e.message),
    );
    assert.equal(lockOf(live).pid, 4242, "a live lock was touched");
    const dead = lockDir({ ...other(0), heartbeat: Date.now() - 300_000 });
    const said: string[] = [];
    const lock = acquireRunLock(dead, { timeoutS: 120, log: (l) => said.push(l) });
    assert.equal(lockOf(dead).pid, process.pid);
    assert.equal(said.length, 1);
    assert.match(said[0]!, /took over a stale lock \(heartbeat 30\ds ago, over the 120s timeout; pid 4242 on host node-elsewhere-7, started .*\)$/);
    lock.release();
  });

  it("takes over a same-host lock whose process is gone even with a fresh heartbeat; an older strl's lock of a live process holds", () => {
    const gone = inspectRunLock(lockDir({ pid: 99999999, host: hostname(), started: Date.now(), heartbeat: Date.now(), token: "ab" }), { timeoutS: 120 });
    assert.equal(gone.state, "stale");
    assert.equal(gone.why, "process 99999999 on this host is gone");
    // No heartbeat field (written by an older strl), an hour old, by a live process on this host: held.
    const legacy = inspectRunLock(lockDir({ pid: process.ppid, host: hostname() }, 3600), { timeoutS: 120 });
    assert.equal(legacy.state, "held");
    // The same from another host is judged by the file's age.
    assert.equal(inspectRunLock(lockDir({ pid: 7, host: "far" }, 3600), { timeoutS: 120 }).state, "stale");
  });

  it("treats a lock that is not JSON, empty, oversized or ill-typed as held while young and stale when old, in one line", () => {
    const cases: Array<[string, string]> = [
      ["{not json", "not JSON"],
      ["", "empty"],
      ["[1,2]", "not a JSON object"],
      [JSON.stringify({ pid: "12", host: "h" }), "no valid pid"],
      [JSON.stringify({ pid: 12, host: "a\nb" }), "no valid host"],
      [JSON.stringify({ pid: 12, host: "h", heartbeat: "soon" }), "started or heartbeat is not a time"],
      ["x".repeat(5000), "larger than 4096 bytes"],
    ];
    for (const [text, why] of cases) {
      const young = lockDir(text, 10);
      const path = join(young, LOCK_FILE);
      assert.throws(
        () => acquireRunLock(young, { timeoutS: 120 }),
        (e: Error) => e instanceof RunLockedError && e.message === `${path} is not a strl lock (${why}), written 10s ago; it counts as held until it is 120s old`,
        why,
      );
      assert.equal(readFileSync(path, "utf8"), text, "a held lock was changed");
      const old = lockDir(text, 300);
      const info = inspectRunLock(old, { timeoutS: 120 });
      assert.equal(info.state, "stale", why);
      assert.equal(info.why, `${join(old, LOCK_FILE)} is not a strl lock (${why}), written 300s ago`);
      acquireRunLock(old, { timeoutS: 120 }).release();
      assert.equal(existsSync(join(old, LOCK_FILE)), false);
    }
  });

  it("never removes a folder or a link in the lock's place, and says to move it away", () => {
    const dir = lockDir();
    mkdirSync(join(dir, LOCK_FILE));
    writeFileSync(join(dir, LOCK_FILE, "notes.txt"), "the user's");
    const info = inspectRunLock(dir, { timeoutS: 0.001 });
    assert.equal(info.foreign, true);
    assert.equal(removeRunLock(info), false);
    assert.throws(() => acquireRunLock(dir, { timeoutS: 0.001 }), (e: Error) => e instanceof RunLockedError && e.message === `${join(dir, LOCK_FILE)} is a folder, not a lock strl wrote; move it away`);
    assert.equal(readFileSync(join(dir, LOCK_FILE, "notes.txt"), "utf8"), "the user's");
  });

  it("removes a lock only while it holds the bytes judged; a holder whose lock was taken over neither beats nor removes it", async () => {
    const dir = lockDir(other(300));
    const judged = inspectRunLock(dir, { timeoutS: 120, now: NOW });
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(other(1))); // a newer lock took the place meanwhile
    assert.equal(removeRunLock(judged), false);
    assert.equal(lockOf(dir).heartbeat, NOW - 1000, "the newer lock is gone or changed");

    const mine = lockDir();
    const lock = acquireRunLock(mine, { timeoutS: 6 }); // beats every 500 ms
    assert.equal(lock.takenOver(), false);
    const theirs = JSON.stringify({ ...other(0), heartbeat: Date.now() });
    writeFileSync(join(mine, LOCK_FILE), theirs); // as a runner on another node would after a stale heartbeat
    await new Promise((r) => setTimeout(r, 1200)); // two beats
    assert.equal(readFileSync(join(mine, LOCK_FILE), "utf8"), theirs, "a beat overwrote another owner's lock");
    assert.equal(lock.takenOver(), true);
    lock.release();
    assert.equal(readFileSync(join(mine, LOCK_FILE), "utf8"), theirs, "release removed another owner's lock");
  });
});
