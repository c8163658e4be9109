import { gaussian, mulberry32 } from "../config";

/**
 * Standard test functions for optimisers, in batch form. Global minimum 0 for all of them
 * (sphere and Rastrigin at x = 0, Rosenbrock at x = 1, Ackley at x = 0).
 */
export type TestFunctionName = "sphere" | "rosenbrock" | "rastrigin" | "ackley";

export function sphere(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j];
  return s;
}

/** sum_j 100 (x_{j+1} - x_j^2)^2 + (1 - x_j)^2. */
export function rosenbrock(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j + 1 < x.length; j++) {
    const a = x[j + 1] - x[j] * x[j];
    const b = 1 - x[j];
    s += 100 * a * a + b * b;
  }
  return s;
}

/** 10 d + sum_j (x_j^2 - 10 cos(2 pi x_j)). */
export function rastrigin(x: ArrayLike<number>): number {
  let s = 10 * x.length;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j] - 10 * Math.cos(2 * Math.PI * x[j]);
  return s;
}

export function ackley(x: ArrayLike<number>): number {
  const d = x.length;
  let s1 = 0;
  let s2 = 0;
  for (let j = 0; j < d; j++) {
    s1 += x[j] * x[j];
    s2 += Math.cos(2 * Math.PI * x[j]);
  }
  return -20 * Math.exp(-0.2 * Math.sqrt(s1 / d)) - Math.exp(s2 / d) + 20 + Math.E;
}

export const TEST_FUNCTIONS: Record<
  TestFunctionName,
  { f: (x: ArrayLike<number>) => number; lower: number; upper: number }
> = {
  sphere: { f: sphere, lower: -100, upper: 100 },
  rosenbrock: { f: rosenbrock, lower: -30, upper: 30 },
  rastrigin: { f: rastrigin, lower: -5.12, upper: 5.12 },
  ackley: { f: ackley, lower: -32, upper: 32 },
};

/** Box of the usual benchmark domain in `dim` dimensions. */
export function testBounds(name: TestFunctionName, dim: number): [number, number][] {
  const t = TEST_FUNCTIONS[name];
  return Array.from({ length: dim }, () => [t.lower, t.upper] as [number, number]);
}

/**
 * Batch objective factory (also the worker factory for WorkerPool): `{ name, spinMicros }`;
 * spinMicros adds a busy wait per point to stand for an expensive objective in timing tests.
 */
export function testObjective(args: { name: TestFunctionName; spinMicros?: number }): (xs: Float64Array[]) => number[] {
  const t = TEST_FUNCTIONS[args.name];
  if (!t) throw new Error(`unknown test function '${args.name}'`);
  const spin = args.spinMicros ?? 0;
  return (xs) =>
    xs.map((x) => {
      if (spin > 0) {
        const end = process.hrtime.bigint() + BigInt(Math.round(spin * 1000));
        while (process.hrtime.bigint() < end);
      }
      return t.f(x);
    });
}

// ---------------------------------------------------------------------------------------------
// Shifted, rotated and asymmetric-box variants (CEC-style), where opposition can matter.
//
// The classic functions above sit in boxes symmetric about their optimum, and sphere, Rastrigin
// and Ackley are even: f(x) = f(-x). The opposite of x in such a box, s + k - x = -x, is then
// exactly as good as x, so opposition-based initialisation cannot help there by construction.
// The variants below break that symmetry in two ways:
//   - shifted-rotated: f(z) with z = R (c (x - o)) (+ 1 for Rosenbrock), R a seeded random
//     orthogonal matrix, o a seeded shift toward one corner of the box [-100, 100]^d, c the
//     CEC 2013 scale that maps the box onto the function's usual domain;
//   - asymmetric box: the plain function in a box that puts the optimum a quarter of the way
//     from the lower bound (box [-w/2, 3w/2] per coordinate for a classic half-width w).
// ---------------------------------------------------------------------------------------------

