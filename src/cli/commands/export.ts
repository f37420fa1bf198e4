/** `strl export`: a checkpoint as an ONNX graph of one decision (docs/onnx.md). */
import { statSync } from "node:fs";
import { parseFlags, type Command, ENGINE_FLAG, ENGINE_HELP, startEngine } from "../command.js";
import { required, unknownMessage } from "../flags.js";
import { UsageError, asUserError } from "../usage-error.js";
import { checkpointDir } from "../checkpoint-args.js";
import { checkpointToOnnx, OPSET } from "../../export/index.js";
import { writeFileAtomic } from "../../io/index.js";

const FORMATS = ["onnx"] as const;

const HELP = `strl export — write a checkpoint's policy as an ONNX graph

Usage: strl export --checkpoint RUN_OR_DIR --format onnx --out FILE.onnx [--no-spike-counts]
${ENGINE_HELP}

One graph computes one decision on the model's context window (batch free, window K fixed): inputs states,
returns_to_go, timesteps, attention_mask and prev_actions (STRL, ANN-STRL) or actions (DT), raw and
left-padded; the graph normalises states and scales returns-to-go itself. Outputs action_logits and action
(discrete) or action (continuous), and for STRL the spike count of every LIF layer ("spikes/<layer>"; leave
them out with --no-spike-counts). ONNX opset ${OPSET}. The model's facts (env, context length, rtg scale,
state mean and std, strl version) are in the file's metadata. Run it with strl eval --onnx FILE, or from
Python or C++ with ONNX Runtime (docs/onnx.md).

Examples:
  strl export --checkpoint runs/strl --format onnx --out strl.onnx
  strl eval --onnx strl.onnx --episodes 10`;

export const command: Command = {
  summary: "write a checkpoint's policy as an ONNX graph (runs in ONNX Runtime)",
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...ENGINE_FLAG,
      checkpoint: { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      "no-spike-counts": { type: "boolean" },
    });
    const given = required("checkpoint", values.checkpoint);
    const format = required("format", values.format);
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: ${unknownMessage("format", format, FORMATS)}`);
    const out = required("out", values.out);
    if (isFolder(out)) throw new UsageError(`--out ${out} is a folder; give a file name such as ${out.replace(/\/+$/, "")}/policy.onnx`);
    const dir = checkpointDir(given);
    await startEngine(values.engine);
    const warn = (m: string): void => void process.stderr.write(`strl: warning: ${m}\n`);
    const r = await asUserError(() => checkpointToOnnx(dir, { spikeCounts: !values["no-spike-counts"], warn }), `--checkpoint ${dir}`);
    await asUserError(() => writeFileAtomic(out, r.bytes), `--out ${out}`);
    console.log(`wrote ${out}: the ${r.kind} policy for ${r.envId}, ONNX opset ${OPSET}, ${r.bytes.length} bytes`);
    return 0;
  },
};

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
