import * as path from "path";
import { CONVERGED_OPTIONS } from "../em";
import { InvertConfig } from "./config";
import { emForward } from "./forward";
import type { EarthModel } from "../em";
import {
  createObjective,
  DataSet,
  ForwardFn,
  InversionProblem,
  makeForward,
  rmsMisfit,
  dataCount,
  validateProblem,
} from "./objective";
import { toVector } from "./parameterisation";
import { WorkerPool } from "../optim";
import {
  localPredictor,
  poolPredictor,
  PosteriorOptions,
  PosteriorRun,
  PosteriorSummary,
  samplePosterior,
} from "./posterior";
import {
  invert,
  InversionCheckpoint,
  InversionRecord,
  InversionResult,
  OBJECTIVE_MODULE,
  posteriorCheckpointFile,
  posteriorCheckpointHash,
  posteriorFileCheckpoint,
  posteriorResumeNote,
} from "./invert";
import { occam, OccamResult } from "./occam";
import { addDataNoise } from "./synthetic";
import { twoStepInversion } from "./twostep";
import { truncateAtSignReversal } from "./field";

/**
 * The forward that makes synthetic data: the EM engine at its CONVERGED_OPTIONS (a finer
 * discretisation than the inversion's FAST_OPTIONS, so no inverse crime), or the problem's own
 * provider when it is not the EM engine (e.g. a toy forward in tests).
 */
export function syntheticForward(problem: InversionProblem): ForwardFn {
  const f = problem.forward;
  if (f && !(f.factory === "emForward" && path.basename(f.module).startsWith("forward."))) return makeForward(problem);
  return emForward(
    problem.datasets.map((d) => d.survey),
    CONVERGED_OPTIONS,
  );
}

/** The problem with its synthetic data filled in (from config.model, with the config's noise). */
export function withSyntheticData(cfg: InvertConfig): InversionProblem {
  if (!cfg.synthetic || !cfg.model) return cfg.problem;
  const clean = syntheticForward(cfg.problem)([cfg.model])[0];
  let k = 0;
  const datasets: DataSet[] = cfg.problem.datasets.map((d, i) => {
    const n = d.observed.length;
    const part = Array.from({ length: n }, (_, j) => clean[k + j]);
    k += n;
    const noisy = addDataNoise(part, { ...cfg.synthetic!, seed: (cfg.synthetic!.seed ?? 1) + 7919 * i });
    return { ...d, observed: noisy.observed, error: noisy.error };
  });
  return { ...cfg.problem, datasets };
}

/** Percentage error of each layer value against a true model (kinds with a true 0 are left out). */
export function modelErrors(model: EarthModel, truth: EarthModel): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const k of ["rho0", "thickness", "m", "tau", "c"] as const) {
    // a percentage of a true 0 is undefined: such a parameter kind is left to modelErrorsAbsolute
    if (model[k].length !== truth[k].length || truth[k].some((t) => t === 0)) continue;
    out[k] = model[k].map((v, j) => (100 * (v - truth[k][j])) / truth[k][j]);
  }
  return out;
}

/** model - truth per parameter (physical units), for every parameter kind both models have. */
export function modelErrorsAbsolute(model: EarthModel, truth: EarthModel): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const k of ["rho0", "thickness", "m", "tau", "c"] as const) {
    if (model[k].length === truth[k].length) out[k] = model[k].map((v, j) => v - truth[k][j]);
  }
  return out;
}

/** The result's true model and the errors against it (synthetic configs). */
function truthErrors(model: EarthModel, truth: EarthModel) {
  return {
    true_model: truth,
    errors_percent: modelErrors(model, truth),
    errors_absolute: modelErrorsAbsolute(model, truth),
  };
}

function summary(r: InversionResult) {
  return {
    model: r.model,
    parameters: r.parameters,
    misfit: r.misfit,
    evaluations: r.evaluations,
    generations: r.generations,
    evaluations_to_target: r.evaluationsToTarget,
    stop_reason: r.stopReason,
    seconds: r.seconds,
  };
}

function predictedJson(problem: InversionProblem, pred: number[][]) {
  const flat = ([] as number[]).concat(...pred);
  if (problem.datasets.length === 1) return { time_off: flat };
  return {
    time_off: flat,
    surveys: problem.datasets.map((d, i) => ({ label: d.label ?? `survey ${i + 1}`, time_off: pred[i] })),
  };
}

/**
 * Success on a synthetic problem [issue 14]: the best model's objective D = D_d + lambda D_m
 * at or below the true model's, both at the run's final lambda. Null when the truth is not
 * representable by the parameterisation (another layer count, or fixed values that differ).
 */
