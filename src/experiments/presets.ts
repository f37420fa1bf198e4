/**
 * Model size presets shared by the CLI, the demo and `strl reproduce`:
 * - "tiny": for tests and the demo (seconds per hundred steps on 2 cores);
 * - "small": the Decision Transformer's Gym defaults (d 128, 3 blocks, 1 head, context 20), T = 4;
 * - "paper": the STRL paper (d 256, 6 blocks, 8 heads, context 100, T = 4).
 * A preset gives architecture fields only; obsDim, head, normalisation and seed come from the data and the run.
 */
import type { ModelKind } from "../models/index.js";

export const PRESETS = ["tiny", "small", "paper"] as const;
export type Preset = (typeof PRESETS)[number];

interface Arch {
  dModel: number;
  nBlocks: number;
  nHeads: number;
  contextLength: number;
}

const ARCH: Record<Preset, Arch> = {
  tiny: { dModel: 64, nBlocks: 2, nHeads: 2, contextLength: 10 },
  small: { dModel: 128, nBlocks: 3, nHeads: 1, contextLength: 20 },
  paper: { dModel: 256, nBlocks: 6, nHeads: 8, contextLength: 100 },
};

/** Architecture fields of a preset for a model kind (config keys of that kind's config class). */
export function presetFields(kind: ModelKind, preset: Preset): Record<string, unknown> {
  const a = ARCH[preset];
  switch (kind) {
    case "strl":
      return { dModel: a.dModel, nBlocks: a.nBlocks, nHeads: a.nHeads, contextLength: a.contextLength, T: 4 };
    case "ann-strl":
      return { dModel: a.dModel, nBlocks: a.nBlocks, nHeads: a.nHeads, contextLength: a.contextLength };
    case "dt":
      return { dModel: a.dModel, nBlocks: a.nBlocks, nHeads: a.nHeads, contextLength: a.contextLength };
    case "bc":
      return { hidden: [a.dModel, a.dModel] };
  }
}
