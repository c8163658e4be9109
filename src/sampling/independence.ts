/**
 * The independence proposal of DreamZS's `independence` move: a mixture of K multivariate
 * Student-t densities fitted to (a subsample of) the second half of the past-states archive Z,
 *
 *   q(y) = sum_k w_k t_nu(y; mu_k, s^2 Sigma_k),
 *
 * fitted by k-means++ seeding and EM on a Gaussian mixture (mu_k, Sigma_k, w_k), then given heavy
 * tails (nu) and inflated by s. An independence Metropolis-Hastings move y ~ q is accepted with
 * probability min(1, [L(y) q(x)] / [L(x) q(y)]) [Tie94; RC04, sec. 7.4] (keys: docs/SAMPLING.md).
 * Where the mixture follows the posterior (a curved ridge or a funnel is covered by several
 * components), each accepted move is a nearly independent draw, which a random walk needs many
 * steps for; this is the adaptive independence sampler with a mixture proposal of Giordani &
 * Kohn (2010) [GK10].
 *
 * The fit is refreshed only when the archive has grown by T_GROWTH since the last fit, so the
 * proposal changes ever more rarely and by ever less (diminishing adaptation, the same argument as
 * DREAM(ZS)'s growing archive [terBraak08]).
 */
import { cholesky } from "./linearised";

export interface TComponent {
  w: number;
  mu: Float64Array;
  /** Lower Cholesky factor of s^2 Sigma_k (rows). */
  L: Float64Array[];
  /** log det L. */
  logDet: number;
}

export interface TFit {
  /** Archive length the fit was made at. */
  n: number;
  comps: TComponent[];
}

/** Degrees of freedom of the t components (heavy tails: cover the posterior's). */
export const T_NU = 5;
/** Inflation s of the fitted covariances (s^2 Sigma_k). */
export const T_SCALE = 1.3;
/** Refit when the archive has grown by this fraction. */
export const T_GROWTH = 0.2;
/** Most mixture components. */
export const T_COMPONENTS = 6;
/** Most archive points the mixture is fitted to (an even subsample of the second half). */
export const T_FIT_POINTS = 2000;
/** EM iterations. */
export const T_EM_ITERATIONS = 15;

/** |L^-1 (y - mu)|^2. */
function mahalanobis(mu: Float64Array, L: Float64Array[], y: ArrayLike<number>, z: Float64Array): number {
  const d = mu.length;
  let q = 0;
  for (let a = 0; a < d; a++) {
    let s = y[a] - mu[a];
    for (let k = 0; k < a; k++) s -= L[a][k] * z[k];
    z[a] = s / L[a][a];
    q += z[a] * z[a];
  }
  return q;
}

function logSumExp(v: number[]): number {
  let m = -Infinity;
  for (const x of v) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of v) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** Weighted mean and covariance (lower triangle) of pts with responsibilities r; null if degenerate. */
function weightedMoments(
  pts: Float64Array[],
  r: Float64Array,
  floor: Float64Array,
): { mu: Float64Array; c: Float64Array[]; w: number } | null {
  const d = pts[0].length;
  let w = 0;
  const mu = new Float64Array(d);
  for (let i = 0; i < pts.length; i++) {
    w += r[i];
    for (let j = 0; j < d; j++) mu[j] += r[i] * pts[i][j];
  }
  if (!(w > d + 1)) return null;
  for (let j = 0; j < d; j++) mu[j] /= w;
  // lower triangle only: cholesky reads a[i][j] for j <= i
  const c = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < pts.length; i++) {
    if (r[i] < 1e-12) continue;
    const x = pts[i];
    for (let a = 0; a < d; a++) {
      const da = r[i] * (x[a] - mu[a]);
      for (let b = 0; b <= a; b++) c[a][b] += da * (x[b] - mu[b]);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) c[a][b] /= w;
    c[a][a] += floor[a];
  }
  return { mu, c, w };
}

