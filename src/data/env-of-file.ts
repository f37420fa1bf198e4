/**
 * Which env a dataset file belongs to when the file itself does not say, and the metadata a Minari dataset keeps
 * beside its HDF5 file.
 *
 * - D4RL locomotion files (`hopper-medium-v2.hdf5`, `walker2d-expert-v2.hdf5`, ...) hold no env id: the env comes
 *   from the file name's task prefix, mapped to strl's Gymnasium v5 env (D4RL's v2 envs are not in strl).
 *   Minari's ids (`mujoco/hopper/medium-v0`) map the same way.
 * - Minari (>= 0.5) writes `data/main_data.hdf5` (one group per episode) and `data/metadata.json` beside it; the
 *   JSON holds `env_spec` (a JSON string whose `id` is the env, e.g. "Hopper-v5"), `dataset_id`,
 *   `action_space`, ... Older Minari files keep the same keys as root attributes of the HDF5 file.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { MetaValue } from "./trajectory.js";
import { errorLine } from "../config/index.js";

/** D4RL / Minari task names of MuJoCo locomotion, mapped to strl's v5 env ids. */
export const LOCOMOTION_TASK_ENVS: Readonly<Record<string, string>> = Object.freeze({
  hopper: "Hopper-v5",
  walker2d: "Walker2d-v5",
  halfcheetah: "HalfCheetah-v5",
});

/**
 * strl's env for a D4RL dataset name or file name ("hopper-medium-replay-v2.hdf5" -> "Hopper-v5") or a Minari
 * dataset id ("mujoco/walker2d/expert-v0" -> "Walker2d-v5"); undefined when the name is none of these tasks.
 */
export function envIdFromDatasetName(name: string): string | undefined {
  const lower = name.toLowerCase();
  const minari = /(?:^|\/)mujoco\/([a-z0-9]+)\//.exec(lower);
  if (minari && LOCOMOTION_TASK_ENVS[minari[1]!]) return LOCOMOTION_TASK_ENVS[minari[1]!];
  const task = /^([a-z0-9]+)-/.exec(basename(lower));
  return task ? LOCOMOTION_TASK_ENVS[task[1]!] : undefined;
}

/** Thrown for a Minari `metadata.json` that is not a JSON object; the caller names the file. */
export class MetadataJsonError extends Error {}

/**
 * The string and finite-number fields of the `metadata.json` next to `h5Path` (Minari's layout), or an empty
 * object when there is none. Nested values are skipped (strl reads only `env_spec`, `dataset_id` and
 * `action_space`, which Minari stores as strings).
 */
export function minariMetadataBeside(h5Path: string): Record<string, MetaValue> {
  const path = join(dirname(h5Path), "metadata.json");
  if (!existsSync(path)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new MetadataJsonError(`${path} is not valid JSON (${errorLine(e)})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new MetadataJsonError(`${path} must hold a JSON object`);
  const out: Record<string, MetaValue> = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) out[k] = v;
  }
  return out;
}

/**
 * A dataset's env id: `optionEnvId`, else the file's (`env_id`, the `id` in `env_spec`, `dataset_id` mapped by
 * `envIdFromDatasetName` or kept as is), else the file name's task ("unknown" when none); `meta` records
 * `env_id_source: "file name"` when only the name said it.
 */
export function envIdOf(attrs: Record<string, MetaValue>, optionEnvId: string | undefined, path: string): { envId: string; meta: Record<string, MetaValue> } {
  const id = fileEnvId(attrs, optionEnvId);
  if (id !== "unknown") return { envId: id, meta: {} };
  const byName = envIdFromDatasetName(path);
  return byName ? { envId: byName, meta: { env_id_source: "file name" } } : { envId: id, meta: {} };
}

function fileEnvId(attrs: Record<string, MetaValue>, optionEnvId: string | undefined): string {
  if (optionEnvId) return optionEnvId;
  if (typeof attrs.env_id === "string" && attrs.env_id) return attrs.env_id;
  if (typeof attrs.env_spec === "string") {
    try {
      const id = (JSON.parse(attrs.env_spec) as { id?: unknown }).id;
      if (typeof id === "string" && id) return id;
    } catch {
      /* not JSON: fall through */
    }
  }
  if (typeof attrs.dataset_id === "string" && attrs.dataset_id) return envIdFromDatasetName(attrs.dataset_id) ?? attrs.dataset_id;
  return "unknown";
}
