/** `strl energy`: energy per decision of a checkpoint, per layer, on real evaluation inputs. */
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine } from "../command.js";
import { asUserError, UsageError } from "../usage-error.js";
import { readJsonFlag, required } from "../flags.js";
import { CMOS_45NM, checkProfile, formatEnergy, formatSig, inUnit, pickEnergyUnit } from "../../energy/index.js";
import { drawsMazes, mazeLabel } from "../../eval/index.js";
import { closedLoopWithEnergy } from "../../experiments/evaluate.js";
import { defaultTargets, loadEvalData, loadForEval, episodeProgressOnStderr, numberList, refuseTooFewUnseen, trainingMazesOf } from "../checkpoint-args.js";

const HELP = `strl energy — energy per decision of a checkpoint, per layer

Usage: strl energy --checkpoint RUN_OR_DIR [--device-profile FILE] [--episodes N] [--seeds S ...]
                   [--target-return R] [--data FILE] [--seen-mazes] [--json]
${ENGINE_HELP}

Runs the policy closed-loop for a few episodes with a firing-rate monitor on every LIF layer, then counts, per
layer, MACs for real-valued inputs and synaptic operations (SOPs = T x input firing rate x MACs) for spike inputs,
and turns them into energy with a device profile (default 45 nm CMOS, 32-bit: E_MAC 4.6 pJ, E_AC 0.9 pJ). One
decision = one forward pass over the current context window (no key/value cache), batch 1, on the model's
decision path: STRL, ANN-STRL and the DT alike run forwardLast (every block but the last in full, the last
block's attention over every row, what follows it on the decision's row only).
On a maze env, --data (the training data) keeps the evaluation on unseen mazes: mazes whose grid is not one of
the training data's (small mazes repeat: 14 distinct 7x7 and 322 distinct 9x9 grids exist), and too few of them
is an error. Without --data, --seen-mazes says that any maze may be drawn, training mazes included; with --data,
that too few unseen mazes fall back to any maze, counting the episodes on training mazes (labelled either way).
A device profile file is JSON: { "name": "my-chip", "eMacPj": 3.1, "eAcPj": 0.1 }, optionally with the memory
its operands move through: "memory": { "name": "my-sram", "readPj": 2, "writePj": 2 } (pJ per 32-bit word;
default 45 nm 8 KB SRAM, 5 pJ). Besides the compute energy (the literature's convention) it prints the extras
(LayerNorm, softmax, LIF updates / activations, adds), the memory-access energy (one weight word per MAC and
per SOP, layer inputs and outputs, membranes read and written per time step; docs/energy.md) and the all-in sum.

Examples:
  strl energy --checkpoint runs/strl               # a run folder or its checkpoint/ folder
  strl energy --checkpoint runs/strl/checkpoint --device-profile loihi.json --json`;

