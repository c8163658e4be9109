import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { atomicWriteFile, FileError, ValidationError } from "../core";
import {
  BoundRule,
  DEFAULT_RESTART,
  defaultPopulation,
  DEOptions,
  DEResult,
  GenerationRecord,
  InitMethod,
  minimize,
  minimizeAsync,
  populationAdvice,
  RestartOptions,
  RestartRecord,
  ResumableRun,
  RunState,
  WorkerPool,
} from "../optim";
import type { EarthModel } from "../em";
import {
  adaptiveLambda,
  createObjective,
  createPredictor,
  dataCount,
  ForwardFn,
  InversionProblem,
  makeForward,
  rmsMisfit,
  roughnessResiduals,
  splitByDataset,
  stackedData,
  validateProblem,
} from "./objective";
import { Parameterisation, toModel, toVector } from "./parameterisation";
import {
  localPredictor,
  poolPredictor,
  PosteriorCheckpoint,
  PosteriorOptions,
  PosteriorRun,
  PosteriorState,
  samplePosterior,
} from "./posterior";
import { parameterStats, ParameterStats } from "./uncertainty";

/** Optimiser settings of an inversion (the `optimizer` block of a config). */
export interface InvertOptions {
  /** "jade" (default), "DE/rand/1", ... */
  strategy?: string;
  np?: number;
  maxGenerations?: number;
  maxEvaluations?: number;
  seed?: number;
  /** "opposition" (default) or "random". */
  init?: InitMethod;
  /** JADE adaptation; default true for "jade". */
  adaptive?: boolean;
  F?: number;
  CR?: number;
  p?: number;
  c?: number;
  boundRule?: BoundRule;
  stagnation?: { generations: number; tolerance?: number };
  /** Stop when the best model's RMS misfit sqrt(D_d / N) is at or below this. */
  targetRms?: number;
  /** Worker threads evaluating the population (1 or undefined: in this thread). */
  workers?: number | "all";
  /** A pool to reuse (it is reconfigured with this problem); overrides `workers`. */
  pool?: WorkerPool;
  /** In-process forward (serial runs only), e.g. a stand-in for tests. */
  forward?: ForwardFn;
  onGeneration?: (rec: InversionRecord) => void | "stop";
  /**
   * Restarts on diversity loss or stagnation (optim's RestartOptions; the rule is in
   * docs/OPTIMISER.md). On by default in inversions with DEFAULT_RESTART; false turns them off.
   */
  restart?: RestartOptions | false;
  /**
   * Polish DE's best model by bounded Levenberg-Marquardt in search space after the run, as
   * scipy's differential_evolution(polish=True) does (default true; false turns it off). The
   * polished model is kept only when its objective is lower; `polish` in the result says what it did.
   */
  polish?: boolean | InversionPolish;
  /** Receives warnings (a population below the rule) and restart notes; e.g. stderr. */
  log?: (line: string) => void;
  /**
   * Sample the Bayesian posterior after the DE (src/inversion/posterior.ts): DREAM(ZS) started
   * from the final population, its seed defaulting to the DE's. Absent: no sampling.
   */
  posterior?: PosteriorOptions;
  /**
   * Checkpoint and resume (`invert` only; see InversionCheckpoint): the DE state is saved to
   * `file` every `every` generations, and a run started with an existing checkpoint of the same
   * problem and options continues from it, bit-identically to the uninterrupted run.
   */
  checkpoint?: InversionCheckpoint;
}

