import { performance } from "perf_hooks";
import { gaussian, mulberry32 } from "../config";
import { WorkerPool } from "../optim";
import {
  BLOCK_MAX,
  DEFAULT_MAX_EVALUATIONS,
  DreamSnapshot,
  DreamZS,
  finiteDifferenceJacobian,
  flattenDraws,
  linearisedCovariance,
  quantileSorted,
  SampleOptions,
  SampleResult,
} from "../sampling";
import { isObject, show, ValidationError } from "./errors";
import type { EarthModel } from "../em";
import {
  createPredictor,
  dataMisfit,
  ForwardFn,
  InversionProblem,
  makeForward,
  roughness,
  splitByDataset,
  stackedData,
  validateProblem,
} from "./objective";
import { FreeParameter, Parameterisation, toModel } from "./parameterisation";
import { depthBand, DepthBand, depthGrid, quantile } from "./uncertainty";

/**
 * Bayesian posterior of a TEM inversion (docs/POSTERIOR.md):
 *
 *   p(x | d) ∝ L(d | x) π(x),   log L = -1/2 Σ_i ((g_i(x) - d_i) / σ_i)^2   (Gaussian, the weighted misfit),
 *
 * with π uniform in the search-space box (log10 rho0, log10 h, m, log10 tau, c) and, only when
 * `regularisation` is on, the extra prior term exp(-λ/2 · D_m(x)) (seed eq. 15's roughness; said
 * so in the result). The likelihood is always the noise-weighted Gaussian whatever misfit the DE
 * used: a raw sum of squares (seed eq. 12) has no probabilistic meaning without the noise.
 * Sampling is DREAM(ZS) [tBV08; Vru16] from src/sampling, started from the DE's final population
 * and the linearised estimate at the DE's best model (so the paper's DE is the burn-in).
 */
export interface PosteriorOptions {
  /** Number of chains (default 8: a multiple of the worker count keeps the pool busy). */
  chains?: number;
  seed?: number;
  /** Budget of forward evaluations (default DEFAULT_MAX_EVALUATIONS of src/sampling, 200000). */
  maxEvaluations?: number;
  /** Convergence: every parameter R-hat below this (default 1.05) ... */
  rhatTarget?: number;
  /** ... and bulk ESS at least this (default 400). */
  essTarget?: number;
  /** Iterations between convergence checks (default 100). */
  checkEvery?: number;
  /**
   * Probability of DREAM(ZS)'s independence move (a Student-t mixture fitted to the archive;
   * default DEFAULT_INDEPENDENCE).
   */
  independence?: number;
  /**
   * Probability of a snooker update among the other proposals (default 0.1, DREAM(ZS)'s; the
   * independence move is drawn first, so a snooker update has probability (1 - independence) x snooker).
   */
  snooker?: number;
  /**
   * Of the independence moves, the fraction that are block (conditional) moves (default
   * DEFAULT_BLOCK_INDEPENDENCE; src/sampling's drawBlock).
   */
  blockIndependence?: number;
  /** Further DreamZS options for experiments (e.g. independenceComponents); the keys above take precedence. */
  sampler?: Partial<SampleOptions>;
  /**
   * The tempered mode search before sampling (see TemperedSearch; default on, DEFAULT_SEARCH);
   * false starts the chains from the DE's result alone, as before it existed.
   */
  temperedSearch?: boolean | TemperedSearch;
  /** Add the roughness as a prior term exp(-λ D_m / 2) with this λ (default: off, uniform prior). */
  regularisation?: number | null;
  /** Posterior draws forwarded for the posterior-predictive band (default 100). */
  predictiveDraws?: number;
  /** Models used for the depth bands (default 1000). */
  bandDraws?: number;
  /** Depth of the bands' grid (m); default 1.5 x the 95 % quantile of the deepest interface. */
  maxDepth?: number;
  /** Progress callback at every convergence check; return "stop" to end. */
  onCheck?: (p: { iteration: number; evaluations: number; rhatMax: number; essMin: number }) => void | "stop";
  /**
   * Save the sampler's state periodically and resume from it (see PosteriorCheckpoint). Not part
   * of the run's identity: a checkpointed run, interrupted or not, gives the same numbers.
   */
  checkpoint?: PosteriorCheckpoint;
}

/**
 * The sampler's state in a posterior checkpoint: DreamZS.snapshot (chains, archive, stored draws,
 * RNG, a pending batch), JSON-safe, with the iteration and evaluations for messages. The outputs
 * after sampling (quantiles, bands, predictive check) are computed from the draws, and the
 * linearised estimate and chain starts are recomputed (deterministic), so this is all a resumed
 * run needs besides the same problem, DE result and options.
 */
