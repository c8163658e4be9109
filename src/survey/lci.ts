import * as crypto from "crypto";
import { DataSet, EarthModel, geometricThicknesses, makeForward, Survey } from "../inversion";
import { choleskySolve as spdSolve } from "../optim";
import { finite, isObject, rejectUnknown, show, ValidationError } from "./errors";
import type { ForwardKind, TopLayers } from "./format";
import { forwardSpec } from "./forwards";

/**
 * Laterally constrained inversion (LCI; Auken & Christiansen 2004, Geophysics 69(3) 752-761) of all
 * soundings of a profile at once, on one layered parameterisation common to all:
 *
 * - model: per sounding its fixed top layers (ice, water; none on land) over `layers` grid layers
 *   with fixed thicknesses (geometric from `first_thickness` to `max_depth`, the last a
 *   half-space); the unknowns are log10 rho of every grid layer of every sounding. IP is off
 *   (m = 0): the LCI fits the same gates as the DE resistivity step (before the first IP sign
 *   reversal unless step1_data is "all"), so IP parameters are fixed at the 1-D step-1 values, 0;
 * - objective Phi = sum_i |(d_i - g(m_i)) / e_i|^2                                    (data)
 *                 + sum_i sum_k ((m_i,k+1 - m_i,k) / sigma_v)^2                      (vertical)
 *                 + sum_(i,i+1) w_i sum_k ((m_i+1,k - m_i,k) / sigma_l)^2,  w_i = 1 / (1 + d_i / d0)
 *   with d_i the distance between neighbours i and i+1 in profile order (lateral: closer
 *   soundings are tied harder; far apart ones barely);
 * - Gauss-Newton with Levenberg-Marquardt damping (mu times the mean diagonal, divided by 3 on a
 *   successful step, times 4 on a failed one), steps clipped to the rho bounds; Jacobians by forward
 *   differences in log10 rho (`fd_step`), one batched forward call of layers + 1 models per
 *   sounding, soundings in parallel when an executor is given;
 * - depth of investigation (DOI) from the final Jacobian J (error-weighted, per decade of rho), by
 *   detectability from the bottom: D(z) = || sum over grid layers below z (half-space included)
 *   of J_k ||_2 is how much the data (in standard deviations) would change if everything below z
 *   were 10 times more resistive; the DOI is the depth where D(z) log10(doi_factor) reaches
 *   sqrt(N) (N data): changing rho by `doi_factor` (default 2) below the DOI would change the data by
 *   one standard deviation RMS, below it by less. Linear in D within a layer; `max_depth` when the
 *   half-space alone passes. Deeper than the DOI the section is shaded: the data say little there.
 *   Also reported: `doi_fraction`'s depth (default 0.9) where the cumulative per-layer sensitivity
 *   S_k = sum |J_dk| from the surface reaches that fraction of the total (a relative rule, which a
 *   thin strong conductor pulls up to itself).
 */
export interface LciOptions {
  layers: number;
  firstThickness: number;
  maxDepth: number;
  sigmaVertical: number;
  sigmaLateral: number;
  d0: number;
  maxIterations: number;
  tolerance: number;
  fdStep: number;
  doiFraction: number;
  doiFactor: number;
  rhoMin: number;
  rhoMax: number;
}

export const LCI_DEFAULTS: LciOptions = {
  layers: 20,
  firstThickness: 3,
  maxDepth: 250,
  sigmaVertical: 0.3,
  sigmaLateral: 0.1,
  d0: 250,
  maxIterations: 10,
  tolerance: 0.005,
  fdStep: 0.02,
  doiFraction: 0.9,
  doiFactor: 2,
  rhoMin: 0.1,
  rhoMax: 1e5,
};

const LCI_KEYS: Record<string, keyof LciOptions> = {
  layers: "layers",
  first_thickness: "firstThickness",
  max_depth: "maxDepth",
  sigma_vertical: "sigmaVertical",
  sigma_lateral: "sigmaLateral",
  d0: "d0",
  max_iterations: "maxIterations",
  tolerance: "tolerance",
  fd_step: "fdStep",
  doi_fraction: "doiFraction",
  doi_factor: "doiFactor",
  rho_min: "rhoMin",
  rho_max: "rhoMax",
};