/**
 * Where and how often `invert` saves its DE state (InvertOptions.checkpoint). The file is JSON,
 * written atomically (temporary file + rename): the format, a SHA-256 hash of the problem and the
 * optimiser options that change the result (not workers, pool, callbacks, posterior), the
 * generation, evaluations and the optim ResumableRun state (population, fitness, archive, JADE
 * means, RNG state, history, restarts, pending trial points). When `file` exists `invert` resumes
 * from it; a checkpoint of another problem or other options is refused with a ValidationError
 * naming `field`. The file is left in place when the run ends (delete it to start afresh; the CLI
 * removes it once the result is written). Resuming after the DE had ended only redoes the polish.
 * With `posterior`, the sampler's state goes to `file`.posterior (posteriorFileCheckpoint: at every
 * convergence check and on signals); a rerun resumes the DE from `file`, then the sampler from
 * `file`.posterior, and gives the uninterrupted run's posterior.
 */
export interface InversionCheckpoint {
  file: string;
  /** Save every this many generations (default 10). */
  every?: number;
  /**
   * Called on SIGINT or SIGTERM during the run, right after the state was written to `file`
   * (signal listeners are installed for the run only when this is given; e.g. the CLI exits
   * 130/143 here). If it returns, the run stops at the next generation with an error. The
   * handlers run between generations and while workers evaluate; an in-thread evaluation of one
   * generation finishes first.
   */
  onSignal?: (signal: "SIGINT" | "SIGTERM", file: string) => void;
  /** The name errors give the checkpoint (default "checkpoint"; the CLI's "--checkpoint"). */
  field?: string;
}

/** One generation of an inversion, for live plots. */
export interface InversionRecord extends GenerationRecord {
  dataMisfit: number;
  roughness: number;
  lambda: number;
  rms: number;
  model: EarthModel;
}

export interface InversionResult {
  model: EarthModel;
  /** Search-space vector of the model. */
  x: number[];
  /** Free parameter names, in the order of x. */
  parameters: string[];
  misfit: {
    kind: string;
    dataMisfit: number;
    roughness: number;
    lambda: number;
    objective: number;
    rms: number;
    n: number;
  };
  /** Predicted data of the model, one array per dataset. */
  predicted: number[][];
  history: {
    generation: number[];
    evaluations: number[];
    best: number[];
    median: number[];
    dataMisfit: number[];
    roughness: number[];
    lambda: number[];
    rms: number[];
    muF: number[];
    muCR: number[];
    diversity: number[];
  };
  /**
   * The final DE population: a SEARCH SPREAD, NOT UNCERTAINTY. A converged population is narrow
   * whether or not it is right (its 5-95 % range contained the truth for 0-5 free parameters per
   * problem in the issue's tests); use `posterior` for uncertainty.
   */
  population: { stats: ParameterStats[]; models: EarthModel[]; rms: number[] };
  /** The sampled posterior (when `posterior` was asked for). */
  posterior?: PosteriorRun;
  evaluations: number;
  generations: number;
  evaluationsToTarget: number | null;
  stopReason: string;
  /** Every restart of the DE (diversity loss or stagnation), in order. */
  restarts: RestartRecord[];
  /** The LM polish after the DE, when asked for: evaluations and the objective before and after. */
  polish: DEResult["polish"] | null;
  /** The population size used. */
  np: number;
  seconds: number;
  seed: number;
  strategy: string;
}

/**
 * Initial mu_CR of JADE (and the fixed CR of the classic strategies) in inversions: 0.9, not
 * JADE's 0.5. On the three-layer TEM problem JADE started at mu_CR = 0.5 drives mu_CR down (the
 * successful trials are the ones that move one coordinate) and stalls in the correlated valleys of
 * rho-thickness equivalence; started at 0.9 it keeps mu_CR high and converges (measured in
 * notebook 21 and bench/README.md). The adaptation rule itself is unchanged. That problem is also
 * a reported one; on a disjoint tuning set (bench/tune-de.ts, syntheticProblem(2, .), 6 problems x
 * 2 seeds, bench/results/tune-de.json) 0.9 beat 0.5 and 0.7 at every p, and 0.5 needed 1.8-2.5x
 * the evaluations to the true model's objective.
 */
export const DEFAULT_CR = 0.9;

