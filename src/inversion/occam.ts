import { performance } from "perf_hooks";
import { WorkerPool } from "../optim";
import { ValidationError } from "./errors";
import type { EarthModel } from "../em";
import {
  createPredictor,
  dataCount,
  ForwardFn,
  InversionProblem,
  rmsMisfit,
  splitByDataset,
  stackedData,
} from "./objective";
import { choleskySolve, firstDifferenceGram, normalEquations } from "./linalg";
import { OBJECTIVE_MODULE } from "./invert";

/**
 * Occam's inversion (Constable, Parker & Constable 1987, Geophysics 52, 289-300): many thin
 * layers of fixed thickness, unknowns log10 rho per layer, and among the models that fit the data
 * to the target misfit the smoothest one (least first-difference roughness). Each iteration
 * linearises the forward at the current model (Jacobian by forward differences), solves
 * (mu D^T D + (W J)^T W J) m = (W J)^T W (d - F(m_k) + J m_k) for a sweep of Lagrange multipliers
 * mu, evaluates the true misfit of every candidate, and keeps: while the target is out of reach,
 * the smoothest candidate that cuts the misfit to an intermediate goal (phase 1; Constable et al.
 * take the least misfit, which on TEM data sends insensitive deep layers to the bounds); once the
 * target is reachable, the largest mu that meets it (phase 2).
 */
export interface OccamOptions {
  /** Layer thicknesses (m) of the thin-layer model; default geometric from `firstThickness` to `maxDepth`. */
  thickness?: number[];
  layers?: number;
  firstThickness?: number;
  maxDepth?: number;
  /** Starting half-space resistivity (ohm-m). */
  startRho?: number;
  /** Fixed IP parameters of every layer (default m = 0). */
  m?: number;
  tau?: number;
  c?: number;
  /** Target RMS of the weighted misfit (default 1). */
  targetRms?: number;
  maxIterations?: number;
  /** log10 mu values tried each iteration (default -2 ... 6 in steps of 0.25). */
  log10Mu?: number[];
  /** Phase 1 aims each iteration at this fraction of the current misfit (default 0.6), see above. */
  phaseOneFraction?: number;
  /** Forward-difference step in log10 rho (default 0.02). */
  fdStep?: number;
  /** Resistivity bounds (ohm-m) the model is kept within (default 0.1 ... 1e5). */
  rhoBounds?: [number, number];
  forward?: ForwardFn;
  workers?: number | "all";
  pool?: WorkerPool;
  onIteration?: (it: OccamIteration) => void;
}

export interface OccamIteration {
  iteration: number;
  rms: number;
  roughness: number;
  mu: number;
  phase: 1 | 2;
  model: EarthModel;
}

export interface OccamResult {
  model: EarthModel;
  rms: number;
  roughness: number;
  mu: number;
  iterations: OccamIteration[];
  predicted: number[][];
  evaluations: number;
  /** See occam: "singular" when no mu of the sweep gave a solvable system (the last model is returned). */
  stopReason: "converged" | "iterations" | "no-progress" | "singular";
  seconds: number;
}

/** Geometric layer thicknesses: `layers - 1` thicknesses from `first`, summing to `maxDepth`. */
export function geometricThicknesses(layers: number, first: number, maxDepth: number): number[] {
  const n = layers - 1;
  if (n < 1) return [];
  if (!(first > 0 && maxDepth > 0))
    throw new ValidationError(
      "occam.firstThickness",
      `expected positive firstThickness and maxDepth, got ${first}, ${maxDepth}`,
    );
  if (maxDepth <= first * n * (1 + 1e-9)) return new Array(n).fill(maxDepth / n);
  // solve first * (r^n - 1) / (r - 1) = maxDepth for r > 1 by bisection
  let lo = 1 + 1e-12,
    hi = 10;
  for (let k = 0; k < 200; k++) {
    const r = 0.5 * (lo + hi);
    const s = (first * (Math.pow(r, n) - 1)) / (r - 1);
    if (s > maxDepth) hi = r;
    else lo = r;
  }
  const r = 0.5 * (lo + hi);
  return Array.from({ length: n }, (_, i) => first * Math.pow(r, i));
}

function roughnessOf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += (x[i] - x[i - 1]) ** 2;
  return s;
}

/** An Occam run's fixed parts: the thin-layer problem, the stacked data and the mu sweep. */
interface OccamSetup {
  thickness: number[];
  layers: number;
  /** log10 rho bounds. */
  lo: number;
  hi: number;
  sub: InversionProblem;
  observed: Float64Array;
  error: Float64Array;
  N: number;
  target: number;
  fdStep: number;
  phaseOneFraction: number;
  muGrid: number[];
  /** First-difference roughness Gram matrix D^T D. */
  R: number[][];
}

