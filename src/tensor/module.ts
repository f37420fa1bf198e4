/**
 * A minimal module tree (nanoGPT / PyTorch style): parameters and child modules registered by name, dotted
 * names (`blocks.0.attn.qkv.weight`) for checkpoints, the optimiser and the energy counter, and a
 * training flag that switches dropout. Parameters are created from seeded `Rng` draws.
 */
import { tf, type Variable } from "./tf.js";
import type { Rng } from "./rng.js";

export abstract class Module {
  private readonly ownParams = new Map<string, Variable>();
  private readonly childModules = new Map<string, Module>();
  /** The module this one is registered in, under `name` (unset for a root or a free-standing module). */
  private owner: { module: Module; name: string } | undefined;
  training = true;

  /** Registers a trainable parameter made from `values` (row-major) with `shape`. */
  protected addParam(name: string, values: Float32Array, shape: number[]): Variable {
    if (this.ownParams.has(name) || this.childModules.has(name)) throw new Error(`duplicate member name '${name}'`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new RangeError(`parameter '${name}': ${values.length} values for shape [${shape}]`);
    const initial = tf.tensor(values, shape, "float32");
    const v = tf.variable(initial, true);
    initial.dispose(); // tf.variable copies its initial value
    this.ownParams.set(name, v);
    return v;
  }

  protected addModule<M extends Module>(name: string, m: M): M {
    if (this.ownParams.has(name) || this.childModules.has(name)) throw new Error(`duplicate member name '${name}'`);
    if (m.owner) throw new Error(`module '${name}' is already registered as '${m.path()}'`);
    this.childModules.set(name, m);
    m.owner = { module: this, name };
    return m;
  }

  /**
   * This module's dotted name from the root of its tree (`blocks.0.attn.q_lif`, as `namedModules` gives it), or
   * undefined for a module registered in none.
   */
  path(): string | undefined {
    if (!this.owner) return undefined;
    const up = this.owner.module.path();
    return up === undefined ? this.owner.name : `${up}.${this.owner.name}`;
  }

  /** All parameters with dotted names, in registration order (deterministic). */
  namedParameters(prefix = ""): Array<[string, Variable]> {
    const out: Array<[string, Variable]> = [];
    for (const [n, p] of this.ownParams) out.push([prefix + n, p]);
    for (const [n, m] of this.childModules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Child modules with dotted names (depth first), this module excluded. */
  namedModules(prefix = ""): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [n, m] of this.childModules) {
      out.push([prefix + n, m]);
      out.push(...m.namedModules(`${prefix}${n}.`));
    }
    return out;
  }

  parameters(): Variable[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of scalar parameters. */
  numParams(): number {
    return this.parameters().reduce((a, p) => a + p.size, 0);
  }

  /** Sets the training flag on this module and every child. */
  train(on = true): this {
    this.training = on;
    for (const m of this.childModules.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  dispose(): void {
    for (const p of this.ownParams.values()) p.dispose();
    for (const m of this.childModules.values()) m.dispose();
  }
}

/** Init helpers: each returns a fresh Float32Array of `size` values drawn from `rng`. */
export const init = {
  uniform(rng: Rng, size: number, bound: number): Float32Array {
    return rng.fillUniform(new Float32Array(size), -bound, bound);
  },
  normal(rng: Rng, size: number, std: number): Float32Array {
    return rng.fillNormal(new Float32Array(size), 0, std);
  },
  truncatedNormal(rng: Rng, size: number, std: number): Float32Array {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = rng.truncatedNormal(0, std);
    return out;
  },
  constant(size: number, value: number): Float32Array {
    return new Float32Array(size).fill(value);
  },
};
