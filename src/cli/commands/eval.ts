/** `strl eval`: closed-loop returns (and offline accuracy with --data) of a checkpoint. */
import { parseFlags, numberFlag, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine } from "../command.js";
import { episodeRows, targetLine, targetRows } from "../eval-rows.js";
import { UsageError } from "../usage-error.js";
import { evalSizeProblem, isMazeEnv, mazeLabel } from "../../eval/index.js";
import { formatEnergy } from "../../energy/index.js";
import { closedLoopWithEnergy, offlineTest } from "../../experiments/evaluate.js";
import { onnxEval } from "../onnx-eval.js";
import { defaultTargets, loadEvalData, loadForEval, episodeProgressOnStderr, numberList, refuseTooFewUnseen, trainingMazesOf } from "../checkpoint-args.js";

const HELP = `strl eval — evaluate a checkpoint in its environment

Usage: strl eval --checkpoint RUN_OR_DIR [--episodes N] [--target-return R ...] [--seeds S ...] [--data FILE]
                 [--max-steps N] [--seen-mazes] [--json [--actions]]
       strl eval --onnx FILE.onnx [--episodes N] [--target-return R ...] [--seeds S ...] [--max-steps N] [--json [--actions]]
${ENGINE_HELP}

Runs the policy closed-loop, conditioned on each target return (the return-to-go starts at the target and is
reduced by every reward, scaled exactly as in training), for N episodes on each seed, and reports the return
mean ± std (population, over all episodes), success rate, episode length and the D4RL normalised score where
reference returns exist (on Hopper-v5, Walker2d-v5 and HalfCheetah-v5: "D4RL's references for its v2 envs,
measured here on v5 envs", beside strl's own references: the shipped random and expert policies' returns over
100 episodes, from experts/<env>/manifest.json). Default target: the
expert's mean return, measured on 100 episodes (20 on each of 5 seeds); on an env without an expert
policy, the best episode return in --data (else pass --target-return).
With --data (the training dataset), also reports the per-step accuracy (discrete) or MSE (continuous) on its
held-out test split, and maze tasks are evaluated on unseen mazes: mazes whose grid is not one of the dataset's
(small mazes repeat: 14 distinct 7x7 and 322 distinct 9x9 grids exist), and too few of them is an error unless
--seen-mazes lets the evaluation fall back to any maze, counting the episodes on training mazes. Without --data,
the mazes are any mazes, training mazes possibly among them; the output says which.
With --onnx, the policy is an exported graph (strl export) run by ONNX Runtime (npm onnxruntime-node, not
installed with strl: a one-line error says how to add it); env, context length and rtg scale come from the
file's metadata; no energy or held-out accuracy is reported.
With --json --actions, the output also lists every episode with the actions it took ("episodes").
Lists take either form, the same for every flag: --seeds 0 1 2 or --seeds 0,1,2; negative numbers are
values: --target-return -5.

Examples:
  strl eval --checkpoint runs/strl                 # a run folder or its checkpoint/ folder
  strl eval --checkpoint runs/strl/checkpoint --episodes 20 --seeds 0 1 2 --target-return -5 0
  strl eval --checkpoint runs/dt/checkpoint --data maze.h5 --json
  strl eval --onnx strl.onnx --episodes 10`;