function occamSetup(problem: InversionProblem, o: OccamOptions): OccamSetup {
  const thickness = o.thickness ?? geometricThicknesses(o.layers ?? 30, o.firstThickness ?? 5, o.maxDepth ?? 1000);
  const layers = thickness.length + 1;
  const [rlo, rhi] = o.rhoBounds ?? [0.1, 1e5];
  if (!(rlo > 0 && rhi > rlo))
    throw new ValidationError("occam.rhoBounds", `expected 0 < min < max, got [${rlo}, ${rhi}]`);
  const log10Mu = o.log10Mu ?? Array.from({ length: 33 }, (_, i) => -2 + 0.25 * i);
  if (log10Mu.length === 0 || !log10Mu.every((e) => Number.isFinite(e))) {
    throw new ValidationError(
      "occam.log10Mu",
      `expected a non-empty list of finite log10 mu values, got [${log10Mu.join(", ")}]`,
    );
  }
  const sub: InversionProblem = {
    ...problem,
    parameterisation: {
      layers,
      rho0: { min: rlo, max: rhi },
      thickness: { fixed: thickness },
      m: { fixed: o.m ?? 0 },
      tau: { fixed: o.tau ?? 1e-3 },
      c: { fixed: o.c ?? 0.5 },
    },
  };
  const { observed, error } = stackedData(sub);
  return {
    thickness,
    layers,
    lo: Math.log10(rlo),
    hi: Math.log10(rhi),
    sub,
    observed,
    error,
    N: dataCount(sub),
    target: o.targetRms ?? 1,
    fdStep: o.fdStep ?? 0.02,
    phaseOneFraction: o.phaseOneFraction ?? 0.6,
    muGrid: log10Mu.map((e) => Math.pow(10, e)),
    R: firstDifferenceGram(layers),
  };
}

/** RMS of the weighted misfit of predicted data (Infinity when not finite). */
function weightedRms(c: OccamSetup, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < c.N; i++) s += ((pred[i] - c.observed[i]) / c.error[i]) ** 2;
  return Number.isFinite(s) ? rmsMisfit(s, c.N) : Infinity;
}

function occamModel(c: OccamSetup, o: OccamOptions, x: number[]): EarthModel {
  return {
    thickness: c.thickness.slice(),
    rho0: x.map((v) => Math.pow(10, v)),
    m: new Array(c.layers).fill(o.m ?? 0),
    tau: new Array(c.layers).fill(o.tau ?? 1e-3),
    c: new Array(c.layers).fill(o.c ?? 0.5),
  };
}

/**
 * The normal equations of one linearisation at x: the weighted Jacobian A (forward differences,
 * `fp` the predictions of the perturbed models) and bhat = W (d - F(x)) + A x.
 */
function linearisation(
  c: OccamSetup,
  x: number[],
  pred: ArrayLike<number>,
  fp: number[][],
): { G: number[][]; g: number[] } {
  const { N, observed, error, fdStep: h } = c;
  const A = Array.from({ length: N }, (_, i) => x.map((_, k) => (fp[k][i] - pred[i]) / h / error[i]));
  const bhat = Array.from({ length: N }, (_, i) => {
    let s = (observed[i] - pred[i]) / error[i];
    for (let k = 0; k < c.layers; k++) s += A[i][k] * x[k];
    return s;
  });
  return normalEquations(A, bhat);
}

/** The model of each mu of the sweep, clamped to the bounds; a mu whose system is singular is skipped. */
function candidates(c: OccamSetup, G: number[][], g: number[]): { cands: number[][]; mus: number[] } {
  const cands: number[][] = [];
  const mus: number[] = [];
  for (const mu of c.muGrid) {
    const S = G.map((row, i) => row.map((v, j) => v + mu * c.R[i][j]));
    try {
      cands.push(choleskySolve(S, g).map((v) => Math.min(c.hi, Math.max(c.lo, v))));
      mus.push(mu);
    } catch {
      /* singular for this mu: skip */
    }
  }
  return { cands, mus };
}

/**
 * Phase 2: the largest mu (smoothest model) that meets the target; phase 1: the largest mu that
 * meets an intermediate goal, max(target, 1.02 x the least misfit on offer, phaseOneFraction x the
 * current misfit), so early iterations do not jump to the rough minimiser of a poor linearisation.
 */