/** Scale c of z = R (c (x - o)) that maps [-100, 100] onto the function's usual domain (after CEC 2013). */
export const SHIFT_ROTATE_SCALE: Record<TestFunctionName, number> = {
  sphere: 1,
  rosenbrock: 2.048 / 100,
  rastrigin: 5.12 / 100,
  // CEC 2013 leaves Ackley unscaled on [-100, 100], where it is a needle in a plateau that every
  // DE variant fails alike (f stays near 20.9); scaled to its usual [-32, 32] it is searchable.
  ackley: 32 / 100,
};

/** Where the un-shifted function has its minimum (every coordinate). */
const BASE_OPTIMUM: Record<TestFunctionName, number> = { sphere: 0, rosenbrock: 1, rastrigin: 0, ackley: 0 };

/**
 * A random orthogonal matrix (row-major, dim x dim): modified Gram-Schmidt on a matrix of standard
 * normal deviates from mulberry32(seed), so deterministic from the seed. With the column signs of
 * the QR fixed by Gram-Schmidt, this is Haar-distributed (Mezzadri 2007).
 */
export function randomRotation(dim: number, seed: number): Float64Array {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim: must be an integer >= 1, got ${dim}`);
  const g = gaussian(mulberry32(seed));
  const q = new Float64Array(dim * dim);
  for (let k = 0; k < dim * dim; k++) q[k] = g();
  for (let i = 0; i < dim; i++) {
    const row = i * dim;
    // twice for numerical orthogonality ("twice is enough")
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < dim; k++) dot += q[row + k] * q[j * dim + k];
        for (let k = 0; k < dim; k++) q[row + k] -= dot * q[j * dim + k];
      }
    }
    let n = 0;
    for (let k = 0; k < dim; k++) n += q[row + k] * q[row + k];
    n = Math.sqrt(n);
    for (let k = 0; k < dim; k++) q[row + k] /= n;
  }
  return q;
}

/** y = R x for a row-major dim x dim matrix. */
export function rotate(r: ArrayLike<number>, x: ArrayLike<number>, out = new Float64Array(x.length)): Float64Array {
  const d = x.length;
  if (r.length !== d * d) throw new Error(`rotation has ${r.length} entries, expected ${d * d} for dimension ${d}`);
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let k = 0; k < d; k++) s += r[row + k] * x[k];
    out[i] = s;
  }
  return out;
}

export interface ShiftedRotatedOptions {
  /** Rotate (default true); false gives the shifted-only function. */
  rotate?: boolean;
  /** Box, the same for every coordinate (default [-100, 100]). */
  box?: [number, number];
  /** The shift o_j is drawn uniformly in lower + [from, to] x width (default [0.7, 0.9]: toward the upper corner). */
  shiftFraction?: [number, number];
}

/** A test problem: objective, box, and where its minimum (value `fOpt`) is. */
export interface TestProblem {
  name: string;
  dim: number;
  f: (x: ArrayLike<number>) => number;
  bounds: [number, number][];
  optimum: Float64Array;
  fOpt: number;
  /** Row-major rotation (identity-free problems: null). */
  rotation: Float64Array | null;
}

/**
 * CEC-style shifted-rotated version of a classic function: f(x) = g(R (c (x - o)) + b), where g is
 * the classic function, b its optimum (1 for Rosenbrock, else 0), c = SHIFT_ROTATE_SCALE, R =
 * randomRotation(dim, seed) and o drawn from mulberry32(seed + 1) in the upper corner of the box.
 * Minimum 0 at x = o. Deterministic from (name, dim, seed, options).
 */
export function shiftedRotated(
  name: TestFunctionName,
  dim: number,
  seed: number,
  options: ShiftedRotatedOptions = {},
): TestProblem {
  const t = TEST_FUNCTIONS[name];
  if (!t) throw new Error(`unknown test function '${name}'; use one of ${Object.keys(TEST_FUNCTIONS).join(", ")}`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim: must be an integer >= 1, got ${dim}`);
  const [lo, hi] = options.box ?? [-100, 100];
  if (!(hi > lo)) throw new Error(`box: upper must exceed lower, got [${lo}, ${hi}]`);
  const [a, b] = options.shiftFraction ?? [0.7, 0.9];
  if (!(a >= 0 && b <= 1 && a <= b)) throw new Error(`shiftFraction: need 0 <= from <= to <= 1, got [${a}, ${b}]`);
  const rand = mulberry32((seed + 1) >>> 0);
  const o = new Float64Array(dim);
  for (let j = 0; j < dim; j++) o[j] = lo + (a + (b - a) * rand()) * (hi - lo);
  const r = options.rotate === false ? null : randomRotation(dim, seed);
  const c = SHIFT_ROTATE_SCALE[name];
  const base = BASE_OPTIMUM[name];
  const u = new Float64Array(dim);
  const z = new Float64Array(dim);
  const f = (x: ArrayLike<number>): number => {
    if (x.length !== dim) throw new Error(`point has ${x.length} coordinates, the problem has ${dim}`);
    for (let j = 0; j < dim; j++) u[j] = c * (x[j] - o[j]);
    if (r) rotate(r, u, z);
    else z.set(u);
    if (base !== 0) for (let j = 0; j < dim; j++) z[j] += base;
    return t.f(z);
  };
  return {
    name: `${r ? "shifted-rotated" : "shifted"} ${name}`,
    dim,
    f,
    bounds: Array.from({ length: dim }, () => [lo, hi] as [number, number]),
    optimum: o,
    fOpt: 0,
    rotation: r,
  };
}

