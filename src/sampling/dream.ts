import { performance } from "perf_hooks";
import { Bounds, decodeState, encodeState, makeBounds, SeededRandom, ValidationError } from "../optim";
import { ChainStore, ChainStoreSnapshot, CheckInfo, SampleStopReason } from "./chains";
import { quantileSorted } from "./diagnostics";
import { drawBlock, drawT, fitT, logT, T_COMPONENTS, T_GROWTH, T_SCALE, TFit } from "./independence";

/**
 * DREAM(ZS): Markov chain Monte Carlo with differential proposals drawn from an archive Z of past
 * states, over box bounds with a uniform prior inside the box. Knows nothing of the model: the
 * caller gives a batch log-likelihood.
 *
 * References (keys used in the comments):
 * - [terBraak08] ter Braak, C. J. F., Vrugt, J. A. (2008). Differential Evolution Markov Chain
 *   with snooker updater and fewer chains. Statistics and Computing 18(4), 435-446.
 * - [Vrugt16] Vrugt, J. A. (2016). Markov chain Monte Carlo simulation using the DREAM software
 *   package: Theory, concepts, and MATLAB implementation. Environmental Modelling & Software 75,
 *   273-316.
 * - [Vehtari21] see ./diagnostics.ts (R-hat, bulk ESS).
 */

/** A batch log-likelihood: one value per point (non-finite values are treated as -Infinity). */
export type LogLikelihood = (xs: Float64Array[]) => ArrayLike<number>;
export type AsyncLogLikelihood = (xs: Float64Array[]) => Promise<ArrayLike<number>> | ArrayLike<number>;

export type { CheckInfo, SampleStopReason } from "./chains";

export interface SampleOptions {
  /** Number of chains N (default 8, at least 3). One proposal per chain and iteration. */
  chains?: number;
  /** Seed of the mulberry32 stream that every random number is drawn from (default 1). */
  seed?: number;
  /** Budget of log-likelihood evaluations, initial states included (default DEFAULT_MAX_EVALUATIONS, 200000). */
  maxEvaluations?: number;
  /** Chain starts, one per chain, inside the box (default: uniform draws in the box). */
  initialStates?: Float64Array[];
  /** The initial archive Z (default: 10 d uniform draws in the box); at least max(3, 2 pairs) points. */
  initialArchive?: Float64Array[];
  /** Stop when every parameter's R-hat is below this (default 1.05). */
  rhatTarget?: number;
  /** ... and every parameter's bulk ESS is at least this (default 400). */
  essTarget?: number;
  /** Iterations between convergence checks (default 100); see also checkGrowth. */
  checkEvery?: number;
  /**
   * The gap between checks is max(checkEvery, checkGrowth x iteration) (default 0.05): a check
   * costs O(chains x length log length), so a fixed gap would make long runs quadratic; the
   * growth bounds the overshoot past convergence to ~5 % of the iterations. 0 = fixed gap.
   */
  checkGrowth?: number;
  /** Keep every thin-th state of each chain (default 1; doubled automatically to bound memory). */
  thin?: number;
  /** Most stored states per chain before the thinning is doubled (default 20000). */
  maxStoredPerChain?: number;
  /** Probability of a snooker update instead of a parallel-direction update (default 0.1). */
  snooker?: number;
  /** Probabilities (relative weights) of the crossover values CR = 1/3, 2/3, 1 (default CROSSOVER_WEIGHTS). */
  crossoverWeights?: number[];
  /** Largest number delta of difference pairs; delta is drawn uniformly from 1..pairs (default 2). */
  pairs?: number;
  /** Every jumpEvery-th iteration uses gamma = 1 to jump between modes; 0 = never (default 5). */
  jumpEvery?: number;
  /**
   * Probability of an independence move from a Student-t fitted to the archive's second half
   * instead of a DREAM move (default 0; see ./independence.ts).
   */
  independence?: number;
  /**
   * Of the independence moves, the fraction that are block (conditional) moves: 1 to BLOCK_MAX
   * coordinates drawn from the mixture's conditional given the others (default 0; see
   * ./independence.ts, drawBlock).
   */
  blockIndependence?: number;
  /** Most components of the independence move's mixture (default T_COMPONENTS, 6). */
  independenceComponents?: number;
  /** Inflation s of the mixture's fitted covariances (default T_SCALE, 1.3). */
  independenceScale?: number;
  /** Append the chains' current states to Z every archiveEvery iterations (K, default 10). */
  archiveEvery?: number;
  /** Half-width b of the multiplicative jitter e ~ U(-b, b) (default 0.05). */
  jitter?: number;
  /** Standard deviation b* of the additive noise epsilon, relative to the box width (default 1e-6). */
  noise?: number;
  /** Called after each convergence check; return "stop" to end the run. */
  onCheck?: (info: CheckInfo) => void | "stop";
}

