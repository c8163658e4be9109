import * as path from "path";
import { finiteArray, isObject, show, ValidationError } from "./errors";
import type { EarthModel, Survey } from "../em";
import {
  compileParameterisation,
  freeKinds,
  Parameterisation,
  ParameterisationSpec,
  searchValues,
  toModel,
} from "./parameterisation";

/**
 * The inversion objective D(m) = D_d(m) + lambda D_m(m) (seed eq. 13) as a batch function of
 * search-space vectors returning the components [D_d, D_m] per vector; the optimiser weighs them
 * with [1, lambda_t] and updates lambda_t by `adaptiveLambda` (seed eq. 16) every generation.
 */

/**
 * - "weighted" (default): sum ((d_pred - d_obs) / error)^2, the chi-square; the data span decades,
 *   so each gate counts by its own noise.
 * - "raw": sum (d_pred - d_obs)^2, the paper's eq. 12 (dominated by the earliest, largest values).
 * - "relative": sum ((d_pred - d_obs) / |d_obs|)^2.
 */
export type MisfitKind = "weighted" | "raw" | "relative";
export const MISFIT_KINDS: readonly MisfitKind[] = ["weighted", "raw", "relative"];

/** One survey's data: the EM engine's survey, observed `time_off` and 1-sd errors (one per time or gate). */
export interface DataSet {
  survey: Survey;
  observed: number[];
  /** Absolute standard deviation per gate, in the data's units (> 0). */
  error: number[];
  /** Optional label (e.g. "TEM47 285 Hz"). */
  label?: string;
}

/**
 * How a worker (or anyone) builds the forward: `require(module)[factory](surveys, args)` returns a
 * ForwardFn. Without it the EM engine (src/em) is used.
 */
export interface ForwardProviderSpec {
  module: string;
  factory: string;
  args?: unknown;
}

/** Predicted data of each model: the datasets' `time_off` values concatenated in dataset order. */
export type ForwardFn = (models: EarthModel[]) => ArrayLike<number>[];

export interface InversionProblem {
  datasets: DataSet[];
  parameterisation: ParameterisationSpec;
  misfit?: MisfitKind;
  /** Initial regularisation factor lambda_0 (default 0.5, the paper's). */
  lambda0?: number;
  /** Update lambda by seed eq. 16 every generation (default true); false keeps lambda_0. */
  adaptiveLambda?: boolean;
  forward?: ForwardProviderSpec;
}

/** Data misfit D_d (seed eq. 12 for "raw"; see MisfitKind). */
export function dataMisfit(
  pred: ArrayLike<number>,
  obs: ArrayLike<number>,
  err: ArrayLike<number>,
  kind: MisfitKind = "weighted",
): number {
  let s = 0;
  for (let i = 0; i < obs.length; i++) {
    const r = pred[i] - obs[i];
    const w = kind === "weighted" ? r / err[i] : kind === "relative" ? r / Math.abs(obs[i]) : r;
    s += w * w;
  }
  return s;
}

/**
 * Model roughness D_m = sum_t (m_t - m_{t-1})^2 over adjacent layers (seed eq. 15), in search
 * space (log10 rho, linear m, ...), summed over the kinds with a roughness weight that are free
 * in at least one layer.
 */
export function roughness(model: EarthModel, p: Parameterisation): number {
  let s = 0;
  for (const kind of freeKinds(p)) {
    const w = p.roughness[kind] ?? 0;
    if (w === 0) continue;
    const v = searchValues(model, kind);
    for (let t = 1; t < v.length; t++) s += w * (v[t] - v[t - 1]) ** 2;
  }
  return s;
}

/**
 * The roughness as residuals: sqrt(w_kind) (m_t - m_{t-1}) in search space, so that their sum of
 * squares is `roughness(model, p)` (seed eq. 15). For least-squares polishing.
 */
export function roughnessResiduals(model: EarthModel, p: Parameterisation): number[] {
  const r: number[] = [];
  for (const kind of freeKinds(p)) {
    const w = p.roughness[kind] ?? 0;
    if (w === 0) continue;
    const v = searchValues(model, kind);
    const s = Math.sqrt(w);
    for (let t = 1; t < v.length; t++) r.push(s * (v[t] - v[t - 1]));
  }
  return r;
}

/**
 * Adaptive regularisation factor (Chen et al. 2005; seed eq. 16):
 * lambda_t = D_d^{t-1} / (D_d^{t-1} + D_m^{t-1}), from the previous generation's best model.
 * 0 when both vanish.
 */
export function adaptiveLambda(dataMisfitPrev: number, roughnessPrev: number): number {
  const s = dataMisfitPrev + roughnessPrev;
  return s > 0 ? dataMisfitPrev / s : 0;
}

/** Total number of data points. */
export function dataCount(problem: InversionProblem): number {
  return problem.datasets.reduce((n, d) => n + d.observed.length, 0);
}

/** Root-mean-square of the misfit terms: sqrt(D_d / N) (1 = fit to the noise for "weighted"). */
export function rmsMisfit(dd: number, n: number): number {
  return Math.sqrt(dd / n);
}