export function parseLciOptions(x: unknown, field = "lci"): LciOptions {
  if (x === true) x = {};
  if (!isObject(x)) throw new ValidationError(field, `expected an object of LCI options or false, got ${show(x)}`);
  rejectUnknown(x, Object.keys(LCI_KEYS), field);
  const o: LciOptions = { ...LCI_DEFAULTS };
  for (const [k, key] of Object.entries(LCI_KEYS)) if (x[k] !== undefined) o[key] = finite(x[k], `${field}.${k}`);
  const need = (ok: boolean, k: string, what: string) => {
    if (!ok) throw new ValidationError(`${field}.${k}`, `${o[LCI_KEYS[k]]}; expected ${what}`);
  };
  need(Number.isInteger(o.layers) && o.layers >= 2 && o.layers <= 100, "layers", "an integer in [2, 100]");
  need(o.firstThickness > 0, "first_thickness", "> 0 m");
  need(o.maxDepth > o.firstThickness, "max_depth", "> first_thickness (m)");
  need(o.sigmaVertical > 0, "sigma_vertical", "> 0 (log10 rho)");
  need(o.sigmaLateral > 0, "sigma_lateral", "> 0 (log10 rho)");
  need(o.d0 > 0, "d0", "> 0 m");
  need(
    Number.isInteger(o.maxIterations) && o.maxIterations >= 0 && o.maxIterations <= 200,
    "max_iterations",
    "an integer in [0, 200]",
  );
  need(o.tolerance >= 0, "tolerance", ">= 0");
  need(o.fdStep > 0 && o.fdStep <= 0.5, "fd_step", "in (0, 0.5] (log10 rho)");
  need(o.doiFraction > 0 && o.doiFraction < 1, "doi_fraction", "in (0, 1)");
  need(o.doiFactor > 1, "doi_factor", "> 1 (a resistivity factor)");
  need(o.rhoMin > 0, "rho_min", "> 0 ohm-m");
  need(o.rhoMax > o.rhoMin, "rho_max", "> rho_min");
  return o;
}

/** One sounding as the LCI sees it. */
export interface LciSounding {
  id: string;
  x: number;
  y: number;
  datasets: DataSet[];
  top: TopLayers | null;
  /** Starting log10 rho per grid layer. */
  start: number[];
}

/** A forward (+ Jacobian) request for one sounding: JSON, so a worker thread can run it. */
export interface LciForwardTask {
  kind: "lci";
  forward: { kind: ForwardKind; options?: Record<string, unknown> };
  key: string;
  datasets: { survey: Survey; error: number[] }[];
  top: TopLayers | null;
  thickness: number[];
  logRho: number[];
  /** With the Jacobian (forward differences of this step), or the prediction only. */
  fdStep: number | null;
}

export interface LciForwardResult {
  /** Predicted data (concatenated over the datasets). */
  pred: number[];
  /** J[d][k] = (g_d(m + h e_k) - g_d(m)) / h / error_d; null without fdStep. */
  J: number[][] | null;
}

/** The model of a sounding: its top layers over the grid. */
export function gridModel(top: TopLayers | null, thickness: number[], logRho: number[]): EarthModel {
  const t = top ?? { thickness: [], rho0: [] };
  const rho0 = [...t.rho0, ...logRho.map((v) => Math.pow(10, v))];
  const n = rho0.length;
  return {
    thickness: [...t.thickness, ...thickness],
    rho0,
    m: new Array(n).fill(0),
    tau: new Array(n).fill(1e-3),
    c: new Array(n).fill(0.5),
  };
}

const forwardCache = new Map<string, ReturnType<typeof makeForward>>();

