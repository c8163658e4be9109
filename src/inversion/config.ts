import * as path from "path";
import { parseStrategy, ValidationError as OptimValidationError } from "../optim";
import { finite, finiteArray, isObject, show, ValidationError } from "./errors";
import { EarthModel } from "./model";
import { DataSet, InversionProblem, MISFIT_KINDS, MisfitKind, validateProblem } from "./objective";
import { InvertOptions } from "./invert";
import { OccamOptions } from "./occam";
import { compileParameterisation } from "./parameterisation";
import { NoiseSpec } from "./synthetic";

/**
 * The `geoinv tem invert` config: a reference forward case (../shared/reference/tem/ shape:
 * `model`, `source`, `receiver`, `times`, `waveform`) plus
 * - `data`: {time_off, error} (error = absolute 1-sd per time, in the data's units), or
 *   `synthetic`: {relative, floor?, seed?, add?} to make noisy data from `model` with the EM engine;
 * - or `surveys`: [{source, receiver, times, waveform?, label?, data}] for several surveys at once;
 * - `parameterisation` (see ParameterisationSpec), `misfit`, `regularisation` {lambda0, adaptive};
 * - `optimizer` {strategy, np, generations, max_evaluations, seed, workers, init, target_rms,
 *   p, c, F, CR, adaptive, bound_rule, stagnation_generations};
 * - `workflow`: "single" (default) or "two-step"; `step1_data`: "before_sign_reversal" (default:
 *   step 1, without IP, sees each survey up to its first IP sign reversal) or "all";
 * - `occam`: options to also run Occam (on the step-1 data in the two-step workflow);
 * - `forward_options`: the EM engine's ForwardOptions.
 */
export interface InvertConfig {
  name: string;
  description: string;
  problem: InversionProblem;
  /** Data to generate from `model` when `synthetic` is given (filled by the CLI with the EM engine). */
  synthetic: NoiseSpec | null;
  model: EarthModel | null;
  optimizer: InvertOptions;
  workflow: "single" | "two-step";
  /** Data of step 1 in the two-step workflow: all gates, or those before an IP sign reversal (default). */
  step1Data: "all" | "before_sign_reversal";
  occam: OccamOptions | null;
}

const SURVEY_KEYS = ["source", "receiver", "times", "waveform", "gates"];
const TOP_KEYS = new Set([
  "name", "description", "model", "source", "receiver", "times", "frequencies", "waveform", "gates", "data", "synthetic", "surveys",
  "parameterisation", "misfit", "regularisation", "optimizer", "workflow", "step1_data", "occam", "forward_options", "outputs", "precision", "reference", "notes",
]);

function surveyOf(o: Record<string, unknown>): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  for (const k of SURVEY_KEYS) if (o[k] !== undefined) s[k] = o[k];
  return s;
}

function parseData(x: unknown, field: string, n: number): { observed: number[]; error: number[] } {
  if (!isObject(x)) throw new ValidationError(field, `expected {time_off: [...], error: [...]}, got ${show(x)}`);
  const observed = finiteArray(x.time_off, `${field}.time_off`);
  const error = finiteArray(x.error, `${field}.error`);
  if (observed.length !== n) throw new ValidationError(`${field}.time_off`, `has ${observed.length} values but times has ${n}; give one value per time`);
  if (error.length !== n) throw new ValidationError(`${field}.error`, `has ${error.length} values but times has ${n}; give one standard deviation per time`);
  error.forEach((e, i) => {
    if (!(e > 0)) throw new ValidationError(`${field}.error[${i}]`, `${e}; errors are standard deviations in the data's units and must be > 0`);
  });
  return { observed, error };
}

function timesCount(s: Record<string, unknown>, field: string): number {
  if (Array.isArray(s.gates)) return s.gates.length;
  if (Array.isArray(s.times)) return s.times.length;
  throw new ValidationError(`${field}times`, "missing: give the times (s) of the data");
}

function parseModel(x: unknown): EarthModel {
  if (!isObject(x)) throw new ValidationError("model", `expected {thickness, rho0, m, tau, c}, got ${show(x)}`);
  const m = {
    thickness: finiteArray(x.thickness, "model.thickness"),
    rho0: finiteArray(x.rho0, "model.rho0"),
    m: finiteArray(x.m, "model.m"),
    tau: finiteArray(x.tau, "model.tau"),
    c: finiteArray(x.c, "model.c"),
  };
  const n = m.rho0.length;
  for (const k of ["m", "tau", "c"] as const) if (m[k].length !== n) throw new ValidationError(`model.${k}`, `has ${m[k].length} entries for ${n} layers`);
  if (m.thickness.length !== n - 1) throw new ValidationError("model.thickness", `has ${m.thickness.length} entries; ${n} layers need ${n - 1}`);
  return m;
}

function optNum(o: Record<string, unknown>, k: string, field: string): number | undefined {
  return o[k] === undefined ? undefined : finite(o[k], `${field}.${k}`);
}

