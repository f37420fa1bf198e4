/** `strl envs`: the environments, their spaces, experts, options and what success means on each. */
import { parseFlags, type Command } from "../command.js";
import { make, ready, registeredIds, type Space } from "../../envs/index.js";
import { isLocomotionEnv } from "../../envs/mujoco/index.js";
import { successText } from "../../experiments/reproduce.js";
import { shippedPoliciesSummary } from "../../data/locomotion-policies.js";

const HELP = `strl envs — list the environments

Usage: strl envs [--json]

For each environment id: the observation and action spaces, the episode limit, the expert that
\`strl collect --policy expert\` runs, the options it takes (\`make(id, options)\` in the library; datasets record
them), and what counts as a success in \`strl eval\` and the reports (n/a: the env has no notion of success).

Examples:
  strl envs
  strl envs --json`;

/** The options each env takes, with defaults; one line each. */
const OPTIONS: Record<string, string[]> = {
  "Maze-v0": ["size: odd integer in [5, 1001], the maze's side (default 21; the older id Maze-21x21-v0 is this env with size 21 only)", "mazeSeed: keep one maze (default: a new maze per reset)", "maze: a given grid", "maxSteps: truncation (default 4 x open cells)"],
  "MazeLocal-v0": ["view: \"walls\" (4 wall bits, default) or \"3x3\" (the 9 neighbouring cells)", "size, mazeSeed, maze, maxSteps: as Maze-v0 (the older id MazeLocal-21x21-v0: size 21 only)"],
  "MiniGrid-Empty-8x8-v0": ["observation: \"xyd\" (x, y, direction; default), \"xy\" or \"image\" (7x7x3 egocentric view)", "maxSteps"],
  "MiniGrid-FourRooms-v0": ["observation: \"xyd\" (default), \"xy\" or \"image\"", "maxSteps"],
  "MiniGrid-DoorKey-8x8-v0": ["observation: \"xyd\" (default), \"xy\" or \"image\"", "maxSteps"],
  "Maze2D-UMaze-v0": ["reward: \"sparse\" (default, D4RL's v1) or \"dense\""],
};

const EXPERTS: Record<string, string> = {
  "Maze-v0": "A* shortest path",
  "MazeLocal-v0": "A* shortest path",
  "MiniGrid-Empty-8x8-v0": "BFS planner",
  "MiniGrid-FourRooms-v0": "BFS planner",
  "MiniGrid-DoorKey-8x8-v0": "BFS planner (key, door, goal)",
  "Maze2D-UMaze-v0": "BFS waypoints + PD controller",
};

/** The MuJoCo locomotion envs (Gymnasium v5) are judged by their return; everything else by successText. */
const success = (id: string): string => (isLocomotionEnv(id) ? "no success flag: return only" : successText(id));

function spaceText(s: Space): string {
  if (s.kind === "discrete") return `Discrete(${s.n})`;
  const lo = Math.min(...s.low);
  const hi = Math.max(...s.high);
  const bound = (x: number) => (Math.abs(x) < 1e30 ? String(Math.round(x * 1000) / 1000) : x > 0 ? "inf" : "-inf");
  return `Box(${s.shape.join("x")}, [${bound(lo)}, ${bound(hi)}])`;
}

export interface EnvInfo {
  id: string;
  observation: string;
  action: string;
  maxEpisodeSteps: number;
  expert: string;
  options: string[];
  success: string;
}

/** What `strl envs` prints, for every registered env (loads the MuJoCo simulator for the locomotion envs). */
export async function describeEnvs(): Promise<EnvInfo[]> {
  await ready();
  return registeredIds().map((id) => {
    const env = make(id);
    env.close?.(); // only its spaces are read
    return {
      id,
      observation: spaceText(env.observationSpace),
      action: spaceText(env.actionSpace),
      maxEpisodeSteps: env.maxEpisodeSteps,
      expert: isLocomotionEnv(id) ? shippedPoliciesSummary(id) : (EXPERTS[id] ?? "scripted controller"),
      options: OPTIONS[id] ?? [],
      success: success(id),
    };
  });
}

export const command: Command = {
  summary: "list the environments: spaces, experts, options, success",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, { json: { type: "boolean" } });
    const infos = await describeEnvs();
    if (values.json) {
      console.log(JSON.stringify(infos));
      return 0;
    }
    for (const e of infos) {
      console.log(e.id);
      console.log(`  observation ${e.observation}, action ${e.action}, at most ${e.maxEpisodeSteps} steps`);
      console.log(`  expert: ${e.expert}`);
      console.log(`  success: ${e.success}`);
      console.log(`  options: ${e.options.length ? e.options.join("; ") : "none"}`);
    }
    return 0;
  },
};
