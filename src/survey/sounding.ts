import {
  DataSet,
  EarthModel,
  InversionProblem,
  InversionResult,
  invert,
  InvertOptions,
  ParameterisationSpec,
  PosteriorOptions,
  PosteriorSummary,
  stepOneProblem,
  truncateAtSignReversal,
  twoStepInversion,
} from "../inversion";
import {
  canonicalJson,
  ForwardKind,
  sha256Hex,
  soundingSeed,
  SURVEY_FORMAT_VERSION,
  SurveySpec,
  SurveyWorkflow,
  TopLayers,
  withTopLayers,
} from "./format";
import { forwardSpec } from "./forwards";

/**
 * One sounding's 1-D DE inversion as a self-contained, JSON-serialisable task: what a worker thread,
 * a queue worker on another machine or this process needs, and nothing else. Its `hash` (sha256 of
 * the canonical JSON of everything but the hash) names the result: a result file with the same
 * hash is the same computation.
 */
export interface SoundingTask {
  version: number;
  survey: string;
  id: string;
  index: number;
  seed: number;
  hash: string;
  forward: { kind: ForwardKind; options?: Record<string, unknown> };
  datasets: DataSet[];
  parameterisation: ParameterisationSpec;
  misfit: SurveySpec["misfit"];
  lambda0?: number;
  adaptive?: boolean;
  optimizer: InvertOptions;
  workflow: SurveyWorkflow;
  step1Data: SurveySpec["step1Data"];
  top: TopLayers | null;
  /**
   * Sample the resistivity step's posterior after its DE (the survey's `posterior` block, its seed
   * resolved for this sounding). Absent when the survey has none, so such a task keeps its hash.
   */
  posterior?: PosteriorOptions;
}

/** A DE run's summary as written to a result file (no wall times: the file is a pure function of the task). */
export interface DeSummary {
  model: EarthModel;
  parameters: string[];
  x: number[];
  misfit: InversionResult["misfit"];
  predicted: number[][];
  observed: number[][];
  error: number[][];
  population: { stats: InversionResult["population"]["stats"]; rms: number[] };
  rmsHistory: number[];
  generations: number;
  evaluations: number;
  stopReason: string;
}

export interface SoundingResult {
  format: "geoinv-survey-sounding";
  version: number;
  survey: string;
  id: string;
  hash: string;
  seed: number;
  workflow: SurveyWorkflow;
  top: TopLayers | null;
  /** Resistivity model (step 1: rho and thickness with m = 0, on the step-1 gates). */
  resistivity: DeSummary;
  /** Step 2 of the two-step workflow (m, tau, c with rho and thickness fixed), on all gates. */
  ip: DeSummary | null;
  /**
   * The resistivity step's posterior (when the task asks for it): the sampler's summary without its
   * wall time, so the file stays a pure function of the task. No chains are kept.
   */
  posterior?: SoundingPosterior;
}

/** A sounding's posterior summary as written to its result file: PosteriorSummary less `seconds`. */
export type SoundingPosterior = Omit<PosteriorSummary, "seconds">;

/** What running a sounding task returns: the result and the wall times (not in the result). */
export interface SoundingRun {
  result: SoundingResult;
  /** Wall time of the whole task, sampler included. */
  seconds: number;
  /** Wall time of the posterior sampler alone (0 without a posterior). */
  posteriorSeconds: number;
}

/** The tasks of a survey, in profile order. */
export function soundingTasks(s: SurveySpec): SoundingTask[] {
  return s.soundings.map((snd, index) => {
    const seed = soundingSeed(s.optimizer.seed ?? 1, snd.id);
    const t: Omit<SoundingTask, "hash"> = {
      version: SURVEY_FORMAT_VERSION,
      survey: s.name,
      id: snd.id,
      index,
      seed,
      forward: s.forward,
      datasets: snd.datasets,
      parameterisation: withTopLayers(s.parameterisation, snd.top),
      misfit: s.misfit,
      lambda0: s.lambda0,
      adaptive: s.adaptive,
      optimizer: { ...s.optimizer, seed },
      workflow: s.workflow,
      step1Data: s.step1Data,
      top: snd.top,
    };
    if (s.posterior) t.posterior = { ...s.posterior, seed: posteriorSeed(s.posterior, seed, snd.id) };
    return { ...t, hash: taskHash(t) };
  });
}

