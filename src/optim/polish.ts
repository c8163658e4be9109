import { Bounds, makeBounds } from "./bounds";
import { ValidationError } from "./errors";

/**
 * Bounded Levenberg-Marquardt for a local polish of a DE result (or any box-constrained nonlinear
 * least-squares problem): minimise cost(x) = sum_i r_i(x)^2 for l <= x <= u.
 *
 * - Residuals come from a BATCH function, one residual vector per point. The forward-difference
 *   Jacobian asks for all its perturbed points in one batch call, so a worker pool evaluates them
 *   in parallel.
 * - Difference steps stay inside the box: h_j = diffStep * max(1, |x_j|), taken backwards when
 *   x_j + h_j would leave the box (one-sided at a bound).
 * - Step: (J_F^T J_F + mu D_F) p_F = -J_F^T r over the free variables F, D = diag(J^T J) floored
 *   (Marquardt's scaling); a variable sitting on a bound whose gradient points out of the box is
 *   held (active set), and the trial point is the projection of x + p onto the box (projected LM).
 *   Damping follows Nielsen (1999): on a gain ratio rho > 0, mu <- mu * max(1/3, 1 - (2 rho - 1)^3)
 *   and nu <- 2; otherwise mu <- mu * nu, nu <- 2 nu.
 * - Stops on: zero cost; relative cost reduction of an accepted step below `ftol`; step length
 *   below `xtol * (|x| + xtol)`; projected gradient (infinity norm) below `gtol`; `maxIterations`
 *   Jacobians; no evaluations left for another Jacobian (`maxEvaluations`); damping overflow.
 */
export interface LMOptions {
  /** Jacobians (iterations) at most. Default 100. */
  maxIterations?: number;
  /** Residual evaluations (points) at most, the final Jacobian included. Default Infinity. */
  maxEvaluations?: number;
  /** Relative cost reduction of an accepted step at or below which to stop. Default 1e-10. */
  ftol?: number;
  /** Relative step length at or below which to stop. Default 1e-10. */
  xtol?: number;
  /** Projected-gradient infinity norm at or below which to stop. Default 1e-12. */
  gtol?: number;
  /** Relative finite-difference step. Default sqrt(machine epsilon) ~ 1.49e-8 (as scipy). */
  diffStep?: number;
  /** Initial damping relative to the diagonal scaling. Default 1e-3. */
  mu0?: number;
  /** Also compute the Jacobian at the final point (d more evaluations) when the last one is stale. Default true. */
  finalJacobian?: boolean;
}

export type LMStopReason =
  "zero-cost" | "reduction" | "step" | "gradient" | "iterations" | "evaluations" | "damping" | "not-finite";

export interface LMResult {
  x: Float64Array;
  /** sum of squared residuals at x. */
  cost: number;
  residuals: number[];
  /** Jacobians computed during the iteration. */
  iterations: number;
  /** Residual evaluations (points), all batches together. */
  evaluations: number;
  /** d residuals x n parameters, at the final x (null when finalJacobian is false and it is stale). */
  jacobian: number[][] | null;
  stopReason: LMStopReason;
  /** Cost at the start point (after projection into the box). */
  initialCost: number;
}

export type BatchResiduals = (xs: Float64Array[]) => number[][] | Promise<number[][]>;
export type SyncBatchResiduals = (xs: Float64Array[]) => number[][];

function sumSq(r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return Number.isNaN(s) ? Infinity : s;
}

function checkRows(rows: unknown, n: number, m: number | null): number[][] {
  if (!Array.isArray(rows) || rows.length !== n) {
    throw new Error(`residuals: returned ${Array.isArray(rows) ? rows.length : typeof rows} vectors for ${n} points`);
  }
  const out = rows.map((r) => Array.from(r as ArrayLike<number>));
  for (const r of out) {
    if (m !== null && r.length !== m) throw new Error(`residuals: vector length changed from ${m} to ${r.length}`);
    if (r.length === 0) throw new Error("residuals: empty residual vector");
  }
  return out;
}

