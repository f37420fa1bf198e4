/** `strl rollout`: step an environment through a given list of actions, printing one JSON line per step. */
import { readFileSync } from "node:fs";
import type { Command } from "../command.js";
import { numberFlag, parseFlags, oneOf } from "../command.js";
import { UsageError } from "../usage-error.js";
import { errorLine } from "../../config/index.js";
import { checkAction, isEnvId, make, readyFor, registeredIds, type Action, type Env } from "../../envs/index.js";

const HELP = `strl rollout — step an environment through a list of actions, one JSON line per step

Usage: strl rollout --env ID --actions FILE|- [--seed N] [--initial-state JSON] [--env-options JSON]

Options:
  --env ID              a registered environment (see \`strl collect --help\`)
  --actions FILE|-      a JSON array with one action per step: an integer for Discrete action spaces, an array
                        of numbers for Box spaces; '-' reads it from standard input
  --seed N              seed of env.reset (default 0)
  --initial-state JSON  the env's internal state to start from, a JSON array (e.g. [x, y] for the mazes,
                        [x, xDot, theta, thetaDot] for CartPole, [...qpos, ...qvel] for Hopper-v5)
  --env-options JSON    options for the environment, e.g. '{"mazeSeed": 3}'

Every action is checked against the action space before the first step. Each step prints
  {"observation": [...], "reward": r, "terminated": b, "truncated": b}
and the rollout stops at the end of the episode (terminated or truncated) or when the actions run out.

\`strl envs\` lists the environment ids with their spaces, experts, options and success definition.

Examples:
  echo '[1, 1, 3, 3]' | strl rollout --env Maze-v0 --seed 3 --actions -
  strl rollout --env CartPole-v1 --initial-state '[0, 0, 0.05, 0]' --actions actions.json
  echo '[[2.0], [-2.0], [0.5]]' | strl rollout --env Pendulum-v1 --seed 7 --actions -
  echo '[[0.5, -0.5, 0.1], [0, 0, 0]]' | strl rollout --env Hopper-v5 --seed 0 --actions -`;

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is not valid JSON: ${errorLine(e)}`);
  }
}

function readActions(source: string): unknown[] {
  let text: string;
  if (source === "-") {
    try {
      text = readFileSync(0, "utf8");
    } catch (e) {
      throw new UsageError(`--actions -: cannot read standard input: ${(e as Error).message}`);
    }
  } else {
    try {
      text = readFileSync(source, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(code === "ENOENT" ? `--actions: file '${source}' not found` : `--actions: cannot read '${source}': ${(e as Error).message}`);
    }
  }
  const v = parseJson(`--actions ${source === "-" ? "(stdin)" : `'${source}'`}`, text);
  if (!Array.isArray(v)) throw new UsageError(`--actions must hold a JSON array of actions, got ${typeof v}`);
  return v;
}

/** Runs `fn`, turning the env's RangeError/TypeError (bad options, bad initial state) into a UsageError. */
function userInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }
}

export const command: Command = {
  summary: "step an environment through a JSON list of actions (one JSON line per step)",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      env: { type: "string" },
      seed: { type: "string" },
      "initial-state": { type: "string" },
      "env-options": { type: "string" },
      actions: { type: "string" },
    });
    const envId = values.env;
    if (!envId) throw new UsageError(`--env is required (one of: ${registeredIds().join(", ")})`);
    if (!isEnvId(envId)) oneOf("environment", envId, registeredIds());
    if (values.actions === undefined) throw new UsageError("--actions FILE|- is required");
    const seed = numberFlag("seed", values.seed, 0, { integer: true, min: 0, max: 0xffffffff });
    let initialState: number[] | undefined;
    if (values["initial-state"] !== undefined) {
      const v = parseJson("--initial-state", values["initial-state"]);
      if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
        throw new UsageError(`--initial-state must be a JSON array of finite numbers, got ${values["initial-state"]}`);
      }
      initialState = v as number[];
    }
    let envOptions: Record<string, unknown> | undefined;
    if (values["env-options"] !== undefined) {
      const v = parseJson("--env-options", values["env-options"]);
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`--env-options must be a JSON object, got ${values["env-options"]}`);
      envOptions = v as Record<string, unknown>;
    }
    const raw = readActions(values.actions);
    await readyFor(envId);
    const env: Env = userInput(() => make(envId, envOptions));
    const actions: Action[] = raw.map((a, i) => userInput(() => {
      try {
        return checkAction(env.actionSpace, a, envId);
      } catch (e) {
        throw new RangeError(`--actions[${i}]: ${(e as Error).message}`);
      }
    }));
    userInput(() => env.reset({ seed, options: initialState ? { initialState } : undefined }));
    const lines: string[] = [];
    for (const a of actions) {
      const r = env.step(a);
      lines.push(JSON.stringify({ observation: r.observation, reward: r.reward, terminated: r.terminated, truncated: r.truncated }));
      if (r.terminated || r.truncated) break;
    }
    env.close?.();
    if (lines.length > 0) process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