/** Run one LCI forward task in this thread (forward compiled once per sounding and thread). */
export function runLciForward(t: LciForwardTask): LciForwardResult {
  let fwd = forwardCache.get(t.key);
  if (!fwd) {
    if (forwardCache.size > 512) forwardCache.clear();
    fwd = makeForward({
      datasets: t.datasets.map((d) => ({ survey: d.survey, observed: d.error.map(() => 0), error: d.error })),
      parameterisation: { layers: 1, rho0: { min: 1, max: 2 } },
      forward: forwardSpec(t.forward.kind, t.forward.options),
    });
    forwardCache.set(t.key, fwd);
  }
  const L = t.logRho.length;
  const models = [gridModel(t.top, t.thickness, t.logRho)];
  if (t.fdStep !== null) {
    for (let k = 0; k < L; k++) {
      const lr = t.logRho.slice();
      lr[k] += t.fdStep;
      models.push(gridModel(t.top, t.thickness, lr));
    }
  }
  const out = fwd(models);
  const pred = Array.from(out[0]);
  if (t.fdStep === null) return { pred, J: null };
  const err = ([] as number[]).concat(...t.datasets.map((d) => d.error));
  const h = t.fdStep;
  const J = pred.map((p, d) => Array.from({ length: L }, (_, k) => (out[k + 1][d] - p) / h / err[d]));
  return { pred, J };
}

/** Runs forward tasks (in this thread by default, or on a thread pool). */
export type LciExecutor = (tasks: LciForwardTask[]) => Promise<LciForwardResult[]>;
export const serialLciExecutor: LciExecutor = async (tasks) => tasks.map(runLciForward);

export interface LciIteration {
  iteration: number;
  objective: number;
  dataMisfit: number;
  vertical: number;
  lateral: number;
  rms: number;
  mu: number;
}

export interface LciSoundingResult {
  id: string;
  x: number;
  y: number;
  /** Distance along the profile (cumulative distance between neighbours), m. */
  distance: number;
  model: EarthModel;
  /** log10 rho of the grid layers. */
  logRho: number[];
  rms: number;
  predicted: number[][];
  /** Error-weighted sensitivity of each grid layer above the half-space. */
  sensitivity: number[];
  /** Depth of investigation below the surface, m (detectability rule). */
  doi: number;
  /** Depth where the cumulative sensitivity reaches doi_fraction of the total, m. */
  doiFractionDepth: number;
}

export interface LciResult {
  options: LciOptions;
  /** Grid thicknesses (below each sounding's top layers). */
  thickness: number[];
  /** Lateral weights w_i between sounding i and i+1, and their distances. */
  neighbours: { from: string; to: string; distance: number; weight: number }[];
  soundings: LciSoundingResult[];
  iterations: LciIteration[];
  rms: number;
  objective: number;
  stopReason: "converged" | "max_iterations" | "no_decrease";
  forwardCalls: number;
}

/** Distances between consecutive soundings and the profile coordinate (cumulative). */
export function profileDistances(pts: { x: number; y: number }[]): { gaps: number[]; distance: number[] } {
  const gaps = pts.slice(1).map((p, i) => Math.hypot(p.x - pts[i].x, p.y - pts[i].y));
  const distance = [0];
  for (const g of gaps) distance.push(distance[distance.length - 1] + g);
  return { gaps, distance };
}

/** Cholesky solve of the symmetric positive definite A x = b (A row-major n x n), by optim's solver. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const x = spdSolve(A, b, n);
  if (!x) throw new Error("LCI: the normal matrix is not positive definite");
  return x;
}

/**
 * DOI by detectability (see the module comment): J[d][k] error-weighted per decade of rho for the
 * grid layers (the last the half-space), `tops` the depths of their tops.
 */
export function detectabilityDepth(J: number[][], tops: number[], factor = 2): number {
  const N = J.length;
  const L = tops.length;
  const need = Math.sqrt(N) / Math.log10(factor);
  const acc = new Float64Array(N);
  let prevD = 0;
  for (let k = L - 1; k >= 0; k--) {
    let s2 = 0;
    for (let d = 0; d < N; d++) {
      acc[d] += J[d][k];
      s2 += acc[d] * acc[d];
    }
    const D = Math.sqrt(s2);
    if (D >= need) {
      if (k === L - 1) return tops[L - 1];
      return tops[k + 1] - ((need - prevD) / (D - prevD)) * (tops[k + 1] - tops[k]);
    }
    prevD = D;
  }
  return tops[0];
}

/** Depth where the cumulative per-layer sensitivity from the top reaches `fraction` of the total. */
export function depthOfInvestigation(
  sensitivity: number[],
  tops: number[],
  thickness: number[],
  fraction: number,
): number {
  const total = sensitivity.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return tops[0];
  const goal = fraction * total;
  let c = 0;
  for (let k = 0; k < sensitivity.length; k++) {
    if (c + sensitivity[k] >= goal) return tops[k] + (thickness[k] * (goal - c)) / sensitivity[k];
    c += sensitivity[k];
  }
  return tops[sensitivity.length - 1] + thickness[sensitivity.length - 1];
}

