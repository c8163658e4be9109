import {
  DataSet,
  EarthModel,
  InversionProblem,
  InversionResult,
  invert,
  InvertOptions,
  ParameterisationSpec,
  stepOneProblem,
  truncateAtSignReversal,
  twoStepInversion,
} from "../inversion";
import { canonicalJson, ForwardKind, sha256Hex, soundingSeed, SURVEY_FORMAT_VERSION, SurveySpec, SurveyWorkflow, TopLayers, withTopLayers } from "./format";
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
    return { ...t, hash: taskHash(t) };
  });
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
 * Run one sounding's DE inversion in this thread. Pure: the same task gives the same result
 * (bit for bit) in any thread, process or machine running the same code.
 */
export async function invertSounding(t: SoundingTask, onGeneration?: InvertOptions["onGeneration"]): Promise<{ result: SoundingResult; seconds: number }> {
  const t0 = Date.now();
  const problem = taskProblem(t);
  const d1 = step1Datasets(t);
  const opts: InvertOptions = { ...t.optimizer, workers: 1, onGeneration };
  let res: InversionResult;
  let ip: InversionResult | null = null;
  if (t.workflow === "two-step") {
    const r = await twoStepInversion(problem, { ...opts, step1Datasets: d1 });
    res = r.step1;
    ip = r.step2;
  } else {
    res = await invert(stepOneProblem(problem, d1), opts);
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
  return { result, seconds: (Date.now() - t0) / 1000 };
}