/**
 * JADE's p in inversions: 0.2 (x_pbest among the best 20 %), the top of JADE's range 0.05-0.2.
 * With the paper's NP = 36, p = 0.05 draws x_pbest from the best 2 only; on the three-layer case with
 * the polarisable top layer that stalled one run of five at RMS 3.2 (a local minimum with m3 = 0.9),
 * p = 0.2 reached RMS 0.1 in 5 of 5 (seeds 1-5, 157-293 generations). On the disjoint tuning set
 * of bench/tune-de.ts (default NP 40 + 5 d, mu_CR 0.9, polish after the DE only) p = 0.1 needed 1.6x
 * fewer evaluations than 0.2 (11 of 12 pairs, bench/results/tune-de.json). With the LM polish every
 * 25 generations (DEFAULT_POLISH_EVERY) the two differ by ~10 % on those problems (study "joint"),
 * and on the tuning set's noise-free 19-21-unknown problems (study "hard", RMS 0.3 in 400
 * generations) p = 0.1 stalled in a local minimum where 0.2 did not (bench/README.md, "DE defaults
 * tuned jointly"). The rule "most successes, then fewest evaluations" keeps 0.2.
 */
export const DEFAULT_P = 0.2;

/**
 * The inversion's LM polish of the best model every this many generations during the run (besides
 * the polish after it). Chosen on the disjoint tuning set of bench/tune-de.ts (study "polish", 8-
 * and 10-layer problems of syntheticProblem(2, .)): every 25 needed 0.30x the evaluations of off,
 * every 50 0.54x, every 100 0.98x, all runs succeeding. `polish: {every: 0}` (config
 * `optimizer.polish_every: 0`) polishes only after the run.
 */
export const DEFAULT_POLISH_EVERY = 25;

/** Where the objective factory lives, for worker threads. */
export const OBJECTIVE_MODULE = path.join(__dirname, "objective.ts");

/** A worker pool for inversions (reconfigured by `invert` for each problem it is given). */
export function inversionPool(problem: InversionProblem, workers: number | "all" = "all"): WorkerPool {
  validateProblem(problem);
  return new WorkerPool({ module: OBJECTIVE_MODULE, factory: "createObjective", args: problem }, workers);
}

/** How the inversion polishes DE's best model (InvertOptions.polish). */
export interface InversionPolish {
  /** Most LM iterations (default 30). */
  maxIterations?: number;
  /** Also polish the best every this many generations of the run (DEFAULT_POLISH_EVERY; 0: at the end only). */
  every?: number;
}

/**
 * The residual vector whose sum of squares is the inversion objective D_d + lambda D_m at a given
 * lambda: the data residuals of the misfit kind (seed eq. 12 for "raw"), then sqrt(lambda) times
 * the roughness differences (seed eq. 15). For LM polishing; `split` is where the roughness part
 * begins. The stacked data are built once; lambda is given per call (it adapts during a run).
 */
export function objectiveResiduals(problem: InversionProblem, p: Parameterisation) {
  const { observed, error } = stackedData(problem);
  const kind = problem.misfit ?? "weighted";
  /** The factor sqrt(lambda) of the roughness residuals (floored so that D_m stays recoverable at lambda 0). */
  const scale = (lambda: number) => Math.sqrt(Math.max(lambda, 1e-16));
  return {
    split: observed.length,
    scale,
    residuals: (x: ArrayLike<number>, pred: ArrayLike<number>, lambda: number): number[] => {
      const s = scale(lambda);
      const r: number[] = [];
      for (let i = 0; i < observed.length; i++) {
        const d = pred[i] - observed[i];
        r.push(kind === "weighted" ? d / error[i] : kind === "relative" ? d / Math.abs(observed[i]) : d);
      }
      for (const v of roughnessResiduals(toModel(p, x), p)) r.push(s * v);
      return r;
    },
  };
}

/**
 * The DE options of an inversion. `st.lambda` is the current regularisation factor (the polish
 * builds its residuals at it); a resumed run sets it from the restored DE's weights.
 */