/** Cholesky solve of the SPD system A z = b (A n x n row-major); null when A is not positive definite. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j];
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const z = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * z[k];
    z[i] = s / L[i * n + i];
  }
  return z;
}

interface Resolved {
  maxIterations: number;
  maxEvaluations: number;
  ftol: number;
  xtol: number;
  gtol: number;
  diffStep: number;
  mu0: number;
  finalJacobian: boolean;
}

function resolveLM(o: LMOptions): Resolved {
  const pos = (v: number | undefined, def: number, field: string, integer = false, allowInf = false) => {
    const x = v === undefined ? def : v;
    if (
      typeof x !== "number" ||
      Number.isNaN(x) ||
      !(x > 0) ||
      (!allowInf && !Number.isFinite(x)) ||
      (integer && Number.isFinite(x) && !Number.isInteger(x))
    ) {
      throw new ValidationError(
        `levenbergMarquardt.${field}`,
        `must be a positive ${integer ? "integer" : "number"}, got ${v}`,
      );
    }
    return x;
  };
  return {
    maxIterations: pos(o.maxIterations, 100, "maxIterations", true),
    maxEvaluations: pos(o.maxEvaluations, Infinity, "maxEvaluations", true, true),
    ftol: o.ftol === 0 ? 0 : pos(o.ftol, 1e-10, "ftol"),
    xtol: o.xtol === 0 ? 0 : pos(o.xtol, 1e-10, "xtol"),
    gtol: o.gtol === 0 ? 0 : pos(o.gtol, 1e-12, "gtol"),
    diffStep: pos(o.diffStep, Math.sqrt(Number.EPSILON), "diffStep"),
    mu0: pos(o.mu0, 1e-3, "mu0"),
    finalJacobian: o.finalJacobian ?? true,
  };
}

/**
 * The algorithm as a generator: yields batches of points, receives their residual vectors.
 * Shared by the sync and async drivers so both give identical iterates.
 */
function* lmCore(x0: ArrayLike<number>, bounds: Bounds, o: Resolved): Generator<Float64Array[], LMResult, number[][]> {
  const { lower, upper } = bounds;
  const n = lower.length;
  if (x0.length !== n)
    throw new ValidationError(`levenbergMarquardt.x0`, `has ${x0.length} entries but the bounds have ${n}`);
  const x = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const v = Number(x0[j]);
    if (!Number.isFinite(v)) throw new ValidationError(`levenbergMarquardt.x0[${j}]`, `must be finite, got ${x0[j]}`);
    x[j] = Math.min(upper[j], Math.max(lower[j], v));
  }
  let evaluations = 0;
  const first = checkRows(yield [Float64Array.from(x)], 1, null);
  evaluations++;
  let r = first[0];
  const m = r.length;
  let cost = sumSq(r);
  const initialCost = cost;
  let J: number[][] | null = null; // m x n, at x
  let jacAtX = false;
  let iterations = 0;
  let mu = -1;
  let nu = 2;
  let stop: LMStopReason | null = cost === 0 ? "zero-cost" : null;

  const jacobian = function* (): Generator<Float64Array[], number[][], number[][]> {
    const pts: Float64Array[] = [];
    const hs: number[] = [];
    for (let j = 0; j < n; j++) {
      let h = o.diffStep * Math.max(1, Math.abs(x[j]));
      const w = upper[j] - lower[j];
      if (h > 0.5 * w) h = 0.5 * w;
      if (x[j] + h > upper[j]) h = -h; // one-sided backwards at the upper bound
      const p = Float64Array.from(x);
      p[j] = x[j] + h;
      hs.push(p[j] - x[j]); // the step actually represented
      pts.push(p);
    }
    const rows = checkRows(yield pts, n, m);
    evaluations += n;
    const Jm: number[][] = Array.from({ length: m }, () => new Array<number>(n).fill(0));
    for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) Jm[i][j] = (rows[j][i] - r[i]) / hs[j];
    return Jm;
  };

  while (stop === null) {
    // nothing to polish from a start whose residuals are not finite (the caller keeps its point)
    if (!Number.isFinite(cost)) {
      stop = "not-finite";
      break;
    }
    if (iterations >= o.maxIterations) {
      stop = "iterations";
      break;
    }
    if (evaluations + n > o.maxEvaluations) {
      stop = "evaluations";
      break;
    }
    J = yield* jacobian();
    jacAtX = true;
    iterations++;
    // gradient g = J^T r and normal matrix A = J^T J
    const g = new Float64Array(n);
    const A = new Float64Array(n * n);
    for (let i = 0; i < m; i++) {
      const Ji = J[i];
      for (let j = 0; j < n; j++) {
        g[j] += Ji[j] * r[i];
        for (let k = 0; k <= j; k++) A[j * n + k] += Ji[j] * Ji[k];
      }
    }
    for (let j = 0; j < n; j++) for (let k = 0; k < j; k++) A[k * n + j] = A[j * n + k];
    // active set: on a bound with the descent direction -g pointing out of the box
    const free: number[] = [];
    let pg = 0;
    for (let j = 0; j < n; j++) {
      const atLo = x[j] <= lower[j] && g[j] > 0;
      const atHi = x[j] >= upper[j] && g[j] < 0;
      if (!atLo && !atHi) {
        free.push(j);
        pg = Math.max(pg, Math.abs(g[j]));
      }
    }
    if (free.length === 0 || pg <= o.gtol) {
      stop = "gradient";
      break;
    }
    const nf = free.length;
    const D = new Float64Array(nf);
    let dmax = 0;
    for (let a = 0; a < nf; a++) dmax = Math.max(dmax, A[free[a] * n + free[a]]);
    for (let a = 0; a < nf; a++) D[a] = Math.max(A[free[a] * n + free[a]], 1e-12 * dmax, 1e-300);
    if (mu < 0) mu = o.mu0;
    // inner loop: try steps until one is accepted or a stop rule fires
    for (;;) {
      const M = new Float64Array(nf * nf);
      const b = new Float64Array(nf);
      for (let a = 0; a < nf; a++) {
        b[a] = -g[free[a]];
        for (let c = 0; c < nf; c++) M[a * nf + c] = A[free[a] * n + free[c]];
        M[a * nf + a] += mu * D[a];
      }
      const pF = choleskySolve(M, b, nf);
      if (pF === null) {
        mu *= nu;
        nu *= 2;
        if (!(mu < 1e16)) {
          stop = "damping";
          break;
        }
        continue;
      }
      const xt = Float64Array.from(x);
      for (let a = 0; a < nf; a++) {
        const j = free[a];
        xt[j] = Math.min(upper[j], Math.max(lower[j], x[j] + pF[a]));
      }
      // projected step, its length and the linear model's predicted cost
      let stepN = 0;
      let xN = 0;
      const p = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        p[j] = xt[j] - x[j];
        stepN += p[j] * p[j];
        xN += x[j] * x[j];
      }
      stepN = Math.sqrt(stepN);
      xN = Math.sqrt(xN);
      if (stepN <= o.xtol * (xN + o.xtol)) {
        stop = "step";
        break;
      }
      let model = 0;
      for (let i = 0; i < m; i++) {
        let s = r[i];
        for (let j = 0; j < n; j++) s += J[i][j] * p[j];
        model += s * s;
      }
      const predicted = cost - model;
      if (evaluations + 1 > o.maxEvaluations) {
        stop = "evaluations";
        break;
      }
      const rt = checkRows(yield [xt], 1, m)[0];
      evaluations++;
      const costT = sumSq(rt);
      const rho = predicted > 0 ? (cost - costT) / predicted : -1;
      if (rho > 0 && costT < cost) {
        const rel = (cost - costT) / cost;
        x.set(xt);
        r = rt;
        cost = costT;
        jacAtX = false;
        const t = 2 * rho - 1;
        mu *= Math.max(1 / 3, 1 - t * t * t);
        nu = 2;
        if (cost === 0) stop = "zero-cost";
        else if (rel <= o.ftol) stop = "reduction";
        else if (stepN <= o.xtol * (xN + o.xtol)) stop = "step";
        break;
      }
      mu *= nu;
      nu *= 2;
      if (!(mu < 1e16)) {
        stop = "damping";
        break;
      }
    }
  }
  if (!jacAtX && o.finalJacobian) {
    J = yield* jacobian();
    jacAtX = true;
  }
  return {
    x,
    cost,
    residuals: r.slice(),
    iterations,
    evaluations,
    jacobian: jacAtX && J ? J.map((row) => row.slice()) : null,
    stopReason: stop ?? "iterations",
    initialCost,
  };
}