/**
 * The plain function in an asymmetric box: [-w/2, 3w/2] + b per coordinate for the classic box
 * [-w, w] (b = the function's optimum coordinate), so the optimum lies a quarter of the width from
 * the lower bound and the opposite point s + k - x is no mirror image of x about it.
 */
export function asymmetricBox(name: TestFunctionName, dim: number): TestProblem {
  const t = TEST_FUNCTIONS[name];
  if (!t) throw new Error(`unknown test function '${name}'; use one of ${Object.keys(TEST_FUNCTIONS).join(", ")}`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim: must be an integer >= 1, got ${dim}`);
  const w = 0.5 * (t.upper - t.lower);
  const b = BASE_OPTIMUM[name];
  return {
    name: `asymmetric-box ${name}`,
    dim,
    f: t.f,
    bounds: Array.from({ length: dim }, () => [b - w / 2, b + (3 * w) / 2] as [number, number]),
    optimum: new Float64Array(dim).fill(b),
    fOpt: 0,
    rotation: null,
  };
}

export type ProblemFamily = "shifted-rotated" | "shifted" | "asymmetric-box" | "classic";

/** A problem of any family by name (classic: the plain function in its usual symmetric box). */
export function testProblem(family: ProblemFamily, name: TestFunctionName, dim: number, seed = 1): TestProblem {
  switch (family) {
    case "shifted-rotated":
      return shiftedRotated(name, dim, seed);
    case "shifted":
      return shiftedRotated(name, dim, seed, { rotate: false });
    case "asymmetric-box":
      return asymmetricBox(name, dim);
    case "classic":
      return {
        name,
        dim,
        f: TEST_FUNCTIONS[name].f,
        bounds: testBounds(name, dim),
        optimum: new Float64Array(dim).fill(BASE_OPTIMUM[name]),
        fOpt: 0,
        rotation: null,
      };
    default:
      throw new Error(`unknown problem family '${family}'; use shifted-rotated, shifted, asymmetric-box or classic`);
  }
}

/** Batch objective of a test problem (plain data in, so it can also serve as a worker factory). */
export function problemObjective(args: {
  family: ProblemFamily;
  name: TestFunctionName;
  dim: number;
  seed?: number;
}): (xs: Float64Array[]) => number[] {
  const p = testProblem(args.family, args.name, args.dim, args.seed ?? 1);
  return (xs) => xs.map((x) => p.f(x));
}