export interface PosteriorState {
  format: string;
  iteration: number;
  evaluations: number;
  sampler: DreamSnapshot;
}

/**
 * Checkpointing of `samplePosterior` (PosteriorOptions.checkpoint), for a caller that stores the
 * state (e.g. invert.ts, atomically in a file). A run continued `from` a saved state gives the
 * uninterrupted run's result (only `seconds` differs), provided problem, DE result and options
 * are the same: the caller checks that (a config hash); the sampler refuses other options or
 * bounds with a ValidationError.
 */
export interface PosteriorCheckpoint {
  /** Save after every this many convergence checks (default 1: every check, whose cost is of the same order). */
  every?: number;
  /** Receives the state to store (called between iterations, never with a batch half told). */
  save: (state: PosteriorState) => void;
  /** A state saved by an earlier run: sampling continues from it. */
  from?: PosteriorState | null;
  /**
   * Called on SIGINT or SIGTERM while the sampler runs, right after the state was saved
   * (listeners are installed for the sampling only when this is given; e.g. the CLI exits
   * 130/143 here). If it returns, sampling stops with an error at the next iteration. Signals are
   * handled between iterations and while workers evaluate a batch.
   */
  onSignal?: (signal: "SIGINT" | "SIGTERM", state: PosteriorState) => void;
}

const STATE_FORMAT = "geoinv.inversion.posterior-state/1";

/** One free parameter's posterior, physical units (ohm-m, m, -, s, -). */
export interface ParameterPosterior {
  /** The model key: rho0, thickness, m, tau, c. */
  name: string;
  /** 0-based layer (or interface, for thickness). */
  layer: number;
  q05: number;
  q50: number;
  q95: number;
  rhat: number;
  ess: number;
}

/** The linearised (Gauss-Newton) estimate at the best model, for comparison with the sampled posterior. */
export interface LinearisedParameter {
  name: string;
  layer: number;
  /** Best-model value (physical units). */
  value: number;
  /** Standard deviation in search space (log10 units for log kinds). */
  sdSearch: number;
  /** For log kinds: the standard-deviation factor 10^sd (value / f .. value * f is ±1 sd). */
  sdFactor: number | null;
  /** Gaussian 5 % and 95 % quantiles, physical units, not clipped to the bounds. */
  q05: number;
  q95: number;
  /** Where the linearised 90 % interval and the sampled one disagree (null: they agree). */
  disagreement: string | null;
}

export interface PosteriorSummary {
  prior: string;
  likelihood: string;
  /** The sampler in words, e.g. "DREAM(ZS), 8 chains, independence moves with probability 0.8". */
  sampler: string;
  parameters: ParameterPosterior[];
  rhat_max: number;
  ess_min: number;
  /** "converged" (every R-hat < target and ESS >= target) or "budget" / "callback". */
  stop_reason: string;
  /** Whether the stop rule was met: only then are the quantiles and bands a sampled posterior. */
  converged: boolean;
  /** null when converged; otherwise what was missed and what to do (`convergenceWarning`). */
  warning: string | null;
  evaluations: number;
  iterations: number;
  seconds: number;
  acceptance: number;
  /** Acceptance per proposal type (parallel direction, snooker, independence; null: never proposed). */
  acceptance_by_move: Record<string, number | null>;
  chains: number;
  /** Draws kept per chain after burn-in (first half discarded) and thinning. */
  draws_per_chain: number;
  targets: { rhat: number; ess: number };
  bands: { rho0: DepthBand; m: DepthBand; quantiles: [number, number] };
  /** Quantiles of the predicted data over posterior draws (no noise added), one entry per dataset. */
  predictive: { label: string; q05: number[]; q50: number[]; q95: number[] }[];
  linearised: { parameters: LinearisedParameter[]; note: string };
}

export interface PosteriorRun {
  summary: PosteriorSummary;
  /** Search-space draws [chain][draw] (post burn-in), for saving and plots. */
  draws: Float64Array[][];
  names: string[];
}

/** Chain starts: linearised Gaussian draws with this multiple of its sd (over-dispersed for R-hat). */
const START_SCALE = 2;
/** The initial archive Z: linearised Gaussian draws with this multiple of its sd. */
const ARCHIVE_SCALE = 1;