/** k-means++ seeds: indices of k points, each drawn with probability ∝ squared distance to the nearest seed. */
function kmeansPlusPlus(pts: Float64Array[], k: number, rand: () => number): number[] {
  const n = pts.length;
  const seeds = [Math.floor(rand() * n)];
  const dist = new Float64Array(n).fill(Infinity);
  while (seeds.length < k) {
    const last = pts[seeds[seeds.length - 1]];
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < last.length; j++) s += (pts[i][j] - last[j]) ** 2;
      if (s < dist[i]) dist[i] = s;
      total += dist[i];
    }
    if (!(total > 0)) break;
    let u = rand() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= dist[i];
      if (u <= 0) {
        pick = i;
        break;
      }
    }
    seeds.push(pick);
  }
  return seeds;
}

/**
 * Fit the mixture to archive[from..n): an even subsample of at most T_FIT_POINTS points, k-means++
 * seeds (hard assignment for the first responsibilities), T_EM_ITERATIONS of Gaussian EM, then the
 * t components with the covariances inflated by scale^2. null when no component is well defined.
 */
export function fitT(
  archive: Float64Array[],
  from: number,
  rand: () => number,
  components = T_COMPONENTS,
  scale = T_SCALE,
): TFit | null {
  const n = archive.length;
  const d = archive[0].length;
  const m = n - from;
  if (m < 4 * (d + 2)) return null;
  const step = Math.max(1, m / T_FIT_POINTS);
  const pts: Float64Array[] = [];
  for (let t = from; t < n; t += step) pts.push(archive[Math.floor(t)]);
  const k = Math.max(1, Math.min(components, Math.floor(pts.length / (4 * (d + 2)))));
  // a covariance floor of 1e-6 of each coordinate's overall variance keeps the factors defined
  const all = weightedMoments(pts, new Float64Array(pts.length).fill(1), new Float64Array(d));
  if (!all) return null;
  const floor = Float64Array.from({ length: d }, (_, j) => 1e-6 * all.c[j][j] + 1e-300);
  const seeds = kmeansPlusPlus(pts, k, rand);
  const resp = seeds.map(() => new Float64Array(pts.length));
  for (let i = 0; i < pts.length; i++) {
    let best = 0;
    let bd = Infinity;
    seeds.forEach((si, c) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (pts[i][j] - pts[si][j]) ** 2;
      if (s < bd) {
        bd = s;
        best = c;
      }
    });
    resp[best][i] = 1;
  }
  let comps: TComponent[] = [];
  const z = new Float64Array(d);
  for (let it = 0; it <= T_EM_ITERATIONS; it++) {
    // M step
    comps = [];
    for (const r of resp) {
      const mom = weightedMoments(pts, r, floor);
      if (!mom) continue;
      const L = cholesky(mom.c);
      if (!L) continue;
      let logDet = 0;
      for (let a = 0; a < d; a++) logDet += Math.log(L[a][a]);
      comps.push({ w: mom.w / pts.length, mu: mom.mu, L, logDet });
    }
    if (comps.length === 0) return null;
    if (it === T_EM_ITERATIONS) break;
    // E step (Gaussian responsibilities)
    resp.length = 0;
    for (let c = 0; c < comps.length; c++) resp.push(new Float64Array(pts.length));
    for (let i = 0; i < pts.length; i++) {
      const lp = comps.map((c) => Math.log(c.w) - c.logDet - 0.5 * mahalanobis(c.mu, c.L, pts[i], z));
      const lse = logSumExp(lp);
      for (let c = 0; c < comps.length; c++) resp[c][i] = Math.exp(lp[c] - lse);
    }
  }
  const tw = comps.reduce((a, c) => a + c.w, 0);
  return {
    n,
    comps: comps.map((c) => ({
      w: c.w / tw,
      mu: c.mu,
      L: c.L.map((row) => row.map((v) => v * scale)),
      logDet: c.logDet + d * Math.log(scale),
    })),
  };
}