function deOptions(
  problem: InversionProblem,
  p: Parameterisation,
  o: InvertOptions,
  predict?: (xs: Float64Array[]) => Promise<number[][]> | number[][],
  st: { lambda: number } = { lambda: problem.lambda0 ?? 0.5 },
): DEOptions {
  const n = dataCount(problem);
  const lambda0 = problem.lambda0 ?? 0.5;
  const adaptive = problem.adaptiveLambda ?? true;
  const np = o.np ?? defaultPopulation(p.free.length);
  if (o.np !== undefined) {
    const advice = populationAdvice(p.free.length, o.np);
    if (advice && o.log) o.log(`warning: ${advice}`);
  }
  let polish: DEOptions["polish"];
  const want = o.polish ?? true;
  if (want && predict) {
    const po = want === true ? {} : want;
    // the residuals are built at the current lambda (the final one for the polish after the run)
    const or = objectiveResiduals(problem, p);
    const residuals = (xs: Float64Array[]) => {
      const rows = (preds: number[][]) => xs.map((x, i) => or.residuals(x, preds[i], st.lambda));
      const preds = predict(xs);
      return preds instanceof Promise ? preds.then(rows) : rows(preds);
    };
    polish = {
      residuals,
      components: (r) => {
        const s = or.scale(st.lambda);
        let dd = 0;
        let dm = 0;
        for (let i = 0; i < r.length; i++) {
          if (i < or.split) dd += r[i] * r[i];
          else dm += (r[i] / s) ** 2;
        }
        return [dd, dm];
      },
      maxIterations: po.maxIterations ?? 30,
      every: po.every ?? DEFAULT_POLISH_EVERY,
    };
  }
  return {
    strategy: o.strategy,
    np,
    maxGenerations: o.maxGenerations,
    maxEvaluations: o.maxEvaluations,
    seed: o.seed,
    init: o.init,
    adaptive: o.adaptive,
    F: o.F,
    CR: o.CR ?? DEFAULT_CR,
    p: o.p ?? DEFAULT_P,
    c: o.c,
    boundRule: o.boundRule,
    stagnation: o.stagnation,
    restart: o.restart === false ? false : { ...DEFAULT_RESTART, ...(o.restart ?? {}) },
    polish,
    target: o.targetRms,
    targetMeasure: (comp) => rmsMisfit(comp[0], n),
    scalarisation: {
      initial: [1, lambda0],
      update: adaptive ? (best) => [1, (st.lambda = adaptiveLambda(best[0], best[1]))] : undefined,
    },
    onGeneration: (rec) => {
      st.lambda = rec.weights[1];
      if (rec.restart && o.log)
        o.log(
          `restart after generation ${rec.generation} (${rec.restart.reason}, diversity ${rec.restart.diversity.toExponential(2)})`,
        );
      return o.onGeneration
        ? o.onGeneration({
            ...rec,
            dataMisfit: rec.bestComponents[0],
            roughness: rec.bestComponents[1],
            lambda: rec.weights[1],
            rms: rec.measure,
            model: toModel(p, rec.bestX),
          })
        : undefined;
    },
  };
}