/** The regulariser's rows as (i, j, coefficient) pairs per row: r = (m_a - m_b) * coef. */
function regularisationPairs(
  nS: number,
  L: number,
  o: LciOptions,
  weights: number[],
): { a: number; b: number; c: number; lateral: boolean }[] {
  const rows: { a: number; b: number; c: number; lateral: boolean }[] = [];
  for (let i = 0; i < nS; i++)
    for (let k = 0; k + 1 < L; k++)
      rows.push({ a: i * L + k + 1, b: i * L + k, c: 1 / o.sigmaVertical, lateral: false });
  for (let i = 0; i + 1 < nS; i++) {
    const c = Math.sqrt(weights[i]) / o.sigmaLateral;
    for (let k = 0; k < L; k++) rows.push({ a: (i + 1) * L + k, b: i * L + k, c, lateral: true });
  }
  return rows;
}

/**
 * The LCI of soundings in profile order (see the module comment). `forward` names the forward
 * ("em" or "toy"); `exec` runs the per-sounding forward/Jacobian tasks (default: this thread).
 */
export async function lci(
  soundings: LciSounding[],
  forward: { kind: ForwardKind; options?: Record<string, unknown> },
  o: LciOptions = LCI_DEFAULTS,
  exec: LciExecutor = serialLciExecutor,
  log: (s: string) => void = () => undefined,
): Promise<LciResult> {
  const nS = soundings.length;
  const L = o.layers;
  const P = nS * L;
  const thickness = geometricThicknesses(L, o.firstThickness, o.maxDepth);
  const { gaps, distance } = profileDistances(soundings);
  const weights = gaps.map((d) => 1 / (1 + d / o.d0));
  const rows = regularisationPairs(nS, L, o, weights);
  const lo = Math.log10(o.rhoMin),
    hi = Math.log10(o.rhoMax);
  const obs = soundings.map((s) => ([] as number[]).concat(...s.datasets.map((d) => d.observed)));
  const err = soundings.map((s) => ([] as number[]).concat(...s.datasets.map((d) => d.error)));
  const N = obs.reduce((n, d) => n + d.length, 0);
  const keys = soundings.map((s) =>
    crypto
      .createHash("sha256")
      .update(JSON.stringify([s.datasets.map((d) => [d.survey, d.error]), forward]))
      .digest("hex"),
  );
  let forwardCalls = 0;
  const run = async (m: Float64Array, withJ: boolean) => {
    const tasks: LciForwardTask[] = soundings.map((s, i) => ({
      kind: "lci",
      forward,
      key: keys[i],
      datasets: s.datasets.map((d) => ({ survey: d.survey, error: d.error })),
      top: s.top,
      thickness,
      logRho: Array.from(m.subarray(i * L, (i + 1) * L)),
      fdStep: withJ ? o.fdStep : null,
    }));
    forwardCalls += nS * (withJ ? L + 1 : 1);
    return exec(tasks);
  };
  const parts = (m: Float64Array, res: LciForwardResult[]) => {
    let dm = 0;
    res.forEach((r, i) => r.pred.forEach((p, d) => (dm += ((p - obs[i][d]) / err[i][d]) ** 2)));
    let vert = 0,
      lat = 0;
    for (const r of rows) {
      const v = (m[r.a] - m[r.b]) * r.c;
      if (r.lateral) lat += v * v;
      else vert += v * v;
    }
    return { dataMisfit: dm, vertical: vert, lateral: lat, objective: dm + vert + lat, rms: Math.sqrt(dm / N) };
  };
  let m = new Float64Array(P);
  soundings.forEach((s, i) => {
    if (s.start.length !== L)
      throw new ValidationError(`lci.start[${i}]`, `has ${s.start.length} values for ${L} grid layers`);
    s.start.forEach((v, k) => (m[i * L + k] = Math.min(hi, Math.max(lo, v))));
  });
  let cur = await run(m, true);
  let f = parts(m, cur);
  let mu = 0.01;
  const iterations: LciIteration[] = [{ iteration: 0, ...f, mu }];
  log(`lci it 0  rms ${f.rms.toPrecision(4)}  objective ${f.objective.toPrecision(5)}`);
  let stopReason: LciResult["stopReason"] = "max_iterations";
  for (let it = 1; it <= o.maxIterations; it++) {
    // normal equations: (J'J + R'R + mu s I) dm = J'r - R'R m
    const A = new Float64Array(P * P);
    const g = new Float64Array(P);
    cur.forEach((r, i) => {
      const J = r.J!;
      const base = i * L;
      for (let d = 0; d < J.length; d++) {
        const row = J[d];
        const res = (obs[i][d] - r.pred[d]) / err[i][d];
        for (let a = 0; a < L; a++) {
          g[base + a] += row[a] * res;
          for (let b = 0; b < L; b++) A[(base + a) * P + base + b] += row[a] * row[b];
        }
      }
    });
    for (const r of rows) {
      const c2 = r.c * r.c;
      A[r.a * P + r.a] += c2;
      A[r.b * P + r.b] += c2;
      A[r.a * P + r.b] -= c2;
      A[r.b * P + r.a] -= c2;
      const v = (m[r.a] - m[r.b]) * c2;
      g[r.a] -= v;
      g[r.b] += v;
    }
    let meanDiag = 0;
    for (let p = 0; p < P; p++) meanDiag += A[p * P + p] / P;
    let accepted = false;
    for (let tries = 0; tries < 8 && !accepted; tries++) {
      const M = Float64Array.from(A);
      for (let p = 0; p < P; p++) M[p * P + p] += mu * meanDiag;
      const step = choleskySolve(M, Float64Array.from(g), P);
      const trial = new Float64Array(P);
      for (let p = 0; p < P; p++) trial[p] = Math.min(hi, Math.max(lo, m[p] + step[p]));
      const tr = await run(trial, false);
      const ft = parts(trial, tr);
      if (ft.objective < f.objective) {
        accepted = true;
        const rel = (f.objective - ft.objective) / f.objective;
        m = trial;
        f = ft;
        mu = Math.max(mu / 3, 1e-6);
        cur = await run(m, true);
        iterations.push({ iteration: it, ...f, mu });
        log(
          `lci it ${it}  rms ${f.rms.toPrecision(4)}  objective ${f.objective.toPrecision(5)}  mu ${mu.toExponential(1)}`,
        );
        if (rel < o.tolerance) stopReason = "converged";
      } else mu *= 4;
    }
    if (!accepted) {
      stopReason = "no_decrease";
      break;
    }
    if (stopReason === "converged") break;
  }
  const result: LciSoundingResult[] = soundings.map((s, i) => {
    const lr = Array.from(m.subarray(i * L, (i + 1) * L));
    const model = gridModel(s.top, thickness, lr);
    const J = cur[i].J!;
    const sens = Array.from({ length: L - 1 }, (_, k) => J.reduce((a, row) => a + Math.abs(row[k]), 0));
    const topDepth = (s.top?.thickness ?? []).reduce((a, b) => a + b, 0);
    const tops = [topDepth];
    for (const t of thickness) tops.push(tops[tops.length - 1] + t);
    let dm = 0;
    cur[i].pred.forEach((p, d) => (dm += ((p - obs[i][d]) / err[i][d]) ** 2));
    const predicted: number[][] = [];
    let k0 = 0;
    for (const d of s.datasets) {
      predicted.push(cur[i].pred.slice(k0, k0 + d.observed.length));
      k0 += d.observed.length;
    }
    return {
      id: s.id,
      x: s.x,
      y: s.y,
      distance: distance[i],
      model,
      logRho: lr,
      rms: Math.sqrt(dm / obs[i].length),
      predicted,
      sensitivity: sens,
      doi: detectabilityDepth(J, tops.slice(0, L), o.doiFactor),
      doiFractionDepth: depthOfInvestigation(sens, tops, thickness, o.doiFraction),
    };
  });
  return {
    options: o,
    thickness,
    neighbours: gaps.map((d, i) => ({
      from: soundings[i].id,
      to: soundings[i + 1].id,
      distance: d,
      weight: weights[i],
    })),
    soundings: result,
    iterations,
    rms: f.rms,
    objective: f.objective,
    stopReason,
    forwardCalls,
  };
}