export interface SampleResult {
  /** Post-burn-in, thinned states: draws[chain][k] is a point of the search space. */
  draws: Float64Array[][];
  /** Log-likelihood of each kept draw, logLik[chain][k]. */
  logLik: number[][];
  /** Rank-normalised split-R-hat per parameter (max of bulk and tail) [Vehtari21]. */
  rhat: number[];
  /** Bulk ESS per parameter [Vehtari21]. */
  ess: number[];
  rhatMax: number;
  essMin: number;
  evaluations: number;
  iterations: number;
  /** Fraction of proposals accepted over the whole run. */
  acceptance: number;
  stopReason: SampleStopReason;
  seconds: number;
  /** Thinning of the kept draws (iterations between two kept states). */
  thin: number;
  /** True when `thin` was doubled (at least once) to keep at most maxStoredPerChain states per chain. */
  thinIncreased: boolean;
  /** Iterations discarded as burn-in (the first half of each chain). */
  burnIn: number;
  /** Size of the archive Z at the end. */
  archiveSize: number;
  /**
   * Acceptance per move type over the whole run (accepted / proposed; null when the move was never
   * proposed): where a low overall acceptance comes from.
   */
  acceptanceByMove: Record<MoveKind, number | null>;
}

/** The proposal types of DreamZS, in the order of its counters. */
export const MOVE_KINDS = ["parallel", "snooker", "independence", "block"] as const;
export type MoveKind = (typeof MOVE_KINDS)[number];

interface Resolved {
  chains: number;
  seed: number;
  maxEvaluations: number;
  rhatTarget: number;
  essTarget: number;
  checkEvery: number;
  checkGrowth: number;
  thin: number;
  maxStoredPerChain: number;
  snooker: number;
  pairs: number;
  crossoverWeights: number[];
  jumpEvery: number;
  independence: number;
  blockIndependence: number;
  independenceComponents: number;
  independenceScale: number;
  archiveEvery: number;
  jitter: number;
  noise: number;
}

const KNOWN_KEYS = [
  "crossoverWeights",
  "chains",
  "seed",
  "maxEvaluations",
  "initialStates",
  "initialArchive",
  "rhatTarget",
  "essTarget",
  "checkEvery",
  "checkGrowth",
  "thin",
  "maxStoredPerChain",
  "snooker",
  "pairs",
  "jumpEvery",
  "independence",
  "blockIndependence",
  "independenceComponents",
  "independenceScale",
  "archiveEvery",
  "jitter",
  "noise",
  "onCheck",
];

/**
 * The crossover values CR in {1/3, 2/3, 1} (nCR = 3), drawn with equal probability [Vrugt16,
 * randomized subspace sampling].
 */
export const CROSSOVER_VALUES: readonly number[] = [1 / 3, 2 / 3, 1];
/**
 * Default probabilities of the crossover values: mostly CR = 1 (all coordinates move). On
 * correlated posteriors (TEM equivalence ridges) a subspace move of one of two correlated
 * coordinates is nearly always rejected; on an 8-D AR(1) Gaussian with rho 0.9 (not a reported
 * problem) the bulk ESS per evaluation was 0.0053 with equal weights and 0.0133 with CR = 1 only,
 * and at 20-D 0.0010 vs 0.0028. A little weight stays on the subspace moves for weakly
 * correlated posteriors, as DREAM intends [Vrugt16, randomized subspace sampling].
 */
export const CROSSOVER_WEIGHTS: readonly number[] = [0.1, 0.1, 0.8];

/** Index k with probability w_k / sum(w), from a uniform u in [0, 1). */
function drawIndex(w: readonly number[], u: number): number {
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let k = 0; k < w.length; k++) {
    acc += w[k] / total;
    if (u < acc) return k;
  }
  return w.length - 1;
}

const PREFIX = "posterior";

/** The default budget of log-likelihood evaluations of a sampling run (SampleOptions.maxEvaluations). */
export const DEFAULT_MAX_EVALUATIONS = 200000;

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`${PREFIX}.${field}: ${message}`);
}

function num(
  o: SampleOptions,
  key: keyof Resolved,
  def: number,
  lo: number,
  hi: number,
  integer: boolean,
  fix: string,
): number {
  const v = (o as Record<string, unknown>)[key];
  const x = v === undefined ? def : v;
  if (typeof x !== "number" || !Number.isFinite(x) || x < lo || x > hi || (integer && !Number.isInteger(x))) {
    throw invalid(key, `must be ${integer ? "an integer" : "a number"} in [${lo}, ${hi}], got ${String(v)}; ${fix}`);
  }
  return x;
}

function checkPoints(
  pts: unknown,
  field: string,
  bounds: Bounds,
  minCount: number,
  exactCount: number | null,
): Float64Array[] {
  if (!Array.isArray(pts))
    throw invalid(
      field,
      `must be an array of points (Float64Array of length ${bounds.lower.length}), got ${typeof pts}`,
    );
  if (exactCount !== null && pts.length !== exactCount) {
    throw invalid(
      field,
      `has ${pts.length} points but there are ${exactCount} chains; give one start per chain (or leave chains unset)`,
    );
  }
  if (pts.length < minCount) throw invalid(field, `has ${pts.length} points, needs at least ${minCount}`);
  const d = bounds.lower.length;
  return pts.map((p: unknown, i: number) => {
    const a = p as ArrayLike<number>;
    if (!a || typeof a !== "object" || a.length !== d)
      throw invalid(
        `${field}[${i}]`,
        `must have ${d} coordinates, got ${a && typeof a === "object" ? a.length : typeof a}`,
      );
    const x = Float64Array.from(a);
    for (let j = 0; j < d; j++) {
      if (!(x[j] >= bounds.lower[j] && x[j] <= bounds.upper[j])) {
        throw invalid(
          `${field}[${i}]`,
          `coordinate ${j} = ${x[j]} is outside the box [${bounds.lower[j]}, ${bounds.upper[j]}]; give points inside the bounds`,
        );
      }
    }
    return x;
  });
}

