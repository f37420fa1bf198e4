import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { energyDigits, energyLabel, formatEnergy, formatSig, inUnit, pickEnergyUnit } from "../../src/energy/units.js";

describe("energy units", () => {
  it("picks one unit per column: the largest in which the largest value is >= 1", () => {
    assert.equal(pickEnergyUnit([65_400, 13_611_280]), "µJ"); // 65.4 nJ .. 13611.28 nJ
    assert.equal(pickEnergyUnit([230, 999_999]), "nJ"); // just under 1 µJ
    assert.equal(pickEnergyUnit([1e6]), "µJ");
    assert.equal(pickEnergyUnit([12.5, -400]), "pJ");
    assert.equal(pickEnergyUnit([2.5e9]), "mJ");
    assert.equal(pickEnergyUnit([0, 0]), "pJ");
    assert.equal(pickEnergyUnit([]), "pJ");
    assert.throws(() => pickEnergyUnit([1, NaN]), /pickEnergyUnit: energy must be a finite number of pJ, got NaN/);
  });

  it("formats 3 significant digits without exponents, carrying 999.6 into 1000", () => {
    assert.equal(formatSig(14.14328), "14.1");
    assert.equal(formatSig(0.065372), "0.0654");
    assert.equal(formatSig(2.7878), "2.79");
    assert.equal(formatSig(135.4), "135");
    assert.equal(formatSig(13543.8), "13544");
    assert.equal(formatSig(0), "0.00");
    assert.equal(formatSig(-0.0004), "-0.000400");
    assert.equal(energyDigits(9.996), 1); // rounds to 10.0, not 9.996 -> "10.00"
    assert.equal(formatSig(9.996), "10.0");
  });

  it("writes one value in its own unit, or a forced one", () => {
    assert.equal(formatEnergy(13_611_280), "13.6 µJ"); // the 13611.28 nJ of a DT row
    assert.equal(formatEnergy(230), "230 pJ");
    assert.equal(formatEnergy(2_060_600), "2.06 µJ");
    assert.equal(formatEnergy(101_400), "101 nJ");
    assert.equal(formatEnergy(101_400, "µJ"), "0.101 µJ");
    assert.equal(inUnit(4620, "nJ"), 4.62);
    assert.equal(energyLabel("energy / decision", "µJ"), "energy / decision (µJ)");
  });
});
