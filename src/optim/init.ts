import { Bounds } from "./bounds";

/** NP points drawn uniformly in the box: x_ij = s_j + rand * (k_j - s_j) (seed eq. 10). */
export function uniformInit(np: number, bounds: Bounds, rand: () => number): Float64Array[] {
  const d = bounds.lower.length;
  const pop: Float64Array[] = [];
  for (let i = 0; i < np; i++) {
    const x = new Float64Array(d);
    for (let j = 0; j < d; j++) x[j] = bounds.lower[j] + rand() * (bounds.upper[j] - bounds.lower[j]);
    pop.push(x);
  }
  return pop;
}

/** The opposite point x'_j = s_j + k_j - x_j (seed eq. 11; Rahnamayan et al. 2008). */
export function opposite(x: Float64Array, bounds: Bounds): Float64Array {
  const o = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) o[j] = bounds.lower[j] + bounds.upper[j] - x[j];
  return o;
}

/**
 * Opposition-based initialisation (seed eqs. 10-11): NP uniform points followed by their NP
 * opposites. Evaluate all 2NP and keep the NP fittest with `selectFittest`.
 */
export function oppositionInit(np: number, bounds: Bounds, rand: () => number): Float64Array[] {
  const xs = uniformInit(np, bounds, rand);
  return [...xs, ...xs.map((x) => opposite(x, bounds))];
}

/** Indices of the `n` smallest values, ties broken by index (stable, so runs are reproducible). */
export function selectFittest(values: ArrayLike<number>, n: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => cmpFitness(values[a], values[b]) || a - b);
  return idx.slice(0, n);
}

/** Compare fitness values with NaN ranked worst. */
export function cmpFitness(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
