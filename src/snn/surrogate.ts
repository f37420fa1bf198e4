/**
 * Surrogate gradients. Every surrogate fires with the exact Heaviside step Θ(x) (Θ(0) = 1) in the forward pass
 * and back-propagates the derivative of a smooth (or piecewise) primitive g(x) ≈ Θ(x), where x = H - v_th.
 * Each has one named shape parameter: `alpha` (sharpness) or, for the rectangle, `width`.
 */

export type SurrogateName = "sigmoid" | "atan" | "fast-sigmoid" | "softsign" | "piecewise-quadratic" | "rectangular";

export interface SurrogateSpec {
  name: SurrogateName;
  /** Sharpness for all but "rectangular". */
  alpha?: number;
  /** Window width for "rectangular". */
  width?: number;
}

export interface Surrogate {
  readonly name: SurrogateName;
  /** The parameter's name ("alpha" or "width") and value. */
  readonly param: { name: "alpha" | "width"; value: number };
  /** dΘ/dx as the surrogate defines it. */
  grad(x: number): number;
  /** The primitive g with g' = grad (used to check the gradient by finite differences). */
  primitive(x: number): number;
  toJSON(): SurrogateSpec;
}

const DEFAULTS: Record<SurrogateName, number> = {
  sigmoid: 4,
  atan: 2,
  "fast-sigmoid": 2,
  softsign: 2,
  "piecewise-quadratic": 1,
  rectangular: 1,
};

export const SURROGATE_NAMES = Object.keys(DEFAULTS) as SurrogateName[];

/**
 * The parameter value a spec stands for (its alpha, or width for "rectangular"; the default when unset), without
 * building the surrogate: the native LIF kernel takes the surrogate as (name, value). Assumes a valid spec
 * (one that `makeSurrogate` accepts).
 */
export function surrogateParam(spec: SurrogateSpec): number {
  return (spec.name === "rectangular" ? spec.width : spec.alpha) ?? DEFAULTS[spec.name];
}

/** The exact spike function: 1 when x >= 0, else 0. */
export function heaviside(x: number): number {
  return x >= 0 ? 1 : 0;
}

function sigmoid(z: number): number {
  // Numerically stable for large |z| (no overflow to NaN).
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Builds a surrogate from its name and parameter (default per name); bad names or values are clear errors. */
export function makeSurrogate(spec: SurrogateName | SurrogateSpec = "sigmoid"): Surrogate {
  const s: SurrogateSpec = typeof spec === "string" ? { name: spec } : spec;
  if (!SURROGATE_NAMES.includes(s.name)) {
    throw new RangeError(`unknown surrogate '${String(s.name)}'; known: ${SURROGATE_NAMES.join(", ")}`);
  }
  const isRect = s.name === "rectangular";
  const paramName = isRect ? "width" : "alpha";
  const given = isRect ? s.width : s.alpha;
  const wrong = isRect ? s.alpha : s.width;
  if (wrong !== undefined) {
    throw new RangeError(`surrogate '${s.name}' takes '${paramName}', not '${isRect ? "alpha" : "width"}'`);
  }
  const a = given ?? DEFAULTS[s.name];
  if (typeof a !== "number" || !Number.isFinite(a) || a <= 0) {
    throw new RangeError(`surrogate '${s.name}': ${paramName} must be a positive finite number, got ${String(a)}`);
  }
  let grad: (x: number) => number;
  let primitive: (x: number) => number;
  switch (s.name) {
    case "sigmoid":
      // g = σ(a x), g' = a σ(a x)(1 - σ(a x))
      primitive = (x) => sigmoid(a * x);
      // σ'(z) = e / (1 + e)² with e = exp(-|z|): symmetric, branch-free and overflow-free.
      grad = (x) => {
        const e = Math.exp(-Math.abs(a * x));
        const q = 1 + e;
        return (a * e) / (q * q);
      };
      break;
    case "atan":
      // g = atan(π/2 a x)/π + 1/2, g' = a / (2 (1 + (π/2 a x)²))
      primitive = (x) => Math.atan((Math.PI / 2) * a * x) / Math.PI + 0.5;
      grad = (x) => {
        const z = (Math.PI / 2) * a * x;
        return a / (2 * (1 + z * z));
      };
      break;
    case "fast-sigmoid":
    case "softsign":
      // g = (a x / (1 + |a x|) + 1) / 2, g' = a / (2 (1 + |a x|)²)
      primitive = (x) => ((a * x) / (1 + Math.abs(a * x)) + 1) / 2;
      grad = (x) => {
        const z = 1 + Math.abs(a * x);
        return a / (2 * z * z);
      };
      break;
    case "piecewise-quadratic":
      // g' = a - a²|x| for |x| <= 1/a, else 0; g = 0 / (a x - a² x|x|/2 + 1/2) / 1
      primitive = (x) => (x < -1 / a ? 0 : x > 1 / a ? 1 : a * x - (a * a * x * Math.abs(x)) / 2 + 0.5);
      grad = (x) => (Math.abs(x) > 1 / a ? 0 : a - a * a * Math.abs(x));
      break;
    case "rectangular":
      // g' = 1/w on |x| < w/2, else 0; g = clamp(x/w + 1/2, 0, 1)
      primitive = (x) => Math.min(1, Math.max(0, x / a + 0.5));
      grad = (x) => (Math.abs(x) < a / 2 ? 1 / a : 0);
      break;
  }
  const name = s.name;
  return {
    name,
    param: { name: paramName, value: a },
    grad,
    primitive,
    toJSON: () => (isRect ? { name, width: a } : { name, alpha: a }),
  };
}
