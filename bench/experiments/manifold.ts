import { performance } from "perf_hooks";
import { makeBounds, SeededRandom, ValidationError } from "../../src/optim";
import { SampleResult } from "../../src/sampling";
import { ChainStore, CheckInfo, SampleStopReason } from "../../src/sampling/chains";
import { assembleJacobian, cholesky, JacobianResiduals, planJacobian } from "../../src/sampling/linearised";

/**
 * Simplified manifold MALA with the Gauss-Newton metric [Girolami11, sect. 5; the "stochastic
 * Newton" proposal of Martin12]: for whitened residuals r(x) (log-likelihood -|r|^2 / 2) and a
 * uniform prior in the box, each chain proposes
 *
 *   y = x + (eps^2 / 2) G(x)^-1 g(x) + eps G(x)^(-1/2) z,   z ~ N(0, I),
 *   G(x) = J(x)^T J(x) + P,   g(x) = -J(x)^T r(x),
 *
 * with J the finite-difference Jacobian of r at x (one batch of d + 1 evaluations at the proposal,
 * which the chain keeps if it moves there) and P a diagonal regulariser of the metric (by default
 * the uniform box's precision 12 / width^2, so directions the data leave free get the prior's
 * scale). The Metropolis-Hastings ratio uses q(y | x) and q(x | y), so the chain targets the
 * posterior exactly whatever the metric: P and the finite differences only change how well the
 * proposal fits. A proposal outside the box is rejected without evaluation (prior zero).
 *
 * The step eps adapts during `warmup` iterations towards `targetAcceptance` (Robbins-Monro on
 * log eps, shared by the chains) and is then fixed; warm-up states are not recorded. The stored
 * states, burn-in (first half), thinning and the stop rule are ChainStore's, as in DREAM(ZS).
 *
 * [Girolami11] Girolami, M., Calderhead, B. (2011). Riemann manifold Langevin and Hamiltonian
 * Monte Carlo methods. J. R. Stat. Soc. B 73(2), 123-214.
 * [Martin12] Martin, J., Wilcox, L. C., Burstedde, C., Ghattas, O. (2012). A stochastic Newton
 * MCMC method for large-scale statistical inverse problems with application to seismic
 * inversion. SIAM J. Sci. Comput. 34(3), A1460-A1487.
 */

export interface ManifoldOptions {
  /** Number of chains (default 8), each started from `initialStates[i]`. */
  chains?: number;
  seed?: number;
  /** Budget of residual evaluations, warm-up included (default 200 000). */
  maxEvaluations?: number;
  initialStates: ArrayLike<number>[];
  rhatTarget?: number;
  essTarget?: number;
  checkEvery?: number;
  checkGrowth?: number;
  maxStoredPerChain?: number;
  /** Extra diagonal regulariser P of the metric in box units (default none; the prior's information is added). */
  metricPrecision?: ArrayLike<number>;
  /** Initial step eps (default 1.65 d^(-1/3), MALA's optimal scale for a Gaussian target). */
  step?: number;
  /** Iterations adapting eps, not recorded (default 50). */
  warmup?: number;
  /** Acceptance the warm-up aims at (default 0.57, MALA's optimum). */
  targetAcceptance?: number;
  /** Finite-difference step as a fraction of the box width (default 1e-4, forward differences). */
  fdStep?: number;
  /** A log-prior term added to the target inside the box (not used by the proposal), e.g. a regularisation. */
  logPrior?: (x: Float64Array) => number;
  onCheck?: (info: CheckInfo) => void | "stop";
}

export interface ManifoldResult extends Pick<
  SampleResult,
  "draws" | "logLik" | "rhat" | "ess" | "rhatMax" | "essMin" | "evaluations" | "stopReason" | "seconds" | "thin"
> {
  /** Recorded iterations (warm-up not counted). */
  iterations: number;
  warmup: number;
  /** Acceptance over the recorded iterations. */
  acceptance: number;
  /** Proposals with a non-finite coordinate over the recorded iterations (rejected without evaluation). */
  outside: number;
  /** The step eps after the warm-up. */
  step: number;
  /** Iterations discarded as burn-in (the first half of each chain). */
  burnIn: number;
}

