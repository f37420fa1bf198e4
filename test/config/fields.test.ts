import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConfigError,
  checkEnum,
  checkInt,
  checkNumber,
  checkNumberArray,
  enumField,
  intField,
  numArrayField,
  numField,
  boolField,
  parseConfig,
  rejectUnknownKeys,
  specDefaults,
} from "../../src/config/index.js";

const SPEC = {
  dModel: intField({ min: 1, default: 128 }),
  dropout: numField({ min: 0, max: 1, maxExclusive: true, default: 0.1 }),
  surrogate: enumField(["sigmoid", "atan"] as const, { default: "sigmoid" }),
  causal: boolField({ default: true }),
  obsDim: intField({ min: 1, doc: "size of the observation vector" }),
  low: numArrayField({ default: [-1, -1] }),
};

describe("config checkers", () => {
  it("names the config, the key, the range and the value in a range error", () => {
    assert.throws(() => checkNumber("TrainConfig", "lr", -1, { min: 0, minExclusive: true }), {
      name: "ConfigError",
      message: "TrainConfig.lr must be a finite number > 0, got -1",
    });
    assert.throws(() => checkNumber("C", "p", 1, { min: 0, max: 1, maxExclusive: true }), {
      message: "C.p must be a finite number in [0, 1), got 1",
    });
  });

  it("rejects NaN, Infinity and numeric strings as numbers", () => {
    assert.throws(() => checkNumber("C", "x", Number.NaN), /C\.x must be a finite number, got NaN/);
    assert.throws(() => checkNumber("C", "x", Infinity), /got Infinity/);
    assert.throws(() => checkNumber("C", "x", "3"), /got '3'/);
  });

  it("accepts the boundary values of an inclusive range", () => {
    assert.equal(checkNumber("C", "x", 0, { min: 0, max: 1 }), 0);
    assert.equal(checkNumber("C", "x", 1, { min: 0, max: 1 }), 1);
  });

  it("rejects a fractional value where an integer is required", () => {
    assert.throws(() => checkInt("StrlConfig", "dModel", 0.5, { min: 1 }), {
      message: "StrlConfig.dModel must be an integer >= 1, got 0.5",
    });
    assert.equal(checkInt("StrlConfig", "dModel", 64, { min: 1 }), 64);
  });

  it("lists the allowed values when an enum value is unknown", () => {
    assert.throws(() => checkEnum("C", "schedule", "linear", ["cosine", "constant"]), {
      message: "C.schedule must be one of 'cosine', 'constant', got 'linear'",
    });
  });

  it("names the index of a bad element in a number array", () => {
    assert.throws(() => checkNumberArray("C", "low", [0, "a"]), /C\.low\[1\] must be a finite number, got 'a'/);
    assert.throws(() => checkNumberArray("C", "low", [0], { length: 2 }), /of length 2, got length 1/);
  });

  it("suggests the closest known key for a misspelt one", () => {
    assert.throws(() => rejectUnknownKeys("C", { dmodel: 3 }, ["dModel", "nHeads"]), {
      message: "C: unknown key 'dmodel' (did you mean 'dModel'?); known keys: dModel, nHeads",
    });
    assert.throws(() => rejectUnknownKeys("C", { zzzzzz: 3 }, ["dModel"]), {
      message: "C: unknown key 'zzzzzz'; known keys: dModel",
    });
  });
});

describe("parseConfig", () => {
  it("fills defaults and keeps the spec's key order", () => {
    const cfg = parseConfig("StrlConfig", { obsDim: 2, dropout: 0 }, SPEC);
    assert.deepEqual(cfg, { dModel: 128, dropout: 0, surrogate: "sigmoid", causal: true, obsDim: 2, low: [-1, -1] });
    assert.deepEqual(Object.keys(cfg), ["dModel", "dropout", "surrogate", "causal", "obsDim", "low"]);
  });

  it("returns a default array that is a copy, not the spec's own", () => {
    const a = parseConfig("C", { obsDim: 1 }, SPEC);
    a.low[0] = 5;
    assert.deepEqual(parseConfig("C", { obsDim: 1 }, SPEC).low, [-1, -1]);
  });

  it("requires a field without a default and says what it is", () => {
    assert.throws(() => parseConfig("StrlConfig", {}, SPEC), {
      message: "StrlConfig.obsDim is required (size of the observation vector)",
    });
  });

  it("rejects a non-object config", () => {
    assert.throws(() => parseConfig("StrlConfig", [1], SPEC), { message: "StrlConfig must be an object, got [1]" });
    assert.throws(() => parseConfig("StrlConfig", null, SPEC), ConfigError);
  });

  it("rejects a wrong-typed value with the key and value", () => {
    assert.throws(() => parseConfig("StrlConfig", { obsDim: 2, causal: "yes" }, SPEC), {
      message: "StrlConfig.causal must be true or false, got 'yes'",
    });
  });

  it("round-trips through JSON unchanged", () => {
    const cfg = parseConfig("C", { obsDim: 3, surrogate: "atan" }, SPEC);
    assert.deepEqual(parseConfig("C", JSON.parse(JSON.stringify(cfg)), SPEC), cfg);
  });

  it("lists only the fields that have defaults in specDefaults", () => {
    assert.deepEqual(Object.keys(specDefaults(SPEC)), ["dModel", "dropout", "surrogate", "causal", "low"]);
  });
});