function crossoverWeights(w: unknown): number[] {
  if (w === undefined) return CROSSOVER_WEIGHTS.slice();
  if (
    !Array.isArray(w) ||
    w.length !== CROSSOVER_VALUES.length ||
    !w.every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0) ||
    !w.some((v) => v > 0)
  ) {
    throw invalid(
      "crossoverWeights",
      `expected ${CROSSOVER_VALUES.length} weights >= 0 (not all 0) for CR = 1/3, 2/3, 1, got ${JSON.stringify(w)}`,
    );
  }
  return w.slice();
}

/** Check every option, naming the field (`posterior.chains`, ...) in the ValidationError. */
export function resolveSampleOptions(
  o: SampleOptions,
  bounds: Bounds,
): Resolved & { initialStates: Float64Array[] | null; initialArchive: Float64Array[] | null } {
  if (o === null || typeof o !== "object")
    throw new ValidationError(`${PREFIX}: options must be an object, got ${o === null ? "null" : typeof o}`);
  for (const k of Object.keys(o)) {
    if (!KNOWN_KEYS.includes(k)) throw invalid(k, `unknown option; known options are ${KNOWN_KEYS.join(", ")}`);
  }
  const defChains = Array.isArray(o.initialStates) && o.chains === undefined ? o.initialStates.length : 8;
  const chains = num(o, "chains", defChains, 3, 1e5, true, "DREAM(ZS) needs at least 3 chains");
  const pairs = num(o, "pairs", 2, 1, 10, true, "use 1 or 2");
  const r: Resolved = {
    chains,
    seed: num(o, "seed", 1, 0, 2 ** 32 - 1, true, "use a 32-bit unsigned integer"),
    maxEvaluations: num(
      o,
      "maxEvaluations",
      DEFAULT_MAX_EVALUATIONS,
      2 * chains,
      1e15,
      true,
      "the budget must cover the initial states and one iteration (2 x chains)",
    ),
    rhatTarget: num(o, "rhatTarget", 1.05, 1, 10, false, "e.g. 1.01 (strict) to 1.1 (loose)"),
    essTarget: num(o, "essTarget", 400, 0, 1e12, false, "e.g. 400"),
    checkEvery: num(o, "checkEvery", 100, 1, 1e9, true, "iterations between convergence checks"),
    checkGrowth: num(
      o,
      "checkGrowth",
      0.05,
      0,
      1,
      false,
      "e.g. 0.05 (gap = 5 % of the iterations so far), 0 for a fixed gap",
    ),
    thin: num(o, "thin", 1, 1, 1e9, true, "keep every thin-th state"),
    maxStoredPerChain: num(
      o,
      "maxStoredPerChain",
      20000,
      8,
      1e8,
      true,
      "states stored per chain before thinning is doubled",
    ),
    snooker: num(o, "snooker", 0.1, 0, 1, false, "probability of a snooker update, e.g. 0.1"),
    pairs,
    crossoverWeights: crossoverWeights(o.crossoverWeights),
    jumpEvery: num(o, "jumpEvery", 5, 0, 1e9, true, "0 disables the gamma = 1 iterations"),
    independence: num(o, "independence", 0, 0, 1, false, "probability of an independence move, e.g. 0.5"),
    blockIndependence: num(
      o,
      "blockIndependence",
      0,
      0,
      1,
      false,
      "fraction of the independence moves that are block moves, e.g. 0.5",
    ),
    independenceComponents: num(
      o,
      "independenceComponents",
      T_COMPONENTS,
      1,
      100,
      true,
      "most mixture components, e.g. 6",
    ),
    independenceScale: num(o, "independenceScale", T_SCALE, 0.5, 10, false, "covariance inflation, e.g. 1.3"),
    archiveEvery: num(o, "archiveEvery", 10, 1, 1e9, true, "K, e.g. 10"),
    jitter: num(o, "jitter", 0.05, 0, 1, false, "e.g. 0.05"),
    noise: num(o, "noise", 1e-6, 0, 1, false, "relative to the box width, e.g. 1e-6"),
  };
  if (o.onCheck !== undefined && typeof o.onCheck !== "function")
    throw invalid("onCheck", `must be a function, got ${typeof o.onCheck}`);
  const initialStates =
    o.initialStates === undefined ? null : checkPoints(o.initialStates, "initialStates", bounds, 0, chains);
  const minZ = Math.max(3, 2 * pairs);
  const initialArchive =
    o.initialArchive === undefined ? null : checkPoints(o.initialArchive, "initialArchive", bounds, minZ, null);
  return { ...r, initialStates, initialArchive };
}

/**
 * Fold a coordinate periodically into [l, u]: l + ((y - l) mod w). On the box seen as a torus a
 * translation proposal with a symmetric step distribution stays symmetric, so folding keeps
 * detailed balance for the uniform prior [Vrugt16, boundary handling "fold"]: the preimages of
 * y are y + n w, so q(x, y) = sum_n k(y - x + n w) = q(y, x) by k(v) = k(-v).
 *
 * NOT reflection at the walls: with reflection the preimages of a coordinate that crossed a wall
 * are mirror images 2l - y_j (+ 2 n w), for which y_j - x_j turns into 2l - y_j - x_j, invariant
 * under swapping x and y, while a coordinate that did not cross keeps y_j - x_j, which changes
 * sign. The reverse move then needs k(-a, b) = k(a, b), false for the correlated steps of
 * differential proposals (the Z differences follow the posterior's correlation). Measured on a
 * 2-D Gaussian (rho 0.9, mean (0.3, 0.3)) cut by the box [0, 4]^2: exact mean 0.995 per
 * coordinate; reflection gave 0.88-0.91 over 4 seeds, folding 0.97-1.00 (see the test
 * "a correlated Gaussian cut at a corner").
 */