/** What a chain knows of its current point: the target and the Gauss-Newton quantities there. */
interface Point {
  /** The sampler's coordinates (logit of the position in the box). */
  x: Float64Array;
  /** The point in the box. */
  box: Float64Array;
  logTarget: number;
  logLik: number;
  /** Cholesky factor of G (lower), null where the point is not usable. */
  L: Float64Array[];
  /** G^-1 g: the Gauss-Newton step. */
  newton: Float64Array;
  /** sum log L_ii = log det(G) / 2. */
  halfLogDet: number;
}

/**
 * Floor of the logistic prior's information 2 s (1 - s) in the metric: in the prior's tails (a
 * parameter at a bound) it falls like e^-|u| while the log-density keeps a slope of 1, so without
 * a floor the proposal's spread and drift in u would explode there.
 */
const PRIOR_INFORMATION_FLOOR = 0.05;

function sigmoid(u: number): number {
  return u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
}

/** log sigmoid(u), without overflow. */
function logSigmoid(u: number): number {
  return u >= 0 ? -Math.log1p(Math.exp(-u)) : u - Math.log1p(Math.exp(u));
}

/** Solve L L^T v = b. */
export function cholSolve(L: Float64Array[], b: ArrayLike<number>): Float64Array {
  const d = L.length;
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= L[k][i] * y[k];
    y[i] = s / L[i][i];
  }
  return y;
}

/** Solve L^T v = z (v = G^(-1/2) z in the sense cov(v) = G^-1). */
function solveUpperT(L: Float64Array[], z: ArrayLike<number>): Float64Array {
  const d = L.length;
  const v = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < d; k++) s -= L[k][i] * v[k];
    v[i] = s / L[i][i];
  }
  return v;
}

/**
 * The Gauss-Newton point from x's Jacobian J and residual r: G = J^T J + P, its Cholesky factor
 * (a diagonal jitter where rounding makes it indefinite) and the Newton step G^-1 (-J^T r).
 */
export function gaussNewtonPoint(
  x: Float64Array,
  J: number[][],
  r: number[],
  P: ArrayLike<number>,
  logPrior: number,
  priorGrad?: ArrayLike<number>,
): Point {
  const d = x.length;
  const G = Array.from({ length: d }, (_, a) => {
    const row = new Float64Array(d);
    row[a] = P[a];
    return row;
  });
  const g = priorGrad ? Float64Array.from(priorGrad) : new Float64Array(d);
  for (let i = 0; i < J.length; i++) {
    const Ji = J[i];
    const ri = r[i];
    for (let a = 0; a < d; a++) {
      const va = Ji[a];
      if (va === 0) continue;
      g[a] -= va * ri;
      const Ga = G[a];
      for (let b = 0; b <= a; b++) Ga[b] += va * Ji[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) G[b][a] = G[a][b];
  let L = cholesky(G);
  for (let eps = 1e-12; !L && eps < 1; eps *= 100) {
    const max = Math.max(...G.map((row, a) => row[a]));
    L = cholesky(G.map((row, a) => row.map((v, b) => (a === b ? v + eps * max : v))));
  }
  if (!L) throw new Error("manifold MALA: the metric is not positive definite; give metricPrecision > 0");
  let ss = 0;
  for (const v of r) ss += v * v;
  const logLik = Number.isFinite(ss) ? -0.5 * ss : -Infinity;
  let halfLogDet = 0;
  for (let a = 0; a < d; a++) halfLogDet += Math.log(L[a][a]);
  return { x, box: x, logLik, logTarget: logLik + logPrior, L, newton: cholSolve(L, g), halfLogDet };
}

/** log q(y | x) up to a constant shared by both directions: N(y; x + eps^2/2 newton, eps^2 G^-1). */
function logProposal(from: Point, y: ArrayLike<number>, eps: number): number {
  const d = from.x.length;
  const e2 = eps * eps;
  const u = new Float64Array(d);
  for (let a = 0; a < d; a++) u[a] = y[a] - from.x[a] - 0.5 * e2 * from.newton[a];
  // |L^T u|^2 = u^T G u
  let q = 0;
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let k = i; k < d; k++) s += from.L[k][i] * u[k];
    q += s * s;
  }
  return from.halfLogDet - (0.5 * q) / e2;
}

