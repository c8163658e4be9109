import * as path from "path";
import {
  boolean,
  checkKeys,
  finite,
  finiteArray,
  integerInRange,
  isObject,
  numberInRange,
  object,
  oneOf,
  show,
  string,
  ValidationError,
} from "../core";
import { DEFAULT_OPTIONS, parseEarthModel, parseSurvey } from "../em";
import { BOUND_RULES, DEOptions, MAX_POPULATION, parseStrategy, resolveOptions } from "../optim";
import type { EarthModel, Survey } from "../em";
import { DataSet, InversionProblem, MISFIT_KINDS, validateProblem } from "./objective";
import { InvertOptions } from "./invert";
import { parsePosteriorOptions, PosteriorOptions } from "./posterior";
import { OccamOptions } from "./occam";
import { compileParameterisation } from "./parameterisation";
import { NoiseSpec } from "./synthetic";

/**
 * The `geoinv tem invert` config: a reference forward case (docs/METHODS.md, TEM case conventions; shape:
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
  /** Sampler options of the `posterior` block (src/inversion/posterior.ts); absent: no sampling. */
  posterior?: PosteriorOptions | null;
}

const SURVEY_KEYS = ["source", "receiver", "times", "waveform", "gates"];
/** The keys of a forward case (reference format) that the engine reads: name, model, survey ... */
const CASE_INPUT_KEYS = [
  "name",
  "description",
  "model",
  "source",
  "receiver",
  "times",
  "frequencies",
  "waveform",
  "gates",
];
/** ... and what the reference records beside them (read by neither the engine nor the inversion). */
const CASE_RECORD_KEYS = ["outputs", "precision", "reference", "notes"];
/** Top-level keys of a `geoinv tem invert` config: a forward case's, then the inversion's. */
const TOP_KEYS = new Set([
  ...CASE_INPUT_KEYS,
  "data",
  "synthetic",
  "surveys",
  "parameterisation",
  "misfit",
  "regularisation",
  "optimizer",
  "workflow",
  "step1_data",
  "occam",
  "forward_options",
  ...CASE_RECORD_KEYS,
  "posterior",
]);

/** Keys allowed in the parts of a forward case (reference format), checked before the EM engine reads them. */
export const CASE_KEYS: Record<string, readonly string[]> = {
  model: ["thickness", "rho0", "m", "tau", "c"],
  source: ["type", "points", "current"],
  receiver: ["type", "position", "component", "points"],
  waveform: ["type", "ramp", "repetition"],
  "waveform.repetition": ["type", "base_frequency", "pulses"],
};
/** The engine's conductivity form of a model (`geoinv tem forward` accepts it too). */
const SIGMA_MODEL_KEYS = ["sigma0", "sigmaInf", "tauSigma"];
/** Top-level keys of a forward case (`geoinv tem forward`). */
export const FORWARD_CASE_KEYS = [...CASE_INPUT_KEYS, ...CASE_RECORD_KEYS];
const SURVEY_ITEM_KEYS = ["source", "receiver", "times", "waveform", "gates", "label", "data"];

/**
 * Check the keys of a survey's parts (source, receiver, waveform and its repetition) and parse it
 * with the EM engine, reporting any error under the user's path (`prefix` "surveys[0]" gives
 * "surveys[0].receiver.points"). Returns the engine's typed copy.
 */
