import { Bounds, makeBounds, ValidationError } from "../optim";

/**
 * Linearised (Laplace / Gauss-Newton) posterior covariance around a point, and a finite-difference
 * Jacobian whose perturbed points form ONE batch (so a worker pool evaluates them in parallel).
 *
 * References:
 * - [Tarantola05] Tarantola, A. (2005). Inverse Problem Theory and Methods for Model Parameter
 *   Estimation. SIAM (least squares with Gaussian uncertainties): for whitened residuals r(x) =
 *     (g(x) - d_obs) / sigma and a
 *   Gaussian prior of precision P, the linearised posterior covariance is C = (J^T J + P)^{-1},
 *   J = dr/dx (C_D = I after whitening).
 * - [Nocedal06] Nocedal, J., Wright, S. J. (2006). Numerical Optimization, 2nd ed., ch. 8
 *   (forward and central difference Jacobians, step choice).
 */

export interface LinearisedEstimate {
  /** C = (J^T J + P)^{-1}, d x d. */
  covariance: number[][];
  /** sqrt(diag C). */
  sd: number[];
  /** C_ij / (sd_i sd_j). */
  correlation: number[][];
  /** Diagonal jitter that was added to J^T J + P to make it positive definite (0 if none). */
  jitter: number;
}

/**
 * Diagonal prior precision 12 / width^2 of a uniform prior on the box: the precision of the
 * Gaussian with the same variance as U(lower, upper) (variance width^2 / 12). Pass it as
 * `priorPrecision` to `linearisedCovariance` so that unresolved parameters get the prior's spread
 * instead of an infinite variance.
 */
export function uniformPriorPrecision(
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
): Float64Array {
  const b = makeBounds(bounds);
  return b.lower.map((l, j) => 12 / ((b.upper[j] - l) * (b.upper[j] - l)));
}

/**
 * Cholesky factor L (lower, row-major rows) of a symmetric matrix A = L L^T; null if A is not
 * (numerically) positive definite.
 */
export function cholesky(a: Float64Array[]): Float64Array[] | null {
  const d = a.length;
  const L = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        L[i][i] = Math.sqrt(s);
      } else {
        L[i][j] = s / L[j][j];
      }
    }
  }
  return L;
}

/** A^{-1} from its Cholesky factor: solve L L^T X = I column by column. */
function choleskyInverse(L: Float64Array[]): Float64Array[] {
  const d = L.length;
  const inv = Array.from({ length: d }, () => new Float64Array(d));
  const y = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    for (let i = 0; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
      y[i] = s / L[i][i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < d; k++) s -= L[k][i] * inv[k][c];
      inv[i][c] = s / L[i][i];
    }
  }
  // symmetrise against rounding
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) inv[i][j] = inv[j][i] = 0.5 * (inv[i][j] + inv[j][i]);
  return inv;
}

/**
 * Linearised posterior covariance C = (J^T J + P)^{-1} [Tarantola05, linearised posterior covariance] for a Jacobian J
 * (rows: n whitened residuals r = (pred - obs) / err; columns: the d search-space parameters) and
 * an optional diagonal prior precision P (for a uniform box prior pass
 * `uniformPriorPrecision(bounds)`, i.e. 12 / width^2). Symmetric solve by Cholesky; when the
 * matrix is not positive definite (unresolved parameters and no prior), a diagonal jitter
 * eps * max(diag) with eps = 1e-12, 1e-10, ... is added until it is, and reported.
 */
export function linearisedCovariance(
  jacobian: ArrayLike<number>[],
  priorPrecision?: ArrayLike<number>,
): LinearisedEstimate {
  const n = jacobian.length;
  if (n === 0) throw new ValidationError("jacobian: no rows; give one row per residual");
  const d = jacobian[0].length;
  if (d === 0) throw new ValidationError("jacobian: rows have no columns");
  for (let i = 0; i < n; i++) {
    if (jacobian[i].length !== d)
      throw new ValidationError(
        `jacobian[${i}]: has ${jacobian[i].length} columns, row 0 has ${d}; all rows must have one entry per parameter`,
      );
  }
  if (priorPrecision !== undefined) {
    if (priorPrecision.length !== d)
      throw new ValidationError(`priorPrecision: has ${priorPrecision.length} entries for ${d} parameters`);
    for (let j = 0; j < d; j++)
      if (!(priorPrecision[j] >= 0) || !Number.isFinite(priorPrecision[j]))
        throw new ValidationError(`priorPrecision[${j}]: must be a finite number >= 0, got ${priorPrecision[j]}`);
  }
  // H = J^T J + P
  const H = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < n; i++) {
    const row = jacobian[i];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (!Number.isFinite(ra)) throw new ValidationError(`jacobian[${i}][${a}]: not finite (${ra})`);
      if (ra === 0) continue;
      for (let b = 0; b <= a; b++) H[a][b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) H[b][a] = H[a][b];
    if (priorPrecision) H[a][a] += priorPrecision[a];
  }
  let maxDiag = 0;
  for (let a = 0; a < d; a++) maxDiag = Math.max(maxDiag, Math.abs(H[a][a]));
  if (maxDiag === 0) maxDiag = 1;
  let jitter = 0;
  let L = cholesky(H);
  for (let e = 1e-12; !L && e <= 1; e *= 100) {
    jitter = e * maxDiag;
    const Hj = H.map((r, a) => {
      const c = Float64Array.from(r);
      c[a] += jitter;
      return c;
    });
    L = cholesky(Hj);
  }
  if (!L)
    throw new Error("linearisedCovariance: J^T J + P is not positive definite even with jitter (non-finite entries?)");
  const C = choleskyInverse(L);
  const sd = C.map((r, a) => Math.sqrt(Math.max(0, r[a])));
  const correlation = C.map((r, a) => Array.from(r, (v, b) => (a === b ? 1 : v / (sd[a] * sd[b]))));
  return { covariance: C.map((r) => Array.from(r)), sd, correlation, jitter };
}