export function foldInto(y: number, l: number, u: number): number {
  if (y >= l && y <= u) return y;
  const w = u - l;
  let t = (y - l) % w;
  if (t < 0) t += w;
  return l + t;
}

/**
 * DREAM(ZS) as an ask/tell state machine: `ask()` returns one point per chain (the initial states
 * first, then one proposal per chain and iteration), `tell(logLik)` takes their log-likelihoods
 * and accepts or rejects each proposal by Metropolis(-Hastings). All random numbers are drawn in
 * ask/tell from one seeded mulberry32 stream, so the run depends only on the seed and the values,
 * not on how the batch was evaluated (serially, in workers, in any order).
 *
 * Proposals [Vrugt16, DREAM(ZS); terBraak08]:
 * - parallel direction (probability 1 - snooker): delta ~ U{1..pairs} pairs (a_k, b_k) of distinct
 *   archive members, a crossover value CR from {1/3, 2/3, 1}, a random subspace A of the
 *   coordinates with P(j in A) = CR (at least one), d' = |A|, and
 *     x*_A = x_A + (1 + e) gamma(delta, d') sum_k (z_{a_k} - z_{b_k})_A + epsilon,
 *     gamma = 2.38 / sqrt(2 delta d')                                   [Vrugt16, DREAM(ZS) proposal]
 *   with e ~ U(-b, b), epsilon ~ N(0, b*^2) and gamma = 1 every jumpEvery-th iteration.
 *   Out-of-box coordinates are FOLDED periodically back into the box (the proposal is symmetric
 *   on the torus, so the acceptance ratio is the likelihood ratio; see foldInto for why not
 *   reflection).
 * - snooker (probability `snooker`) [terBraak08, snooker update; Vrugt16, DREAM(ZS) snooker]: archive members
 *   z, z1, z2; the line through x and z; x* = x + gamma_s ((z1 - z2) . u) u, u = (x - z)/|x - z|,
 *   gamma_s ~ U(1.2, 2.2); accepted with probability
 *     min(1, L(x*)/L(x) * (|x* - z| / |x - z|)^(d-1))                    [terBraak08, snooker acceptance].
 *   Folding would break the snooker's symmetry, so an out-of-box snooker proposal is REJECTED
 *   (prior density 0 outside the box). It is still returned by ask() as a copy of the current
 *   state (one point per chain) and its value is ignored.
 * - independence (probability `independence`, default 0) [Tie94; GK10]: y drawn from a mixture
 *   of Student-t densities fitted to the archive's second half (./independence.ts), accepted with
 *   probability min(1, L(y) q(x) / (L(x) q(y))); rejected when y leaves the box. With
 *   independence = 0 no extra random number is drawn: the runs are those of plain DREAM(ZS).
 *   A fraction `blockIndependence` (default 0: no extra random number) of the independence moves
 *   are block moves: 1 to BLOCK_MAX coordinates drawn from the mixture's conditional given the
 *   others, accepted with min(1, L(y) q(x_B | x_R) / (L(x) q(y_B | x_R))).
 * The archive Z starts with 10 d uniform draws and gets the chains' current states every K
 * iterations [terBraak08; Vrugt16, DREAM(ZS)].
 */
export class DreamZS {
  readonly bounds: Bounds;
  readonly dim: number;
  readonly opts: Resolved;
  private readonly onCheck: SampleOptions["onCheck"];
  /** mulberry32 + Box-Muller with a readable state (the same stream as src/config's mulberry32/gaussian). */
  private readonly rng: SeededRandom;
  private readonly rand: () => number;
  private readonly gauss: () => number;
  private readonly width: Float64Array;
  /** Current state and log-likelihood of each chain. */
  x: Float64Array[] = [];
  ll: number[] = [];
  /** The archive of past states Z. */
  readonly archive: Float64Array[] = [];
  /** Stored (thinned) states per chain and the convergence checks. */
  store: ChainStore;
  iteration = -1;
  evaluations = 0;
  proposals = 0;
  accepted = 0;
  /** Proposals and acceptances per move type (MOVE_KINDS order). */
  proposedBy = MOVE_KINDS.map(() => 0);
  acceptedBy = MOVE_KINDS.map(() => 0);
  stopReason: SampleStopReason | null = null;
  private pending: Float64Array[] | null = null;
  /** The move type (index into MOVE_KINDS) of each pending proposal. */
  private pendingKind: number[] = [];
  private pendingLogJ: number[] = [];
  private pendingValid: boolean[] = [];
  /** The independence proposal's current fit (null until the archive is large enough). */
  private tfit: TFit | null = null;

