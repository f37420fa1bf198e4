/**
 * What the MiniGrid envs observe (option `observation`):
 * - "xyd" (default): `[x, y, direction]` (the STRL paper's low-dimensional state).
 * - "xy": `[x, y]` (what the paper fed its model).
 * - "image": MiniGrid's `obs["image"]` (7x7x3) flattened to 147 numbers in NumPy C order of its (x, y, channel)
 *   layout, i.e. `image.flatten()`: index `(vx * 7 + vy) * 3 + channel`, where vx is the view column and vy the
 *   view row (the agent is at vx = 3, vy = 6, facing up, i.e. towards vy = 0).
 *
 * The image follows MiniGrid's `gen_obs` (`minigrid_env.py`, `grid.py`): the 7x7 cells in front of the agent,
 * rotated so the agent faces up, each cell encoded as (OBJECT_TO_IDX, COLOR_TO_IDX, state) with door state
 * 0 open / 1 closed / 2 locked; cells hidden behind walls and closed doors read as unseen (0, 0, 0) unless the env
 * sees through walls (Empty does: MiniGrid sets `see_through_walls=True` there).
 */
import { type BoxSpace, box } from "../core.js";
import { COLOR_TO_IDX, type MiniGridSnapshot, OBJECT_TO_IDX, seeBehind } from "./minigrid-world.js";

export type MiniGridObservationMode = "xyd" | "xy" | "image";

const O = OBJECT_TO_IDX;
/** Side of the egocentric view, in cells (MiniGrid's `agent_view_size`). */
const VIEW = 7;

/** The observation space of a `width` x `height` world in the given mode. */
export function observationSpaceFor(mode: MiniGridObservationMode, width: number, height: number): BoxSpace {
  if (mode === "xyd") return box([0, 0, 0], [width - 1, height - 1, 3]);
  if (mode === "xy") return box([0, 0], [width - 1, height - 1]);
  const high: number[] = [];
  for (let i = 0; i < VIEW * VIEW; i++) high.push(10, 5, 2);
  return box(0, high, [VIEW, VIEW, 3]);
}

/** The observation of the world in the given mode. */
export function observeWorld(world: MiniGridSnapshot, mode: MiniGridObservationMode, seeThroughWalls: boolean): number[] {
  if (mode === "xyd") return [world.agentX, world.agentY, world.agentDir];
  if (mode === "xy") return [world.agentX, world.agentY];
  return egocentricImage(world, seeThroughWalls);
}

/** MiniGrid's `gen_obs()["image"]`, flattened to 147 numbers (see the module comment). */
export function egocentricImage(world: MiniGridSnapshot, seeThroughWalls: boolean): number[] {
  const vs = VIEW;
  const half = vs >> 1;
  const ax = world.agentX;
  const ay = world.agentY;
  let topX: number;
  let topY: number;
  switch (world.agentDir) {
    case 0:
      topX = ax;
      topY = ay - half;
      break;
    case 1:
      topX = ax - half;
      topY = ay;
      break;
    case 2:
      topX = ax - vs + 1;
      topY = ay - half;
      break;
    default:
      topX = ax - half;
      topY = ay - vs + 1;
  }
  // Grid.slice: view cell (i, j) at index j * vs + i; outside the world reads as a (grey) wall.
  let t = new Uint8Array(vs * vs);
  let c = new Uint8Array(vs * vs);
  let s = new Uint8Array(vs * vs);
  for (let j = 0; j < vs; j++) {
    for (let i = 0; i < vs; i++) {
      const x = topX + i;
      const y = topY + j;
      const k = j * vs + i;
      if (x >= 0 && y >= 0 && x < world.width && y < world.height) {
        const w = y * world.width + x;
        t[k] = world.types[w]!;
        c[k] = world.colors[w]!;
        s[k] = world.states[w]!;
      } else {
        t[k] = O.wall;
        c[k] = COLOR_TO_IDX.grey;
        s[k] = 0;
      }
    }
  }
  // Grid.rotate_left, agent_dir + 1 times: new(j, vs - 1 - i) = old(i, j).
  for (let r = 0; r <= world.agentDir; r++) {
    const t2 = new Uint8Array(vs * vs);
    const c2 = new Uint8Array(vs * vs);
    const s2 = new Uint8Array(vs * vs);
    for (let i = 0; i < vs; i++) {
      for (let j = 0; j < vs; j++) {
        const from = j * vs + i;
        const to = (vs - 1 - i) * vs + j;
        t2[to] = t[from]!;
        c2[to] = c[from]!;
        s2[to] = s[from]!;
      }
    }
    t = t2;
    c = c2;
    s = s2;
  }
  // Grid.process_vis from the agent at (vs // 2, vs - 1).
  const mask = new Uint8Array(vs * vs);
  if (seeThroughWalls) {
    mask.fill(1);
  } else {
    mask[(vs - 1) * vs + half] = 1;
    const opaque = (i: number, j: number): boolean => {
      const k = j * vs + i;
      return t[k] !== O.empty && !seeBehind(t[k]!, s[k]!);
    };
    for (let j = vs - 1; j >= 0; j--) {
      for (let i = 0; i < vs - 1; i++) {
        if (!mask[j * vs + i] || opaque(i, j)) continue;
        mask[j * vs + i + 1] = 1;
        if (j > 0) {
          mask[(j - 1) * vs + i + 1] = 1;
          mask[(j - 1) * vs + i] = 1;
        }
      }
      for (let i = vs - 1; i >= 1; i--) {
        if (!mask[j * vs + i] || opaque(i, j)) continue;
        mask[j * vs + i - 1] = 1;
        if (j > 0) {
          mask[(j - 1) * vs + i - 1] = 1;
          mask[(j - 1) * vs + i] = 1;
        }
      }
    }
    for (let k = 0; k < vs * vs; k++) {
      if (!mask[k]) {
        t[k] = O.empty;
        c[k] = 0;
        s[k] = 0;
      }
    }
  }
  // The agent's own cell shows what it carries (or nothing).
  const ak = (vs - 1) * vs + half;
  t[ak] = world.carryType === 0 ? O.empty : world.carryType;
  c[ak] = world.carryType === 0 ? 0 : world.carryColor;
  s[ak] = 0;
  // Grid.encode, laid out as a (x, y, 3) array flattened in C order.
  const out = new Array<number>(vs * vs * 3);
  for (let i = 0; i < vs; i++) {
    for (let j = 0; j < vs; j++) {
      const k = j * vs + i;
      const o = (i * vs + j) * 3;
      if (!mask[k]) {
        out[o] = 0;
        out[o + 1] = 0;
        out[o + 2] = 0;
      } else if (t[k] === O.empty) {
        out[o] = O.empty;
        out[o + 1] = 0;
        out[o + 2] = 0;
      } else {
        out[o] = t[k]!;
        out[o + 1] = c[k]!;
        out[o + 2] = t[k] === O.door ? s[k]! : 0;
      }
    }
  }
  return out;
}