function start(
  x0: ArrayLike<number>,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  opts: LMOptions,
) {
  return lmCore(x0, makeBounds(bounds), resolveLM(opts));
}

/**
 * The LM iteration as a generator (yields batches of points, is sent their residual vectors,
 * returns the LMResult), for drivers that interleave it with other work (minimize's polish).
 */
export function lmIterator(
  x0: ArrayLike<number>,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  opts: LMOptions = {},
): Generator<Float64Array[], LMResult, number[][]> {
  return start(x0, bounds, opts);
}

/**
 * Bounded (projected, active-set) Levenberg-Marquardt on a batch residual function that may be
 * asynchronous (e.g. a WorkerPool). See `LMOptions` for the rules.
 */
export async function levenbergMarquardt(
  residuals: BatchResiduals,
  x0: ArrayLike<number>,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  opts: LMOptions = {},
): Promise<LMResult> {
  const it = start(x0, bounds, opts);
  // explicit casts: tslab compiles without strictNullChecks, where `!step.done` does not narrow
  let step = it.next();
  while (step.done !== true) step = it.next(await residuals(step.value as Float64Array[]));
  return step.value as LMResult;
}

/** The same iteration on a synchronous batch residual function; identical iterates. */
export function levenbergMarquardtSync(
  residuals: SyncBatchResiduals,
  x0: ArrayLike<number>,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  opts: LMOptions = {},
): LMResult {
  const it = start(x0, bounds, opts);
  let step = it.next();
  while (step.done !== true) {
    const v = residuals(step.value as Float64Array[]);
    if (v && typeof (v as unknown as Promise<unknown>).then === "function") {
      throw new ValidationError(
        "levenbergMarquardtSync",
        "the residual function returned a Promise; use levenbergMarquardt (async)",
      );
    }
    step = it.next(v);
  }
  return step.value as LMResult;
}
