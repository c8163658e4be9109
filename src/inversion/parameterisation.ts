import { finite, isObject, show, ValidationError } from "./errors";
import type { EarthModel } from "../em";

/**
 * Model parameterisation for the inversion (METHODS.md part B): log10 rho0, log10 thickness and
 * log10 tau; chargeability m and exponent c linear. Every parameter of every layer is either free
 * within [min, max] or fixed.
 */
export type ParamKind = "rho0" | "thickness" | "m" | "tau" | "c";
export const PARAM_KINDS: readonly ParamKind[] = ["rho0", "thickness", "m", "tau", "c"];
/** Parameters searched in log10. */
export const LOG_KINDS: readonly ParamKind[] = ["rho0", "thickness", "tau"];

/** Physical range of each kind (inclusive flags) and a unit for messages. */
const RANGE: Record<ParamKind, { lo: number; hi: number; loOpen: boolean; hiOpen: boolean; unit: string }> = {
  rho0: { lo: 0, hi: Infinity, loOpen: true, hiOpen: true, unit: "ohm-m" },
  thickness: { lo: 0, hi: Infinity, loOpen: true, hiOpen: true, unit: "m" },
  m: { lo: 0, hi: 1, loOpen: false, hiOpen: true, unit: "" },
  tau: { lo: 0, hi: Infinity, loOpen: true, hiOpen: true, unit: "s" },
  c: { lo: 0, hi: 1, loOpen: true, hiOpen: false, unit: "" },
};

/**
 * One kind's specification: bounds (a number for every layer, or one per layer) and/or fixed
 * values (a number fixes every layer; an array fixes the layers with a number, null = free).
 */
export interface KindSpec {
  min?: number | number[];
  max?: number | number[];
  fixed?: number | (number | null)[];
}

export interface ParameterisationSpec {
  /** Number of layers, the last a half-space. */
  layers: number;
  rho0: KindSpec;
  /** Required when layers > 1 (layers - 1 entries). */
  thickness?: KindSpec;
  /** Default: fixed at 0 (no IP). */
  m?: KindSpec;
  /** Required when m is free somewhere; default fixed 1e-3 s when m is fixed at 0. */
  tau?: KindSpec;
  /** Required when m is free somewhere; default fixed 0.5 when m is fixed at 0. */
  c?: KindSpec;
  /** Roughness weight per kind, in search space (default rho0: 1, m: 1). */
  roughness?: Partial<Record<ParamKind, number>>;
}

export interface FreeParameter {
  kind: ParamKind;
  layer: number;
  log: boolean;
  /** Bounds in search space (log10 for log kinds). */
  lower: number;
  upper: number;
  /** e.g. "log10 rho0[2]" (layers counted from 1). */
  name: string;
}

export interface Parameterisation {
  spec: ParameterisationSpec;
  layers: number;
  free: FreeParameter[];
  /** Fixed values; free entries hold NaN. */
  template: EarthModel;
  roughness: Partial<Record<ParamKind, number>>;
  lower: number[];
  upper: number[];
}

function inRange(kind: ParamKind, v: number): boolean {
  const r = RANGE[kind];
  return (r.loOpen ? v > r.lo : v >= r.lo) && (r.hiOpen ? v < r.hi : v <= r.hi);
}

function rangeText(kind: ParamKind): string {
  const r = RANGE[kind];
  return `${r.loOpen ? "(" : "["}${r.lo}, ${r.hi === Infinity ? "inf" : r.hi}${r.hiOpen ? ")" : "]"}${r.unit ? " " + r.unit : ""}`;
}

function perLayer(v: unknown, n: number, field: string): (number | null)[] {
  if (v === undefined) return new Array(n).fill(null);
  if (typeof v === "number") return new Array(n).fill(finite(v, field));
  if (!Array.isArray(v) || v.length !== n)
    throw new ValidationError(field, `expected a number or an array of ${n} entries, got ${show(v)}`);
  return v.map((x, i) => (x === null ? null : finite(x, `${field}[${i}]`)));
}