function summarise(
  problem: InversionProblem,
  p: Parameterisation,
  r: DEResult,
  predicted: ArrayLike<number>,
  o: InvertOptions,
): InversionResult {
  const n = dataCount(problem);
  const h = r.history;
  const last = h[h.length - 1];
  return {
    model: toModel(p, r.x),
    x: Array.from(r.x),
    parameters: p.free.map((f) => f.name),
    misfit: {
      kind: problem.misfit ?? "weighted",
      dataMisfit: r.components[0],
      roughness: r.components[1],
      lambda: last.weights[1],
      objective: r.fitness,
      rms: rmsMisfit(r.components[0], n),
      n,
    },
    predicted: splitByDataset(problem, predicted),
    history: {
      generation: h.map((g) => g.generation),
      evaluations: h.map((g) => g.evaluations),
      best: h.map((g) => g.best),
      median: h.map((g) => g.median),
      dataMisfit: h.map((g) => g.bestComponents[0]),
      roughness: h.map((g) => g.bestComponents[1]),
      lambda: h.map((g) => g.weights[1]),
      rms: h.map((g) => g.measure),
      muF: h.map((g) => g.muF),
      muCR: h.map((g) => g.muCR),
      diversity: h.map((g) => g.diversity),
    },
    population: {
      stats: parameterStats(p, r.population),
      models: r.population.map((x) => toModel(p, x)),
      rms: r.populationComponents.map((c) => rmsMisfit(c[0], n)),
    },
    evaluations: r.evaluations,
    generations: r.generations,
    evaluationsToTarget: r.evaluationsToTarget,
    stopReason: r.stopReason,
    restarts: r.restarts,
    polish: r.polish ?? null,
    np: r.population.length,
    seconds: r.seconds,
    seed: o.seed ?? 1,
    strategy: o.strategy ?? "jade",
  };
}

/** The posterior options with the DE's seed as their default. */
function withSeed(o: InvertOptions): PosteriorOptions {
  return { ...o.posterior, seed: o.posterior?.seed ?? o.seed ?? 1 };
}

/**
 * Invert a problem in this thread (synchronously) with DE (JADE + opposition init by default)
 * on D = D_d + lambda D_m with lambda adapted by seed eq. 16.
 */
export function invertSync(problem: InversionProblem, o: InvertOptions = {}): InversionResult {
  if (o.checkpoint)
    throw new ValidationError(
      o.checkpoint.field ?? "checkpoint",
      "checkpoints need the asynchronous invert (a synchronous run cannot save on a signal); use invert",
    );
  const p = validateProblem(problem);
  const fwd = o.forward ?? makeForward(problem);
  const obj = createObjective(problem, fwd);
  const r = minimize(obj, { lower: p.lower, upper: p.upper }, deOptions(problem, p, o, createPredictor(problem, fwd)));
  return summarise(problem, p, r, fwd([toModel(p, r.x)])[0], o);
}

/**
 * The pool's two uses, switched on demand (the pool starts configured with the objective): the
 * objective's components for the DE's generations, predictions for the LM polish (after the run,
 * or every `polish.every` generations during it).
 */
function pooledEvaluators(pool: WorkerPool, problem: InversionProblem) {
  const specs = {
    objective: { module: OBJECTIVE_MODULE, factory: "createObjective", args: problem },
    predictor: { module: OBJECTIVE_MODULE, factory: "createPredictor", args: problem },
  };
  let mode: keyof typeof specs = "objective";
  const use = async (m: keyof typeof specs) => {
    if (mode !== m) {
      await pool.configure(specs[m]);
      mode = m;
    }
  };
  return {
    objective: async (xs: Float64Array[]) => {
      await use("objective");
      return pool.evaluate(xs);
    },
    predict: async (xs: Float64Array[]) => {
      await use("predictor");
      return (await pool.evaluate(xs)) as number[][];
    },
  };
}

/**
 * The same inversion with the population evaluated by worker threads (`workers` > 1 or a
 * `pool`); identical numbers to invertSync for the same seed. Falls back to this thread when
 * workers is 1 or unset and no pool is given.
 */