export function truthCheck(
  problem: InversionProblem,
  truth: EarthModel,
  r: InversionResult,
): Record<string, unknown> | null {
  const p = validateProblem(problem);
  if (truth.rho0.length !== p.layers) return null;
  for (const k of ["rho0", "thickness", "m", "tau", "c"] as const) {
    const t = p.template[k];
    for (let j = 0; j < t.length; j++)
      if (!Number.isNaN(t[j]) && Math.abs(t[j] - truth[k][j]) > 1e-12 * Math.abs(truth[k][j])) return null;
  }
  const xt = toVector(p, truth);
  for (let k = 0; k < xt.length; k++) if (!(xt[k] >= p.lower[k] && xt[k] <= p.upper[k])) return null;
  const [dd, dm] = createObjective(problem)([xt])[0];
  const lambda = r.misfit.lambda;
  const trueObjective = dd + lambda * dm;
  return {
    rule: "success = the best model's objective D_d + lambda D_m at or below the true model's, at the final lambda",
    lambda,
    true_data_misfit: dd,
    true_rms: rmsMisfit(dd, dataCount(problem)),
    true_objective: trueObjective,
    best_objective: r.misfit.objective,
    success: r.misfit.objective <= trueObjective,
  };
}

/** What a search spread is, said wherever one is written. */
export const SEARCH_SPREAD_NOTE = "final DE population: a search spread, not uncertainty (see posterior)";

export interface RunHooks {
  /** Receives the posterior's chains (to save next to the result). */
  onPosterior?: (run: PosteriorRun) => void;
  /**
   * Checkpoint the DE (InvertOptions.checkpoint): a single run saves to `file`; the two-step
   * workflow saves each step to its own file, `file`.step1 and `file`.step2 (step 2's problem is
   * built from step 1's result, which a resumed step 1 reproduces exactly). With a posterior, the
   * sampler's state goes to `file`.posterior at every convergence check and on signals; a rerun
   * resumes the DE (deterministic) and then the sampler.
   */
  checkpoint?: InversionCheckpoint;
}

/**
 * The checkpoint files of a config run: [file] or, two-step, [file.step1, file.step2]; and
 * file.posterior with a posterior.
 */
export function checkpointFiles(cfg: InvertConfig, file: string): string[] {
  const de = cfg.workflow === "two-step" ? [`${file}.step1`, `${file}.step2`] : [file];
  return cfg.posterior ? [...de, posteriorCheckpointFile(file)] : de;
}

/** The posterior's end on the progress log, and its warning when it did not converge. */
function logPosterior(s: PosteriorSummary, log: (line: string) => void): void {
  log(
    `posterior: ${s.stop_reason} after ${s.evaluations} evaluations, R-hat max ${s.rhat_max.toFixed(3)}, ESS min ${s.ess_min.toFixed(0)}, ${s.seconds.toFixed(1)} s`,
  );
  if (s.warning) log(`warning: ${s.warning}`);
}

/**
 * Run a config: synthetic data if asked, the single or two-step DE inversion, the posterior and
 * Occam if asked. Returns the result as plain JSON; `log` receives progress lines.
 */