export function checkSurvey(s: Record<string, unknown>, prefix: string): Survey {
  const at = (k: string) => (prefix ? `${prefix}.${k}` : k);
  for (const k of ["source", "receiver", "waveform"])
    if (isObject(s[k])) checkKeys(s[k] as Record<string, unknown>, at(k), CASE_KEYS[k]);
  const wf = s.waveform as Record<string, unknown> | undefined;
  if (isObject(wf) && isObject(wf.repetition))
    checkKeys(wf.repetition, at("waveform.repetition"), CASE_KEYS["waveform.repetition"]);
  let survey: Survey;
  try {
    survey = parseSurvey(s);
  } catch (e) {
    if (e instanceof ValidationError)
      throw e.field === "survey" ? new ValidationError(prefix || "config", e.detail) : e.under(prefix);
    throw e;
  }
  // coordinates beyond the Earth's size are a unit or typing mistake (and overflow the kernels)
  const far = (p: unknown, f: string) => {
    if (!Array.isArray(p)) return;
    p.forEach((v, j) => {
      if (typeof v === "number" && Math.abs(v) > MAX_COORDINATE)
        throw new ValidationError(
          at(`${f}[${j}]`),
          `${v} m is beyond ${MAX_COORDINATE} m (10 000 km); give coordinates in metres on a local grid`,
        );
    });
  };
  // times and frequencies far outside any TEM survey make the engine's grids unbounded
  const span = (v: unknown, f: string, lo: number, hi: number, unit: string) => {
    if (typeof v === "number" && (v < lo || v > hi))
      throw new ValidationError(at(f), `${v} ${unit} is outside [${lo}, ${hi}] ${unit}, the range the engine supports`);
  };
  if (Array.isArray(s.times)) s.times.forEach((t, i) => span(t, `times[${i}]`, MIN_TIME, MAX_TIME, "s"));
  if (Array.isArray(s.gates))
    s.gates.forEach(
      (g, i) => Array.isArray(g) && g.forEach((t, j) => span(t, `gates[${i}][${j}]`, MIN_TIME, MAX_TIME, "s")),
    );
  if (Array.isArray(s.frequencies)) s.frequencies.forEach((v, i) => span(v, `frequencies[${i}]`, 1e-6, 1e9, "Hz"));
  const src = s.source as Record<string, unknown>;
  const rcv = s.receiver as Record<string, unknown>;
  if (Array.isArray(src.points)) src.points.forEach((p, i) => far(p, `source.points[${i}]`));
  far(rcv.position, "receiver.position");
  if (Array.isArray(rcv.points)) rcv.points.forEach((p, i) => far(p, `receiver.points[${i}]`));
  return survey;
}

/** Accepted range of times and gate edges, in s. */
export const MIN_TIME = 1e-9;
export const MAX_TIME = 1e4;
/** Largest accepted |coordinate| of a source or receiver point, in metres. */
export const MAX_COORDINATE = 1e7;

/** Check a forward case's model keys and values (ranges per layer) under the user's path. */
export function checkModel(x: unknown, field = "model", sigmaForm = false): void {
  const o = object(
    x,
    field,
    sigmaForm ? [...CASE_KEYS.model, ...SIGMA_MODEL_KEYS] : CASE_KEYS.model,
    "{thickness, rho0, m, tau, c}",
  );
  try {
    parseEarthModel(o);
  } catch (e) {
    if (e instanceof ValidationError && field !== "model") throw e.under(field.replace(/\.?model$/, "") || "");
    throw e;
  }
}

function surveyOf(o: Record<string, unknown>): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  for (const k of SURVEY_KEYS) if (o[k] !== undefined) s[k] = o[k];
  return s;
}

function parseData(x: unknown, field: string, n: number): { observed: number[]; error: number[] } {
  object(x, field, ["time_off", "error"], "{time_off: [...], error: [...]}");
  const o = x as Record<string, unknown>;
  const observed = finiteArray(o.time_off, `${field}.time_off`);
  const error = finiteArray(o.error, `${field}.error`);
  if (observed.length !== n)
    throw new ValidationError(
      `${field}.time_off`,
      `has ${observed.length} values but times has ${n}; give one value per time`,
    );
  if (error.length !== n)
    throw new ValidationError(
      `${field}.error`,
      `has ${error.length} values but times has ${n}; give one standard deviation per time`,
    );
  error.forEach((e, i) => {
    if (!(e > 0))
      throw new ValidationError(
        `${field}.error[${i}]`,
        `${e}; errors are standard deviations in the data's units and must be > 0`,
      );
    // the misfit weighs by 1/error^2: it must stay finite, as must the weighted datum
    if (
      !Number.isFinite(1 / (e * e)) ||
      !Number.isFinite(observed[i] / e) ||
      !Number.isFinite((observed[i] / e) ** 2)
    ) {
      throw new ValidationError(
        `${field}.error[${i}]`,
        `${e} is so small against the datum ${observed[i]} that the weighted misfit overflows; give the error in the data's units (e.g. a few % of |time_off|)`,
      );
    }
  });
  return { observed, error };
}

function timesCount(s: Record<string, unknown>, field: string): number {
  if (Array.isArray(s.gates)) return s.gates.length;
  if (Array.isArray(s.times)) return s.times.length;
  throw new ValidationError(`${field}times`, "missing: give the times (s) of the data");
}