export async function invert(problem: InversionProblem, o: InvertOptions = {}): Promise<InversionResult> {
  if (o.checkpoint) return invertCheckpointed(problem, o, o.checkpoint);
  const nw = o.workers === undefined ? 1 : o.workers;
  if (!o.pool && nw === 1) {
    const r = invertSync(problem, o);
    if (o.posterior) {
      const p = validateProblem(problem);
      r.posterior = await samplePosterior(
        problem,
        r.x,
        r.population.models.map((m) => toVector(p, m)),
        localPredictor(problem, o.forward),
        withSeed(o),
      );
    }
    return r;
  }
  if (o.forward)
    throw new Error(
      "invert: an in-process forward cannot run in workers; give problem.forward (a module) or use invertSync",
    );
  const p = validateProblem(problem);
  const spec = { module: OBJECTIVE_MODULE, factory: "createObjective", args: problem };
  const pool = o.pool ?? new WorkerPool(spec, nw);
  try {
    if (o.pool) await pool.configure(spec);
    const ev = pooledEvaluators(pool, problem);
    const r = await minimizeAsync(
      ev.objective,
      { lower: p.lower, upper: p.upper },
      deOptions(problem, p, o, ev.predict),
    );
    const pred = makeForward(problem)([toModel(p, r.x)])[0];
    const out = summarise(problem, p, r, pred, o);
    if (o.posterior)
      out.posterior = await samplePosterior(
        problem,
        r.x,
        r.population,
        await poolPredictor(problem, pool, OBJECTIVE_MODULE),
        withSeed(o),
      );
    return out;
  } finally {
    if (!o.pool) await pool.close();
  }
}

const CHECKPOINT_FORMAT = "geoinv.inversion.checkpoint/1";

/** JSON with sorted keys, typed arrays as arrays, non-finite numbers as strings and functions left out. */
function canonicalJson(v: unknown): string {
  if (typeof v === "function" || v === undefined) return "null";
  if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v));
  if (ArrayBuffer.isView(v)) return canonicalJson(Array.from(v as unknown as ArrayLike<number>));
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const keys = Object.keys(v)
      .filter(
        (k) =>
          (v as Record<string, unknown>)[k] !== undefined && typeof (v as Record<string, unknown>)[k] !== "function",
      )
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * SHA-256 of what decides an inversion's numbers: the problem (data, parameterisation, misfit,
 * regularisation, forward provider) and the optimiser options, not workers, pool, callbacks,
 * the posterior or the checkpoint settings (a run resumed with other workers is still the same run).
 */
export function checkpointHash(problem: InversionProblem, o: InvertOptions): string {
  return createHash("sha256")
    .update(canonicalJson({ format: CHECKPOINT_FORMAT, problem, options: identityOptions(o) }))
    .digest("hex");
}

/** The optimiser options that decide the numbers (not workers, pool, callbacks, posterior, checkpoint). */
function identityOptions(o: InvertOptions): Record<string, unknown> {
  const opts: Record<string, unknown> = { ...o };
  for (const k of ["workers", "pool", "forward", "onGeneration", "log", "posterior", "checkpoint"]) delete opts[k];
  return opts;
}

const POSTERIOR_CHECKPOINT_FORMAT = "geoinv.inversion.posterior-checkpoint/1";

/** The posterior's checkpoint file beside the DE's (`--checkpoint FILE`): FILE.posterior. */
export function posteriorCheckpointFile(file: string): string {
  return `${file}.posterior`;
}

/**
 * SHA-256 of what decides a posterior's numbers: the problem and optimiser options (which decide
 * the DE result the sampler starts from, as checkpointHash), the posterior options (callbacks and
 * the checkpoint left out), and `extra` (e.g. the workflow that produced the start).
 */