/** log q(y) up to a constant common to all points. */
export function logT(fit: TFit, y: ArrayLike<number>, nu = T_NU): number {
  const d = fit.comps[0].mu.length;
  const z = new Float64Array(d);
  return logSumExp(
    fit.comps.map((c) => Math.log(c.w) - c.logDet - 0.5 * (nu + d) * Math.log1p(mahalanobis(c.mu, c.L, y, z) / nu)),
  );
}

/** A draw: component k with probability w_k, then y = mu_k + L_k g / sqrt(w / nu), g ~ N(0, I), w ~ chi^2_nu. */
export function drawT(fit: TFit, rand: () => number, gauss: () => number, nu = T_NU): Float64Array {
  let u = rand();
  let c = fit.comps[fit.comps.length - 1];
  for (const comp of fit.comps) {
    u -= comp.w;
    if (u < 0) {
      c = comp;
      break;
    }
  }
  const d = c.mu.length;
  const g = new Float64Array(d);
  for (let a = 0; a < d; a++) g[a] = gauss();
  let w = 0;
  for (let k = 0; k < nu; k++) {
    const v = gauss();
    w += v * v;
  }
  const f = 1 / Math.sqrt(w / nu);
  const y = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    let s = 0;
    for (let k = 0; k <= a; k++) s += c.L[a][k] * g[k];
    y[a] = c.mu[a] + f * s;
  }
  return y;
}

/** Full covariance L L^T of each component, computed once per fit (not part of a snapshot). */
const covCache = new WeakMap<TFit, Float64Array[][]>();

function covariances(fit: TFit): Float64Array[][] {
  let c = covCache.get(fit);
  if (!c) {
    c = fit.comps.map((comp) => {
      const L = comp.L;
      const d = L.length;
      const S = Array.from({ length: d }, () => new Float64Array(d));
      for (let a = 0; a < d; a++)
        for (let b = 0; b <= a; b++) {
          let s = 0;
          for (let k = 0; k <= b; k++) s += L[a][k] * L[b][k];
          S[a][b] = s;
          S[b][a] = s;
        }
      return S;
    });
    covCache.set(fit, c);
  }
  return c;
}

/** One component's conditional t of the block given the rest: location, scale's Cholesky factor, dof, log weight. */
interface BlockConditional {
  m: Float64Array;
  L: Float64Array[];
  logDet: number;
  nu: number;
  /** log w_k + log of the component's marginal t density at x_R (up to a constant common to all components). */
  logW: number;
}

/** Solve L u = v (L lower triangular). */
function forward(L: Float64Array[], v: Float64Array): Float64Array {
  const u = new Float64Array(v.length);
  for (let a = 0; a < v.length; a++) {
    let s = v[a];
    for (let k = 0; k < a; k++) s -= L[a][k] * u[k];
    u[a] = s / L[a][a];
  }
  return u;
}

/**
 * The conditionals q_k(y_B | x_R) of every component for block B and rest R (the coordinates not
 * in B) at x [for a multivariate t: Kotz & Nadarajah 2004, sec. 1.10]: with S the component's
 * scale, delta^2 = (x_R - mu_R)' S_RR^-1 (x_R - mu_R) and r = |R|, the block is t with nu + r
 * degrees of freedom, location mu_B + S_BR S_RR^-1 (x_R - mu_R) and scale
 * (nu + delta^2) / (nu + r) (S_BB - S_BR S_RR^-1 S_RB); the component's weight given x_R is
 * w_k times its marginal t density at x_R. null when a factor is not defined.
 */