function parseModel(x: unknown): EarthModel {
  checkModel(x);
  if (!isObject(x)) throw new ValidationError("model", `expected {thickness, rho0, m, tau, c}, got ${show(x)}`);
  const m = {
    thickness: finiteArray(x.thickness, "model.thickness"),
    rho0: finiteArray(x.rho0, "model.rho0"),
    m: finiteArray(x.m, "model.m"),
    tau: finiteArray(x.tau, "model.tau"),
    c: finiteArray(x.c, "model.c"),
  };
  const n = m.rho0.length;
  for (const k of ["m", "tau", "c"] as const)
    if (m[k].length !== n) throw new ValidationError(`model.${k}`, `has ${m[k].length} entries for ${n} layers`);
  if (m.thickness.length !== n - 1)
    throw new ValidationError("model.thickness", `has ${m.thickness.length} entries; ${n} layers need ${n - 1}`);
  return m;
}

function optNum(o: Record<string, unknown>, k: string, field: string): number | undefined {
  return o[k] === undefined ? undefined : finite(o[k], `${field}.${k}`);
}

const OPTIMIZER_KEYS = [
  "strategy",
  "np",
  "NP",
  "generations",
  "max_evaluations",
  "seed",
  "workers",
  "init",
  "target_rms",
  "p",
  "c",
  "F",
  "CR",
  "adaptive",
  "bound_rule",
  "stagnation_generations",
  "polish",
  "restarts",
  "polish_every",
];

/**
 * Check DE options with the optimiser's own rules (optim's resolveOptions: one place for the
 * ranges of np, F, CR, p, c, seed, ...), reporting a bad value under the config's name for it
 * (`optimizer.c`, `optimizer.generations`). `names` maps DEOptions keys to the user's keys.
 */
