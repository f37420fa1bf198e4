/**
 * The "native" tfjs backend: tfjs-backend-cpu's data model (tensor values are plain typed arrays in JS memory,
 * so no 4 GiB wasm heap) with the hot kernels replaced by the C++ addon, which reads and writes those arrays in
 * place. Every kernel the addon does not provide is tfjs-backend-cpu's own, registered again under this
 * backend's name, so any tfjs op works; gradients are tfjs's, registered per kernel name.
 */
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { tf } from "../tf.js";
import type { NativeAddon } from "./addon.js";
import { nativeKernelConfigs } from "./kernels.js";

export const NATIVE_BACKEND = "native";

/** tfjs-backend-cpu's storage, made quiet (no "install tfjs-node" banner) and named for strl. */
export class NativeBackend extends MathBackendCPU {
  constructor(readonly addon: NativeAddon) {
    super();
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}

let registered = false;

/** Registers the backend and its kernels with tfjs (once). */
export function registerNativeBackend(addon: NativeAddon): void {
  if (registered) return;
  registered = true;
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon), 3);
  const own = nativeKernelConfigs(addon, NATIVE_BACKEND);
  const ownNames = new Set(own.map((k) => k.kernelName));
  for (const k of own) tf.registerKernel(k);
  for (const k of tf.getKernelsForBackend("cpu")) {
    if (!ownNames.has(k.kernelName)) tf.registerKernel({ ...k, backendName: NATIVE_BACKEND });
  }
}