/**
 * Default probability of the independence move (src/sampling/independence.ts) in TEM posteriors.
 * On problem 14 of the benchmark (the Cole-Cole funnel of docs/POSTERIOR.md; a pilot, not a tuning
 * run) DREAM(ZS) alone reached R-hat 1.33 / ESS 19 in 60 000 evaluations, with independence 0.5
 * it converged (R-hat < 1.05, ESS >= 400) in 57 000 and with 0.8 in 43 000. On two problems of the
 * tuning generator seed 2 (disjoint from the benchmark's seed 1), 0.8 beat 0.5 at 100 000
 * evaluations: R-hat 1.24 vs 1.34 (d = 14) and 1.11 vs 1.14 (d = 11). Commands and numbers:
 * bench/README.md, "Trustworthy inversion".
 */
export const DEFAULT_INDEPENDENCE = 0.8;

/** Default fraction of the independence moves that are block (conditional) moves. */
export const DEFAULT_BLOCK_INDEPENDENCE = 0;

/**
 * The tempered mode search (PosteriorOptions.temperedSearch): DREAM(ZS) with independence moves,
 * `chains` chains started uniformly in the box, run `iterations` iterations at each of `stages`
 * inverse temperatures beta, geometric from 1 / (median chi-square of the first draws) to 1, on
 * the target L^beta x prior; the chains and the archive carry over from stage to stage (annealing
 * from the prior to the posterior). It only chooses where the posterior's chains start and what the
 * archive holds; the sampling after it is the same exact MCMC. Why: the DE (and DREAM(ZS) from
 * uniform starts at beta = 1) can settle in a secondary basin, and chains started there never
 * see the better one, while R-hat passes (docs/POSTERIOR.md, "Calibration").
 */
export interface TemperedSearch {
  stages?: number;
  iterations?: number;
  chains?: number;
}

/** Default tempered search: 12 stages x 100 iterations x 16 chains, about 19 000 evaluations. */
export const DEFAULT_SEARCH: Required<TemperedSearch> = { stages: 12, iterations: 100, chains: 16 };

/** The search's states appended to the archive in its last this many stages go to the sampler's initial archive. */
const SEARCH_ARCHIVE_STAGES = 3;

/**
 * Anneal DREAM(ZS) chains from the prior to the posterior (TemperedSearch). Returns the final
 * stage's chain states (at beta = 1), the archive points of the last stages, and the evaluations.
 */
async function temperedSearch(
  logLik: (xs: Float64Array[]) => Promise<number[]>,
  bounds: { lower: Float64Array; upper: Float64Array },
  o: Required<TemperedSearch>,
  seed: number,
  moves: Partial<SampleOptions>,
): Promise<{ states: Float64Array[]; archive: Float64Array[]; evaluations: number }> {
  let states: Float64Array[] | undefined;
  let values: number[] = [];
  let archive: Float64Array[] | undefined;
  let evaluations = 0;
  let beta0 = 1;
  let tail = 0;
  for (let k = 0; k < o.stages; k++) {
    const s = new DreamZS(bounds, {
      chains: o.chains,
      // (a double product, rounded above 2^53 but deterministic; the SBC runs of bench/README.md used it)
      seed: (seed * 2654435761 + 7919 * (k + 1)) >>> 0,
      ...moves,
      checkEvery: 1e9,
      maxEvaluations: 1e15,
      ...(states ? { initialStates: states, initialArchive: archive } : {}),
    });
    if (k === 0) {
      values = await logLik(s.ask());
      evaluations += values.length;
      const chi2 = values.map((v) => (Number.isFinite(v) ? -2 * v : Infinity)).sort((a, b) => a - b);
      const med = chi2[chi2.length >> 1];
      beta0 = Number.isFinite(med) && med > 1 ? 1 / med : 1;
    } else s.ask(); // the previous stage's states: their values are known
    const beta = o.stages > 1 ? beta0 ** (1 - k / (o.stages - 1)) : 1;
    s.tell(values.map((v) => beta * v));
    if (k === o.stages - SEARCH_ARCHIVE_STAGES) tail = s.archive.length;
    for (let t = 0; t < o.iterations; t++) {
      const xs = s.ask();
      const v = await logLik(xs);
      evaluations += v.length;
      s.tell(v.map((x) => beta * x));
    }
    states = s.x.map((x) => Float64Array.from(x));
    // the chains' untempered values for the next stage
    values = s.ll.map((v) => v / beta);
    archive = s.archive;
  }
  return { states: states!, archive: archive!.slice(Math.max(0, tail)), evaluations };
}