function propose(from: Point, eps: number, rng: SeededRandom): Float64Array {
  const d = from.x.length;
  const z = new Float64Array(d);
  for (let a = 0; a < d; a++) z[a] = rng.nextGaussian();
  const v = solveUpperT(from.L, z);
  const y = new Float64Array(d);
  for (let a = 0; a < d; a++) y[a] = from.x[a] + 0.5 * eps * eps * from.newton[a] + eps * v[a];
  return y;
}

function posInt(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new ValidationError(field, `must be a positive integer, got ${String(v)}`);
  return v;
}

function posNum(v: unknown, field: string, dflt: number, max = Infinity): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !(v > 0) || !(v <= max))
    throw new ValidationError(field, `must be a number in (0, ${max}], got ${String(v)}`);
  return v;
}

/**
 * The box as logit coordinates u: x = l + w sigmoid(u). The uniform prior in x is the logistic
 * density in u, log p(u) = sum log(w s (1 - s)), s = sigmoid(u): gradient 1 - 2 s, and its
 * Fisher information 2 s (1 - s) regularises the metric, so no proposal ever leaves the box.
 * `evaluate` computes each point's Gauss-Newton quantities from one residual batch of (d + 1)
 * points per point (forward differences in the box), reporting the count to `count`.
 */
function logitEvaluator(
  residuals: JacobianResiduals,
  b: { lower: Float64Array; upper: Float64Array },
  P: Float64Array,
  fdStep: number,
  logPrior: (x: Float64Array) => number,
  count: (n: number) => void,
) {
  const d = b.lower.length;
  const width = Float64Array.from(b.lower, (l, a) => b.upper[a] - l);
  const toBox = (u: Float64Array) =>
    Float64Array.from(u, (v, a) => Math.min(b.upper[a], Math.max(b.lower[a], b.lower[a] + width[a] * sigmoid(v))));
  const toLogit = (x: ArrayLike<number>) =>
    Float64Array.from(x, (v, a) => {
      const f = Math.min(1 - 1e-3, Math.max(1e-3, (v - b.lower[a]) / width[a]));
      return Math.log(f / (1 - f));
    });
  const evaluate = async (us: Float64Array[]): Promise<Point[]> => {
    const xs = us.map(toBox);
    const plans = xs.map((x) => planJacobian(x, b, fdStep, "forward"));
    const all = plans.flatMap((p) => p.points);
    const res = await residuals(all);
    count(all.length);
    let k = 0;
    return plans.map((plan, i) => {
      const n = plan.points.length;
      const { jacobian, residual } = assembleJacobian(
        plan,
        Array.from({ length: n }, (_, j) => res[k + j]),
      );
      k += n;
      const u = us[i];
      const s = Float64Array.from(u, sigmoid);
      const dxdu = Float64Array.from(s, (v, a) => width[a] * v * (1 - v));
      for (const row of jacobian) for (let a = 0; a < d; a++) row[a] *= dxdu[a];
      let logJac = 0;
      for (let a = 0; a < d; a++) logJac += logSigmoid(u[a]) + logSigmoid(-u[a]);
      const prec = Float64Array.from(
        s,
        (v, a) => Math.max(2 * v * (1 - v), PRIOR_INFORMATION_FLOOR) + P[a] * dxdu[a] * dxdu[a],
      );
      const grad = Float64Array.from(s, (v) => 1 - 2 * v);
      const pt = gaussNewtonPoint(u, jacobian, residual, prec, logPrior(xs[i]) + logJac, grad);
      pt.box = xs[i];
      return pt;
    });
  };
  return { evaluate, toLogit };
}

/** The stop rule's fields that `options` sets. */
function stopOptions(o: ManifoldOptions) {
  const r: Partial<Record<"rhatTarget" | "essTarget" | "checkEvery" | "checkGrowth", number>> = {};
  for (const k of ["rhatTarget", "essTarget", "checkEvery", "checkGrowth"] as const)
    if (o[k] !== undefined) r[k] = o[k];
  return r;
}

