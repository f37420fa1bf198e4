/**
 * Env ids kept from before the maze ids stopped naming a size. `Maze-21x21-v0` and `MazeLocal-21x21-v0` were
 * used with a `size` option (15x15 and 7x7 mazes under an id that says 21x21); the mazes are now `Maze-v0` and
 * `MazeLocal-v0` with `size` (default 21). The old ids still work, truthfully: `make` accepts them for 21x21 mazes
 * only. Datasets and checkpoints written under an old id load under the new one whatever their size (the
 * `Dataset` and the checkpoint reader map the id with `canonicalEnvId`; the recorded options keep the size).
 * No imports: the checkpoint reader (src/io) uses it too.
 */
export interface EnvAlias {
  /** The id it stands for. */
  readonly id: string;
  /** The side the old id names. */
  readonly size: number;
}

export const ENV_ALIASES: Readonly<Record<string, EnvAlias>> = {
  "Maze-21x21-v0": { id: "Maze-v0", size: 21 },
  "MazeLocal-21x21-v0": { id: "MazeLocal-v0", size: 21 },
};

/** The current id for `id`: an old id gives the one it stands for; any other id is returned as is. */
export function canonicalEnvId(id: string): string {
  return Object.hasOwn(ENV_ALIASES, id) ? ENV_ALIASES[id]!.id : id;
}