  constructor(
    bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
    options: SampleOptions = {},
  ) {
    this.bounds = makeBounds(bounds, `${PREFIX}.bounds`);
    this.dim = this.bounds.lower.length;
    const r = resolveSampleOptions(options, this.bounds);
    const { initialStates, initialArchive, ...opts } = r;
    this.opts = opts;
    this.onCheck = options.onCheck;
    this.rng = new SeededRandom(opts.seed);
    this.rand = this.rng.rand;
    this.gauss = this.rng.gauss;
    this.width = new Float64Array(this.dim);
    for (let j = 0; j < this.dim; j++) this.width[j] = this.bounds.upper[j] - this.bounds.lower[j];
    this.store = new ChainStore(opts.chains, this.dim, opts.thin, opts.maxStoredPerChain, opts);
    // Z_0: given, or M0 = 10 d uniform draws from the prior [terBraak08, initial archive]
    if (initialArchive) for (const z of initialArchive) this.archive.push(z);
    else for (let k = 0; k < Math.max(10 * this.dim, 3, 2 * opts.pairs); k++) this.archive.push(this.uniformPoint());
    this.pending = initialStates
      ? initialStates.map((s) => Float64Array.from(s))
      : Array.from({ length: opts.chains }, () => this.uniformPoint());
    this.pendingLogJ = this.pending.map(() => 0);
    this.pendingValid = this.pending.map(() => true);
  }

  get done(): boolean {
    return this.stopReason !== null;
  }

  private uniformPoint(): Float64Array {
    const p = new Float64Array(this.dim);
    for (let j = 0; j < this.dim; j++) p[j] = this.bounds.lower[j] + this.rand() * this.width[j];
    return p;
  }

  /** k distinct indices into the archive. */
  private archiveIndices(k: number): number[] {
    const n = this.archive.length;
    const out: number[] = [];
    while (out.length < k) {
      const i = Math.floor(this.rand() * n);
      if (!out.includes(i)) out.push(i);
    }
    return out;
  }

  /** Parallel-direction proposal for state x [Vrugt16, DREAM(ZS) proposal], folded into the box. */
  private parallel(x: Float64Array, iteration: number): Float64Array {
    const d = this.dim;
    const o = this.opts;
    const delta = 1 + Math.floor(this.rand() * o.pairs);
    const cr = CROSSOVER_VALUES[drawIndex(o.crossoverWeights, this.rand())];
    // randomized subspace: coordinate j moves with probability CR, at least one moves
    const sub: number[] = [];
    for (let j = 0; j < d; j++) if (this.rand() < cr) sub.push(j);
    if (sub.length === 0) sub.push(Math.floor(this.rand() * d));
    const dp = sub.length;
    // jump rate gamma = 2.38 / sqrt(2 delta d'), or 1 every jumpEvery-th iteration [Vrugt16, DREAM jump rate]
    const gamma = o.jumpEvery > 0 && iteration % o.jumpEvery === 0 ? 1 : 2.38 / Math.sqrt(2 * delta * dp);
    const idx = this.archiveIndices(2 * delta);
    const y = Float64Array.from(x);
    for (const j of sub) {
      let diff = 0;
      for (let k = 0; k < delta; k++) diff += this.archive[idx[k]][j] - this.archive[idx[delta + k]][j];
      const e = o.jitter * (2 * this.rand() - 1); // e ~ U(-b, b)
      const eps = o.noise * this.width[j] * this.gauss(); // epsilon ~ N(0, b*^2)
      y[j] = foldInto(x[j] + (1 + e) * gamma * diff + eps, this.bounds.lower[j], this.bounds.upper[j]);
    }
    return y;
  }

  /**
   * Snooker proposal for state x [terBraak08, snooker update; Vrugt16, DREAM(ZS) snooker]: returns the point and
   * the log of the Jacobian factor (d-1) log(|x* - z| / |x - z|), or null when it leaves the box.
   */
  private snookerMove(x: Float64Array): { y: Float64Array; logJ: number } | null {
    const d = this.dim;
    const [iz, i1, i2] = this.archiveIndices(3);
    const z = this.archive[iz];
    const z1 = this.archive[i1];
    const z2 = this.archive[i2];
    const gs = 1.2 + this.rand(); // gamma_s ~ U(1.2, 2.2)
    let nrm = 0;
    for (let j = 0; j < d; j++) nrm += (x[j] - z[j]) * (x[j] - z[j]);
    nrm = Math.sqrt(nrm);
    if (!(nrm > 0)) return { y: Float64Array.from(x), logJ: 0 }; // x on z: no direction, stay
    // projection of z1 - z2 on the line direction u
    let proj = 0;
    for (let j = 0; j < d; j++) proj += ((z1[j] - z2[j]) * (x[j] - z[j])) / nrm;
    const y = new Float64Array(d);
    let nrmY = 0;
    for (let j = 0; j < d; j++) {
      y[j] = x[j] + (gs * proj * (x[j] - z[j])) / nrm;
      if (!(y[j] >= this.bounds.lower[j] && y[j] <= this.bounds.upper[j])) return null;
      nrmY += (y[j] - z[j]) * (y[j] - z[j]);
    }
    nrmY = Math.sqrt(nrmY);
    const logJ = nrmY > 0 ? (d - 1) * (Math.log(nrmY) - Math.log(nrm)) : -Infinity;
    return { y, logJ };
  }