/** The search settings of the options, or null when off (or when the budget is too small for it). */
function searchSettings(o: PosteriorOptions["temperedSearch"], budget: number): Required<TemperedSearch> | null {
  if (o === false) return null;
  const s = { ...DEFAULT_SEARCH, ...(typeof o === "object" && o ? o : {}) };
  const lowest: Record<keyof TemperedSearch, number> = { stages: 2, iterations: 1, chains: 3 };
  for (const k of Object.keys(lowest) as (keyof TemperedSearch)[]) {
    if (!Number.isInteger(s[k]) || s[k] < lowest[k])
      throw new ValidationError(
        `posterior.temperedSearch.${k}`,
        `expected an integer >= ${lowest[k]}, got ${show(s[k])}`,
      );
  }
  // at most a quarter of the budget
  const cost = s.stages * (s.iterations + 1) * s.chains;
  return cost <= budget / 4 ? s : null;
}

/** Draws xb + scale L z (z ~ N(0, I)), reflected into the box: chain starts and the initial archive. */
export function linearisedDraws(
  xb: Float64Array,
  L: number[][],
  box: { lower: ArrayLike<number>; upper: ArrayLike<number> },
  g: () => number,
): (scale: number) => Float64Array {
  const d = xb.length;
  const fold = (v: number, lo: number, hi: number) => {
    const w = hi - lo;
    let y = (v - lo) % (2 * w);
    if (y < 0) y += 2 * w;
    return lo + (y > w ? 2 * w - y : y);
  };
  return (scale: number) => {
    const z = Array.from({ length: d }, () => g());
    const x = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += L[i][k] * z[k];
      x[i] = fold(xb[i] + scale * s, box.lower[i], box.upper[i]);
    }
    return x;
  };
}

/** The DreamZS move options of the posterior's options (the search and the sampler share them). */
function moveOptions(options: PosteriorOptions): Partial<SampleOptions> & { independence: number } {
  return {
    ...options.sampler,
    independence: options.independence ?? DEFAULT_INDEPENDENCE,
    snooker: options.snooker,
    blockIndependence: options.blockIndependence ?? DEFAULT_BLOCK_INDEPENDENCE,
  };
}

function samplerDescription(
  chains: number,
  moves: ReturnType<typeof moveOptions>,
  search: Required<TemperedSearch> | null,
): string {
  const { independence } = moves;
  const block = moves.blockIndependence ?? 0;
  const snooker = moves.snooker ?? 0.1;
  const ind =
    `independence moves (a Student-t mixture fitted to the archive) with probability ${independence}` +
    (block > 0 ? `, ${block} of them block moves (1-${BLOCK_MAX} coordinates from the mixture's conditional)` : "");
  const pre = search
    ? `; started after a tempered mode search (${search.stages} stages x ${search.iterations} iterations x ${search.chains} chains, prior to posterior)`
    : "";
  return `DREAM(ZS), ${chains} chains, ${independence > 0 ? ind : "no independence moves"}, snooker updates with probability ${snooker} of the rest${pre}`;
}

const POSTERIOR_KEYS = [
  "chains",
  "seed",
  "max_evaluations",
  "rhat",
  "ess",
  "check_every",
  "independence",
  "snooker",
  "block_independence",
  "tempered_search",
  "regularisation",
  "predictive_draws",
  "band_draws",
  "max_depth",
];

function intIn(v: unknown, field: string, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
    throw new ValidationError(field, `expected an integer in [${lo}, ${hi}], got ${show(v)}`);
  return v;
}

function numIn(v: unknown, field: string, lo: number, hi: number, openLo = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (openLo ? v <= lo : v < lo) || v > hi) {
    throw new ValidationError(field, `expected a number in ${openLo ? "(" : "["}${lo}, ${hi}], got ${show(v)}`);
  }
  return v;
}