export const command: Command = {
  summary: "closed-loop returns / success (and held-out accuracy) of a checkpoint",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...ENGINE_FLAG,
      checkpoint: { type: "string" },
      onnx: { type: "string" },
      episodes: { type: "string" },
      "target-return": { type: "string", list: true },
      seeds: { type: "string", list: true },
      data: { type: "string" },
      "max-steps": { type: "string" },
      json: { type: "boolean" },
      actions: { type: "boolean" },
      "seen-mazes": { type: "boolean" },
    });
    if (values.onnx !== undefined && values.checkpoint !== undefined) throw new UsageError("give either --checkpoint or --onnx, not both");
    if (values.actions && !values.json) throw new UsageError("--actions needs --json");
    const episodes = numberFlag("episodes", values.episodes, 10, { integer: true, min: 1 });
    const seeds = numberList("seeds", values.seeds, [0], { integer: true, min: 0, max: 0xffffffff, unique: true });
    const maxSteps = values["max-steps"] === undefined ? undefined : numberFlag("max-steps", values["max-steps"], 0, { integer: true, min: 1 });
    let targets = numberList("target-return", values["target-return"], []);
    const tooMany = evalSizeProblem(episodes * seeds.length * Math.max(1, targets.length));
    if (tooMany) throw new UsageError(`--episodes ${episodes}: ${tooMany}`);
    if (values.onnx !== undefined) {
      if (values.data !== undefined) throw new UsageError("--data needs --checkpoint (an ONNX policy has no held-out split)");
      if (values.engine !== undefined) throw new UsageError("--engine needs --checkpoint (an ONNX policy runs in ONNX Runtime)");
      return onnxEval({ file: values.onnx, episodes, seeds, targets, maxSteps, json: Boolean(values.json), actions: Boolean(values.actions), seenMazes: Boolean(values["seen-mazes"]) });
    }
    if (values.checkpoint === undefined) throw new UsageError("--checkpoint (or --onnx) is required");
    const dir = values.checkpoint;
    await startEngine(values.engine);
    const loaded = await loadForEval(dir);
    const dataset = values.data ? await loadEvalData(values.data, loaded.envId) : undefined;
    if (targets.length === 0) {
      if (!values.json && process.stderr.isTTY) process.stderr.write("  measuring the expert's return (the default target) ...\r");
      targets = await defaultTargets(loaded.envId, loaded.envOptions, dataset, (line) => void (values.json || process.stderr.write(`strl eval: ${line}\n`)));
    }
    const offline = dataset ? offlineTest(loaded.model, dataset, loaded.trainSeed) : undefined;
    const progress = episodeProgressOnStderr("eval", Boolean(values.json));
    const excludeMazes = dataset && isMazeEnv(loaded.envId) ? trainingMazesOf(dataset, values.data!) : undefined;
    const { closedLoop, energy } = await refuseTooFewUnseen(() => closedLoopWithEnergy(loaded.model, {
      envId: loaded.envId,
      envOptions: loaded.envOptions,
      targetReturns: targets,
      episodes,
      seeds,
      maxSteps,
      recordActions: values.actions,
      excludeMazes,
      allowSeenMazes: values["seen-mazes"],
      onProgress: progress.onProgress,
    }));
    progress.end();
    const rows = targetRows(loaded.envId, closedLoop);
    if (values.json) {
      const episodeList = values.actions
        ? episodeRows(closedLoop)
        : undefined;
      console.log(JSON.stringify({ checkpoint: dir, env: loaded.envId, model: loaded.model.kind, offline, closedLoop: { ...closedLoop, targets: rows }, energyPerDecisionPj: energy.energyPerDecisionPj, episodes: episodeList }));
    } else {
      console.log(`${loaded.model.kind} on ${loaded.envId}: ${episodes} episodes x seeds [${seeds.join(", ")}]${closedLoop.mazes ? `, ${mazeLabel(closedLoop.mazes)}` : ""}`);
      if (offline) console.log(`held-out ${offline.accuracy !== undefined ? `accuracy ${(100 * offline.accuracy).toFixed(2)}%` : `MSE ${offline.mse?.toFixed(5)}`} over ${offline.steps} steps`);
      for (const r of rows) console.log(targetLine(r));
      console.log(`energy per decision ${formatEnergy(energy.energyPerDecisionPj)}${energy.perDecision ? ` ± ${formatEnergy(energy.perDecision.energyStdPj)} (sample std over decisions)` : ""} (${energy.decisions} decisions)`);
    }
    loaded.model.dispose();
    return 0;
  },
};