  /** Refit the t proposal when the archive has grown by T_GROWTH since the last fit (./independence.ts). */
  private refitT(): void {
    const n = this.archive.length;
    if (this.tfit && n < this.tfit.n * (1 + T_GROWTH)) return;
    const f = fitT(this.archive, n >> 1, this.rand, this.opts.independenceComponents, this.opts.independenceScale);
    if (f) this.tfit = f;
  }

  /**
   * Independence move [Tie94]: y ~ q (the t fit), log ratio log q(x) - log q(y) for the
   * Metropolis-Hastings test; null when y leaves the box (prior 0: rejected).
   */
  private independenceMove(x: Float64Array, fit: TFit): { y: Float64Array; logJ: number } | null {
    // q restricted to the box by redrawing: q_B(y) = q(y) / Z_B, and Z_B cancels in the ratio; after
    // INDEPENDENCE_TRIES misses the chain stays (a fixed probability, independent of x: still exact)
    for (let t = 0; t < INDEPENDENCE_TRIES; t++) {
      const y = drawT(fit, this.rand, this.gauss);
      let inside = true;
      for (let j = 0; j < this.dim && inside; j++)
        inside = y[j] >= this.bounds.lower[j] && y[j] <= this.bounds.upper[j];
      if (inside) return { y, logJ: logT(fit, x) - logT(fit, y) };
    }
    return null;
  }

  /**
   * Block (conditional) independence move: 1 to min(BLOCK_MAX, d - 1) coordinates, chosen
   * uniformly, drawn from the mixture's conditional given the others (./independence.ts, drawBlock);
   * null when no draw fell inside the box (the chain stays).
   */
  private blockMove(x: Float64Array, fit: TFit): { y: Float64Array; logJ: number } | null {
    const d = this.dim;
    const size = 1 + Math.floor(this.rand() * Math.min(BLOCK_MAX, d - 1));
    const block: number[] = [];
    while (block.length < size) {
      const j = Math.floor(this.rand() * d);
      if (!block.includes(j)) block.push(j);
    }
    block.sort((a, b) => a - b);
    const inside = (y: Float64Array) => {
      for (const j of block) if (!(y[j] >= this.bounds.lower[j] && y[j] <= this.bounds.upper[j])) return false;
      return true;
    };
    return drawBlock(fit, x, block, inside, this.rand, this.gauss, INDEPENDENCE_TRIES);
  }

  /** The points to evaluate next: the initial states, then one proposal per chain. */
  ask(): Float64Array[] {
    if (this.done) throw new Error("ask() after the run stopped");
    if (this.pending) return this.pending;
    const t = this.iteration + 1;
    const props: Float64Array[] = [];
    this.pendingLogJ = [];
    this.pendingValid = [];
    this.pendingKind = [];
    if (this.opts.independence > 0) this.refitT();
    for (let i = 0; i < this.opts.chains; i++) {
      const x = this.x[i];
      if (this.tfit && this.rand() < this.opts.independence) {
        const block = this.opts.blockIndependence > 0 && this.dim > 1 && this.rand() < this.opts.blockIndependence;
        const s = block ? this.blockMove(x, this.tfit) : this.independenceMove(x, this.tfit);
        props.push(s ? s.y : Float64Array.from(x));
        this.pendingLogJ.push(s ? s.logJ : 0);
        this.pendingValid.push(s !== null);
        this.pendingKind.push(block ? 3 : 2);
      } else if (this.rand() < this.opts.snooker) {
        const s = this.snookerMove(x);
        props.push(s ? s.y : Float64Array.from(x));
        this.pendingLogJ.push(s ? s.logJ : 0);
        this.pendingValid.push(s !== null);
        this.pendingKind.push(1);
      } else {
        props.push(this.parallel(x, t));
        this.pendingLogJ.push(0);
        this.pendingValid.push(true);
        this.pendingKind.push(0);
      }
    }
    this.pending = props;
    return props;
  }

  /** Log-likelihoods of the points of the last ask(), in the same order. */
  tell(values: ArrayLike<number>): void {
    const xs = this.pending;
    if (!xs) throw new Error("tell() without a pending ask()");
    if (!values || values.length !== xs.length) {
      throw new Error(
        `log-likelihood returned ${values ? values.length : typeof values} values for ${xs.length} points`,
      );
    }
    this.pending = null;
    this.evaluations += xs.length;
    const vals = Array.from(values, (v) => (typeof v === "number" && Number.isFinite(v) ? v : -Infinity));
    if (this.iteration < 0) {
      this.x = xs;
      this.ll = vals;
    } else {
      for (let i = 0; i < xs.length; i++) {
        // Metropolis(-Hastings): accept with probability min(1, exp(l* - l + log J)) [Vrugt16,
        // Metropolis ratio; terBraak08, snooker ratio]
        const u = this.rand();
        this.proposals++;
        const kind = this.pendingKind[i] ?? 0;
        this.proposedBy[kind]++;
        if (!this.pendingValid[i]) continue;
        const logA = vals[i] - this.ll[i] + this.pendingLogJ[i];
        if (vals[i] > -Infinity && (this.ll[i] === -Infinity || Math.log(u) < logA)) {
          this.x[i] = xs[i];
          this.ll[i] = vals[i];
          this.accepted++;
          this.acceptedBy[kind]++;
        }
      }
    }
    this.iteration++;
    const t = this.iteration;
    if (t > 0) {
      if (t % this.opts.archiveEvery === 0) for (const x of this.x) this.archive.push(Float64Array.from(x));
      this.store.record(t, this.x, this.ll);
    }
    this.stopReason = this.checkStop();
  }