/** Parse the config's `posterior` block (snake_case keys); `true` or `{}` means the defaults. */
export function parsePosteriorOptions(x: unknown, field = "posterior"): PosteriorOptions {
  if (x === true) return {};
  if (!isObject(x))
    throw new ValidationError(
      field,
      `expected an object of sampler options (or true for the defaults), got ${show(x)}`,
    );
  for (const k of Object.keys(x)) {
    if (!POSTERIOR_KEYS.includes(k))
      throw new ValidationError(`${field}.${k}`, `unknown key; allowed: ${POSTERIOR_KEYS.join(", ")}`);
  }
  const o: PosteriorOptions = {};
  if (x.chains !== undefined) o.chains = intIn(x.chains, `${field}.chains`, 3, 1000);
  if (x.seed !== undefined) o.seed = intIn(x.seed, `${field}.seed`, 0, 2 ** 32 - 1);
  if (x.max_evaluations !== undefined)
    o.maxEvaluations = intIn(x.max_evaluations, `${field}.max_evaluations`, 100, 1e9);
  if (x.rhat !== undefined) o.rhatTarget = numIn(x.rhat, `${field}.rhat`, 1, 2, true);
  if (x.ess !== undefined) o.essTarget = intIn(x.ess, `${field}.ess`, 10, 1e7);
  if (x.check_every !== undefined) o.checkEvery = intIn(x.check_every, `${field}.check_every`, 10, 1e6);
  if (x.independence !== undefined) o.independence = numIn(x.independence, `${field}.independence`, 0, 1);
  if (x.snooker !== undefined) o.snooker = numIn(x.snooker, `${field}.snooker`, 0, 1);
  if (x.block_independence !== undefined)
    o.blockIndependence = numIn(x.block_independence, `${field}.block_independence`, 0, 1);
  if (x.tempered_search !== undefined) {
    if (typeof x.tempered_search !== "boolean")
      throw new ValidationError(`${field}.tempered_search`, `expected true or false, got ${show(x.tempered_search)}`);
    o.temperedSearch = x.tempered_search;
  }
  if (x.regularisation !== undefined)
    o.regularisation = x.regularisation === null ? null : numIn(x.regularisation, `${field}.regularisation`, 0, 1e6);
  if (x.predictive_draws !== undefined)
    o.predictiveDraws = intIn(x.predictive_draws, `${field}.predictive_draws`, 10, 100000);
  if (x.band_draws !== undefined) o.bandDraws = intIn(x.band_draws, `${field}.band_draws`, 10, 100000);
  if (x.max_depth !== undefined) o.maxDepth = numIn(x.max_depth, `${field}.max_depth`, 0, 1e6, true);
  return o;
}

/** Batch predictor of search vectors, in this thread or a worker pool (configured by the caller). */
type Predict = (xs: Float64Array[]) => Promise<number[][]> | number[][];

/**
 * The whitened residuals r_i = (g_i(x) - d_i) / σ_i of a prediction. Σ r_i^2 is the weighted
 * misfit (`dataMisfit(..., "weighted")`), so -Σ r_i^2 / 2 is the Gaussian log-likelihood.
 */
export function whitenedResiduals(
  pred: ArrayLike<number>,
  observed: ArrayLike<number>,
  error: ArrayLike<number>,
): number[] {
  const r: number[] = new Array(observed.length);
  for (let i = 0; i < observed.length; i++) r[i] = (pred[i] - observed[i]) / error[i];
  return r;
}

/** Gaussian log-likelihood (up to a constant) of predictions: -χ²/2 [+ prior term -λ D_m / 2]. */
export function logLikelihood(p: Parameterisation, problem: InversionProblem, lambda: number | null | undefined) {
  const { observed, error } = stackedData(problem);
  return (xs: Float64Array[], preds: ArrayLike<number>[]): number[] =>
    xs.map((x, i) => {
      const chi2 = dataMisfit(preds[i], observed, error, "weighted");
      const prior = lambda ? -0.5 * lambda * roughness(toModel(p, x), p) : 0;
      const v = -0.5 * chi2 + prior;
      return Number.isFinite(v) ? v : -Infinity;
    });
}

function physical(f: FreeParameter, y: number): number {
  return f.log ? Math.pow(10, y) : y;
}

function maxInterfaceDepth(m: EarthModel): number {
  return m.thickness.reduce((a, b) => a + b, 0);
}

/** Linearised 5-95 % intervals against the sampled ones: flags where they disagree. */
function compareIntervals(lin: { lo: number; hi: number }, post: { lo: number; hi: number }): string | null {
  const wl = lin.hi - lin.lo;
  const wp = post.hi - post.lo;
  const cl = 0.5 * (lin.lo + lin.hi);
  const cp = 0.5 * (post.lo + post.hi);
  const notes: string[] = [];
  if (wl > 2 * wp) notes.push(`linearised interval ${(wl / wp).toFixed(1)}x wider`);
  else if (wp > 2 * wl) notes.push(`sampled interval ${(wp / wl).toFixed(1)}x wider`);
  if (Math.abs(cl - cp) > 0.5 * wp) notes.push("centres differ by more than half the sampled width");
  return notes.length ? notes.join("; ") : null;
}

