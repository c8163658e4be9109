import { performance } from "perf_hooks";
import { WorkerPool } from "../optim";
import { ValidationError } from "./errors";
import type { EarthModel } from "../em";
import { createPredictor, dataCount, ForwardFn, InversionProblem, rmsMisfit, splitByDataset, stackedData } from "./objective";
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
  stopReason: "converged" | "iterations" | "no-progress";
  seconds: number;
}

/** Geometric layer thicknesses: `layers - 1` thicknesses from `first`, summing to `maxDepth`. */
export function geometricThicknesses(layers: number, first: number, maxDepth: number): number[] {
  const n = layers - 1;
  if (n < 1) return [];
  if (!(first > 0 && maxDepth > 0)) throw new ValidationError("occam.firstThickness", `expected positive firstThickness and maxDepth, got ${first}, ${maxDepth}`);
  if (maxDepth <= first * n * (1 + 1e-9)) return new Array(n).fill(maxDepth / n);
  // solve first * (r^n - 1) / (r - 1) = maxDepth for r > 1 by bisection
  let lo = 1 + 1e-12, hi = 10;
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

export async function occam(problem: InversionProblem, o: OccamOptions = {}): Promise<OccamResult> {
  const t0 = performance.now();
  const thickness = o.thickness ?? geometricThicknesses(o.layers ?? 30, o.firstThickness ?? 5, o.maxDepth ?? 1000);
  const layers = thickness.length + 1;
  const [rlo, rhi] = o.rhoBounds ?? [0.1, 1e5];
  if (!(rlo > 0 && rhi > rlo)) throw new ValidationError("occam.rhoBounds", `expected 0 < min < max, got [${rlo}, ${rhi}]`);
  const lo = Math.log10(rlo), hi = Math.log10(rhi);
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
  const N = dataCount(sub);
  const target = o.targetRms ?? 1;
  const h = o.fdStep ?? 0.02;
  const phaseOneFraction = o.phaseOneFraction ?? 0.6;
  const muGrid = (o.log10Mu ?? Array.from({ length: 33 }, (_, i) => -2 + 0.25 * i)).map((e) => Math.pow(10, e));
  const spec = { module: OBJECTIVE_MODULE, factory: "createPredictor", args: sub };
  const nw = o.workers ?? 1;
  const pool = o.pool ?? (nw !== 1 && !o.forward ? new WorkerPool(spec, nw) : undefined);
  if (o.pool) await o.pool.configure(spec);
  const local = pool ? undefined : createPredictor(sub, o.forward);
  let evaluations = 0;
  const predict = async (xs: number[][]): Promise<number[][]> => {
    evaluations += xs.length;
    const v = xs.map((x) => Float64Array.from(x));
    return (pool ? await pool.evaluate(v) : local!(v)) as number[][];
  };
  const rmsOf = (pred: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < N; i++) s += ((pred[i] - observed[i]) / error[i]) ** 2;
    return Number.isFinite(s) ? rmsMisfit(s, N) : Infinity;
  };
  const clampX = (x: number[]) => x.map((v) => Math.min(hi, Math.max(lo, v)));
  const modelOf = (x: number[]): EarthModel => ({
    thickness: thickness.slice(),
    rho0: x.map((v) => Math.pow(10, v)),
    m: new Array(layers).fill(o.m ?? 0),
    tau: new Array(layers).fill(o.tau ?? 1e-3),
    c: new Array(layers).fill(o.c ?? 0.5),
  });
  const R = firstDifferenceGram(layers);
  try {
    let x = new Array(layers).fill(Math.log10(o.startRho ?? 100));
    let pred = (await predict([x]))[0];
    let rms = rmsOf(pred);
    let mu = NaN;
    const iterations: OccamIteration[] = [];
    let stopReason: OccamResult["stopReason"] = "iterations";
    for (let it = 1; it <= (o.maxIterations ?? 20); it++) {
      // Jacobian of the weighted data by forward differences
      const pert = x.map((_, k) => x.map((v, j) => (j === k ? v + h : v)));
      const fp = await predict(pert);
      const A = Array.from({ length: N }, (_, i) => x.map((_, k) => (fp[k][i] - pred[i]) / h / error[i]));
      const bhat = Array.from({ length: N }, (_, i) => {
        let s = (observed[i] - pred[i]) / error[i];
        for (let k = 0; k < layers; k++) s += A[i][k] * x[k];
        return s;
      });
      const { G, g } = normalEquations(A, bhat);
      const cands: number[][] = [];
      const mus: number[] = [];
      for (const mu_ of muGrid) {
        const S = G.map((row, i) => row.map((v, j) => v + mu_ * R[i][j]));
        try {
          cands.push(clampX(choleskySolve(S, g)));
          mus.push(mu_);
        } catch {
          /* singular for this mu: skip */
        }
      }
      const preds = await predict(cands);
      const rmss = preds.map(rmsOf);
      // phase 2: the largest mu (smoothest model) that meets the target; phase 1: the largest mu
      // that meets an intermediate goal, max(target, 1.02 x the least misfit on offer, 0.6 x the
      // current misfit), so early iterations do not jump to the rough minimiser of a poor linearisation
      const rmin = Math.min(...rmss);
      const phase: 1 | 2 = rmin <= target ? 2 : 1;
      const goal = phase === 2 ? target : Math.max(target, 1.02 * rmin, phaseOneFraction * rms);
      let pick = -1;
      for (let k = 0; k < mus.length; k++) if (rmss[k] <= goal && (pick < 0 || mus[k] > mus[pick])) pick = k;
      let xNew = cands[pick];
      let predNew = preds[pick];
      let rmsNew = rmss[pick];
      if (phase === 1 && !(rmsNew < rms)) {
        // no multiplier improves the fit: shorten the step towards the best candidate
        const steps = [0.5, 0.25, 0.125].map((a) => x.map((v, j) => v + a * (xNew[j] - v)));
        const sp = await predict(steps);
        const sr = sp.map(rmsOf);
        const k = sr.indexOf(Math.min(...sr));
        if (!(sr[k] < rms)) {
          stopReason = "no-progress";
          break;
        }
        xNew = steps[k];
        predNew = sp[k];
        rmsNew = sr[k];
      }
      const roughOld = roughnessOf(x);
      const change = Math.max(...xNew.map((v, j) => Math.abs(v - x[j])));
      x = xNew;
      pred = predNew;
      const prevRms = rms;
      rms = rmsNew;
      mu = mus[pick];
      const rec: OccamIteration = { iteration: it, rms, roughness: roughnessOf(x), mu, phase, model: modelOf(x) };
      iterations.push(rec);
      o.onIteration?.(rec);
      if (phase === 2 && prevRms <= target * 1.0001 && (change < 0.01 || Math.abs(rec.roughness - roughOld) <= 0.01 * roughOld)) {
        stopReason = "converged";
        break;
      }
    }
    return {
      model: modelOf(x),
      rms,
      roughness: roughnessOf(x),
      mu,
      iterations,
      predicted: splitByDataset(sub, pred),
      evaluations,
      stopReason,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    if (pool && !o.pool) await pool.close();
  }
}