  /** Diagnostics on the second half of each chain [Vehtari21]. */
  diagnose(): CheckInfo {
    return this.store.diagnose(this.iteration, this.evaluations, this.acceptanceRate());
  }

  private acceptanceRate(): number {
    return this.proposals > 0 ? this.accepted / this.proposals : 0;
  }

  private checkStop(): SampleStopReason | null {
    let reason = this.store.check(this.iteration, this.evaluations, this.acceptanceRate(), this.onCheck);
    if (reason === null && this.evaluations + this.opts.chains > this.opts.maxEvaluations) reason = "budget";
    return reason;
  }

  /**
   * The whole state as a JSON-safe object (`JSON.parse(JSON.stringify(s))` restores it exactly:
   * optim's encodeState keeps Float64Arrays, NaN, Infinity and -0): options, RNG state, chains,
   * archive, counters, the stored states and checks, and the points of a pending ask() (asked
   * again after restore). Callbacks are not part of it: pass the same options to `restore`.
   * May be taken at any moment between calls (between tell and ask, or with an ask pending).
   */
  snapshot(): DreamSnapshot {
    return encodeState({
      format: DREAM_FORMAT,
      dim: this.dim,
      lower: this.bounds.lower,
      upper: this.bounds.upper,
      opts: this.opts,
      rng: this.rng.state,
      x: this.x,
      ll: this.ll,
      archive: this.archive,
      store: this.store.snapshot(),
      iteration: this.iteration,
      evaluations: this.evaluations,
      proposals: this.proposals,
      accepted: this.accepted,
      proposedBy: this.proposedBy,
      acceptedBy: this.acceptedBy,
      pendingKind: this.pendingKind,
      stopReason: this.stopReason,
      pending: this.pending,
      pendingLogJ: this.pendingLogJ,
      pendingValid: this.pendingValid,
      tfit: this.tfit,
    }) as DreamSnapshot;
  }

  /**
   * A sampler continued from `snapshot()`, bit-identical to the uninterrupted run (same draws,
   * R-hat, ESS, stop reason). Pass the options of the interrupted run (callbacks included): every
   * option that decides the numbers (chains, seed, budget, targets, thinning, proposal settings)
   * must equal the snapshot's, and so must `bounds` when given; otherwise a ValidationError names
   * the option (`posterior.seed`). `initialStates` and `initialArchive` are only validated (the
   * snapshot holds the chains and the archive). A stopped run stays stopped.
   */
  static restore(
    snapshot: DreamSnapshot,
    options: SampleOptions = {},
    bounds?: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  ): DreamZS {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- decoded JSON, checked below
    const s = decodeState(snapshot) as Record<string, any>;
    if (!s || typeof s !== "object" || s.format !== DREAM_FORMAT) {
      throw new ValidationError(
        "snapshot",
        `not a DreamZS snapshot (format '${s && s.format}', expected '${DREAM_FORMAT}')`,
      );
    }
    if (!(s.lower instanceof Float64Array) || !(s.upper instanceof Float64Array) || s.lower.length !== s.dim) {
      throw new ValidationError("snapshot", "DreamZS snapshot is damaged (no bounds); delete it and start afresh");
    }
    if (bounds !== undefined) {
      const b = makeBounds(bounds, `${PREFIX}.bounds`);
      const same = b.lower.length === s.dim && b.lower.every((v, j) => v === s.lower[j] && b.upper[j] === s.upper[j]);
      if (!same)
        throw invalid(
          "bounds",
          "differ from the snapshot's; resume with the bounds (parameterisation) of the interrupted run",
        );
    }
    // the constructor's starts, archive and draws are replaced by the snapshot's state below
    const dz = new DreamZS({ lower: s.lower, upper: s.upper }, options);
    checkSameOptions(dz.opts, (s.opts ?? {}) as Record<string, unknown>);
    const points = (v: unknown, n: number) =>
      Array.isArray(v) && v.length === n && v.every((x) => x instanceof Float64Array && x.length === dz.dim);
    const started = s.iteration >= 0;
    if (
      !Number.isInteger(s.iteration) ||
      s.iteration < -1 ||
      (started && !points(s.x, dz.opts.chains)) ||
      (s.pending !== null && !points(s.pending, dz.opts.chains)) ||
      !Array.isArray(s.archive) ||
      !points(s.archive, s.archive.length)
    ) {
      throw new ValidationError(
        "snapshot",
        "DreamZS snapshot is damaged (chains, archive or pending points of the wrong shape); delete it and start afresh",
      );
    }
    dz.rng.state = s.rng;
    dz.x = s.x;
    dz.ll = s.ll;
    dz.archive.length = 0;
    for (const z of s.archive as Float64Array[]) dz.archive.push(z);
    // the store's part as encoded (ChainStore.restore decodes it itself)
    const store = (snapshot as Record<string, unknown>).store as ChainStoreSnapshot;
    dz.store = ChainStore.restore(store, dz.opts.chains, dz.dim, dz.opts.maxStoredPerChain, dz.opts, PREFIX);
    dz.iteration = s.iteration;
    dz.evaluations = s.evaluations;
    dz.proposals = s.proposals;
    dz.accepted = s.accepted;
    // (a snapshot from before the per-move counters has none: they restart at 0)
    const counts = (v: unknown) =>
      MOVE_KINDS.map((_, i) => (Array.isArray(v) && typeof v[i] === "number" ? (v[i] as number) : 0));
    dz.proposedBy = counts(s.proposedBy);
    dz.acceptedBy = counts(s.acceptedBy);
    dz.pendingKind = Array.isArray(s.pendingKind) ? s.pendingKind : [];
    dz.stopReason = s.stopReason;
    dz.pending = s.pending;
    dz.pendingLogJ = s.pendingLogJ;
    dz.pendingValid = s.pendingValid;
    dz.tfit = s.tfit ?? null;
    return dz;
  }

