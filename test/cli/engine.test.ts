/**
 * Engine choice from the command line: --engine and STRL_ENGINE, the one-line notice when the native addon is
 * missing (strl then runs on tfjs-wasm), and one-line errors for an unknown engine or an unavailable native one.
 * STRL_NATIVE_ADDON pointing nowhere stands in for a machine where the build failed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli, userErrorLine } from "./run-cli.js";
import { loadAddon } from "../../src/tensor/index.js";

const infer = ["bench", "--model", "strl", "--config", "small", "--mode", "infer", "--runs", "1", "--warmup", "0", "--json"];
const missing = { STRL_NATIVE_ADDON: "/nonexistent/strl_native.node", STRL_ENGINE: "" };

describe("engine choice", () => {
  it("falls back to wasm with one notice line when the addon is missing", () => {
    const r = runCli(infer, undefined, missing);
    assert.equal(r.status, 0, r.stderr);
    const notices = r.stderr.split("\n").filter((l) => l.startsWith("strl: native engine unavailable"));
    assert.equal(notices.length, 1, r.stderr);
    assert.match(notices[0]!, /the addon was not built.*using tfjs-wasm$/);
    assert.equal(JSON.parse(r.stdout).engine, "wasm");
  });

  it("refuses --engine native in one line when the addon is missing", () => {
    const line = userErrorLine(runCli([...infer, "--engine", "native"], undefined, missing));
    assert.match(line, /native engine is not available: the addon was not built.*--engine wasm/);
  });

  it("names the known engines for an unknown --engine or STRL_ENGINE", () => {
    assert.match(userErrorLine(runCli([...infer, "--engine", "gpu"])), /unknown --engine 'gpu'; known: native, wasm/);
    assert.match(userErrorLine(runCli(infer, undefined, { STRL_ENGINE: "tpu" })), /unknown STRL_ENGINE 'tpu'; known: native, wasm/);
  });

  it("refuses a bad STRL_THREADS in one line, and runs with a good one", { skip: loadAddon().addon ? false : "the native addon is not built" }, () => {
    for (const bad of ["zero", "0", "1.5", "999"]) {
      assert.match(userErrorLine(runCli([...infer, "--engine", "native"], undefined, { STRL_THREADS: bad })), new RegExp(`STRL_THREADS must be an integer in \\[1, 256\\], got '${bad.replace(".", "\\.")}'`));
    }
    const one = runCli([...infer, "--engine", "native"], undefined, { STRL_THREADS: "1" });
    assert.equal(one.status, 0, one.stderr);
    assert.match(JSON.parse(one.stdout).engine, /, 1 threads\)$/);
  });

  it("runs on the engine asked for and reports it in the JSON", { skip: loadAddon().addon ? false : "the native addon is not built" }, () => {
    const wasm = runCli([...infer, "--engine", "wasm"]);
    assert.equal(wasm.status, 0, wasm.stderr);
    assert.equal(JSON.parse(wasm.stdout).engine, "wasm");
    const native = runCli([...infer, "--engine", "native"]);
    assert.equal(native.status, 0, native.stderr);
    assert.match(JSON.parse(native.stdout).engine, /^native \((avx512|avx2|generic), \d+ threads\)$/);
  });
});