export type FiniteDifferenceScheme = "central" | "forward";

/** The batch of points a finite-difference Jacobian needs, and how to assemble it. */
export interface JacobianPlan {
  /** Point 0 is x itself, then the perturbed points. */
  points: Float64Array[];
  /** Per parameter: index of the + and - points in `points` (0 = x itself) and the total step. */
  columns: { plus: number; minus: number; h: number }[];
}

/**
 * Plan the points of a finite-difference Jacobian at x [Nocedal06, finite-difference derivatives]. Steps are
 * h_j = step * (upper_j - lower_j). Central differences (r(x + h e_j) - r(x - h e_j)) / 2h where
 * both points lie in the box; otherwise one-sided towards the inside (forward (r(x + h e_j) -
 * r(x)) / h or backward), so no point leaves the bounds. "forward" uses forward differences, or
 * backward where x + h e_j would leave the box.
 */
export function planJacobian(
  x: ArrayLike<number>,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  step = 1e-4,
  scheme: FiniteDifferenceScheme = "central",
): JacobianPlan {
  const b = makeBounds(bounds);
  const d = b.lower.length;
  if (x.length !== d) throw new ValidationError(`x: has ${x.length} coordinates for ${d} bounds`);
  if (!(step > 0 && step < 0.5))
    throw new ValidationError(`step: must be in (0, 0.5) (fraction of the box width), got ${step}`);
  if (scheme !== "central" && scheme !== "forward")
    throw new ValidationError(`scheme: unknown '${scheme}'; use "central" or "forward"`);
  const x0 = Float64Array.from(x);
  for (let j = 0; j < d; j++) {
    if (!(x0[j] >= b.lower[j] && x0[j] <= b.upper[j]))
      throw new ValidationError(`x[${j}]: ${x0[j]} is outside the box [${b.lower[j]}, ${b.upper[j]}]`);
  }
  const points: Float64Array[] = [x0];
  const columns: JacobianPlan["columns"] = [];
  const at = (j: number, v: number): number => {
    const p = Float64Array.from(x0);
    p[j] = v;
    points.push(p);
    return points.length - 1;
  };
  for (let j = 0; j < d; j++) {
    const h = step * (b.upper[j] - b.lower[j]);
    const upOk = x0[j] + h <= b.upper[j];
    const downOk = x0[j] - h >= b.lower[j];
    if (scheme === "central" && upOk && downOk) {
      const plus = at(j, x0[j] + h);
      const minus = at(j, x0[j] - h);
      columns.push({ plus, minus, h: 2 * h });
    } else if (upOk) {
      columns.push({ plus: at(j, x0[j] + h), minus: 0, h });
    } else {
      columns.push({ plus: 0, minus: at(j, x0[j] - h), h });
    }
  }
  return { points, columns };
}

/** Assemble J (n rows x d columns) and r(x) from the residual vectors of the plan's points. */
export function assembleJacobian(
  plan: JacobianPlan,
  residuals: ArrayLike<ArrayLike<number>>,
): { jacobian: number[][]; residual: number[] } {
  if (residuals.length !== plan.points.length)
    throw new Error(`residual function returned ${residuals.length} vectors for ${plan.points.length} points`);
  const n = residuals[0].length;
  for (let k = 1; k < residuals.length; k++) {
    if (residuals[k].length !== n)
      throw new Error(`residual vector ${k} has ${residuals[k].length} entries, vector 0 has ${n}`);
  }
  const d = plan.columns.length;
  const J = Array.from({ length: n }, () => new Array<number>(d).fill(0));
  plan.columns.forEach((c, j) => {
    const rp = residuals[c.plus];
    const rm = residuals[c.minus];
    for (let i = 0; i < n; i++) J[i][j] = (rp[i] - rm[i]) / c.h;
  });
  return { jacobian: J, residual: Array.from(residuals[0]) };
}

/**
 * A batch residual function: one whitened residual vector per point; synchronous or asynchronous
 * (e.g. a worker pool).
 */
export type JacobianResiduals = (
  xs: Float64Array[],
) => Promise<ArrayLike<ArrayLike<number>>> | ArrayLike<ArrayLike<number>>;

/**
 * Jacobian J (n rows x d columns) of whitened residuals at x by finite differences (see
 * `planJacobian`), all points (x and its 2d or d perturbations) evaluated in ONE call of
 * `residuals`, so a worker pool evaluates them in parallel. Use `planJacobian` and
 * `assembleJacobian` directly to also get r(x), or from synchronous code.
 */
export async function finiteDifferenceJacobian(
  residuals: JacobianResiduals,
  x: ArrayLike<number>,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  step = 1e-4,
  scheme: FiniteDifferenceScheme = "central",
): Promise<number[][]> {
  const plan = planJacobian(x, bounds, step, scheme);
  return assembleJacobian(plan, await residuals(plan.points)).jacobian;
}