  result(seconds = 0): SampleResult {
    return {
      ...this.store.finalDraws(this.iteration, this.evaluations, this.acceptanceRate()),
      evaluations: this.evaluations,
      iterations: Math.max(0, this.iteration),
      stopReason: this.stopReason ?? "callback",
      seconds,
      archiveSize: this.archive.length,
      acceptanceByMove: Object.fromEntries(
        MOVE_KINDS.map((k, i) => [k, this.proposedBy[i] > 0 ? this.acceptedBy[i] / this.proposedBy[i] : null]),
      ) as Record<MoveKind, number | null>,
    };
  }
}

const DREAM_FORMAT = "geoinv.sampling.DreamZS/1";

/** Every option that decides the numbers must equal the snapshot's (a ValidationError names the first that differs). */
function checkSameOptions(ours: Resolved, theirs: Record<string, unknown>): void {
  for (const k of Object.keys(ours) as (keyof Resolved)[]) {
    const a = JSON.stringify(ours[k]);
    // a snapshot from before the independence move existed ran without it
    // a snapshot from before an option existed ran with its default
    const b = JSON.stringify(theirs[k] === undefined && k in OPTION_ADDED ? OPTION_ADDED[k] : theirs[k]);
    if (a !== b) throw invalid(k, `${a} differs from the snapshot's ${b}; pass the options of the interrupted run`);
  }
}
/** Options added after the first snapshots, with the value those snapshots ran with. */
const OPTION_ADDED: Partial<Record<keyof Resolved, unknown>> = {
  independence: 0,
  blockIndependence: 0,
  independenceComponents: T_COMPONENTS,
  independenceScale: T_SCALE,
};

/** Most coordinates of a block independence move. */
export const BLOCK_MAX = 4;

/** Draws from the independence proposal before a move outside the box is given up (the chain stays). */
const INDEPENDENCE_TRIES = 50;

/** A JSON-serialisable checkpoint of a DreamZS run (`DreamZS.snapshot`). */
export type DreamSnapshot = { format: string; [key: string]: unknown };

/**
 * Sample the posterior of a synchronous batch log-likelihood over box bounds (uniform prior in
 * the box) by DREAM(ZS), until converged (every R-hat < rhatTarget and bulk ESS >= essTarget on
 * the second half of the chains) or the evaluation budget is spent.
 */
export function sample(
  logLik: LogLikelihood,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  options: SampleOptions = {},
): SampleResult {
  const t0 = performance.now();
  const s = new DreamZS(bounds, options);
  while (!s.done) s.tell(logLik(s.ask()));
  return s.result((performance.now() - t0) / 1000);
}

/**
 * The same run with an asynchronous batch log-likelihood (e.g. a worker pool): identical draws for
 * the same seed and values.
 */
export async function sampleAsync(
  logLik: AsyncLogLikelihood,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  options: SampleOptions = {},
): Promise<SampleResult> {
  const t0 = performance.now();
  const s = new DreamZS(bounds, options);
  while (!s.done) s.tell(await logLik(s.ask()));
  return s.result((performance.now() - t0) / 1000);
}

/** All chains' draws in one list (chain after chain). */
export function flattenDraws(draws: Float64Array[][]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of draws) for (const x of c) out.push(x);
  return out;
}

/**
 * Per-parameter quantiles of a list of points: out[j][k] is the probs[k] quantile of coordinate j
 * (linear interpolation between order statistics, Hyndman & Fan type 7).
 */
export function quantiles(points: ArrayLike<number>[], probs: number[]): number[][] {
  if (points.length === 0) throw new ValidationError("points", "quantiles: no points; give at least one");
  for (const p of probs)
    if (!(p >= 0 && p <= 1)) throw new ValidationError("probs", `quantiles: probability ${p} outside [0, 1]`);
  const d = points[0].length;
  const out: number[][] = [];
  for (let j = 0; j < d; j++) {
    const col = new Float64Array(points.length);
    for (let i = 0; i < points.length; i++) col[i] = points[i][j];
    col.sort();
    out.push(probs.map((p) => quantileSorted(col, p)));
  }
  return out;
}

/** Per-parameter posterior mean and standard deviation of a list of points. */
export function summarize(points: ArrayLike<number>[]): { mean: number[]; sd: number[] } {
  if (points.length === 0) throw new ValidationError("points", "summarize: no points; give at least one");
  const d = points[0].length;
  const mean: number[] = [];
  const sd: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (const p of points) s += p[j];
    const m = s / points.length;
    let v = 0;
    for (const p of points) v += (p[j] - m) * (p[j] - m);
    mean.push(m);
    sd.push(Math.sqrt(v / Math.max(1, points.length - 1)));
  }
  return { mean, sd };
}
