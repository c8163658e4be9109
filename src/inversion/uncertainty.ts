import type { EarthModel } from "../em";
import { valuesAtDepths } from "./model";
import { Parameterisation, toModel } from "./parameterisation";

/** Spread of one free parameter over a set of models (a final population, or repeated runs). */
export interface ParameterStats {
  name: string;
  kind: string;
  layer: number;
  /** Physical units (ohm-m, m, -, s, -). */
  median: number;
  p05: number;
  p95: number;
  /** Standard deviation in search space (log10 units for rho, thickness, tau). */
  sdSearch: number;
}

/** Quantile q in [0, 1] of a sample, by linear interpolation between order statistics. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Array.from(values)
    .filter((v) => !Number.isNaN(v))
    .sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Per free parameter: median and 5-95 % range (physical units) and search-space sd over vectors xs. */
export function parameterStats(p: Parameterisation, xs: ArrayLike<number>[]): ParameterStats[] {
  return p.free.map((f, k) => {
    const v = xs.map((x) => x[k]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
    const phys = (y: number) => (f.log ? Math.pow(10, y) : y);
    return {
      name: f.name,
      kind: f.kind,
      layer: f.layer,
      median: phys(quantile(v, 0.5)),
      p05: phys(quantile(v, 0.05)),
      p95: phys(quantile(v, 0.95)),
      sdSearch: sd,
    };
  });
}

/** A band of a property against depth: quantiles over models sampled on a depth grid. */
export interface DepthBand {
  depth: number[];
  lower: number[];
  median: number[];
  upper: number[];
}

/**
 * Quantile band of `key` against depth over a set of models (each may have its own layer
 * boundaries). Quantiles commute with the log, so the band is the same in log or linear.
 */
export function depthBand(
  models: EarthModel[],
  key: "rho0" | "m" | "tau" | "c",
  depths: ArrayLike<number>,
  q: [number, number] = [0.05, 0.95],
): DepthBand {
  const cols = models.map((m) => valuesAtDepths(m, key, depths));
  const d = Array.from(depths);
  const at = (i: number) => cols.map((c) => c[i]);
  return {
    depth: d,
    lower: d.map((_, i) => quantile(at(i), q[0])),
    median: d.map((_, i) => quantile(at(i), 0.5)),
    upper: d.map((_, i) => quantile(at(i), q[1])),
  };
}

/** A regular depth grid from 0 to maxDepth with n points. */
export function depthGrid(maxDepth: number, n = 200): number[] {
  return Array.from({ length: n }, (_, i) => (maxDepth * i) / (n - 1));
}

/** The earth models of a set of search vectors. */
export function modelsOf(p: Parameterisation, xs: ArrayLike<number>[]): EarthModel[] {
  return xs.map((x) => toModel(p, x));
}