/** `converged`, `warning` and `targets` of a summary from the sampler's result and the targets of `options`. */
function convergence(
  res: SampleResult,
  options: PosteriorOptions,
): Pick<PosteriorSummary, "converged" | "warning" | "targets"> {
  const targets = { rhat: options.rhatTarget ?? 1.05, ess: options.essTarget ?? 400 };
  return {
    converged: res.stopReason === "converged",
    warning: convergenceWarning(res.stopReason, res.rhatMax, res.essMin, targets),
    targets,
  };
}

/**
 * The warning a posterior carries when it stopped without meeting its targets (null when it
 * converged): chains that disagree (R-hat above the target) have not yet sampled one
 * distribution, and may all have missed a mode, so their quantiles are not uncertainty yet.
 */
export function convergenceWarning(
  stopReason: string,
  rhatMax: number,
  essMin: number,
  targets: { rhat: number; ess: number },
): string | null {
  if (stopReason === "converged") return null;
  const missed: string[] = [];
  if (!(rhatMax < targets.rhat)) missed.push(`R-hat max ${rhatMax.toFixed(3)} (target < ${targets.rhat})`);
  if (!(essMin >= targets.ess)) missed.push(`ESS min ${essMin.toFixed(0)} (target >= ${targets.ess})`);
  const why = stopReason === "budget" ? "stopped at the budget" : `stopped (${stopReason})`;
  return (
    `posterior NOT converged: ${why} with ${missed.join(" and ") || "the targets unchecked"}; ` +
    "the chains have not yet sampled one distribution and may all miss a mode, so these quantiles and bands " +
    "are not uncertainty: raise posterior.max_evaluations, or read them as a search spread"
  );
}

/**
 * Sample the posterior of `problem` starting from a DE result (its best vector and final
 * population). `predict` evaluates batches (serially or in a worker pool configured with
 * `createPredictor`); every random number comes from `options.seed`, so a run is the same
 * whatever evaluates the batches.
 */