/**
 * Run the manifold MALA chains to convergence (every R-hat < rhatTarget and ESS >= essTarget) or
 * the budget. `residuals` evaluates a batch of points (in a worker pool or in this thread);
 * deterministic for the seed whatever evaluates the batches.
 */
export async function sampleManifold(
  residuals: JacobianResiduals,
  bounds: { lower: ArrayLike<number>; upper: ArrayLike<number> },
  options: ManifoldOptions,
): Promise<ManifoldResult> {
  const t0 = performance.now();
  const b = makeBounds(bounds);
  const d = b.lower.length;
  const chains = posInt(options.chains, "posterior.chains", 8);
  if (!Array.isArray(options.initialStates) || options.initialStates.length < chains)
    throw new ValidationError("posterior.initialStates", `needs ${chains} states (one per chain)`);
  const budget = posInt(options.maxEvaluations, "posterior.max_evaluations", 200000);
  const warmup = options.warmup === undefined ? 50 : Math.max(0, Math.floor(options.warmup));
  const target = posNum(options.targetAcceptance, "posterior.target_acceptance", 0.57, 0.99);
  const fdStep = posNum(options.fdStep, "posterior.fd_step", 1e-4, 0.1);
  const P = options.metricPrecision ? Float64Array.from(options.metricPrecision) : new Float64Array(d);
  let logEps = Math.log(posNum(options.step, "posterior.step", 1.65 * Math.pow(d, -1 / 3), 10));
  const logEps0 = logEps;
  const logPrior = options.logPrior ?? (() => 0);
  const rule = { rhatTarget: 1.05, essTarget: 400, checkEvery: 20, checkGrowth: 0.05, ...stopOptions(options) };
  const store = new ChainStore(chains, d, 1, options.maxStoredPerChain ?? 2000, rule);
  const rng = new SeededRandom((options.seed ?? 1) ^ 0x6a09e667);
  let evaluations = 0;

  const { evaluate, toLogit } = logitEvaluator(residuals, b, P, fdStep, logPrior, (n) => (evaluations += n));

  const inside = (y: Float64Array) => y.every((v) => Number.isFinite(v));
  let current = await evaluate(options.initialStates.slice(0, chains).map(toLogit));
  let accepted = 0;
  let proposed = 0;
  let outside = 0;
  let iter = 0;
  let t = 0;
  let stop: SampleStopReason | null = null;
  const perIteration = chains * (d + 1);
  while (stop === null) {
    if (evaluations + perIteration > budget) {
      stop = "budget";
      break;
    }
    const eps = Math.exp(logEps);
    const ys = current.map((c) => propose(c, eps, rng));
    const us = current.map(() => Math.log(rng.next()));
    const idx = ys.map((y, i) => (inside(y) ? i : -1)).filter((i) => i >= 0);
    const evaluated = await evaluate(idx.map((i) => ys[i]));
    let acc = 0;
    const next = current.slice();
    idx.forEach((i, k) => {
      const y = evaluated[k];
      const x = current[i];
      const logA = y.logTarget - x.logTarget + logProposal(y, x.x, eps) - logProposal(x, y.x, eps);
      if (us[i] < logA) {
        next[i] = y;
        acc++;
      }
    });
    current = next;
    iter++;
    if (iter <= warmup) {
      // Robbins-Monro on log eps towards the target acceptance, gain decaying as iteration^-0.6,
      // kept within [1e-3, 3] x the initial step
      logEps = Math.min(
        logEps0 + Math.log(3),
        Math.max(logEps0 - Math.log(1e3), logEps + (acc / chains - target) / Math.pow(iter, 0.6)),
      );
      continue;
    }
    t++;
    proposed += chains;
    accepted += acc;
    outside += chains - idx.length;
    store.record(
      t,
      current.map((c) => c.box),
      current.map((c) => c.logLik),
    );
    stop = store.check(t, evaluations, accepted / proposed, options.onCheck);
  }
  const acceptance = proposed ? accepted / proposed : 0;
  return {
    ...store.finalDraws(t, evaluations, acceptance),
    evaluations,
    iterations: t,
    warmup: Math.min(iter, warmup),
    outside: proposed ? outside / proposed : 0,
    step: Math.exp(logEps),
    stopReason: stop,
    seconds: (performance.now() - t0) / 1000,
  };
}
