/**
 * A checkpoint folder -> the bytes of its .onnx file. The checkpoint is loaded and its model built exactly as
 * evaluation does (`loadModel`: every weight checked against the model's parameters by name and shape), then
 * the graph is made from the checked weights. Write the bytes with `writeFileAtomic` (src/io): a temp file
 * renamed over the target, so a failed export leaves no file.
 */
import { loadModel } from "../checkpoint/index.js";
import { exportOnnx, type ExportOptions } from "./onnx-export.js";

export interface ExportedPolicy {
  bytes: Uint8Array;
  kind: string;
  envId: string;
}

/** The .onnx bytes of the model of checkpoint folder `dir` (see the module comment). */
export async function checkpointToOnnx(dir: string, opts: ExportOptions & { warn?: (m: string) => void } = {}): Promise<ExportedPolicy> {
  const { model, checkpoint } = await loadModel(dir, { warn: opts.warn });
  try {
    const envId = checkpoint.config.env.id;
    const bytes = exportOnnx({ modelConfig: model.config.toJSON(), weights: checkpoint.weights, envId, envOptions: checkpoint.config.env.options }, opts);
    return { bytes, kind: model.kind, envId };
  } finally {
    model.dispose();
  }
}
