import { ValidationError } from "./errors";

/**
 * Gauss-Legendre quadrature and local polynomial interpolation on uniform grids: the numerical
 * building blocks of the source integral (seed paper eq. 2) and of the splined DLF transforms.
 */

export interface GaussLegendre {
  /** Nodes on [-1, 1], increasing. */
  x: Float64Array;
  /** Weights, summing to 2. */
  w: Float64Array;
}

const glCache = new Map<number, GaussLegendre>();

/**
 * n-point Gauss-Legendre nodes and weights on [-1, 1]: the roots of the Legendre polynomial P_n
 * by Newton's method from the asymptotic guesses cos(pi (i - 1/4) / (n + 1/2)), weights
 * 2 / ((1 - x^2) P_n'(x)^2) (Abramowitz & Stegun 25.4.29).
 */
export function gaussLegendre(n: number, field = "quadPoints"): GaussLegendre {
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new ValidationError(field, `${n} Gauss-Legendre points; allowed a whole number 1..1000`);
  const hit = glCache.get(n);
  if (hit) return hit;
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  /** P_n(z) and P_n'(z) by the three-term recurrence. */
  const legendre = (z: number): [number, number] => {
    let p0 = 1;
    let p1 = z;
    for (let k = 2; k <= n; k++) {
      const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    return n === 1 ? [z, 1] : [p1, (n * (z * p1 - p0)) / (z * z - 1)];
  };
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      const [pn, dp] = legendre(z);
      const dz = pn / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    const dp = legendre(z)[1];
    const wi = 2 / ((1 - z * z) * dp * dp);
    x[i] = -z;
    x[n - 1 - i] = z;
    w[i] = wi;
    w[n - 1 - i] = wi;
  }
  if (n % 2 === 1) x[(n - 1) / 2] = 0;
  const r = { x, w };
  glCache.set(n, r);
  return r;
}

/**
 * Weights of m-point Lagrange interpolation (m even) on the uniform grid g_k = g0 + k h at u,
 * stencil centred on u (shifted inwards at the ends): value(u) ~= sum_j w[j] f[k0 + j].
 */
export function lagrangeStencil(u: number, g0: number, h: number, n: number, m: number, w: Float64Array): number {
  const [k0, t] = stencilStart(u, g0, h, n, m);
  for (let j = 0; j < m; j++) {
    let num = 1;
    let den = 1;
    for (let i = 0; i < m; i++) {
      if (i === j) continue;
      num *= t - i;
      den *= j - i;
    }
    w[j] = num / den;
  }
  return k0;
}

/** First node k0 of an m-point stencil around u (shifted inwards at the ends) and u's position t in it. */
function stencilStart(u: number, g0: number, h: number, n: number, m: number): [number, number] {
  const s = (u - g0) / h;
  let k0 = Math.floor(s) - (m / 2 - 1);
  if (k0 < 0) k0 = 0;
  if (k0 > n - m) k0 = n - m;
  return [k0, s - k0];
}

/**
 * Derivative weights d/du of the m-point Lagrange interpolant of lagrangeStencil (same stencil):
 * f'(u) ~= sum_j d[j] f[k0 + j]; returns k0.
 */
export function lagrangeStencilDerivative(
  u: number,
  g0: number,
  h: number,
  n: number,
  m: number,
  d: Float64Array,
): number {
  const [k0, t] = stencilStart(u, g0, h, n, m);
  for (let j = 0; j < m; j++) {
    let den = 1;
    for (let i = 0; i < m; i++) if (i !== j) den *= j - i;
    // d/dt prod_{i != j} (t - i) = sum_{q != j} prod_{i != j, q} (t - i)
    let sum = 0;
    for (let q = 0; q < m; q++) {
      if (q === j) continue;
      let prod = 1;
      for (let i = 0; i < m; i++) if (i !== j && i !== q) prod *= t - i;
      sum += prod;
    }
    d[j] = sum / den / h;
  }
  return k0;
}

/** A uniform grid in ln(x) covering [xmin, xmax] with `perDecade` points per decade, padded for the cubic stencil. */
export interface LogGrid {
  /** ln of the first node. */
  g0: number;
  /** Spacing in ln. */
  h: number;
  n: number;
  /** Node values x_k = exp(g0 + k h). */
  x: Float64Array;
}

export function logGrid(xmin: number, xmax: number, perDecade: number, pad = 1.5): LogGrid {
  const h = Math.LN10 / perDecade;
  const g0 = Math.log(xmin) - pad * h;
  const n = Math.max(2 * Math.ceil(pad + 0.5), Math.ceil((Math.log(xmax) + pad * h - g0) / h) + 1);
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) x[k] = Math.exp(g0 + k * h);
  return { g0, h, n, x };
}