/**
 * The sampler seed of one sounding: from the survey's `posterior.seed` as the DE seed comes from
 * `optimizer.seed` (a function of the base seed and the sounding id), or, without one, the
 * sounding's DE seed (as `tem invert` defaults the posterior seed to the DE seed).
 */
export function posteriorSeed(o: PosteriorOptions, deSeed: number, id: string): number {
  return o.seed === undefined ? deSeed : soundingSeed(o.seed, id);
}

/** The hash of a task's content (not its position in the list, nor the hash itself). */
export function taskHash(t: Omit<SoundingTask, "hash"> & { hash?: string }): string {
  const { index: _i, hash: _h, ...content } = t;
  void _i;
  void _h;
  return sha256Hex(canonicalJson(content)).slice(0, 16);
}

/** The sounding's full inversion problem (all gates), with the forward resolved on this machine. */
export function taskProblem(t: SoundingTask): InversionProblem {
  return {
    datasets: t.datasets,
    parameterisation: t.parameterisation,
    misfit: t.misfit,
    lambda0: t.lambda0,
    adaptiveLambda: t.adaptive,
    forward: forwardSpec(t.forward.kind, t.forward.options),
  };
}

/** The data the resistivity step (and the LCI) fits: all gates, or each survey before its first sign reversal. */
export function step1Datasets(t: Pick<SoundingTask, "datasets" | "step1Data">): DataSet[] {
  return t.step1Data === "all" ? t.datasets : truncateAtSignReversal(t.datasets);
}

function summary(r: InversionResult, data: DataSet[]): DeSummary {
  return {
    model: r.model,
    parameters: r.parameters,
    x: r.x,
    misfit: r.misfit,
    predicted: r.predicted,
    observed: data.map((d) => d.observed),
    error: data.map((d) => d.error),
    population: { stats: r.population.stats, rms: r.population.rms },
    rmsHistory: r.history.rms,
    generations: r.generations,
    evaluations: r.evaluations,
    stopReason: r.stopReason,
  };
}

/**
 * Run one sounding's DE inversion in this thread, then (when the task asks) sample the resistivity
 * step's posterior in this thread too (`invert`'s posterior with one worker: an in-thread
 * predictor). Pure: the same task gives the same result (bit for bit) in any thread, process or
 * machine running the same code; the wall times are returned beside the result, not in it.
 */
export async function invertSounding(
  t: SoundingTask,
  onGeneration?: InvertOptions["onGeneration"],
): Promise<SoundingRun> {
  const t0 = Date.now();
  const problem = taskProblem(t);
  const d1 = step1Datasets(t);
  const opts: InvertOptions = { ...t.optimizer, workers: 1, onGeneration };
  const post: Partial<InvertOptions> = t.posterior ? { posterior: t.posterior } : {};
  let res: InversionResult;
  let ip: InversionResult | null = null;
  if (t.workflow === "two-step") {
    const r = await twoStepInversion(problem, { ...opts, step1Datasets: d1, step1: post });
    res = r.step1;
    ip = r.step2;
  } else {
    res = await invert(stepOneProblem(problem, d1), { ...opts, ...post });
  }
  const result: SoundingResult = {
    format: "geoinv-survey-sounding",
    version: t.version,
    survey: t.survey,
    id: t.id,
    hash: t.hash,
    seed: t.seed,
    workflow: t.workflow,
    top: t.top,
    resistivity: summary(res, d1),
    ip: ip ? summary(ip, t.datasets) : null,
  };
  let posteriorSeconds = 0;
  if (res.posterior) {
    const { seconds, ...rest } = res.posterior.summary;
    posteriorSeconds = seconds;
    result.posterior = rest;
  }
  return { result, seconds: (Date.now() - t0) / 1000, posteriorSeconds };
}