export function checkDEOptions(
  o: DEOptions,
  dim: number,
  prefix = "optimizer",
  names: Record<string, string> = {},
): void {
  const user: Record<string, string> = {
    maxGenerations: "generations",
    maxEvaluations: "max_evaluations",
    boundRule: "bound_rule",
    ...names,
  };
  try {
    resolveOptions(Math.max(1, dim), o);
  } catch (e) {
    if (e instanceof ValidationError) {
      const k = e.field.split(/[.[]/)[0];
      throw new ValidationError(`${prefix}.${user[k] ?? k}`, e.detail);
    }
    throw e;
  }
}

function parseOptimizer(x: unknown, dim: number): InvertOptions {
  if (x === undefined) return {};
  object(x, "optimizer", OPTIMIZER_KEYS);
  const ox = x as Record<string, unknown>;
  // the papers write NP; both spellings name the population size
  if (ox.NP !== undefined && ox.np !== undefined)
    throw new ValidationError("optimizer.NP", "given together with optimizer.np; give the population size once");
  const npKey = ox.NP !== undefined ? "NP" : "np";
  const o: InvertOptions = {};
  if (ox.strategy !== undefined) {
    const st = string(ox.strategy, "optimizer.strategy");
    try {
      parseStrategy(st);
    } catch (e) {
      if (e instanceof ValidationError) throw new ValidationError("optimizer.strategy", e.detail);
      throw e;
    }
    o.strategy = st;
  }
  const int = (k: string, lo: number, hi = Infinity) =>
    ox[k] === undefined ? undefined : integerInRange(ox[k], `optimizer.${k}`, lo, hi);
  o.np = int(npKey, 1, MAX_POPULATION); // the minimum per strategy is optim's (checkDEOptions)
  o.maxGenerations = int("generations", 0);
  o.maxEvaluations = int("max_evaluations", 1);
  o.seed = int("seed", 0, 2 ** 32 - 1);
  if (ox.workers !== undefined) {
    if (ox.workers === "all") o.workers = "all";
    else o.workers = integerInRange(ox.workers, "optimizer.workers", 1, 1024);
  }
  if (ox.init !== undefined) o.init = oneOf(ox.init, "optimizer.init", ["opposition", "random"] as const);
  if (ox.target_rms !== undefined)
    o.targetRms = numberInRange(ox.target_rms, "optimizer.target_rms", 0, Infinity, { loOpen: true });
  o.p = optNum(ox, "p", "optimizer");
  o.c = optNum(ox, "c", "optimizer");
  o.F = optNum(ox, "F", "optimizer");
  o.CR = optNum(ox, "CR", "optimizer");
  if (ox.adaptive !== undefined) o.adaptive = boolean(ox.adaptive, "optimizer.adaptive");
  if (ox.bound_rule !== undefined) o.boundRule = oneOf(ox.bound_rule, "optimizer.bound_rule", BOUND_RULES);
  // restarts on diversity loss / stagnation are on by default in inversions (docs/OPTIMISER.md)
  if (ox.restarts !== undefined && !boolean(ox.restarts, "optimizer.restarts")) o.restart = false;
  if (ox.polish !== undefined) o.polish = boolean(ox.polish, "optimizer.polish");
  if (ox.polish_every !== undefined) {
    const every = integerInRange(ox.polish_every, "optimizer.polish_every", 0, 1e9);
    if (o.polish === false && every > 0)
      throw new ValidationError(
        "optimizer.polish_every",
        "given with polish: false; the polish during the run needs the polish on",
      );
    if (o.polish !== false) o.polish = { every };
  }
  const sg = int("stagnation_generations", 1);
  if (sg !== undefined) o.stagnation = { generations: sg, tolerance: 1e-4 };
  for (const k of Object.keys(o) as (keyof InvertOptions)[]) if (o[k] === undefined) delete o[k];
  const { workers: _w, targetRms: _t, stagnation: _s, polish: _p, restart: _r, ...de } = o;
  checkDEOptions(de as DEOptions, dim, "optimizer", { np: npKey });
  return o;
}

const OCCAM_KEYS = ["layers", "first_thickness", "max_depth", "start_rho", "target_rms", "max_iterations"];

function parseOccam(x: unknown): OccamOptions | null {
  if (x === undefined || x === null || x === false) return null;
  if (x === true) return {};
  object(x, "occam", OCCAM_KEYS, "an object of Occam options or true");
  const ox = x as Record<string, unknown>;
  const pos = (k: string) =>
    ox[k] === undefined ? undefined : numberInRange(ox[k], `occam.${k}`, 0, Infinity, { loOpen: true });
  const o: OccamOptions = {
    layers: ox.layers === undefined ? undefined : integerInRange(ox.layers, "occam.layers", 2, 500),
    firstThickness: pos("first_thickness"),
    maxDepth: pos("max_depth"),
    startRho: pos("start_rho"),
    targetRms: pos("target_rms"),
    maxIterations:
      ox.max_iterations === undefined
        ? undefined
        : integerInRange(ox.max_iterations, "occam.max_iterations", 1, 100000),
  };
  if (o.firstThickness !== undefined && o.maxDepth !== undefined && !(o.maxDepth > o.firstThickness)) {
    throw new ValidationError(
      "occam.max_depth",
      `${o.maxDepth} m must exceed occam.first_thickness ${o.firstThickness} m`,
    );
  }
  for (const k of Object.keys(o) as (keyof OccamOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Validate a config (parsed JSON) and turn it into a problem and optimiser settings. */
export function parseInvertConfig(x: unknown): InvertConfig {
  if (!isObject(x)) throw new ValidationError("config", `expected a JSON object, got ${show(x)}`);
  checkKeys(x, "", [...TOP_KEYS]);
  const name = x.name === undefined ? "" : string(x.name, "name", true);
  const description = x.description === undefined ? "" : string(x.description, "description", true);
  const model = x.model === undefined ? null : parseModel(x.model);
  let synthetic: NoiseSpec | null = null;
  if (x.synthetic !== undefined) {
    const sy = object(
      x.synthetic,
      "synthetic",
      ["relative", "floor", "seed", "add"],
      "{relative, floor?, seed?, add?}",
    );
    if (!model) throw new ValidationError("synthetic", "synthetic data are computed from `model`; give the true model");
    const rel = numberInRange(sy.relative, "synthetic.relative", 0, 10);
    const floor = sy.floor === undefined ? 0 : numberInRange(sy.floor, "synthetic.floor", 0, Infinity);
    if (rel + floor === 0)
      throw new ValidationError(
        "synthetic",
        `relative ${rel} and floor ${floor} are both 0; they are the data errors, give at least one > 0`,
      );
    if (rel === 0 && !Number.isFinite(1 / (floor * floor)))
      throw new ValidationError(
        "synthetic.floor",
        `${floor} is so small that the misfit weight 1/floor^2 overflows; give the error floor in the data's units (e.g. 1e-9 V/m)`,
      );
    synthetic = {
      relative: rel,
      floor,
      seed: sy.seed === undefined ? 1 : integerInRange(sy.seed, "synthetic.seed", 0, 2 ** 31 - 1),
      add: sy.add === undefined ? true : boolean(sy.add, "synthetic.add"),
    };
  }
  const datasets: DataSet[] = [];
  const placeholder = (n: number) => ({ observed: new Array(n).fill(0), error: new Array(n).fill(1) });
  if (x.surveys !== undefined) {
    if (x.source !== undefined || x.data !== undefined)
      throw new ValidationError(
        "surveys",
        "give either `surveys` or a single survey (`source`, `receiver`, `times`, `data`), not both",
      );
    if (!Array.isArray(x.surveys) || x.surveys.length === 0)
      throw new ValidationError("surveys", `expected a non-empty list, got ${show(x.surveys)}`);
    x.surveys.forEach((s, i) => {
      const f = `surveys[${i}]`;
      object(s, f, SURVEY_ITEM_KEYS, "{source, receiver, times, data}");
      const so = s as Record<string, unknown>;
      const survey = checkSurvey(surveyOf(so), f);
      const n = timesCount(so, f + ".");
      if (synthetic && so.data !== undefined)
        throw new ValidationError(`${f}.data`, "give data or `synthetic`, not both");
      const d = synthetic ? placeholder(n) : parseData(so.data, `${f}.data`, n);
      const label = so.label === undefined ? undefined : string(so.label, `${f}.label`);
      datasets.push({ survey, ...d, label });
    });
  } else {
    const survey = checkSurvey(surveyOf(x), "");
    const n = timesCount(x, "");
    if (synthetic && x.data !== undefined) throw new ValidationError("data", "give data or `synthetic`, not both");
    if (!synthetic && x.data === undefined)
      throw new ValidationError("data", "missing: give {time_off, error}, or `synthetic` with a `model`");
    const d = synthetic ? placeholder(n) : parseData(x.data, "data", n);
    datasets.push({ survey, ...d });
  }
  if (x.parameterisation === undefined)
    throw new ValidationError(
      "parameterisation",
      "missing: give {layers, rho0: {min, max}, thickness: {min, max}, ...}",
    );
  const par = compileParameterisation(x.parameterisation, "parameterisation");
  const misfit = x.misfit === undefined ? "weighted" : oneOf(x.misfit, "misfit", MISFIT_KINDS);
  let lambda0: number | undefined;
  let adaptive: boolean | undefined;
  if (x.regularisation !== undefined) {
    const rg = object(x.regularisation, "regularisation", ["lambda0", "adaptive"], "{lambda0, adaptive}");
    if (rg.lambda0 !== undefined) lambda0 = numberInRange(rg.lambda0, "regularisation.lambda0", 0, 1e12);
    if (rg.adaptive !== undefined) adaptive = boolean(rg.adaptive, "regularisation.adaptive");
  }
  const problem: InversionProblem = {
    datasets,
    parameterisation: x.parameterisation as InversionProblem["parameterisation"],
    misfit,
    lambda0,
    adaptiveLambda: adaptive,
  };
  if (x.forward_options !== undefined) {
    object(x.forward_options, "forward_options", Object.keys(DEFAULT_OPTIONS), "the EM engine's options object");
    problem.forward = { module: path.join(__dirname, "forward.ts"), factory: "emForward", args: x.forward_options };
  }
  try {
    validateProblem(problem);
  } catch (e) {
    // validateProblem names datasets; the config names them surveys (or the top level)
    if (e instanceof ValidationError && /^datasets\[\d+\]/.test(e.field)) {
      const field =
        x.surveys !== undefined
          ? e.field.replace(/^datasets/, "surveys")
          : e.field.replace(/^datasets\[\d+\]\.?/, "") || "config";
      throw new ValidationError(field, e.detail);
    }
    throw e;
  }
  const workflow = x.workflow === undefined ? "single" : oneOf(x.workflow, "workflow", ["single", "two-step"] as const);
  const step1Data =
    x.step1_data === undefined
      ? "before_sign_reversal"
      : oneOf(x.step1_data, "step1_data", ["all", "before_sign_reversal"] as const);
  const cfg: InvertConfig = {
    name,
    description,
    problem,
    synthetic,
    model,
    optimizer: parseOptimizer(x.optimizer, par.free.length),
    workflow,
    step1Data,
    occam: parseOccam(x.occam),
  };
  if (x.posterior !== undefined && x.posterior !== false) cfg.posterior = parsePosteriorOptions(x.posterior);
  return cfg;
}