function blockConditionals(fit: TFit, x: ArrayLike<number>, block: number[], nu: number): BlockConditional[] | null {
  const d = x.length;
  const inB = new Uint8Array(d);
  for (const j of block) inB[j] = 1;
  const rest: number[] = [];
  for (let j = 0; j < d; j++) if (!inB[j]) rest.push(j);
  const r = rest.length;
  const b = block.length;
  const out: BlockConditional[] = [];
  const covs = covariances(fit);
  for (let k = 0; k < fit.comps.length; k++) {
    const S = covs[k];
    const mu = fit.comps[k].mu;
    let delta2 = 0;
    let logDetR = 0;
    // W = L_RR^-1 S_RB (r x b), u = L_RR^-1 (x_R - mu_R)
    const W: Float64Array[] = [];
    let u = new Float64Array(0);
    if (r > 0) {
      const LR = cholesky(rest.map((i) => Float64Array.from(rest, (j) => S[i][j])));
      if (!LR) return null;
      for (let a = 0; a < r; a++) logDetR += Math.log(LR[a][a]);
      u = forward(
        LR,
        Float64Array.from(rest, (j) => x[j] - mu[j]),
      );
      for (const v of u) delta2 += v * v;
      for (let c = 0; c < b; c++)
        W.push(
          forward(
            LR,
            Float64Array.from(rest, (j) => S[j][block[c]]),
          ),
        );
    }
    const m = Float64Array.from(block, (j, c) => {
      let s = mu[j];
      for (let a = 0; a < r; a++) s += W[c][a] * u[a];
      return s;
    });
    const f = (nu + delta2) / (nu + r);
    const C = block.map((i, c1) =>
      Float64Array.from(block, (j, c2) => {
        let s = S[i][j];
        for (let a = 0; a < r; a++) s -= W[c1][a] * W[c2][a];
        return f * s;
      }),
    );
    const L = cholesky(C);
    if (!L) return null;
    let logDet = 0;
    for (let a = 0; a < b; a++) logDet += Math.log(L[a][a]);
    const logW = Math.log(fit.comps[k].w) - logDetR - 0.5 * (nu + r) * Math.log1p(delta2 / nu);
    out.push({ m, L, logDet, nu: nu + r, logW });
  }
  return out;
}

/** log q(v_B | x_R) of the mixture's conditional, up to a constant common to all points with the same x_R and block. */
function logBlock(cond: BlockConditional[], v: ArrayLike<number>): number {
  const b = cond[0].m.length;
  const z = new Float64Array(b);
  return logSumExp(
    cond.map((c) => c.logW - c.logDet - 0.5 * (c.nu + b) * Math.log1p(mahalanobis(c.m, c.L, v, z) / c.nu)),
  );
}

/**
 * A block (conditional) independence proposal from the mixture: the coordinates in `block` are
 * drawn from q(y_B | x_R), the others stay, redrawn until inside the box (at most `tries` times;
 * the box's share of the conditional depends only on x_R, which the reverse move shares, so it
 * cancels). Returns y and log q(x_B | x_R) - log q(y_B | x_R) for the Metropolis-Hastings ratio, or
 * null (no move) when no draw fell inside or a factor is undefined.
 */
export function drawBlock(
  fit: TFit,
  x: Float64Array,
  block: number[],
  inside: (y: Float64Array) => boolean,
  rand: () => number,
  gauss: () => number,
  tries: number,
  nu = T_NU,
): { y: Float64Array; logJ: number } | null {
  const cond = blockConditionals(fit, x, block, nu);
  if (!cond) return null;
  const lse = logSumExp(cond.map((c) => c.logW));
  const b = block.length;
  for (let t = 0; t < tries; t++) {
    let u = rand();
    let c = cond[cond.length - 1];
    for (const cc of cond) {
      u -= Math.exp(cc.logW - lse);
      if (u < 0) {
        c = cc;
        break;
      }
    }
    const g = new Float64Array(b);
    for (let a = 0; a < b; a++) g[a] = gauss();
    let w = 0;
    for (let k = 0; k < c.nu; k++) {
      const v = gauss();
      w += v * v;
    }
    const f = 1 / Math.sqrt(w / c.nu);
    const y = Float64Array.from(x);
    const yb = new Float64Array(b);
    for (let a = 0; a < b; a++) {
      let s = 0;
      for (let k = 0; k <= a; k++) s += c.L[a][k] * g[k];
      yb[a] = c.m[a] + f * s;
      y[block[a]] = yb[a];
    }
    if (!inside(y)) continue;
    const xb = Float64Array.from(block, (j) => x[j]);
    return { y, logJ: logBlock(cond, xb) - logBlock(cond, yb) };
  }
  return null;
}