function pickCandidate(c: OccamSetup, mus: number[], rmss: number[], rms: number): { pick: number; phase: 1 | 2 } {
  const rmin = Math.min(...rmss);
  const phase: 1 | 2 = rmin <= c.target ? 2 : 1;
  const goal = phase === 2 ? c.target : Math.max(c.target, 1.02 * rmin, c.phaseOneFraction * rms);
  let pick = -1;
  for (let k = 0; k < mus.length; k++) if (rmss[k] <= goal && (pick < 0 || mus[k] > mus[pick])) pick = k;
  return { pick, phase };
}

type Predict = (xs: number[][]) => Promise<number[][]>;

/** One Occam step from x: the chosen model, its predictions, misfit, mu and phase; null when no step helps. */
async function occamStep(
  c: OccamSetup,
  predict: Predict,
  x: number[],
  pred: number[],
  rms: number,
): Promise<{ x: number[]; pred: number[]; rms: number; mu: number; phase: 1 | 2 } | "singular" | null> {
  const h = c.fdStep;
  const fp = await predict(x.map((_, k) => x.map((v, j) => (j === k ? v + h : v))));
  const { G, g } = linearisation(c, x, pred, fp);
  const { cands, mus } = candidates(c, G, g);
  if (cands.length === 0) return "singular";
  const preds = await predict(cands);
  const rmss = preds.map((p) => weightedRms(c, p));
  const { pick, phase } = pickCandidate(c, mus, rmss, rms);
  const step = { x: cands[pick], pred: preds[pick], rms: rmss[pick], mu: mus[pick], phase };
  if (phase === 2 || step.rms < rms) return step;
  // no multiplier improves the fit: shorten the step towards the best candidate
  const steps = [0.5, 0.25, 0.125].map((a) => x.map((v, j) => v + a * (step.x[j] - v)));
  const sp = await predict(steps);
  const sr = sp.map((p) => weightedRms(c, p));
  const k = sr.indexOf(Math.min(...sr));
  if (!(sr[k] < rms)) return null;
  return { ...step, x: steps[k], pred: sp[k], rms: sr[k] };
}

/**
 * Occam's inversion of `problem`'s data (see OccamOptions). Stops when phase 2 has settled
 * ("converged"), after maxIterations ("iterations"), when no step improves the misfit
 * ("no-progress"), or when no mu of the sweep gives a solvable system, e.g. data that do not
 * depend on the model or a non-finite Jacobian ("singular"): the result is then the last model.
 */
export async function occam(problem: InversionProblem, o: OccamOptions = {}): Promise<OccamResult> {
  const t0 = performance.now();
  const c = occamSetup(problem, o);
  const spec = { module: OBJECTIVE_MODULE, factory: "createPredictor", args: c.sub };
  const nw = o.workers ?? 1;
  const pool = o.pool ?? (nw !== 1 && !o.forward ? new WorkerPool(spec, nw) : undefined);
  if (o.pool) await o.pool.configure(spec);
  const local = pool ? undefined : createPredictor(c.sub, o.forward);
  let evaluations = 0;
  const predict: Predict = async (xs) => {
    evaluations += xs.length;
    const v = xs.map((x) => Float64Array.from(x));
    return (pool ? await pool.evaluate(v) : local!(v)) as number[][];
  };
  try {
    let x = new Array(c.layers).fill(Math.log10(o.startRho ?? 100));
    let pred = (await predict([x]))[0];
    let rms = weightedRms(c, pred);
    let mu = NaN;
    const iterations: OccamIteration[] = [];
    let stopReason: OccamResult["stopReason"] = "iterations";
    for (let it = 1; it <= (o.maxIterations ?? 20); it++) {
      const step = await occamStep(c, predict, x, pred, rms);
      if (step === null || step === "singular") {
        stopReason = step === null ? "no-progress" : "singular";
        break;
      }
      const roughOld = roughnessOf(x);
      const change = Math.max(...step.x.map((v, j) => Math.abs(v - x[j])));
      const prevRms = rms;
      ({ x, pred, rms, mu } = step);
      const rec: OccamIteration = {
        iteration: it,
        rms,
        roughness: roughnessOf(x),
        mu,
        phase: step.phase,
        model: occamModel(c, o, x),
      };
      iterations.push(rec);
      o.onIteration?.(rec);
      const settled = change < 0.01 || Math.abs(rec.roughness - roughOld) <= 0.01 * roughOld;
      if (step.phase === 2 && prevRms <= c.target * 1.0001 && settled) {
        stopReason = "converged";
        break;
      }
    }
    return {
      model: occamModel(c, o, x),
      rms,
      roughness: roughnessOf(x),
      mu,
      iterations,
      predicted: splitByDataset(c.sub, pred),
      evaluations,
      stopReason,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    if (pool && !o.pool) await pool.close();
  }
}
