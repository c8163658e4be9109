import * as crypto from "crypto";
import {
  compileParameterisation,
  DataSet,
  InvertOptions,
  parseInvertConfig,
  ParameterisationSpec,
  parsePosteriorOptions,
  PosteriorOptions,
} from "../inversion";
import { finite, isObject, rejectUnknown, show, ValidationError } from "./errors";
import { LciOptions, parseLciOptions } from "./lci";

/**
 * The survey format: many soundings, each with its location, its surveys (the per-sounding format
 * of `geoinv tem invert`'s `surveys`: source, receiver, times, waveform, label, data {time_off,
 * error}) and optional fixed top layers (ice, water), plus one inversion setting for all.
 *
 * ```
 * { "name": "rankin_inlet", "description": "...",
 *   "forward": "em" | "toy", "forward_options": {...},
 *   "parameterisation": {...}  (the free earth below any top layers, as in tem invert),
 *   "misfit": "weighted", "regularisation": {"lambda0": 0.5, "adaptive": true},
 *   "optimizer": {"np": 40, "generations": 60, "seed": 1, "target_rms": 1, ...}  (no "workers"),
 *   "workflow": "resistivity" | "two-step", "step1_data": "before_sign_reversal" | "all",
 *   "lci": {...} | false,
 *   "posterior": {...} | true   (optional: sample each sounding's resistivity posterior after its
 *     DE; tem invert's block),
 *   "soundings": [{"id": "site07", "x": 538392, "y": 6975961,
 *                  "top_layers": {"thickness": [1.7, 7.7], "rho0": [10000, 125]},
 *                  "info": {...free-form...}, "surveys": [...]}] }
 * ```
 * The soundings' order is the profile order of the section (neighbours for the LCI).
 */
export const SURVEY_FORMAT_VERSION = 1;

export type ForwardKind = "em" | "toy";
export type SurveyWorkflow = "resistivity" | "two-step";

export interface TopLayers {
  thickness: number[];
  rho0: number[];
}

export interface SoundingSpec {
  id: string;
  x: number;
  y: number;
  datasets: DataSet[];
  top: TopLayers | null;
  info: Record<string, unknown>;
}

export interface SurveySpec {
  name: string;
  description: string;
  forward: { kind: ForwardKind; options?: Record<string, unknown> };
  /** The free earth below the top layers (as given). */
  parameterisation: ParameterisationSpec;
  misfit: "weighted" | "raw" | "relative";
  lambda0?: number;
  adaptive?: boolean;
  /** DE settings (the seed is the base of each sounding's seed). */
  optimizer: InvertOptions;
  workflow: SurveyWorkflow;
  step1Data: "all" | "before_sign_reversal";
  lci: LciOptions | null;
  /**
   * The `posterior` block (tem invert's, parsed by parsePosteriorOptions): each sounding samples
   * its resistivity step's posterior after the DE. null: no sampling.
   */
  posterior: PosteriorOptions | null;
  soundings: SoundingSpec[];
}

export const SURVEY_KEYS = [
  "name",
  "description",
  "forward",
  "forward_options",
  "parameterisation",
  "misfit",
  "regularisation",
  "optimizer",
  "workflow",
  "step1_data",
  "lci",
  "posterior",
  "soundings",
  "notes",
] as const;
export const SOUNDING_KEYS = ["id", "x", "y", "surveys", "top_layers", "info"] as const;
export const SURVEY_ENTRY_KEYS = ["label", "source", "receiver", "times", "waveform", "gates", "data"] as const;
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** IP-free values given to the fixed top layers. */
const TOP_DEFAULTS = { m: 0, tau: 1e-3, c: 0.5 };

/**
 * The parameterisation of one sounding: `top` fixed layers (ice, water) above the survey's free
 * earth. Per-layer arrays get null (free) / the fixed value for the top layers.
 */