export function posteriorCheckpointHash(
  problem: InversionProblem,
  o: InvertOptions,
  posterior: PosteriorOptions,
  extra: Record<string, unknown> = {},
): string {
  const post: Record<string, unknown> = { ...posterior };
  delete post.onCheck;
  delete post.checkpoint;
  const options = identityOptions(o);
  const text = canonicalJson({ format: POSTERIOR_CHECKPOINT_FORMAT, problem, options, posterior: post, extra });
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The posterior's checkpoint in `file` (PosteriorOptions.checkpoint): reads it now, so call it
 * before the DE (a file of another run is refused at once, a ValidationError naming `field`);
 * then saves the sampler state atomically at every convergence check and on SIGINT/SIGTERM, when
 * `onSignal` is given (it is called after the save; the CLI exits 130/143). The file is left in
 * place (the CLI removes it once the result is written).
 */
export function posteriorFileCheckpoint(
  file: string,
  hash: string,
  opts: { field?: string; onSignal?: InversionCheckpoint["onSignal"]; log?: (line: string) => void } = {},
): PosteriorCheckpoint {
  const field = opts.field ?? "checkpoint";
  const from = readCheckpoint(
    file,
    hash,
    field,
    POSTERIOR_CHECKPOINT_FORMAT,
    "a posterior checkpoint",
    "other optimiser or posterior settings",
  ) as unknown as PosteriorState | null;
  const save = (state: PosteriorState) =>
    atomicWriteFile(
      file,
      JSON.stringify({
        format: POSTERIOR_CHECKPOINT_FORMAT,
        hash,
        iteration: state.iteration,
        evaluations: state.evaluations,
        state,
      }),
    );
  const ck: PosteriorCheckpoint = { every: 1, save, from };
  const onSignal = opts.onSignal;
  if (onSignal) {
    ck.onSignal = (sig, state) => {
      opts.log?.(
        `${sig}: posterior checkpoint written to ${file} (iteration ${state.iteration}); rerun the same command to resume`,
      );
      onSignal(sig, file);
    };
  }
  return ck;
}

/** The line a resumed posterior logs. */
export function posteriorResumeNote(file: string, from: PosteriorState): string {
  return `resuming the posterior from ${file}: iteration ${from.iteration}, ${from.evaluations} evaluations`;
}

/** The checkpoint in `file` for this hash (null when there is none); another problem's is refused. */
function readCheckpoint(
  file: string,
  hash: string,
  field: string,
  format = CHECKPOINT_FORMAT,
  what = "an inversion checkpoint",
  settings = "other optimiser settings",
): RunState | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new FileError(file, "cannot read the checkpoint", (e as Error).message);
  }
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(
      field,
      `${file} is not a checkpoint (not JSON: ${(e as Error).message}); delete it or choose another file`,
    );
  }
  if (!j || typeof j !== "object" || j.format !== format || !j.state) {
    throw new ValidationError(
      field,
      `${file} is not ${what} (format '${j && j.format}', expected '${format}'); delete it or choose another file`,
    );
  }
  if (j.hash !== hash) {
    throw new ValidationError(
      field,
      `${file} was written by a run of another problem or ${settings} (config hash ${String(j.hash).slice(0, 12)}, this run's ${hash.slice(0, 12)}); ` +
        "resume with the config it was written for, or delete it (or choose another file) to start afresh",
    );
  }
  return j.state as RunState;
}

/**
 * `invert` with InvertOptions.checkpoint: the DE driven by optim's ResumableRun, saved every N
 * generations and on signals.
 */
