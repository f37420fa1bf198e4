/** The one flag parser: negative numbers as values, lists in two forms, one-line errors. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseFlagList, oneOf, unknownMessage } from "../../src/cli/flags.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { runCli, userErrorLine } from "./run-cli.js";
import { reproduceFlags } from "../../src/cli/commands/reproduce.js";

const SPECS = {
  "target-return": { type: "string", list: true },
  seeds: { type: "string", list: true },
  lr: { type: "string" },
  data: { type: "string" },
  json: { type: "boolean" },
} as const;

describe("parseFlagList", () => {
  it("takes negative numbers as values", () => {
    const { values } = parseFlagList(["--target-return", "-5", "--lr", "-0.5e-3", "--json"], SPECS);
    assert.deepEqual(values["target-return"], ["-5"]);
    assert.equal(values.lr, "-0.5e-3");
    assert.equal(values.json, true);
  });

  it("reads lists as space-separated, comma-separated, repeated or mixed, all the same", () => {
    const forms = [["--seeds", "0", "1", "2"], ["--seeds", "0,1,2"], ["--seeds=0,1", "--seeds", "2"], ["--seeds", "0", "--seeds", "1,2"]];
    for (const f of forms) assert.deepEqual(parseFlagList([...f, "--json"], SPECS).values.seeds, ["0", "1", "2"], f.join(" "));
    assert.deepEqual(parseFlagList(["--target-return", "-5", "0", "-1.5", "--json"], SPECS).values["target-return"], ["-5", "0", "-1.5"]);
  });

  it("takes '-' as a value (stdin)", () => {
    assert.equal(parseFlagList(["--data", "-"], SPECS).values.data, "-");
  });

  it("refuses unknown flags, listing the known ones, and missing or doubled values", () => {
    const err = (argv: string[]) => {
      try {
        parseFlagList(argv, SPECS);
      } catch (e) {
        assert.ok(e instanceof UsageError);
        return (e as Error).message;
      }
      throw new Error("no error");
    };
    assert.equal(err(["--bogus"]), "unknown option '--bogus'; known: --target-return, --seeds, --lr, --data, --json");
    assert.equal(err(["--lr"]), "--lr needs a value");
    assert.equal(err(["--lr", "--json"]), "--lr needs a value");
    assert.equal(err(["--lr", "1", "--lr", "2"]), "--lr is given twice");
    assert.equal(err(["--json=yes"]), "--json takes no value, got 'yes'");
    assert.equal(err(["--seeds", "1,,2"]), "--seeds has an empty item in '1,,2'");
    assert.match(err(["stray"]), /^unexpected argument 'stray'/);
  });

  it("has one wording for unknown names", () => {
    assert.equal(unknownMessage("model", "x", ["a", "b"]), "unknown model 'x'; known: a, b");
    assert.equal(oneOf("model", "b", ["a", "b"]), "b");
    assert.throws(() => oneOf("model", "c", ["a", "b"]), /^UsageError: unknown model 'c'; known: a, b$/);
  });
});

describe("the CLI's flags", () => {
  it("every command refuses an unknown flag in one line naming the known ones", () => {
    for (const cmd of ["train", "eval", "collect", "energy", "demo"]) {
      const line = userErrorLine(runCli([cmd, "--bogus"]));
      assert.match(line, new RegExp(`^strl ${cmd}: unknown option '--bogus'; known: --`), line);
    }
  });

  it("eval takes a negative target return and a space-separated seed list (then fails on the missing checkpoint)", () => {
    const line = userErrorLine(runCli(["eval", "--checkpoint", "no-such-run", "--target-return", "-5", "0", "--seeds", "0", "1", "2"]));
    assert.doesNotMatch(line, /ambiguous|target-return|seeds/);
    assert.match(line, /no-such-run/);
  });
});

describe("strl reproduce takes --seeds as a list, like every other command", () => {
  it("parses both list forms to the same seeds, with 0 1 2 by default", () => {
    assert.deepEqual(reproduceFlags(["--seeds", "0", "1", "2"]).seeds, [0, 1, 2]);
    assert.deepEqual(reproduceFlags(["--seeds", "0,1,2"]).seeds, [0, 1, 2]);
    assert.deepEqual(reproduceFlags(["--seeds", "7", "--jobs", "2"]).seeds, [7]); // one seed, seed 7 (not a count)
    assert.equal(reproduceFlags(["--seeds", "7", "--jobs", "2"]).jobs, 2);
    assert.deepEqual(reproduceFlags([]).seeds, [0, 1, 2]);
    assert.deepEqual(reproduceFlags(["--only", "maze-paper", "cartpole-expert"]).only, ["maze-paper", "cartpole-expert"]);
  });

  it("refuses a repeated or negative seed in one line, and --help shows the list form", () => {
    assert.equal(userErrorLine(runCli(["reproduce", "--seeds", "0", "1", "1"])), "strl reproduce: --seeds lists 1 twice");
    assert.match(userErrorLine(runCli(["reproduce", "--seeds", "0,-1"])), /^strl reproduce: --seeds must be >= 0, got -1$/);
    const help = runCli(["reproduce", "--help"]).stdout;
    assert.match(help, /Usage: strl reproduce \[--scale small\|paper\] \[--seeds S \.\.\.\]/);
    assert.match(help, /strl reproduce --scale small --seeds 0 1 2 --jobs 2/);
  });
});