export function withTopLayers(base: ParameterisationSpec, top: TopLayers | null): ParameterisationSpec {
  if (!top || top.rho0.length === 0) return base;
  const nt = top.rho0.length;
  type KS = { min?: number | number[]; max?: number | number[]; fixed?: number | (number | null)[] };
  const expand = (ks: KS | undefined, topValues: number[], nBase: number): KS | undefined => {
    if (ks === undefined) return undefined;
    const out: KS = {};
    if (ks.min !== undefined)
      out.min = (
        Array.isArray(ks.min)
          ? [...new Array(nt).fill(null), ...ks.min]
          : [...new Array(nt).fill(null), ...new Array(nBase).fill(ks.min)]
      ) as number[];
    if (ks.max !== undefined)
      out.max = (
        Array.isArray(ks.max)
          ? [...new Array(nt).fill(null), ...ks.max]
          : [...new Array(nt).fill(null), ...new Array(nBase).fill(ks.max)]
      ) as number[];
    const baseFixed: (number | null)[] =
      ks.fixed === undefined
        ? new Array(nBase).fill(null)
        : Array.isArray(ks.fixed)
          ? ks.fixed
          : new Array(nBase).fill(ks.fixed);
    out.fixed = [...topValues, ...baseFixed];
    return out;
  };
  const L = base.layers;
  const kindTop = (k: "m" | "tau" | "c") => new Array(nt).fill(TOP_DEFAULTS[k]);
  const mDefault = base.m ?? { fixed: 0 };
  const mAllZero = mDefault.min === undefined && mDefault.max === undefined;
  const spec: ParameterisationSpec = {
    layers: L + nt,
    rho0: expand(base.rho0, top.rho0, L)!,
    thickness: expand(base.thickness ?? { fixed: [] }, top.thickness, L - 1),
    m: expand(mDefault, kindTop("m"), L),
    tau: expand(base.tau ?? (mAllZero ? { fixed: 1e-3 } : undefined), kindTop("tau"), L),
    c: expand(base.c ?? (mAllZero ? { fixed: 0.5 } : undefined), kindTop("c"), L),
  };
  if (base.roughness !== undefined) spec.roughness = base.roughness;
  for (const k of ["tau", "c"] as const) if (spec[k] === undefined) delete spec[k];
  return spec;
}

function parseTop(x: unknown, field: string): TopLayers | null {
  if (x === undefined || x === null) return null;
  if (!isObject(x)) throw new ValidationError(field, `expected {thickness: [...], rho0: [...]}, got ${show(x)}`);
  rejectUnknown(x, ["thickness", "rho0"], field);
  const arr = (v: unknown, f: string) => {
    if (!Array.isArray(v)) throw new ValidationError(f, `expected an array of numbers, got ${show(v)}`);
    return v.map((e, i) => {
      const n = finite(e, `${f}[${i}]`);
      if (!(n > 0))
        throw new ValidationError(`${f}[${i}]`, `${n}; thicknesses (m) and resistivities (ohm-m) must be > 0`);
      return n;
    });
  };
  const thickness = arr(x.thickness, `${field}.thickness`);
  const rho0 = arr(x.rho0, `${field}.rho0`);
  if (thickness.length !== rho0.length)
    throw new ValidationError(
      `${field}.rho0`,
      `has ${rho0.length} entries for ${thickness.length} thicknesses; give one resistivity per top layer`,
    );
  return thickness.length === 0 ? null : { thickness, rho0 };
}

/** Re-throw a ValidationError of the inversion's config parser under this survey's field path. */
function prefixed<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const err = e as Error & { field?: string; detail?: string };
    if (err.name === "ValidationError") {
      const field = err.field ?? "";
      const msg =
        err.detail ?? (err.message.startsWith(field + ": ") ? err.message.slice(field.length + 2) : err.message);
      // survey-level settings (optimizer, regularisation, misfit) are named as the survey spells them
      const own = field.startsWith("surveys") || field.startsWith("datasets");
      throw new ValidationError(own && prefix ? `${prefix}.${field}` : field, msg);
    }
    throw e;
  }
}