/** Validate a parameterisation spec and compile it into free parameters with search-space bounds. */
export function compileParameterisation(specIn: unknown, field = "parameterisation"): Parameterisation {
  if (!isObject(specIn))
    throw new ValidationError(field, `expected an object {layers, rho0, thickness, m?, tau?, c?}, got ${show(specIn)}`);
  const spec = specIn as unknown as ParameterisationSpec;
  const layers = spec.layers;
  if (typeof layers !== "number" || !Number.isInteger(layers) || layers < 1 || layers > 200) {
    throw new ValidationError(
      `${field}.layers`,
      `expected an integer number of layers in [1, 200], got ${show(layers)}`,
    );
  }
  for (const k of Object.keys(spec)) {
    if (k !== "layers" && k !== "roughness" && !PARAM_KINDS.includes(k as ParamKind)) {
      throw new ValidationError(`${field}.${k}`, `unknown key; allowed: layers, ${PARAM_KINDS.join(", ")}, roughness`);
    }
  }
  const mSpec = spec.m ?? { fixed: 0 };
  const mAllZero =
    mSpec.min === undefined &&
    mSpec.max === undefined &&
    (mSpec.fixed === 0 || (Array.isArray(mSpec.fixed) && mSpec.fixed.every((v) => v === 0)));
  const specs: Record<ParamKind, KindSpec | undefined> = {
    rho0: spec.rho0,
    thickness: spec.thickness,
    m: mSpec,
    tau: spec.tau ?? (mAllZero ? { fixed: 1e-3 } : undefined),
    c: spec.c ?? (mAllZero ? { fixed: 0.5 } : undefined),
  };
  const template: EarthModel = { thickness: [], rho0: [], m: [], tau: [], c: [] };
  const free: FreeParameter[] = [];
  for (const kind of PARAM_KINDS) {
    const n = kind === "thickness" ? layers - 1 : layers;
    const f = `${field}.${kind}`;
    const ks = specs[kind];
    if (n === 0) {
      if (ks !== undefined && (ks.min !== undefined || ks.fixed !== undefined))
        throw new ValidationError(f, "a single half-space has no thickness; leave it out");
      continue;
    }
    if (ks === undefined) {
      throw new ValidationError(
        f,
        kind === "thickness" || kind === "rho0"
          ? `missing; give {min, max} (${rangeText(kind)}) or {fixed}`
          : `missing; chargeability m is free, so give ${kind} as {min, max} (${rangeText(kind)}) or {fixed}`,
      );
    }
    if (!isObject(ks)) throw new ValidationError(f, `expected {min, max} or {fixed}, got ${show(ks)}`);
    for (const k of Object.keys(ks))
      if (k !== "min" && k !== "max" && k !== "fixed")
        throw new ValidationError(`${f}.${k}`, "unknown key; allowed: min, max, fixed");
    const fixed = perLayer(ks.fixed, n, `${f}.fixed`);
    const lo = perLayer(ks.min, n, `${f}.min`);
    const hi = perLayer(ks.max, n, `${f}.max`);
    const log = LOG_KINDS.includes(kind);
    for (let j = 0; j < n; j++) {
      const fv = fixed[j];
      if (fv !== null) {
        if (!inRange(kind, fv))
          throw new ValidationError(
            `${f}.fixed${Array.isArray(ks.fixed) ? `[${j}]` : ""}`,
            `${fv} is outside ${rangeText(kind)}`,
          );
        template[kind].push(fv);
        continue;
      }
      const l = lo[j],
        u = hi[j];
      if (l === null || u === null) {
        throw new ValidationError(
          f,
          `layer ${j + 1} is neither fixed nor bounded; give min and max (${rangeText(kind)}) or a fixed value`,
        );
      }
      const fj = (w: string) => `${f}.${w}${Array.isArray(w === "min" ? ks.min : ks.max) ? `[${j}]` : ""}`;
      if (!inRange(kind, l)) throw new ValidationError(fj("min"), `${l} is outside ${rangeText(kind)}`);
      if (!inRange(kind, u)) throw new ValidationError(fj("max"), `${u} is outside ${rangeText(kind)}`);
      if (!(l < u))
        throw new ValidationError(
          fj("min"),
          `lower bound ${l} must be below upper bound ${u} (layer ${j + 1}); to fix the value use {fixed: ${l}}`,
        );
      template[kind].push(NaN);
      free.push({
        kind,
        layer: j,
        log,
        lower: log ? Math.log10(l) : l,
        upper: log ? Math.log10(u) : u,
        name: `${log ? "log10 " : ""}${kind}[${j + 1}]`,
      });
    }
  }
  if (free.length === 0)
    throw new ValidationError(field, "every parameter is fixed; free at least one (give it {min, max})");
  const roughness = spec.roughness ?? { rho0: 1, m: 1 };
  if (!isObject(roughness))
    throw new ValidationError(
      `${field}.roughness`,
      `expected weights per kind, e.g. {"rho0": 1, "m": 1}, got ${show(roughness)}`,
    );
  for (const [k, w] of Object.entries(roughness)) {
    if (!PARAM_KINDS.includes(k as ParamKind))
      throw new ValidationError(`${field}.roughness.${k}`, `unknown kind; allowed ${PARAM_KINDS.join(", ")}`);
    if (typeof w !== "number" || !(w >= 0) || !Number.isFinite(w))
      throw new ValidationError(`${field}.roughness.${k}`, `expected a weight >= 0, got ${show(w)}`);
  }
  return {
    spec,
    layers,
    free,
    template,
    roughness,
    lower: free.map((p) => p.lower),
    upper: free.map((p) => p.upper),
  };
}

/** The earth model of a search-space vector x. */
export function toModel(p: Parameterisation, x: ArrayLike<number>): EarthModel {
  const t = p.template;
  const m: EarthModel = {
    thickness: t.thickness.slice(),
    rho0: t.rho0.slice(),
    m: t.m.slice(),
    tau: t.tau.slice(),
    c: t.c.slice(),
  };
  for (let k = 0; k < p.free.length; k++) {
    const f = p.free[k];
    m[f.kind][f.layer] = f.log ? Math.pow(10, x[k]) : x[k];
  }
  return m;
}

/** The search-space vector of a model (its free entries; log10 where the kind is searched in log). */
export function toVector(p: Parameterisation, model: EarthModel): Float64Array {
  return Float64Array.from(p.free.map((f) => (f.log ? Math.log10(model[f.kind][f.layer]) : model[f.kind][f.layer])));
}

/** Search-space value of one property of every layer (log10 for the log kinds). */
export function searchValues(model: EarthModel, kind: ParamKind): number[] {
  const v = model[kind];
  return LOG_KINDS.includes(kind) ? v.map((x) => Math.log10(x)) : v.slice();
}

/** Kinds with at least one free layer. */
export function freeKinds(p: Parameterisation): ParamKind[] {
  return PARAM_KINDS.filter((k) => p.free.some((f) => f.kind === k));
}
