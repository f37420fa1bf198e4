/**
 * An exported policy run through ONNX Runtime: `OnnxPolicyRunner` builds each decision's window from the
 * episode so far exactly as strl's `getAction` does (`historyToBatch`: crop to the last K steps, left-pad, the
 * "no action" index at t = 0), but with raw states and unscaled returns-to-go, since the graph normalises them
 * itself; `onnxPolicy` makes it an evaluation `Policy`.
 */
import type { Action } from "../envs/core.js";
import type { Policy } from "../eval/policy.js";
import { historyToBatch, type History, type NormSpec } from "../models/policy.js";
import type { ActionHead } from "../models/types.js";
import { readModelInfo } from "./onnx-proto.js";
import { loadOnnxRuntime, type OnnxRuntime, type OrtSession, type OrtSessionOptions, type OrtTensor } from "./onnx-runtime.js";

/** What the runner reads from the file's metadata_props. */
export interface OnnxPolicyInfo {
  kind: string;
  envId: string;
  envOptions: Record<string, unknown>;
  contextLength: number;
  obsDim: number;
  head: ActionHead;
  rtgScale: number;
  opset: number | undefined;
}

/** The policy facts of an .onnx file written by `strl export` (a RangeError naming what is missing). */
export function onnxPolicyInfo(bytes: Uint8Array): OnnxPolicyInfo {
  const info = readModelInfo(bytes);
  const m = info.metadata;
  const need = (k: string): string => {
    const v = m[k];
    if (v === undefined || v === "") throw new RangeError(`not a policy written by strl export (metadata '${k}' is missing)`);
    return v;
  };
  const num = (k: string): number => {
    const v = Number(need(k));
    if (!Number.isFinite(v)) throw new RangeError(`metadata '${k}' is not a number: ${m[k]}`);
    return v;
  };
  return {
    kind: need("model_kind"),
    envId: need("env_id"),
    envOptions: JSON.parse(m.env_options || "{}") as Record<string, unknown>,
    contextLength: num("context_length"),
    obsDim: num("obs_dim"),
    head: JSON.parse(need("action_head")) as ActionHead,
    rtgScale: num("rtg_scale"),
    opset: info.opset,
  };
}

export interface OnnxDecision {
  action: number | Float32Array;
  /** every output of the run, as float32 / int64 arrays, by name */
  outputs: Record<string, OrtTensor>;
}

export class OnnxPolicyRunner {
  private readonly spec: NormSpec;

  private constructor(
    private readonly ort: OnnxRuntime,
    readonly session: OrtSession,
    readonly info: OnnxPolicyInfo,
  ) {
    // identity normalisation: the window holds raw values, the graph normalises them
    this.spec = {
      obsDim: info.obsDim,
      head: info.head,
      contextLength: info.contextLength,
      stateMean: new Array<number>(info.obsDim).fill(0),
      stateStd: new Array<number>(info.obsDim).fill(1),
      rtgScale: 1,
    };
  }

  /** Opens an exported policy (loads ONNX Runtime: `OnnxRuntimeMissing` where it is not installed). */
  static async open(bytes: Uint8Array, options: OrtSessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 }): Promise<OnnxPolicyRunner> {
    const info = onnxPolicyInfo(bytes);
    const ort = loadOnnxRuntime();
    const session = await ort.InferenceSession.create(bytes, options);
    return new OnnxPolicyRunner(ort, session, info);
  }

  /** The graph's feeds for one decision on `h` (batch 1). */
  feeds(h: History): Record<string, OrtTensor> {
    const b = historyToBatch(this.spec, h);
    const K = b.K;
    const { Tensor } = this.ort;
    const int64 = (a: Int32Array) => BigInt64Array.from(a, (v) => BigInt(v));
    const act = (a: Int32Array | Float32Array) =>
      a instanceof Int32Array ? new Tensor("int64", int64(a), [1, K]) : new Tensor("float32", a, [1, K, a.length / K]);
    const all: Record<string, OrtTensor> = {
      states: new Tensor("float32", b.states, [1, K, this.info.obsDim]),
      returns_to_go: new Tensor("float32", b.rtg, [1, K, 1]),
      timesteps: new Tensor("int64", int64(b.timesteps), [1, K]),
      attention_mask: new Tensor("float32", b.mask, [1, K]),
      prev_actions: act(b.prevActions),
      actions: act(b.actions),
    };
    const feeds: Record<string, OrtTensor> = {};
    for (const name of this.session.inputNames) {
      if (!all[name]) throw new RangeError(`the ONNX policy has an input '${name}' strl does not know`);
      feeds[name] = all[name]!;
    }
    return feeds;
  }

  /** One decision: the action (the graph's arg-max, or the continuous action) and every output. */
  async decide(h: History): Promise<OnnxDecision> {
    const outputs = await this.session.run(this.feeds(h));
    const a = outputs.action!;
    const action = this.info.head.kind === "discrete" ? Number((a.data as BigInt64Array)[0]!) : Float32Array.from(a.data as Float32Array);
    return { action, outputs };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** The runner as an evaluation policy (the episode so far in, the action out). */
export function onnxPolicy(runner: OnnxPolicyRunner, name = `onnx ${runner.info.kind}`): Policy {
  return {
    name,
    async act(ctx): Promise<Action> {
      const t = ctx.timestep;
      const history: History = {
        observations: ctx.observations,
        actions: ctx.actions as History["actions"],
        returnsToGo: ctx.returnsToGoUnscaled,
        timesteps: Array.from({ length: t + 1 }, (_, i) => i),
      };
      const { action } = await runner.decide(history);
      return typeof action === "number" ? action : Array.from(action);
    },
  };
}

/** Runs `fn` with an opened runner and releases it after. */
export async function withOnnxPolicy<R>(bytes: Uint8Array, fn: (r: OnnxPolicyRunner) => Promise<R>): Promise<R> {
  const runner = await OnnxPolicyRunner.open(bytes);
  try {
    return await fn(runner);
  } finally {
    await runner.release();
  }
}
