/**
 * DE mutation strategies (Storn & Price 1997; the seed's Table 1 and eqs. 3 and 9) and binomial
 * crossover (seed eq. 4). Each strategy writes the mutant v_i into `out`; indices r1, r2, ... are
 * mutually distinct and differ from i.
 */

/** Strategy names, in the "DE/x/y" notation without the "DE/" prefix. */
export type Strategy =
  "rand/1" | "best/1" | "current-to-best/1" | "best/2" | "rand/2" | "rand-to-best/1" | "current-to-pbest/1";

export const STRATEGIES: readonly Strategy[] = [
  "rand/1",
  "best/1",
  "current-to-best/1",
  "best/2",
  "rand/2",
  "rand-to-best/1",
  "current-to-pbest/1",
];

/** Smallest population each strategy can draw its distinct indices from. */
export const MIN_POPULATION: Record<Strategy, number> = {
  "rand/1": 4,
  "best/1": 3,
  "current-to-best/1": 3,
  "best/2": 5,
  "rand/2": 6,
  "rand-to-best/1": 4,
  "current-to-pbest/1": 3,
};

export interface MutationContext {
  pop: Float64Array[];
  /** Target (current) index. */
  i: number;
  /** Index of the best individual. */
  best: number;
  /** For current-to-pbest/1: index of the randomly chosen one of the 100p % best. */
  pbest: number;
  /** For current-to-pbest/1: archive of replaced parents (may be empty). */
  archive: Float64Array[];
  F: number;
  rand: () => number;
}

/** Draw an index in [0, n) not in `exclude` (rejection sampling; deterministic for a given rand). */
export function randomIndex(n: number, exclude: number[], rand: () => number): number {
  for (;;) {
    const r = Math.floor(rand() * n);
    if (!exclude.includes(r)) return r;
  }
}

/** `k` distinct indices in [0, n), all different from `i`. */
export function distinctIndices(n: number, k: number, i: number, rand: () => number): number[] {
  const ex = [i];
  for (let t = 0; t < k; t++) ex.push(randomIndex(n, ex, rand));
  return ex.slice(1);
}

/** DE/rand/1: v = x_r1 + F (x_r2 - x_r3). */
export function mutateRand1(c: MutationContext, out: Float64Array): void {
  const [r1, r2, r3] = distinctIndices(c.pop.length, 3, c.i, c.rand);
  const a = c.pop[r1],
    b = c.pop[r2],
    d = c.pop[r3];
  for (let j = 0; j < out.length; j++) out[j] = a[j] + c.F * (b[j] - d[j]);
}

/** DE/best/1 (seed eq. 3): v = x_best + F (x_r1 - x_r2). */
export function mutateBest1(c: MutationContext, out: Float64Array): void {
  const [r1, r2] = distinctIndices(c.pop.length, 2, c.i, c.rand);
  const g = c.pop[c.best],
    a = c.pop[r1],
    b = c.pop[r2];
  for (let j = 0; j < out.length; j++) out[j] = g[j] + c.F * (a[j] - b[j]);
}

/** DE/current-to-best/1: v = x_i + F (x_best - x_i) + F (x_r1 - x_r2). */
export function mutateCurrentToBest1(c: MutationContext, out: Float64Array): void {
  const [r1, r2] = distinctIndices(c.pop.length, 2, c.i, c.rand);
  const x = c.pop[c.i],
    g = c.pop[c.best],
    a = c.pop[r1],
    b = c.pop[r2];
  for (let j = 0; j < out.length; j++) out[j] = x[j] + c.F * (g[j] - x[j]) + c.F * (a[j] - b[j]);
}

/** DE/best/2: v = x_best + F (x_r1 - x_r2) + F (x_r3 - x_r4). */
export function mutateBest2(c: MutationContext, out: Float64Array): void {
  const [r1, r2, r3, r4] = distinctIndices(c.pop.length, 4, c.i, c.rand);
  const g = c.pop[c.best],
    a = c.pop[r1],
    b = c.pop[r2],
    e = c.pop[r3],
    f = c.pop[r4];
  for (let j = 0; j < out.length; j++) out[j] = g[j] + c.F * (a[j] - b[j]) + c.F * (e[j] - f[j]);
}

/** DE/rand/2: v = x_r1 + F (x_r2 - x_r3) + F (x_r4 - x_r5). */
export function mutateRand2(c: MutationContext, out: Float64Array): void {
  const [r1, r2, r3, r4, r5] = distinctIndices(c.pop.length, 5, c.i, c.rand);
  const a = c.pop[r1],
    b = c.pop[r2],
    d = c.pop[r3],
    e = c.pop[r4],
    f = c.pop[r5];
  for (let j = 0; j < out.length; j++) out[j] = a[j] + c.F * (b[j] - d[j]) + c.F * (e[j] - f[j]);
}

/** DE/rand-to-best/1: v = x_r1 + F (x_best - x_r1) + F (x_r2 - x_r3). */
export function mutateRandToBest1(c: MutationContext, out: Float64Array): void {
  const [r1, r2, r3] = distinctIndices(c.pop.length, 3, c.i, c.rand);
  const g = c.pop[c.best],
    a = c.pop[r1],
    b = c.pop[r2],
    d = c.pop[r3];
  for (let j = 0; j < out.length; j++) out[j] = a[j] + c.F * (g[j] - a[j]) + c.F * (b[j] - d[j]);
}

/**
 * DE/current-to-pbest/1 with archive (JADE; seed eq. 9):
 * v_i = x_i + F_i (x_pbest - x_i) + F_i (x_r1 - x~_r2), r1 drawn from the population (not i),
 * x~_r2 from the union of population and archive (not i, not r1).
 */
export function mutateCurrentToPBest(c: MutationContext, out: Float64Array): void {
  const np = c.pop.length;
  const r1 = randomIndex(np, [c.i], c.rand);
  const r2 = randomIndex(np + c.archive.length, [c.i, r1], c.rand);
  const x = c.pop[c.i],
    p = c.pop[c.pbest],
    a = c.pop[r1];
  const b = r2 < np ? c.pop[r2] : c.archive[r2 - np];
  for (let j = 0; j < out.length; j++) out[j] = x[j] + c.F * (p[j] - x[j]) + c.F * (a[j] - b[j]);
}

export const MUTATIONS: Record<Strategy, (c: MutationContext, out: Float64Array) => void> = {
  "rand/1": mutateRand1,
  "best/1": mutateBest1,
  "current-to-best/1": mutateCurrentToBest1,
  "best/2": mutateBest2,
  "rand/2": mutateRand2,
  "rand-to-best/1": mutateRandToBest1,
  "current-to-pbest/1": mutateCurrentToPBest,
};

/**
 * Binomial crossover (seed eq. 4): u_j = v_j if rand <= CR or j = j_rand, else x_j. Writes into
 * `v` (which becomes the trial u). One rand() for j_rand, then one per coordinate.
 */
export function binomialCrossover(x: Float64Array, v: Float64Array, CR: number, rand: () => number): void {
  const d = x.length;
  const jr = Math.floor(rand() * d);
  for (let j = 0; j < d; j++) {
    if (j !== jr && !(rand() <= CR)) v[j] = x[j];
  }
}