function parseOptimizer(x: unknown): InvertOptions {
  if (x === undefined) return {};
  if (!isObject(x)) throw new ValidationError("optimizer", `expected an object, got ${show(x)}`);
  const known = ["strategy", "np", "NP", "generations", "max_evaluations", "seed", "workers", "init", "target_rms", "p", "c", "F", "CR", "adaptive", "bound_rule", "stagnation_generations"];
  for (const k of Object.keys(x)) if (!known.includes(k)) throw new ValidationError(`optimizer.${k}`, `unknown key; allowed: ${known.join(", ")}`);
  // the papers write NP; both spellings name the population size
  if (x.NP !== undefined && x.np !== undefined) throw new ValidationError("optimizer.NP", "given together with optimizer.np; give the population size once");
  const o: InvertOptions = {};
  if (x.strategy !== undefined) {
    try {
      parseStrategy(String(x.strategy));
    } catch (e) {
      if (e instanceof OptimValidationError) throw new ValidationError("optimizer.strategy", (e as Error).message.replace(/^strategy: /, ""));
      throw e;
    }
    o.strategy = String(x.strategy);
  }
  const int = (k: string, lo: number) => {
    const v = optNum(x, k, "optimizer");
    if (v !== undefined && (!Number.isInteger(v) || v < lo)) throw new ValidationError(`optimizer.${k}`, `expected an integer >= ${lo}, got ${v}`);
    return v;
  };
  o.np = int(x.NP !== undefined ? "NP" : "np", 4);
  o.maxGenerations = int("generations", 0);
  o.maxEvaluations = int("max_evaluations", 1);
  o.seed = int("seed", 0);
  if (x.workers !== undefined) {
    if (x.workers === "all") o.workers = "all";
    else o.workers = int("workers", 1);
  }
  if (x.init !== undefined) {
    if (x.init !== "opposition" && x.init !== "random") throw new ValidationError("optimizer.init", `unknown '${x.init}'; use "opposition" or "random"`);
    o.init = x.init;
  }
  o.targetRms = optNum(x, "target_rms", "optimizer");
  o.p = optNum(x, "p", "optimizer");
  o.c = optNum(x, "c", "optimizer");
  o.F = optNum(x, "F", "optimizer");
  o.CR = optNum(x, "CR", "optimizer");
  if (x.adaptive !== undefined) o.adaptive = Boolean(x.adaptive);
  if (x.bound_rule !== undefined) {
    if (!["midpoint", "reflect", "random"].includes(String(x.bound_rule))) throw new ValidationError("optimizer.bound_rule", `unknown '${x.bound_rule}'; use midpoint, reflect or random`);
    o.boundRule = x.bound_rule as InvertOptions["boundRule"];
  }
  const sg = int("stagnation_generations", 1);
  if (sg !== undefined) o.stagnation = { generations: sg, tolerance: 1e-4 };
  if (o.p !== undefined && !(o.p > 0 && o.p <= 1)) throw new ValidationError("optimizer.p", `expected 0 < p <= 1, got ${o.p}`);
  if (o.CR !== undefined && !(o.CR >= 0 && o.CR <= 1)) throw new ValidationError("optimizer.CR", `expected 0 <= CR <= 1, got ${o.CR}`);
  if (o.F !== undefined && !(o.F > 0 && o.F <= 2)) throw new ValidationError("optimizer.F", `expected 0 < F <= 2, got ${o.F}`);
  for (const k of Object.keys(o) as (keyof InvertOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function parseOccam(x: unknown): OccamOptions | null {
  if (x === undefined || x === null || x === false) return null;
  if (x === true) return {};
  if (!isObject(x)) throw new ValidationError("occam", `expected an object of Occam options or true, got ${show(x)}`);
  const known = ["layers", "first_thickness", "max_depth", "start_rho", "target_rms", "max_iterations"];
  for (const k of Object.keys(x)) if (!known.includes(k)) throw new ValidationError(`occam.${k}`, `unknown key; allowed: ${known.join(", ")}`);
  const o: OccamOptions = {
    layers: optNum(x, "layers", "occam"),
    firstThickness: optNum(x, "first_thickness", "occam"),
    maxDepth: optNum(x, "max_depth", "occam"),
    startRho: optNum(x, "start_rho", "occam"),
    targetRms: optNum(x, "target_rms", "occam"),
    maxIterations: optNum(x, "max_iterations", "occam"),
  };
  for (const k of Object.keys(o) as (keyof OccamOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Validate a config (parsed JSON) and turn it into a problem and optimiser settings. */
export function parseInvertConfig(x: unknown): InvertConfig {
  if (!isObject(x)) throw new ValidationError("config", `expected a JSON object, got ${show(x)}`);
  for (const k of Object.keys(x)) if (!TOP_KEYS.has(k)) throw new ValidationError(k, `unknown key; allowed: ${[...TOP_KEYS].join(", ")}`);
  const model = x.model === undefined ? null : parseModel(x.model);
  let synthetic: NoiseSpec | null = null;
  if (x.synthetic !== undefined) {
    if (!isObject(x.synthetic)) throw new ValidationError("synthetic", `expected {relative, floor?, seed?, add?}, got ${show(x.synthetic)}`);
    if (!model) throw new ValidationError("synthetic", "synthetic data are computed from `model`; give the true model");
    const rel = finite(x.synthetic.relative, "synthetic.relative");
    const floor = x.synthetic.floor === undefined ? 0 : finite(x.synthetic.floor, "synthetic.floor");
    if (!(rel >= 0) || !(floor >= 0) || rel + floor === 0) throw new ValidationError("synthetic", `relative ${rel} and floor ${floor} must be >= 0 and not both 0 (they are the data errors)`);
    synthetic = { relative: rel, floor, seed: x.synthetic.seed === undefined ? 1 : finite(x.synthetic.seed, "synthetic.seed"), add: x.synthetic.add !== false };
  }
  const datasets: DataSet[] = [];
  const placeholder = (n: number) => ({ observed: new Array(n).fill(0), error: new Array(n).fill(1) });
  if (x.surveys !== undefined) {
    if (x.source !== undefined || x.data !== undefined) throw new ValidationError("surveys", "give either `surveys` or a single survey (`source`, `receiver`, `times`, `data`), not both");
    if (!Array.isArray(x.surveys) || x.surveys.length === 0) throw new ValidationError("surveys", `expected a non-empty list, got ${show(x.surveys)}`);
    x.surveys.forEach((s, i) => {
      const f = `surveys[${i}]`;
      if (!isObject(s)) throw new ValidationError(f, `expected {source, receiver, times, data}, got ${show(s)}`);
      const n = timesCount(s, f + ".");
      if (synthetic && s.data !== undefined) throw new ValidationError(`${f}.data`, "give data or `synthetic`, not both");
      const d = synthetic ? placeholder(n) : parseData(s.data, `${f}.data`, n);
      datasets.push({ survey: surveyOf(s), ...d, label: typeof s.label === "string" ? s.label : undefined });
    });
  } else {
    const n = timesCount(x, "");
    if (synthetic && x.data !== undefined) throw new ValidationError("data", "give data or `synthetic`, not both");
    if (!synthetic && x.data === undefined) throw new ValidationError("data", "missing: give {time_off, error}, or `synthetic` with a `model`");
    const d = synthetic ? placeholder(n) : parseData(x.data, "data", n);
    datasets.push({ survey: surveyOf(x), ...d });
  }
  if (x.parameterisation === undefined) throw new ValidationError("parameterisation", "missing: give {layers, rho0: {min, max}, thickness: {min, max}, ...}");
  compileParameterisation(x.parameterisation, "parameterisation");
  const misfit = (x.misfit ?? "weighted") as MisfitKind;
  if (!MISFIT_KINDS.includes(misfit)) throw new ValidationError("misfit", `unknown '${x.misfit}'; use one of ${MISFIT_KINDS.join(", ")}`);
  let lambda0: number | undefined;
  let adaptive: boolean | undefined;
  if (x.regularisation !== undefined) {
    if (!isObject(x.regularisation)) throw new ValidationError("regularisation", `expected {lambda0, adaptive}, got ${show(x.regularisation)}`);
    if (x.regularisation.lambda0 !== undefined) {
      lambda0 = finite(x.regularisation.lambda0, "regularisation.lambda0");
      if (lambda0 < 0) throw new ValidationError("regularisation.lambda0", `${lambda0}; must be >= 0`);
    }
    if (x.regularisation.adaptive !== undefined) adaptive = Boolean(x.regularisation.adaptive);
  }
  const problem: InversionProblem = {
    datasets,
    parameterisation: x.parameterisation as InversionProblem["parameterisation"],
    misfit,
    lambda0,
    adaptiveLambda: adaptive,
  };
  if (x.forward_options !== undefined) {
    if (!isObject(x.forward_options)) throw new ValidationError("forward_options", `expected the EM engine's options object, got ${show(x.forward_options)}`);
    problem.forward = { module: path.join(__dirname, "forward.ts"), factory: "emForward", args: x.forward_options };
  }
  validateProblem(problem);
  const workflow = (x.workflow ?? "single") as InvertConfig["workflow"];
  if (workflow !== "single" && workflow !== "two-step") throw new ValidationError("workflow", `unknown '${x.workflow}'; use "single" or "two-step"`);
  const step1Data = (x.step1_data ?? "before_sign_reversal") as InvertConfig["step1Data"];
  if (step1Data !== "all" && step1Data !== "before_sign_reversal") throw new ValidationError("step1_data", `unknown '${x.step1_data}'; use "all" or "before_sign_reversal"`);
  return {
    name: typeof x.name === "string" ? x.name : "",
    description: typeof x.description === "string" ? x.description : "",
    problem,
    synthetic,
    model,
    optimizer: parseOptimizer(x.optimizer),
    workflow,
    step1Data,
    occam: parseOccam(x.occam),
  };
}