export async function runInvertConfig(
  cfg: InvertConfig,
  log: (line: string) => void = () => undefined,
  hooks: RunHooks = {},
): Promise<Record<string, unknown>> {
  const problem = withSyntheticData(cfg);
  const every = 10;
  const onGeneration = (rec: InversionRecord) => {
    if (rec.generation % every === 0) {
      log(
        `gen ${rec.generation}  evals ${rec.evaluations}  rms ${rec.rms.toPrecision(4)}  lambda ${rec.lambda.toPrecision(3)}  muF ${rec.muF.toFixed(2)}  muCR ${rec.muCR.toFixed(2)}`,
      );
    }
  };
  const opts = { ...cfg.optimizer, onGeneration, log };
  const postOpts: PosteriorOptions | null = cfg.posterior ?? null;
  const postSeeded = postOpts ? { ...postOpts, seed: postOpts.seed ?? cfg.optimizer.seed ?? 1 } : null;
  // the posterior's checkpoint is read (and a file of another run refused) before the DE runs
  const ck = hooks.checkpoint;
  const postFile = ck && postSeeded ? posteriorCheckpointFile(ck.file) : null;
  const postHash = postSeeded
    ? posteriorCheckpointHash(problem, cfg.optimizer, postSeeded, { workflow: cfg.workflow, step1Data: cfg.step1Data })
    : "";
  const postCk = ck && postFile ? posteriorFileCheckpoint(postFile, postHash, { ...ck, log }) : null;
  let main: InversionResult;
  let step1: InversionResult | null = null;
  if (cfg.workflow === "two-step") {
    const step1Datasets = cfg.step1Data === "all" ? problem.datasets : truncateAtSignReversal(problem.datasets);
    const [f1, f2] = ck ? checkpointFiles(cfg, ck.file) : [];
    const steps = ck ? { step1: { checkpoint: { ...ck, file: f1 } }, step2: { checkpoint: { ...ck, file: f2 } } } : {};
    const r = await twoStepInversion(problem, {
      ...opts,
      ...steps,
      step1Datasets,
      onStep: (s) =>
        log(
          `step ${s}: ${s === 1 ? "resistivity and thickness, m = 0" : "chargeability with rho0 and thickness fixed"}`,
        ),
    });
    main = r.step2;
    step1 = r.step1;
  } else {
    main = await invert(problem, hooks.checkpoint ? { ...opts, checkpoint: hooks.checkpoint } : opts);
  }
  let post: PosteriorRun | null = null;
  if (postSeeded) {
    log("posterior: DREAM(ZS) from the DE's final population (uniform prior in the bounds, Gaussian likelihood)");
    if (postCk && postFile && postCk.from) log(posteriorResumeNote(postFile, postCk.from));
    const onCheck = (c: { iteration: number; evaluations: number; rhatMax: number; essMin: number }) =>
      log(
        `posterior it ${c.iteration}  evals ${c.evaluations}  R-hat max ${c.rhatMax.toFixed(3)}  ESS min ${c.essMin.toFixed(0)}`,
      );
    const o: PosteriorOptions = { ...postSeeded, onCheck, ...(postCk ? { checkpoint: postCk } : {}) };
    // the two-step result is the start of a posterior over every free parameter of the config
    const p = validateProblem(problem);
    const population = cfg.workflow === "two-step" ? [] : main.population.models.map((m) => toVector(p, m));
    const start = cfg.workflow === "two-step" ? toVector(p, main.model) : Float64Array.from(main.x);
    if (cfg.optimizer.workers !== undefined && cfg.optimizer.workers !== 1) {
      const pool = new WorkerPool(
        { module: OBJECTIVE_MODULE, factory: "createPredictor", args: problem },
        cfg.optimizer.workers,
      );
      try {
        post = await samplePosterior(
          problem,
          start,
          population,
          await poolPredictor(problem, pool, OBJECTIVE_MODULE),
          o,
        );
      } finally {
        await pool.close();
      }
    } else post = await samplePosterior(problem, start, population, localPredictor(problem), o);
    logPosterior(post.summary, log);
    hooks.onPosterior?.(post);
  }
  log(
    `DE: ${main.stopReason} after ${main.generations} generations, ${main.evaluations} evaluations, rms ${main.misfit.rms.toPrecision(4)}, ${main.seconds.toFixed(1)} s`,
  );
  let oc: OccamResult | null = null;
  // Occam has no IP: in the two-step workflow it sees step 1's data
  const ocProblem =
    cfg.workflow === "two-step" && cfg.step1Data !== "all"
      ? { ...problem, datasets: truncateAtSignReversal(problem.datasets) }
      : problem;
  if (cfg.occam) {
    log("Occam inversion");
    oc = await occam(ocProblem, {
      ...cfg.occam,
      workers: cfg.optimizer.workers,
      onIteration: (it) =>
        log(`occam it ${it.iteration}  rms ${it.rms.toPrecision(4)}  mu ${it.mu.toExponential(2)}  phase ${it.phase}`),
    });
  }
  const out: Record<string, unknown> = {
    name: cfg.name,
    workflow: cfg.workflow,
    model: main.model,
    misfit: main.misfit,
    parameters: main.parameters,
    predicted: predictedJson(problem, main.predicted),
    observed: {
      time_off: ([] as number[]).concat(...problem.datasets.map((d) => d.observed)),
      error: ([] as number[]).concat(...problem.datasets.map((d) => d.error)),
    },
    history: main.history,
    search_spread: { note: SEARCH_SPREAD_NOTE, stats: main.population.stats, rms: main.population.rms },
    evaluations: main.evaluations,
    generations: main.generations,
    evaluations_to_target: main.evaluationsToTarget,
    stop_reason: main.stopReason,
    np: main.np,
    restarts: main.restarts,
    polish: main.polish,
    seconds: main.seconds,
    optimizer: { ...cfg.optimizer, strategy: main.strategy, seed: main.seed },
  };
  if (post) out.posterior = post.summary;
  if (step1) out.step1 = summary(step1);
  if (cfg.model) {
    Object.assign(out, truthErrors(main.model, cfg.model));
    const tc = cfg.workflow === "single" ? truthCheck(problem, cfg.model, main) : null;
    if (tc) out.truth_check = tc;
  }
  if (oc)
    out.occam = {
      model: oc.model,
      rms: oc.rms,
      roughness: oc.roughness,
      mu: oc.mu,
      iterations: oc.iterations.length,
      stop_reason: oc.stopReason,
      evaluations: oc.evaluations,
      seconds: oc.seconds,
      predicted: predictedJson(ocProblem, oc.predicted),
    };
  return out;
}