export async function samplePosterior(
  problem: InversionProblem,
  best: ArrayLike<number>,
  population: ArrayLike<number>[],
  predict: Predict,
  options: PosteriorOptions = {},
): Promise<PosteriorRun> {
  const t0 = performance.now();
  const p = validateProblem(problem);
  const d = p.free.length;
  const bounds = { lower: Float64Array.from(p.lower), upper: Float64Array.from(p.upper) };
  const { observed, error } = stackedData(problem);
  const lambda = options.regularisation ?? null;
  const ll = logLikelihood(p, problem, lambda);
  const residuals = async (xs: Float64Array[]) => (await predict(xs)).map((y) => whitenedResiduals(y, observed, error));

  // linearised estimate at the best model [Aster13, ch. 9]: C = (J^T J + P)^-1 in search space,
  // P = diag(12 / width^2) = the precision of the uniform box prior, so unresolved directions stay finite
  const xb = Float64Array.from(best);
  const J = await finiteDifferenceJacobian(residuals, xb, bounds);
  const prec = p.free.map((f) => 12 / (f.upper - f.lower) ** 2);
  const lin = linearisedCovariance(J, prec);
  const seed = options.seed ?? 1;

  // chain starts and the initial past-states archive Z: the DE's final population plus draws of
  // the linearised Gaussian with twice its sd (over-dispersed starts, as R-hat needs)
  const linDraw = linearisedDraws(xb, choleskyLower(lin.covariance), p, gaussian(mulberry32(seed ^ 0x5bd1e995)));
  const chains = options.chains ?? 8;
  const initialStates = Array.from({ length: chains }, () => linDraw(START_SCALE));
  const initialArchive = [
    ...population.map((x) => Float64Array.from(x)),
    ...Array.from({ length: 10 * d }, () => linDraw(ARCHIVE_SCALE)),
  ];
  const logLik = async (xs: Float64Array[]) => ll(xs, await predict(xs));
  const moves = moveOptions(options);
  const budget = options.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS;
  // the tempered mode search: half the chains start from its final states (the other half from the
  // DE), and the archive gets its last stages' states, so that the independence move can propose
  // in every basin it found (deterministic for the seed, so a resumed run repeats it exactly)
  const search = searchSettings(options.temperedSearch, budget);
  let searchEvaluations = 0;
  if (search) {
    const r = await temperedSearch(logLik, bounds, search, seed, moves);
    searchEvaluations = r.evaluations;
    const half = Math.floor(chains / 2);
    for (let i = 0; i < half; i++) initialStates[i] = r.states[Math.floor((i * r.states.length) / half)];
    initialArchive.push(...r.archive);
  }
  const res: SampleResult = await runSampler(
    logLik,
    bounds,
    {
      ...moves,
      chains,
      seed,
      maxEvaluations: budget - searchEvaluations,
      rhatTarget: options.rhatTarget,
      essTarget: options.essTarget,
      checkEvery: options.checkEvery,
      initialStates,
      initialArchive,
      onCheck: options.onCheck,
    },
    options.checkpoint,
  );

  const flat = flattenDraws(res.draws);
  // each parameter's pooled draws, sorted once for all its quantiles
  const sorted = p.free.map((_, k) => Float64Array.from(flat, (x) => x[k]).sort());
  const parameters: ParameterPosterior[] = p.free.map((f, k) => {
    return {
      name: f.kind,
      layer: f.layer,
      q05: physical(f, quantileSorted(sorted[k], 0.05)),
      q50: physical(f, quantileSorted(sorted[k], 0.5)),
      q95: physical(f, quantileSorted(sorted[k], 0.95)),
      rhat: res.rhat[k],
      ess: res.ess[k],
    };
  });

  const linParams: LinearisedParameter[] = p.free.map((f, k) => {
    const sd = lin.sd[k];
    const lo = xb[k] - 1.6448536269514722 * sd;
    const hi = xb[k] + 1.6448536269514722 * sd;
    return {
      name: f.kind,
      layer: f.layer,
      value: physical(f, xb[k]),
      sdSearch: sd,
      sdFactor: f.log ? Math.pow(10, sd) : null,
      q05: physical(f, lo),
      q95: physical(f, hi),
      disagreement: compareIntervals(
        { lo, hi },
        { lo: quantileSorted(sorted[k], 0.05), hi: quantileSorted(sorted[k], 0.95) },
      ),
    };
  });

  // evenly spaced subsamples of the pooled draws for the bands and the predictive check
  const pick = (n: number) => {
    const m = Math.min(n, flat.length);
    return Array.from({ length: m }, (_, i) => flat[Math.floor(((i + 0.5) * flat.length) / m)]);
  };
  const bandModels = pick(options.bandDraws ?? 1000).map((x) => toModel(p, x));
  const deepest = quantile(bandModels.map(maxInterfaceDepth), 0.95);
  const maxDepth = options.maxDepth ?? (deepest > 0 ? 1.5 * deepest : 100);
  const grid = depthGrid(maxDepth, 200);
  const predXs = pick(options.predictiveDraws ?? 100);
  const preds = await predict(predXs);
  const perSet = preds.map((y) => splitByDataset(problem, y));
  const predictive = problem.datasets.map((ds, j) => {
    const n = ds.observed.length;
    const col = (i: number) => perSet.map((s) => s[j][i]);
    return {
      label: ds.label ?? `survey ${j + 1}`,
      q05: Array.from({ length: n }, (_, i) => quantile(col(i), 0.05)),
      q50: Array.from({ length: n }, (_, i) => quantile(col(i), 0.5)),
      q95: Array.from({ length: n }, (_, i) => quantile(col(i), 0.95)),
    };
  });

  const summary: PosteriorSummary = {
    prior: `uniform in the search-space box (log10 rho0, log10 thickness, m, log10 tau, c within the parameterisation's bounds)${lambda ? `, times exp(-${lambda} D_m / 2) (the roughness as a prior term)` : ""}; fixed parameters stay at their fixed values`,
    likelihood: "Gaussian with the data errors: log L = -chi^2 / 2 (the weighted misfit), whatever misfit the DE used",
    sampler: samplerDescription(chains, moves, search),
    parameters,
    rhat_max: res.rhatMax,
    ess_min: res.essMin,
    stop_reason: res.stopReason,
    ...convergence(res, options),
    evaluations: searchEvaluations + res.evaluations + 2 * d + 1 + predXs.length,
    iterations: res.iterations,
    seconds: (performance.now() - t0) / 1000,
    acceptance: res.acceptance,
    acceptance_by_move: res.acceptanceByMove,
    chains,
    draws_per_chain: res.draws[0]?.length ?? 0,
    bands: { rho0: depthBand(bandModels, "rho0", grid), m: depthBand(bandModels, "m", grid), quantiles: [0.05, 0.95] },
    predictive,
    linearised: {
      parameters: linParams,
      note: "C = (J^T J + P)^-1 at the DE's best model, J the Jacobian of the whitened residuals in search space (central differences), P = diag(12 / width^2) the uniform box's precision; Gaussian 5-95 % intervals",
    },
  };
  return { summary, draws: res.draws, names: p.free.map((f) => f.name) };
}