/** Validate a survey (parsed JSON). Unknown keys at any level are rejected, naming the field. */
export function parseSurveySpec(x: unknown): SurveySpec {
  if (!isObject(x)) throw new ValidationError("survey", `expected a JSON object, got ${show(x)}`);
  rejectUnknown(x, SURVEY_KEYS, "");
  if (typeof x.name !== "string" || !NAME_RE.test(x.name))
    throw new ValidationError(
      "name",
      `expected 1-64 characters of A-Z a-z 0-9 _ . - (it names queue jobs and files), got ${show(x.name)}`,
    );
  const forwardKind = (x.forward ?? "em") as ForwardKind;
  if (forwardKind !== "em" && forwardKind !== "toy")
    throw new ValidationError(
      "forward",
      `unknown '${show(x.forward)}'; use "em" (the EM engine) or "toy" (the inversion's analytic stand-in, for tests)`,
    );
  if (x.forward_options !== undefined && !isObject(x.forward_options))
    throw new ValidationError("forward_options", `expected an object, got ${show(x.forward_options)}`);
  const workflow = (x.workflow ?? "resistivity") as SurveyWorkflow;
  if (workflow !== "resistivity" && workflow !== "two-step")
    throw new ValidationError(
      "workflow",
      `unknown '${show(x.workflow)}'; use "resistivity" (DE on rho and thickness, m = 0) or "two-step" (then m, tau, c with them fixed)`,
    );
  const step1Data = (x.step1_data ?? "before_sign_reversal") as SurveySpec["step1Data"];
  if (step1Data !== "all" && step1Data !== "before_sign_reversal")
    throw new ValidationError("step1_data", `unknown '${show(x.step1_data)}'; use "before_sign_reversal" or "all"`);
  if (x.optimizer !== undefined && isObject(x.optimizer) && x.optimizer.workers !== undefined) {
    throw new ValidationError(
      "optimizer.workers",
      "each sounding runs in one thread; the survey runs soundings in parallel (geoinv survey invert --workers N)",
    );
  }
  if (x.parameterisation === undefined)
    throw new ValidationError(
      "parameterisation",
      "missing: give {layers, rho0: {min, max}, thickness: {min, max}, ...} for the earth below any top layers",
    );
  if (!Array.isArray(x.soundings) || x.soundings.length === 0)
    throw new ValidationError("soundings", `expected a non-empty list of soundings, got ${show(x.soundings)}`);
  compileParameterisation(x.parameterisation, "parameterisation");
  const posterior =
    x.posterior === undefined || x.posterior === false || x.posterior === null
      ? null
      : parsePosteriorOptions(x.posterior, "posterior");
  const lci =
    x.lci === undefined || x.lci === false || x.lci === null
      ? x.lci === undefined
        ? parseLciOptions({}, "lci")
        : null
      : parseLciOptions(x.lci, "lci");
  const ids = new Set<string>();
  let base:
    { optimizer: InvertOptions; problem: { misfit?: string; lambda0?: number; adaptiveLambda?: boolean } } | undefined;
  const soundings: SoundingSpec[] = x.soundings.map((s, i) => {
    const f = `soundings[${i}]`;
    if (!isObject(s)) throw new ValidationError(f, `expected {id, x, y, surveys, top_layers?, info?}, got ${show(s)}`);
    rejectUnknown(s, SOUNDING_KEYS, f);
    if (typeof s.id !== "string" || !NAME_RE.test(s.id))
      throw new ValidationError(`${f}.id`, `expected 1-64 characters of A-Z a-z 0-9 _ . -, got ${show(s.id)}`);
    if (ids.has(s.id)) throw new ValidationError(`${f}.id`, `'${s.id}' is used twice; sounding ids must be unique`);
    ids.add(s.id);
    const xx = finite(s.x, `${f}.x`);
    const yy = finite(s.y, `${f}.y`);
    if (s.info !== undefined && !isObject(s.info))
      throw new ValidationError(`${f}.info`, `expected an object (free-form), got ${show(s.info)}`);
    if (!Array.isArray(s.surveys) || s.surveys.length === 0)
      throw new ValidationError(`${f}.surveys`, `expected a non-empty list of surveys, got ${show(s.surveys)}`);
    s.surveys.forEach((e, k) => {
      if (!isObject(e))
        throw new ValidationError(
          `${f}.surveys[${k}]`,
          `expected {source, receiver, times, waveform, data}, got ${show(e)}`,
        );
      rejectUnknown(e, SURVEY_ENTRY_KEYS, `${f}.surveys[${k}]`);
      if (e.data === undefined)
        throw new ValidationError(`${f}.surveys[${k}].data`, "missing: give {time_off: [...], error: [...]}");
      if (isObject(e.data)) rejectUnknown(e.data, ["time_off", "error"], `${f}.surveys[${k}].data`);
    });
    const top = parseTop(s.top_layers, `${f}.top_layers`);
    const cfg = prefixed(f, () =>
      parseInvertConfig({
        surveys: s.surveys,
        parameterisation: withTopLayers(x.parameterisation as ParameterisationSpec, top),
        misfit: x.misfit,
        regularisation: x.regularisation,
        optimizer: x.optimizer,
        workflow: workflow === "two-step" ? "two-step" : "single",
      }),
    );
    base = base ?? { optimizer: cfg.optimizer, problem: cfg.problem };
    return {
      id: s.id,
      x: xx,
      y: yy,
      datasets: cfg.problem.datasets,
      top,
      info: (s.info as Record<string, unknown>) ?? {},
    };
  });
  if (workflow === "two-step") {
    const m = (x.parameterisation as ParameterisationSpec).m;
    if (!m || (m.min === undefined && m.max === undefined))
      throw new ValidationError(
        "parameterisation.m",
        "the two-step workflow inverts chargeability in step 2; give m as {min, max}",
      );
  }
  return {
    name: x.name,
    description: typeof x.description === "string" ? x.description : "",
    forward: { kind: forwardKind, options: x.forward_options as Record<string, unknown> | undefined },
    parameterisation: x.parameterisation as ParameterisationSpec,
    misfit: (base!.problem.misfit ?? "weighted") as SurveySpec["misfit"],
    lambda0: base!.problem.lambda0,
    adaptive: base!.problem.adaptiveLambda,
    optimizer: base!.optimizer,
    workflow,
    step1Data,
    lci,
    posterior,
    soundings,
  };
}

/** FNV-1a 32-bit hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The DE seed of one sounding: a function of the survey's base seed and the sounding id only (not
 * of its position in the list, the worker or the machine), so every run of the same survey gives
 * every sounding the same seed.
 */
export function soundingSeed(baseSeed: number, id: string): number {
  return (fnv1a(`${baseSeed}/${id}`) % 2147483647) + 1;
}

/** JSON with object keys sorted (a canonical text to hash). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

export function sha256Hex(s: string): string {
  return crypto.createHash("sha256").update(s).digest("hex");
}