async function invertCheckpointed(
  problem: InversionProblem,
  o: InvertOptions,
  ck: InversionCheckpoint,
): Promise<InversionResult> {
  const field = ck.field ?? "checkpoint";
  if (typeof ck.file !== "string" || ck.file === "") throw new ValidationError(field, "needs a file name");
  const every = ck.every ?? 10;
  if (!Number.isInteger(every) || every < 1)
    throw new ValidationError(
      `${field}-every`,
      `must be a positive integer (generations between checkpoints), got ${every}`,
    );
  const p = validateProblem(problem);
  const hash = checkpointHash(problem, o);
  const from = readCheckpoint(ck.file, hash, field);
  // the posterior's state goes to FILE.posterior; read (and checked) before the DE runs
  const postFile = posteriorCheckpointFile(ck.file);
  const postCk = o.posterior
    ? posteriorFileCheckpoint(postFile, posteriorCheckpointHash(problem, o, withSeed(o)), {
        field,
        onSignal: ck.onSignal,
        log: o.log,
      })
    : null;
  const nw = o.workers === undefined ? 1 : o.workers;
  const local = !o.pool && nw === 1;
  if (!local && o.forward)
    throw new Error(
      "invert: an in-process forward cannot run in workers; give problem.forward (a module) or use invertSync",
    );
  const fwd = local ? (o.forward ?? makeForward(problem)) : makeForward(problem);
  const spec = { module: OBJECTIVE_MODULE, factory: "createObjective", args: problem };
  const pool = local ? null : (o.pool ?? new WorkerPool(spec, nw));
  const listeners: [string, () => void][] = [];
  try {
    if (pool && o.pool) await pool.configure(spec);
    const ev = local ? null : pooledEvaluators(pool!, problem);
    const predict = local ? createPredictor(problem, fwd) : ev!.predict;
    const st = { lambda: problem.lambda0 ?? 0.5 };
    const options = deOptions(problem, p, o, predict, st);
    const objective = local ? createObjective(problem, fwd) : ev!.objective;
    const run = new ResumableRun(objective, { lower: p.lower, upper: p.upper }, options, from ?? undefined);
    if (from) {
      if (run.de.weights.length > 1) st.lambda = run.de.weights[1];
      o.log?.(
        `resuming from ${ck.file}: generation ${run.de.generation}, ${run.de.evaluations} evaluations${run.de.done ? " (the DE had ended; polishing)" : ""}`,
      );
    }
    const save = (state: RunState) =>
      atomicWriteFile(
        ck.file,
        JSON.stringify({
          format: CHECKPOINT_FORMAT,
          hash,
          generation: run.de.generation,
          evaluations: run.de.evaluations,
          state,
        }),
      );
    let signalled: "SIGINT" | "SIGTERM" | null = null;
    let wrote = false;
    const interrupt = (sig: "SIGINT" | "SIGTERM") => {
      wrote = true;
      save(run.state()!);
      o.log?.(
        `${sig}: checkpoint written to ${ck.file} (generation ${run.de.generation}); rerun the same command to resume`,
      );
      ck.onSignal!(sig, ck.file);
    };
    if (ck.onSignal) {
      for (const sig of ["SIGINT", "SIGTERM"] as const) {
        const h = () => {
          if (signalled) return;
          signalled = sig;
          // while a polish during the run is in progress, the state is written at the next generation
          if (run.state() !== null) interrupt(sig);
        };
        process.on(sig, h);
        listeners.push([sig, h]);
      }
    }
    const r = await run.run(async (generation) => {
      if (signalled) {
        if (!wrote) interrupt(signalled);
        throw new Error(`inversion interrupted by ${signalled}; the checkpoint is in ${ck.file}`);
      }
      if (generation % every === 0) save(run.state()!);
      // let signal handlers run between generations (an in-thread run never awaits otherwise)
      if (local) await new Promise((res) => setImmediate(res));
    });
    // after the DE and its polish a signal has nothing new to save (the file holds the last
    // generation's state): the default action ends the process, and a rerun resumes from the file
    for (const [sig, h] of listeners.splice(0)) process.removeListener(sig, h);
    const out = summarise(problem, p, r, fwd([toModel(p, r.x)])[0], o);
    if (o.posterior && postCk) {
      if (postCk.from) o.log?.(posteriorResumeNote(postFile, postCk.from));
      const po = { ...withSeed(o), checkpoint: postCk };
      // as invert does without a checkpoint (in this thread: the population through the model, as
      // invertSync reports it)
      if (pool) {
        const predict = await poolPredictor(problem, pool, OBJECTIVE_MODULE);
        out.posterior = await samplePosterior(problem, r.x, r.population, predict, po);
      } else {
        const population = out.population.models.map((m) => toVector(p, m));
        out.posterior = await samplePosterior(problem, out.x, population, localPredictor(problem, o.forward), po);
      }
    }
    return out;
  } finally {
    for (const [sig, h] of listeners) process.removeListener(sig, h);
    if (pool && !o.pool) await pool.close();
  }
}