/**
 * DREAM(ZS) to the end (as sampleAsync), with the optional checkpoint: started from `ck.from`,
 * the state saved every `ck.every` convergence checks and on SIGINT/SIGTERM.
 */
async function runSampler(
  logLik: (xs: Float64Array[]) => Promise<number[]>,
  bounds: { lower: Float64Array; upper: Float64Array },
  opts: SampleOptions,
  ck: PosteriorCheckpoint | undefined,
): Promise<SampleResult> {
  const t0 = performance.now();
  if (!ck) {
    const s = new DreamZS(bounds, opts);
    while (!s.done) s.tell(await logLik(s.ask()));
    return s.result((performance.now() - t0) / 1000);
  }
  const every = ck.every ?? 1;
  if (!Number.isInteger(every) || every < 1)
    throw new ValidationError(
      "checkpoint.every",
      `must be a positive integer (convergence checks between saves), got ${show(every)}`,
    );
  if (typeof ck.save !== "function")
    throw new ValidationError("checkpoint.save", "must be a function that stores the state");
  let checks = 0;
  const onCheck = opts.onCheck;
  const sopts: SampleOptions = {
    ...opts,
    onCheck: (info) => {
      checks++;
      return onCheck ? onCheck(info) : undefined;
    },
  };
  let s: DreamZS;
  if (ck.from) {
    if (typeof ck.from !== "object" || ck.from.format !== STATE_FORMAT) {
      throw new ValidationError(
        "checkpoint.from",
        `not a posterior state (format '${ck.from && (ck.from as PosteriorState).format}', expected '${STATE_FORMAT}')`,
      );
    }
    s = DreamZS.restore(ck.from.sampler, sopts, bounds);
  } else s = new DreamZS(bounds, sopts);
  const state = (): PosteriorState => ({
    format: STATE_FORMAT,
    iteration: s.iteration,
    evaluations: s.evaluations,
    sampler: s.snapshot(),
  });
  const listeners: [string, () => void][] = [];
  let signalled: "SIGINT" | "SIGTERM" | null = null;
  const interrupted = () => new Error(`posterior sampling interrupted by ${signalled}; the state was saved`);
  try {
    if (ck.onSignal) {
      for (const sig of ["SIGINT", "SIGTERM"] as const) {
        const h = () => {
          if (signalled) return;
          signalled = sig;
          // a handler runs at an await: between iterations or with a batch pending (asked again on resume)
          const st = state();
          ck.save(st);
          ck.onSignal!(sig, st);
        };
        process.on(sig, h);
        listeners.push([sig, h]);
      }
    }
    let saved = 0;
    while (!s.done) {
      const values = await logLik(s.ask());
      if (signalled) throw interrupted();
      s.tell(values);
      if (checks - saved >= every && !s.done) {
        saved = checks;
        ck.save(state());
      }
      // let signal handlers run between iterations (an in-thread run never awaits a macrotask otherwise)
      if (ck.onSignal) {
        await new Promise((res) => setImmediate(res));
        if (signalled) throw interrupted();
      }
    }
  } finally {
    for (const [sig, h] of listeners) process.removeListener(sig, h);
  }
  return s.result((performance.now() - t0) / 1000);
}

/** Cholesky factor of a symmetric positive (semi-)definite matrix, with a tiny diagonal jitter where needed. */
export function choleskyLower(a: number[][]): number[][] {
  const n = a.length;
  const L = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) L[i][i] = Math.sqrt(Math.max(s, 1e-12 * Math.abs(a[i][i]) + 1e-300));
      else L[i][j] = s / L[j][j];
    }
  }
  return L;
}

/** A predictor in this thread (serial runs, tests). */
export function localPredictor(problem: InversionProblem, forward?: ForwardFn): Predict {
  return createPredictor(problem, forward ?? makeForward(problem));
}

/** A predictor on a worker pool, reconfigured for this problem's predictions. */
export async function poolPredictor(problem: InversionProblem, pool: WorkerPool, module: string): Promise<Predict> {
  await pool.configure({ module, factory: "createPredictor", args: problem });
  return async (xs) => (await pool.evaluate(xs)) as number[][];
}
