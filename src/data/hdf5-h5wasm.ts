/**
 * Loads h5wasm once, with its throwing error handler switched on (HDF5 failures become JS `Error`s instead of
 * diagnostics printed to stderr and an invalid id), and the typed helpers the dataset reader needs.
 */
import h5wasm from "h5wasm/node";
import type { Dataset as H5Dataset, Group as H5Group } from "h5wasm/node";

let loaded: Promise<typeof h5wasm> | undefined;

/** The h5wasm module, ready to use. */
export function loadH5(): Promise<typeof h5wasm> {
  if (!loaded) {
    loaded = h5wasm.ready.then((module) => {
      module.activate_throwing_error_handler();
      return h5wasm;
    });
  }
  return loaded;
}

export type H5File = InstanceType<typeof h5wasm.File>;
export type { H5Dataset, H5Group };

/** The first line of an h5wasm/HDF5 error that says what went wrong (its messages run to many lines). */
export function h5ErrorLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  const located = lines.find((l) => /^#\d+:/.test(l));
  return (located ?? lines[0] ?? "unknown HDF5 error").replace(/^#\d+:\s*\S+ line \d+ in /, "");
}
