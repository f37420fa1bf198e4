/** `strl demo`: the main job — data, three models, evaluation, energy, a report — in a few minutes. */
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine, oneOf } from "../command.js";
import { UsageError, asUserError } from "../usage-error.js";
import { checkWritableFolder } from "../../io/index.js";
import { MAX_MAZE_SIZE } from "../../envs/grid/maze-gen.js";
import { PRESETS, type Preset } from "../../experiments/presets.js";
import { DEMO_DEFAULTS, DEMO_TINY, runDemo } from "../../experiments/demo.js";

const HELP = `strl demo — spiking vs real-valued transformers on mazes, end to end

Usage: strl demo [--tiny] [--maze-size N] [--episodes N] [--steps N] [--batch-size B] [--preset tiny|small|paper]
                 [--eval-episodes N] [--seed N] [--out DIR] [--json]
${ENGINE_HELP}

Collects a maze dataset (MazeLocal: position + neighbouring wall bits, A* expert data), trains STRL,
ANN-STRL and a Decision Transformer on it, evaluates each (held-out accuracy, closed-loop success on unseen
mazes, energy per decision and firing rates), prints a comparison table and writes a report folder with
figures. Defaults: maze ${DEMO_DEFAULTS.mazeSize}x${DEMO_DEFAULTS.mazeSize}, ${DEMO_DEFAULTS.episodes} episodes, ${DEMO_DEFAULTS.steps} updates of batch ${DEMO_DEFAULTS.batchSize} per model, preset "${DEMO_DEFAULTS.preset}",
${DEMO_DEFAULTS.evalEpisodes} evaluation episodes (a few minutes on 2 cores). --tiny runs a seconds-long smoke version. Flags scale it up.

Examples:
  strl demo
  strl demo --tiny
  strl demo --maze-size 21 --episodes 5000 --steps 2000 --preset small --eval-episodes 100 --out reports/big`;

export const command: Command = {
  summary: "the main job: maze data, STRL vs ANN-STRL vs DT, evaluation, energy, report",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...ENGINE_FLAG,
      tiny: { type: "boolean" },
      "maze-size": { type: "string" },
      episodes: { type: "string" },
      steps: { type: "string" },
      "batch-size": { type: "string" },
      preset: { type: "string" },
      "eval-episodes": { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      json: { type: "boolean" },
    });
    const d = values.tiny ? DEMO_TINY : DEMO_DEFAULTS;
    const mazeSize = numberFlag("maze-size", values["maze-size"], d.mazeSize, { integer: true, min: 5, max: MAX_MAZE_SIZE });
    if (mazeSize % 2 === 0) throw new UsageError(`--maze-size must be odd, got ${mazeSize}`);
    const preset = (values.preset ?? d.preset) as Preset;
    oneOf("preset", String(preset), PRESETS);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    const opts = {
      mazeSize,
      episodes: numberFlag("episodes", values.episodes, d.episodes, { integer: true, min: 10 }),
      steps: numberFlag("steps", values.steps, d.steps, { integer: true, min: 1 }),
      batchSize: numberFlag("batch-size", values["batch-size"], d.batchSize, { integer: true, min: 1 }),
      preset,
      evalEpisodes: numberFlag("eval-episodes", values["eval-episodes"], d.evalEpisodes, { integer: true, min: 1 }),
      seed: numberFlag("seed", values.seed, d.seed, { integer: true, min: 0, max: 0xffffffff }),
      out: values.out ?? `reports/demo-${stamp}`,
      command: ["strl", "demo", ...argv].join(" "),
      log: values.json ? () => {} : (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    };
    await asUserError(() => checkWritableFolder(opts.out), "--out"); // before the work, not after it
    await startEngine(values.engine);
    const r = await runDemo(opts);
    if (values.json) {
      console.log(
        JSON.stringify({
          report: r.report,
          models: r.compare.outcomes.map((o) => ({
            name: o.name,
            kind: o.kind,
            params: o.params,
            offline: o.offline,
            closedLoop: o.closedLoop?.targets.map((t) => ({ targetReturn: t.targetReturn, returnMean: t.returnMean, returnStd: t.returnStd, successRate: t.successRate })),
            mazes: o.closedLoop?.mazes,
            energyPerDecisionPj: o.energy?.energyPerDecisionPj,
          })),
          energy: r.compare.energy,
        }),
      );
    } else {
      console.log(r.table);
      console.log(`\nreport: ${r.report}`);
    }
    return 0;
  },
};