function surveyLength(s: Survey): number | null {
  if (Array.isArray(s.gates)) return s.gates.length;
  if (Array.isArray(s.times)) return s.times.length;
  return null;
}

/** Check the problem's data (lengths, positive errors) and parameterisation; throws naming the field. */
export function validateProblem(problem: InversionProblem, field = ""): Parameterisation {
  const pre = field ? field + "." : "";
  if (!isObject(problem)) throw new ValidationError(field || "problem", `expected an object, got ${show(problem)}`);
  if (!Array.isArray(problem.datasets) || problem.datasets.length === 0) {
    throw new ValidationError(`${pre}datasets`, "no data; give at least one survey with data {time_off, error}");
  }
  problem.datasets.forEach((d, i) => {
    const f = `${pre}datasets[${i}]`;
    if (!isObject(d.survey))
      throw new ValidationError(`${f}.survey`, `expected a survey object, got ${show(d.survey)}`);
    const obs = finiteArray(d.observed, `${f}.data.time_off`);
    const err = finiteArray(d.error, `${f}.data.error`);
    const n = surveyLength(d.survey);
    if (n === null) throw new ValidationError(`${f}.times`, "the survey has no times (or gates) for the data");
    if (obs.length !== n)
      throw new ValidationError(
        `${f}.data.time_off`,
        `has ${obs.length} values but times has ${n}; give one value per time`,
      );
    if (err.length !== n)
      throw new ValidationError(
        `${f}.data.error`,
        `has ${err.length} values but times has ${n}; give one standard deviation per time`,
      );
    err.forEach((e, k) => {
      if (!(e > 0))
        throw new ValidationError(`${f}.data.error[${k}]`, `${e}; errors are standard deviations and must be > 0`);
    });
    if (problem.misfit === "relative")
      obs.forEach((o, k) => {
        if (o === 0)
          throw new ValidationError(
            `${f}.data.time_off[${k}]`,
            'is 0; the relative misfit divides by the data, use "weighted"',
          );
      });
  });
  const kind = problem.misfit ?? "weighted";
  if (!MISFIT_KINDS.includes(kind))
    throw new ValidationError(`${pre}misfit`, `unknown '${kind}'; use one of ${MISFIT_KINDS.join(", ")}`);
  const l0 = problem.lambda0 ?? 0.5;
  if (typeof l0 !== "number" || !(l0 >= 0) || !Number.isFinite(l0))
    throw new ValidationError(`${pre}lambda0`, `expected a number >= 0, got ${show(l0)}`);
  return compileParameterisation(problem.parameterisation, `${pre}parameterisation`);
}

/** Build the forward of a problem: its provider, or the EM engine. */
export function makeForward(problem: InversionProblem): ForwardFn {
  const surveys = problem.datasets.map((d) => d.survey);
  const spec = problem.forward ?? { module: path.join(__dirname, "forward.ts"), factory: "emForward" };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(spec.module);
  const factory = mod[spec.factory];
  if (typeof factory !== "function")
    throw new ValidationError("forward.factory", `${spec.module} has no exported function '${spec.factory}'`);
  return factory(surveys, spec.args) as ForwardFn;
}

/** Concatenated observed data and errors of all datasets. */
export function stackedData(problem: InversionProblem): { observed: Float64Array; error: Float64Array } {
  const obs: number[] = [];
  const err: number[] = [];
  for (const d of problem.datasets) {
    obs.push(...d.observed);
    err.push(...d.error);
  }
  return { observed: Float64Array.from(obs), error: Float64Array.from(err) };
}

/**
 * Batch objective of a problem: for each search vector the components [D_d, D_m]. `forward`
 * injects an in-process forward (otherwise the problem's provider or the EM engine). Also the
 * WorkerPool factory: workers call createObjective(problem).
 */
export function createObjective(problem: InversionProblem, forward?: ForwardFn): (xs: Float64Array[]) => number[][] {
  const p = validateProblem(problem);
  const fwd = forward ?? makeForward(problem);
  const { observed, error } = stackedData(problem);
  const kind = problem.misfit ?? "weighted";
  return (xs) => {
    const models = xs.map((x) => toModel(p, x));
    const preds = fwd(models);
    return models.map((m, i) => {
      const dd = dataMisfit(preds[i], observed, error, kind);
      return [Number.isFinite(dd) ? dd : NaN, roughness(m, p)];
    });
  };
}

/** Batch predictor: the predicted (concatenated) data of each search vector. WorkerPool factory too. */
export function createPredictor(problem: InversionProblem, forward?: ForwardFn): (xs: Float64Array[]) => number[][] {
  const p = validateProblem(problem);
  const fwd = forward ?? makeForward(problem);
  return (xs) => fwd(xs.map((x) => toModel(p, x))).map((d) => Array.from(d));
}

/** Split concatenated predicted data back into one array per dataset. */
export function splitByDataset(problem: InversionProblem, stacked: ArrayLike<number>): number[][] {
  const out: number[][] = [];
  let k = 0;
  for (const d of problem.datasets) {
    out.push(Array.from({ length: d.observed.length }, (_, i) => stacked[k + i]));
    k += d.observed.length;
  }
  return out;
}