export const command: Command = {
  summary: "energy per decision (MACs, SOPs, pJ) per layer, with firing rates",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...ENGINE_FLAG,
      checkpoint: { type: "string" },
      "device-profile": { type: "string" },
      episodes: { type: "string" },
      seeds: { type: "string", list: true },
      "target-return": { type: "string", list: true },
      data: { type: "string" },
      "seen-mazes": { type: "boolean" },
      json: { type: "boolean" },
    });
    const dir = required("checkpoint", values.checkpoint);
    const profile = values["device-profile"]
      ? await asUserError(() => checkProfile(readJsonFlag("device-profile", values["device-profile"]!)), `--device-profile ${values["device-profile"]}`)
      : CMOS_45NM;
    const episodes = numberFlag("episodes", values.episodes, 3, { integer: true, min: 1 });
    const seeds = numberList("seeds", values.seeds, [0], { integer: true, min: 0, max: 0xffffffff, unique: true });
    let targets = numberList("target-return", values["target-return"], []);
    await startEngine(values.engine);
    const loaded = await loadForEval(dir);
    const perEpisodeMazes = drawsMazes(loaded.envId, loaded.envOptions);
    if (perEpisodeMazes && !values.data && !values["seen-mazes"]) {
      throw new UsageError(`${loaded.envId}: pass --data (the training data) so the evaluation mazes exclude the training mazes, or --seen-mazes`);
    }
    const dataset = values.data ? await loadEvalData(values.data, loaded.envId) : undefined;
    const excludeMazes = dataset && perEpisodeMazes ? trainingMazesOf(dataset, values.data!) : undefined;
    if (targets.length === 0) targets = await defaultTargets(loaded.envId, loaded.envOptions, dataset, (line) => void (values.json || process.stderr.write(`strl energy: ${line}\n`)));
    const progress = episodeProgressOnStderr("energy", Boolean(values.json));
    const { energy, closedLoop } = await refuseTooFewUnseen(() => closedLoopWithEnergy(loaded.model, {
      envId: loaded.envId,
      envOptions: loaded.envOptions,
      targetReturns: targets.slice(0, 1),
      episodes,
      seeds,
      profile,
      excludeMazes,
      allowSeenMazes: values["seen-mazes"],
      onProgress: progress.onProgress,
    }));
    progress.end();
    const mazes = closedLoop.mazes;
    const per = (x: number) => x / energy.decisions;
    if (values.json) {
      console.log(
        JSON.stringify({
          checkpoint: dir,
          env: loaded.envId,
          model: loaded.model.kind,
          profile,
          path: energy.path,
          ...(mazes ? { mazes } : {}),
          int8PerDecisionPj: energy.int8PerDecisionPj,
          decisions: energy.decisions,
          meanTokens: energy.meanTokens,
          energyPerDecisionPj: energy.energyPerDecisionPj,
          extrasPerDecisionPj: energy.extrasPerDecisionPj,
          memoryPerDecisionPj: energy.memoryPerDecisionPj,
          memory: energy.memory,
          allInPerDecisionPj: energy.allInPerDecisionPj,
          macsPerDecision: energy.macsPerDecision,
          sopsPerDecision: energy.sopsPerDecision,
          rates: energy.rates,
          layers: energy.report.layers.map((l) => ({ ...l, macs: per(l.macs), sops: per(l.sops), energyPj: per(l.energyPj) })),
        }),
      );
    } else {
      console.log(`${loaded.model.kind} on ${loaded.envId}: ${energy.decisions} decisions, ${energy.meanTokens.toFixed(1)} real tokens each on average, profile ${profile.name}${mazes ? `, ${mazeLabel(mazes)}` : ""}`);
      const unit = pickEnergyUnit(energy.report.layers.map((l) => per(l.energyPj)));
      console.log(`${"layer".padEnd(34)} ${"input".padEnd(6)} ${"rate".padStart(7)} ${"MACs".padStart(12)} ${"SOPs".padStart(12)} ${unit.padStart(10)}`);
      for (const l of energy.report.layers) {
        const rate = l.rate === undefined ? "" : l.rate.toFixed(4);
        console.log(
          `${l.layer.padEnd(34)} ${l.input.padEnd(6)} ${rate.padStart(7)} ${per(l.macs).toFixed(0).padStart(12)} ${per(l.sops).toFixed(0).padStart(12)} ${formatSig(inUnit(per(l.energyPj), unit)).padStart(10)}`,
        );
      }
      console.log(`energy per decision: ${formatEnergy(energy.energyPerDecisionPj)} (${per(energy.report.totalMacs).toFixed(0)} MACs, ${per(energy.report.totalSops).toFixed(0)} SOPs; compute only)`);
      if (energy.extrasPerDecisionPj !== undefined) console.log(`extras per decision (LayerNorm, softmax, LIF updates / activations, adds): ${formatEnergy(energy.extrasPerDecisionPj)}`);
      const mem = energy.memory;
      if (mem && energy.allInPerDecisionPj !== undefined) {
        console.log(
          `memory per decision (${mem.profile.name}): ${formatEnergy(mem.totalPj)} = weights ${formatEnergy(mem.weightsPj)} + activations ${formatEnergy(mem.activationsPj)} + membranes ${formatEnergy(mem.membranePj)}`,
        );
        console.log(`all-in per decision (compute + extras + memory): ${formatEnergy(energy.allInPerDecisionPj)}`);
      }
      const rates = Object.entries(energy.rates);
      if (rates.length > 0) console.log(`mean firing rate over ${rates.length} LIF layers: ${(rates.reduce((a, [, r]) => a + r, 0) / rates.length).toFixed(4)}`);
    }
    loaded.model.dispose();
    return 0;
  },
};
