import { performance } from "perf_hooks";
import { sampleCR, sampleF, updateMeans } from "./adapt";
import { BOUND_RULES, BoundRule, Bounds, makeBounds, repairBounds } from "./bounds";
import { ValidationError } from "./errors";
import { cmpFitness, oppositionInit, selectFittest, uniformInit } from "./init";
import { binomialCrossover, MIN_POPULATION, MUTATIONS, Strategy, STRATEGIES } from "./mutation";
import { BatchResiduals, lmIterator, LMOptions, LMResult, LMStopReason } from "./polish";
import { SeededRandom } from "./rng";

/**
 * A batch objective: one value per point, or one row of components per point (then the fitness
 * is the weighted sum of the components, see `Scalarisation`). Optimisers never look inside.
 */
export type Objective = (xs: Float64Array[]) => number[] | number[][];
export type AsyncObjective = (xs: Float64Array[]) => Promise<number[] | number[][]> | number[] | number[][];

/**
 * Fitness as a weighted sum of objective components, with weights that may change from one
 * generation to the next (e.g. an adaptive regularisation factor). The stored fitness of the
 * population is recomputed with the new weights before each generation, so parents and trials
 * are always compared under the same weights.
 */
export interface Scalarisation {
  initial: number[];
  /** Weights for generation t from the components of the best individual of generation t-1. */
  update?: (bestComponents: number[], generation: number) => number[];
}

export type InitMethod = "random" | "opposition";
export type StopReason = "generations" | "evaluations" | "target" | "stagnation" | "callback";

/**
 * Restarts on diversity loss or stagnation (see `DEOptions.restart`). The rule, checked after
 * every generation g that did not stop the run, while fewer than `max` restarts happened:
 * - "diversity": `diversity(population) < diversity` (mean per-parameter standard deviation in
 *   units of the box width) and the best measure improved by at most `tolerance` (relative) over
 *   the last `diversityWindow` generations (and g - g_last >= diversityWindow), or
 * - "stagnation": g - g_last >= `generations` and
 *   measure(g - generations) - measure(g) <= `tolerance` * |measure(g - generations)|, where
 *   measure is the best individual's target measure (default the fitness) and g_last the
 *   generation of the previous restart (0 before any).
 * The improvement condition on the diversity trigger keeps a population that is still closing in
 * on a minimum below the threshold from being restarted (measured: without it, rotated Ackley
 * at d = 8-20 lost 3-5 of 5 seeds, bench/optim-restart.ts); a population collapsed on a local
 * minimum stops improving and is restarted `diversityWindow` generations later.
 * Then generation g + 1 re-seeds the population: the best individual is kept (elitism: the best
 * never gets worse), the other NP - 1 are new points, in this order:
 * round(`opposition` (NP-1)) quasi-opposite points of random members of archive + population
 * (per coordinate uniform between the box centre and the opposite point l + u - x),
 * round(`local` (NP-1)) points best + `spread` (u - l) N(0, 1) reflected into the box, and the
 * rest uniform in the box. mu_F and mu_CR go back to their initial values and the archive is
 * emptied. All draws come from the run's seeded stream, so restarts are deterministic.
 */
export interface RestartOptions {
  /** Diversity threshold, box-width units. */
  diversity?: number;
  /** Generations without improvement (> tolerance) that the diversity trigger also needs. */
  diversityWindow?: number;
  /** Stagnation window in generations. */
  generations?: number;
  /** Relative improvement of the best measure over the window below which the run stagnates. */
  tolerance?: number;
  /** Most restarts in one run. */
  max?: number;
  /** Fractions of the NP - 1 new points: quasi-opposite, around the best, (rest) uniform. */
  opposition?: number;
  local?: number;
  /** Standard deviation of the points around the best, as a fraction of the box width. */
  spread?: number;
}

/** The restart settings the inversion layer uses by default (measured in bench/optim-restart.ts, docs/OPTIMISER.md). */
export const DEFAULT_RESTART: Readonly<Required<RestartOptions>> = Object.freeze({
  diversity: 1e-6,
  diversityWindow: 10,
  generations: 200,
  tolerance: 1e-6,
  max: 1000,
  opposition: 0.25,
  local: 0.5,
  spread: 0.1,
});

/**
 * Default population size for `dim` unknowns: 40 + 5 dim (80 for 8 unknowns, 110 for 14, 140 for
 * 20). Evidence: on TEM inversions NP 36 for 8 unknowns and NP 70 for 14 collapsed and stalled in
 * every seed while NP 80-150 solved both, so the rule must give at least 80 at d = 8 and more
 * than 70 at d = 14. On shifted/rotated test functions (bench/optim-restart.ts, docs/OPTIMISER.md)
 * NP 36 did not stall and a larger NP only cost evaluations: at a budget of 3000 d evaluations
 * NP 36 reached 1e-4 on shifted Rastrigin and Rosenbrock at d = 14 and 20 in 5/5 seeds, 40 + 5 d
 * and 10 d in 0/5 (median best 1e-2 and 0.67 for Rastrigin at d = 14). So the rule is the
 * smallest linear one that fits the TEM evidence, not 10 d; budgets must grow with NP.
 */
export function defaultPopulation(dim: number): number {
  if (!Number.isInteger(dim) || dim < 1) throw new ValidationError("dim", `must be a positive integer, got ${dim}`);
  return 40 + 5 * dim;
}

/**
 * A warning when `np` is below `defaultPopulation(dim)` (null otherwise). The optimiser keeps the
 * given np; the caller prints the message on stderr.
 */
export function populationAdvice(dim: number, np: number): string | null {
  const rule = defaultPopulation(dim);
  if (np >= rule) return null;
  return (
    `np ${np} is below the population rule 40 + 5 x ${dim} unknowns = ${rule}: small populations collapse ` +
    `on multimodal misfits (NP 36 for 8 and NP 70 for 14 unknowns stalled on TEM problems); ` +
    `use np >= ${rule}, or keep np and enable restarts`
  );
}

/** The polish after DE (as scipy's differential_evolution(polish=True)): bounded LM on residuals. */
export interface PolishOptions {
  /** Batch residuals: one residual vector per point (minimize needs a synchronous one). */
  residuals: BatchResiduals;
  /** Map a residual vector to the objective's components (e.g. r => [sum r^2]). */
  components: (r: number[]) => number[];
  maxIterations?: number;
  /** Further LM options (maxEvaluations, tolerances, diffStep). */
  lm?: LMOptions;
  /**
   * Also polish the best during the run, every `every` generations (0: never, the default), and
   * when `onRestart` (default false) after each generation that decided a restart. The polished
   * point replaces the worst individual when it is better than the best (so a restart keeps it);
   * its evaluations count in the run's. Deterministic: the LM draws no random numbers.
   */
  every?: number;
  onRestart?: boolean;
}

/** One polish during the run (`PolishOptions.every` / `onRestart`). */
export interface PolishRun {
  generation: number;
  evaluations: number;
  before: number;
  polished: number;
  accepted: boolean;
}

export interface DEOptions {
  /** Population size NP (default `defaultPopulation(dim)` = 40 + 5 x dimension). */
  np?: number;
  /** Mutation strategy, "DE/" prefix optional; "jade" = current-to-pbest/1 with adaptation and archive (default). */
  strategy?: string;
  /** JADE parameter adaptation (default: true for "jade", false otherwise). */
  adaptive?: boolean;
  /** External archive of replaced parents for current-to-pbest/1 (default true with adaptation). */
  archive?: boolean;
  /** Fixed F (or the initial mu_F when adaptive). Default 0.5. */
  F?: number;
  /** Fixed CR (or the initial mu_CR when adaptive). Default 0.9 fixed, 0.5 adaptive. */
  CR?: number;
  /** Fraction of the population that x_pbest is drawn from (default 0.05, JADE's range 0.05-0.2). */
  p?: number;
  /** Learning rate of mu_F, mu_CR (default 0.1). */
  c?: number;
  /** Initial population: "opposition" (seed eqs. 10-11, default) or "random". */
  init?: InitMethod;
  boundRule?: BoundRule;
  seed?: number;
  maxGenerations?: number;
  /** Stop before a generation that would exceed this many objective evaluations. */
  maxEvaluations?: number;
  /** Stop once the best individual's `targetMeasure` is at or below this value. */
  target?: number;
  /** What `target` and stagnation are measured on (default: the fitness). */
  targetMeasure?: (components: number[], fitness: number) => number;
  /** Stop when the best measure improved by no more than `tolerance` (relative) in `generations` generations. */
  stagnation?: { generations: number; tolerance?: number };
  scalarisation?: Scalarisation;
  /** Called after every generation (generation 0 = the initial population); return "stop" to end the run. */
  onGeneration?: (rec: GenerationRecord) => void | "stop";
  /**
   * Restarts on diversity loss or stagnation (`RestartOptions`; the rule is documented there).
   * Default off here (false); `{}` turns them on with `DEFAULT_RESTART`. Separate from the
   * `stagnation` stop, which is checked first.
   */
  restart?: RestartOptions | false;
  /** minimize/minimizeAsync only: polish the best point by bounded LM after the run. */
  polish?: PolishOptions;
}

/** One restart: decided after `generation` (its record carries it), re-seeded in the next. */
export interface RestartRecord {
  reason: "diversity" | "stagnation";
  generation: number;
  /** Best fitness and measure when the restart was decided. */
  bestBefore: number;
  measureBefore: number;
  /** Population diversity when the restart was decided. */
  diversity: number;
}

/** What happened in one generation: for live plots and convergence curves. */
export interface GenerationRecord {
  generation: number;
  /** Objective evaluations so far. */
  evaluations: number;
  best: number;
  median: number;
  /** The best individual's components (e.g. [data misfit, roughness]). */
  bestComponents: number[];
  /** The best individual's target measure. */
  measure: number;
  /** Weights of the components in this generation (e.g. [1, lambda]). */
  weights: number[];
  muF: number;
  muCR: number;
  /** Fraction of trials that replaced their parent. */
  successRate: number;
  /** Mean over parameters of the population's standard deviation, in units of the box width. */
  diversity: number;
  bestX: Float64Array;
  /** Set when a restart was decided after this generation. */
  restart?: RestartRecord;
}

export interface DEResult {
  x: Float64Array;
  fitness: number;
  components: number[];
  measure: number;
  generations: number;
  evaluations: number;
  /** Evaluations spent when an evaluated point first reached `target` (null: never or no target). */
  evaluationsToTarget: number | null;
  stopReason: StopReason;
  history: GenerationRecord[];
  /** Final population, its fitness and components (for uncertainty from the population spread). */
  population: Float64Array[];
  populationFitness: number[];
  populationComponents: number[][];
  muF: number;
  muCR: number;
  seconds: number;
  /** Every restart of the run, in order. */
  restarts: RestartRecord[];
  /**
   * Present when `polish` was given: its evaluations (included in `evaluations`) and the best
   * fitness before and after.
   */
  polish?: {
    evaluations: number;
    iterations: number;
    before: number;
    after: number;
    /** Fitness at the LM end point (kept only when better than `before`). */
    polished: number;
    accepted: boolean;
    stopReason: LMStopReason;
    /** The polishes during the run (every / onRestart), their evaluations included in `evaluations` above. */
    during: PolishRun[];
  };
}

interface Resolved {
  np: number;
  strategy: Strategy;
  adaptive: boolean;
  archive: boolean;
  F: number;
  CR: number;
  p: number;
  c: number;
  init: InitMethod;
  boundRule: BoundRule;
  seed: number;
  maxGenerations: number;
  maxEvaluations: number;
  target: number | null;
  restart: Required<RestartOptions> | null;
}

/** Parse a strategy name: "jade", "rand/1", "DE/rand/1", "DE/rand/1/bin" ... */
export function parseStrategy(name: string): { strategy: Strategy; jade: boolean } {
  const s = String(name)
    .trim()
    .toLowerCase()
    .replace(/^de\//, "")
    .replace(/\/bin$/, "");
  if (s === "jade") return { strategy: "current-to-pbest/1", jade: true };
  const hit = STRATEGIES.find((t) => t === s);
  if (!hit) {
    throw new ValidationError(
      `strategy: unknown '${name}'; use "jade" or one of ${STRATEGIES.map((t) => `"DE/${t}"`).join(", ")}`,
    );
  }
  return { strategy: hit, jade: false };
}

function num(v: number | undefined, def: number, field: string, lo: number, hi: number, integer = false): number {
  const x = v === undefined ? def : v;
  if (typeof x !== "number" || !Number.isFinite(x) || x < lo || x > hi || (integer && !Number.isInteger(x))) {
    throw new ValidationError(`${field}: must be ${integer ? "an integer" : "a number"} in [${lo}, ${hi}], got ${v}`);
  }
  return x;
}

/**
 * The largest population accepted: each generation costs NP forward runs (NP 100 000 is minutes per
 * generation of silence before the first progress line), and populations beyond a few hundred per
 * unknown add nothing to the search (docs/OPTIMISER.md: NP = 40 + 5 d by default).
 */
export const MAX_POPULATION = 10000;

export function resolveOptions(dim: number, o: DEOptions): Resolved {
  const { strategy, jade } = parseStrategy(o.strategy ?? "jade");
  const adaptive = o.adaptive ?? jade;
  const np = num(o.np, defaultPopulation(dim), "np", MIN_POPULATION[strategy], MAX_POPULATION, true);
  const boundRule = o.boundRule ?? "midpoint";
  if (!BOUND_RULES.includes(boundRule))
    throw new ValidationError(`boundRule: unknown '${boundRule}'; use one of ${BOUND_RULES.join(", ")}`);
  const init = o.init ?? "opposition";
  if (init !== "opposition" && init !== "random")
    throw new ValidationError(`init: unknown '${init}'; use "opposition" or "random"`);
  const maxGen = o.maxGenerations;
  const maxEval = o.maxEvaluations;
  const noLimit = maxGen === undefined && maxEval === undefined;
  return {
    np,
    strategy,
    adaptive,
    archive: o.archive ?? adaptive,
    F: num(o.F, 0.5, "F", 0, 2),
    CR: num(o.CR, adaptive ? 0.5 : 0.9, "CR", 0, 1),
    p: num(o.p, 0.05, "p", 0, 1),
    c: num(o.c, 0.1, "c", 0, 1),
    init,
    boundRule,
    seed: num(o.seed, 1, "seed", 0, 2 ** 32 - 1, true),
    maxGenerations: noLimit ? 1000 : maxGen === undefined ? Infinity : num(maxGen, 0, "maxGenerations", 0, 1e12, true),
    maxEvaluations: maxEval === undefined ? Infinity : num(maxEval, 0, "maxEvaluations", 1, 1e15, true),
    target: o.target === undefined ? null : num(o.target, 0, "target", -Infinity, Infinity),
    restart: resolveRestart(o.restart),
  };
}

function resolveRestart(r: RestartOptions | false | undefined): Required<RestartOptions> | null {
  if (r === undefined || r === false) return null;
  if (typeof r !== "object" || r === null)
    throw new ValidationError(`restart`, `must be an object of settings or false, got ${r}`);
  const d = DEFAULT_RESTART;
  const out: Required<RestartOptions> = {
    diversity: num(r.diversity, d.diversity, "restart.diversity", 0, 1),
    diversityWindow: num(r.diversityWindow, d.diversityWindow, "restart.diversityWindow", 1, 1e9, true),
    generations: num(r.generations, d.generations, "restart.generations", 1, 1e9, true),
    tolerance: num(r.tolerance, d.tolerance, "restart.tolerance", 0, 1),
    max: num(r.max, d.max, "restart.max", 0, 1e9, true),
    opposition: num(r.opposition, d.opposition, "restart.opposition", 0, 1),
    local: num(r.local, d.local, "restart.local", 0, 1),
    spread: num(r.spread, d.spread, "restart.spread", 0, 10),
  };
  if (out.opposition + out.local > 1 + 1e-12) {
    throw new ValidationError(
      "restart.local",
      `restart.opposition + restart.local must be at most 1 (the rest is uniform), got ${out.opposition} + ${out.local}`,
    );
  }
  return out;
}

function median(v: number[]): number {
  const s = v.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Mean over parameters of the population's standard deviation, scaled by the box width. */
export function diversity(pop: Float64Array[], bounds: Bounds): number {
  const d = bounds.lower.length;
  const n = pop.length;
  let acc = 0;
  for (let j = 0; j < d; j++) {
    // two passes (mean, then squared deviations): exactly 0 for identical members, no cancellation
    let s = 0;
    for (let i = 0; i < n; i++) s += pop[i][j];
    const m = s / n;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const e = pop[i][j] - m;
      s2 += e * e;
    }
    acc += Math.sqrt(s2 / n) / (bounds.upper[j] - bounds.lower[j]);
  }
  return acc / d;
}

function normaliseValues(v: number[] | number[][], n: number): number[][] {
  if (!Array.isArray(v) || v.length !== n) {
    throw new Error(`objective returned ${Array.isArray(v) ? v.length : typeof v} values for ${n} points`);
  }
  return (v as (number | number[])[]).map((e) => (typeof e === "number" ? [e] : Array.from(e)));
}

/**
 * Differential evolution as an ask/tell state machine: `ask()` returns the points to evaluate,
 * `tell(values)` takes their objective values. All random numbers are drawn in ask/tell from one
 * seeded mulberry32 stream, so a run depends only on the seed and the objective values, not on
 * how or where the points were evaluated (serially, in workers, in any order). `snapshot()` and
 * `DifferentialEvolution.restore()` checkpoint and resume a run bit-identically.
 */
export class DifferentialEvolution {
  readonly bounds: Bounds;
  readonly dim: number;
  readonly opts: Resolved;
  private readonly user: DEOptions;
  private readonly rng: SeededRandom;
  private readonly rand: () => number;
  private readonly gauss: () => number;
  pop: Float64Array[] = [];
  fit: number[] = [];
  comp: number[][] = [];
  archive: Float64Array[] = [];
  weights: number[] = [1];
  muF: number;
  muCR: number;
  generation = -1;
  evaluations = 0;
  evaluationsToTarget: number | null = null;
  stopReason: StopReason | null = null;
  readonly history: GenerationRecord[] = [];
  readonly restarts: RestartRecord[] = [];
  private pending: Float64Array[] | null = null;
  private pendingKind: "init" | "trial" | "restart" = "init";
  private trialCR: number[] = [];
  private trialF: number[] = [];
  /** A restart decided after the last generation, carried out by the next ask(). */
  private restartPending: RestartRecord | null = null;
  /** Generation of the last restart decision (0 before any): start of the stagnation window. */
  private lastRestart = 0;

  constructor(
    bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
    options: DEOptions = {},
  ) {
    this.bounds = makeBounds(bounds);
    this.dim = this.bounds.lower.length;
    this.opts = resolveOptions(this.dim, options);
    this.user = options;
    this.rng = new SeededRandom(this.opts.seed);
    this.rand = this.rng.rand;
    this.gauss = this.rng.gauss;
    this.muF = this.opts.F;
    this.muCR = this.opts.CR;
    if (options.scalarisation) this.weights = options.scalarisation.initial.slice();
  }

  get done(): boolean {
    return this.stopReason !== null;
  }

  /** Fitness of a component row under the current weights. */
  fitnessOf(c: number[]): number {
    const w = this.weights;
    if (c.length !== w.length) {
      throw new Error(`objective returned ${c.length} components but the scalarisation has ${w.length} weights`);
    }
    let f = 0;
    for (let k = 0; k < c.length; k++) f += w[k] === 0 ? 0 : w[k] * c[k];
    return f;
  }

  /** Target measure of a component row and its fitness. */
  measureOf(c: number[], f: number): number {
    return this.user.targetMeasure ? this.user.targetMeasure(c, f) : f;
  }

  bestIndex(): number {
    let b = 0;
    for (let i = 1; i < this.fit.length; i++) if (cmpFitness(this.fit[i], this.fit[b]) < 0) b = i;
    return b;
  }

  /** The points to evaluate next (the initial population, this generation's trials, or a restart's new points). */
  ask(): Float64Array[] {
    if (this.done) throw new Error("ask() after the run stopped");
    if (this.pending) return this.pending;
    const o = this.opts;
    if (this.generation < 0) {
      this.pendingKind = "init";
      this.pending =
        o.init === "opposition"
          ? oppositionInit(o.np, this.bounds, this.rand)
          : uniformInit(o.np, this.bounds, this.rand);
      return this.pending;
    }
    // new generation: weights from the previous generation's best, then rescore the parents
    const sc = this.user.scalarisation;
    if (sc?.update && this.generation >= 0) {
      this.weights = sc.update(this.comp[this.bestIndex()].slice(), this.generation + 1).slice();
      for (let i = 0; i < this.pop.length; i++) this.fit[i] = this.fitnessOf(this.comp[i]);
    }
    if (this.restartPending) {
      this.pendingKind = "restart";
      this.pending = this.restartPoints(this.pop[this.bestIndex()]);
      return this.pending;
    }
    const np = o.np;
    const order = selectFittest(this.fit, np);
    const best = order[0];
    const nP = Math.max(1, Math.round(o.p * np));
    const mutate = MUTATIONS[o.strategy];
    const trials: Float64Array[] = [];
    this.trialCR = [];
    this.trialF = [];
    for (let i = 0; i < np; i++) {
      const CR = o.adaptive ? sampleCR(this.muCR, this.gauss) : o.CR;
      const F = o.adaptive ? sampleF(this.muF, this.rand) : o.F;
      const pbest = o.strategy === "current-to-pbest/1" ? order[Math.floor(this.rand() * nP)] : best;
      const v = new Float64Array(this.dim);
      mutate({ pop: this.pop, i, best, pbest, archive: o.archive ? this.archive : [], F, rand: this.rand }, v);
      repairBounds(v, this.pop[i], this.bounds, o.boundRule, this.rand);
      binomialCrossover(this.pop[i], v, CR, this.rand);
      trials.push(v);
      this.trialCR.push(CR);
      this.trialF.push(F);
    }
    this.pendingKind = "trial";
    this.pending = trials;
    return trials;
  }

  /** The NP - 1 new points of a restart (see `RestartOptions`); sources read before the archive is cleared. */
  private restartPoints(best: Float64Array): Float64Array[] {
    const r = this.opts.restart!;
    const { lower, upper } = this.bounds;
    const d = this.dim;
    const n = this.opts.np - 1;
    const nOpp = Math.round(r.opposition * n);
    const nLoc = Math.min(n - nOpp, Math.round(r.local * n));
    const sources = [...this.archive, ...this.pop];
    const out: Float64Array[] = [];
    for (let k = 0; k < nOpp; k++) {
      const src = sources[Math.floor(this.rand() * sources.length)];
      const x = new Float64Array(d);
      for (let j = 0; j < d; j++) {
        const c = 0.5 * (lower[j] + upper[j]);
        const opp = lower[j] + upper[j] - src[j];
        x[j] = c + this.rand() * (opp - c);
      }
      out.push(x);
    }
    for (let k = 0; k < nLoc; k++) {
      const x = new Float64Array(d);
      for (let j = 0; j < d; j++) x[j] = best[j] + r.spread * (upper[j] - lower[j]) * this.gauss();
      repairBounds(x, best, this.bounds, "reflect", this.rand);
      out.push(x);
    }
    while (out.length < n) {
      const x = new Float64Array(d);
      for (let j = 0; j < d; j++) x[j] = lower[j] + this.rand() * (upper[j] - lower[j]);
      out.push(x);
    }
    this.archive = [];
    this.muF = this.opts.F;
    this.muCR = this.opts.CR;
    return out;
  }

  /** Objective values of the points of the last ask(), in the same order. */
  tell(values: number[] | number[][]): GenerationRecord {
    const xs = this.pending;
    if (!xs) throw new Error("tell() without a pending ask()");
    const vals = normaliseValues(values, xs.length);
    this.pending = null;
    const o = this.opts;
    const evalBefore = this.evaluations;
    this.evaluations += xs.length;
    const fits = vals.map((c) => this.fitnessOf(c));
    if (o.target !== null && this.evaluationsToTarget === null) {
      for (let k = 0; k < xs.length; k++) {
        if (this.measureOf(vals[k], fits[k]) <= o.target) {
          this.evaluationsToTarget = evalBefore + k + 1;
          break;
        }
      }
    }
    let successes: number;
    if (this.pendingKind === "init") {
      const keep = o.init === "opposition" ? selectFittest(fits, o.np) : xs.map((_, i) => i);
      this.pop = keep.map((i) => xs[i]);
      this.fit = keep.map((i) => fits[i]);
      this.comp = keep.map((i) => vals[i]);
      successes = o.np;
    } else if (this.pendingKind === "restart") {
      // elitism: the best individual stays, the others are the new points
      const b = this.bestIndex();
      this.pop = [this.pop[b], ...xs];
      this.fit = [this.fit[b], ...fits];
      this.comp = [this.comp[b], ...vals];
      this.restartPending = null;
      successes = xs.length;
    } else {
      const sCR: number[] = [];
      const sF: number[] = [];
      for (let i = 0; i < xs.length; i++) {
        if (cmpFitness(fits[i], this.fit[i]) < 0) {
          if (o.archive) this.archive.push(this.pop[i]);
          this.pop[i] = xs[i];
          this.fit[i] = fits[i];
          this.comp[i] = vals[i];
          sCR.push(this.trialCR[i]);
          sF.push(this.trialF[i]);
        }
      }
      successes = sCR.length;
      while (this.archive.length > o.np) this.archive.splice(Math.floor(this.rand() * this.archive.length), 1);
      if (o.adaptive) ({ muCR: this.muCR, muF: this.muF } = updateMeans(this.muCR, this.muF, sCR, sF, o.c));
    }
    this.generation++;
    const b = this.bestIndex();
    const rec: GenerationRecord = {
      generation: this.generation,
      evaluations: this.evaluations,
      best: this.fit[b],
      median: median(this.fit),
      bestComponents: this.comp[b].slice(),
      measure: this.measureOf(this.comp[b], this.fit[b]),
      weights: this.weights.slice(),
      muF: this.muF,
      muCR: this.muCR,
      successRate: successes / o.np,
      diversity: diversity(this.pop, this.bounds),
      bestX: Float64Array.from(this.pop[b]),
    };
    this.history.push(rec);
    this.stopReason = this.checkStop(rec);
    if (this.stopReason === null) {
      const reason = this.checkRestart(rec);
      if (reason) {
        const r: RestartRecord = {
          reason,
          generation: rec.generation,
          bestBefore: rec.best,
          measureBefore: rec.measure,
          diversity: rec.diversity,
        };
        this.restarts.push(r);
        this.restartPending = r;
        this.lastRestart = rec.generation;
        rec.restart = r;
      }
    }
    if (this.user.onGeneration && this.user.onGeneration(rec) === "stop" && this.stopReason === null)
      this.stopReason = "callback";
    return rec;
  }

  private checkStop(rec: GenerationRecord): StopReason | null {
    const o = this.opts;
    if (o.target !== null && rec.measure <= o.target) return "target";
    if (rec.generation >= o.maxGenerations) return "generations";
    if (this.evaluations + o.np > o.maxEvaluations) return "evaluations";
    const st = this.user.stagnation;
    if (st && st.generations > 0 && rec.generation >= st.generations) {
      const old = this.history[this.history.length - 1 - st.generations].measure;
      const tol = st.tolerance ?? 1e-6;
      if (old - rec.measure <= tol * Math.abs(old)) return "stagnation";
    }
    return null;
  }

  /** The restart rule of `RestartOptions`, after generation `rec`. */
  private checkRestart(rec: GenerationRecord): RestartRecord["reason"] | null {
    const r = this.opts.restart;
    if (!r || this.restarts.length >= r.max || rec.generation < 1) return null;
    const stalled = (window: number) => {
      if (rec.generation - this.lastRestart < window) return false;
      const old = this.history[rec.generation - window].measure;
      return old - rec.measure <= r.tolerance * Math.abs(old);
    };
    if (rec.diversity < r.diversity && stalled(r.diversityWindow)) return "diversity";
    if (stalled(r.generations)) return "stagnation";
    return null;
  }

  result(seconds = 0): DEResult {
    const b = this.bestIndex();
    return {
      x: Float64Array.from(this.pop[b]),
      fitness: this.fit[b],
      components: this.comp[b].slice(),
      measure: this.measureOf(this.comp[b], this.fit[b]),
      generations: this.generation,
      evaluations: this.evaluations,
      evaluationsToTarget: this.evaluationsToTarget,
      stopReason: this.stopReason ?? "callback",
      history: this.history,
      population: this.pop.map((x) => Float64Array.from(x)),
      populationFitness: this.fit.slice(),
      populationComponents: this.comp.map((c) => c.slice()),
      muF: this.muF,
      muCR: this.muCR,
      seconds,
      restarts: this.restarts.map((r) => ({ ...r })),
    };
  }

  /**
   * The whole state as a JSON-serialisable object (non-finite numbers, -0 and Float64Arrays are
   * encoded so that `JSON.parse(JSON.stringify(s))` restores them exactly). Callbacks are not
   * part of it: pass the same options to `restore`.
   */
  snapshot(): DESnapshot {
    return encodeState({
      format: SNAPSHOT_FORMAT,
      dim: this.dim,
      lower: this.bounds.lower,
      upper: this.bounds.upper,
      np: this.opts.np,
      strategy: this.opts.strategy,
      seed: this.opts.seed,
      rng: this.rng.state,
      pop: this.pop,
      fit: this.fit,
      comp: this.comp,
      archive: this.archive,
      weights: this.weights,
      muF: this.muF,
      muCR: this.muCR,
      generation: this.generation,
      evaluations: this.evaluations,
      evaluationsToTarget: this.evaluationsToTarget,
      stopReason: this.stopReason,
      history: this.history,
      restarts: this.restarts,
      pending: this.pending,
      pendingKind: this.pendingKind,
      trialCR: this.trialCR,
      trialF: this.trialF,
      restartPending: this.restartPending === null ? -1 : this.restarts.indexOf(this.restartPending),
      lastRestart: this.lastRestart,
    }) as DESnapshot;
  }

  /**
   * A run continued from `snapshot()`: the same options must be given again (callbacks included);
   * bounds, np, strategy and seed must match the snapshot. The continued run is bit-identical to
   * the uninterrupted one. A stopped run stays stopped.
   */
  static restore(snapshot: DESnapshot, options: DEOptions = {}): DifferentialEvolution {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- decoded JSON, checked field by field below
    const s = decodeState(snapshot) as Record<string, any>;
    if (!s || s.format !== SNAPSHOT_FORMAT)
      throw new ValidationError(
        `snapshot`,
        `not a DifferentialEvolution snapshot (format '${s && s.format}', expected '${SNAPSHOT_FORMAT}')`,
      );
    const de = new DifferentialEvolution({ lower: s.lower, upper: s.upper }, options);
    for (const k of ["np", "strategy", "seed"] as const) {
      if (de.opts[k] !== s[k])
        throw new ValidationError(
          `options.${k}`,
          `${de.opts[k]} differs from the snapshot's ${s[k]}; pass the options of the interrupted run`,
        );
    }
    de.rng.state = s.rng;
    de.pop = s.pop;
    de.fit = s.fit;
    de.comp = s.comp;
    de.archive = s.archive;
    de.weights = s.weights;
    de.muF = s.muF;
    de.muCR = s.muCR;
    de.generation = s.generation;
    de.evaluations = s.evaluations;
    de.evaluationsToTarget = s.evaluationsToTarget;
    de.stopReason = s.stopReason;
    de.history.push(...(s.history as GenerationRecord[]));
    de.restarts.push(...(s.restarts as RestartRecord[]));
    // records share restart objects with the list, as in the uninterrupted run
    for (const h of de.history)
      if (h.restart) h.restart = de.restarts.find((r) => r.generation === h.restart!.generation) ?? h.restart;
    de.pending = s.pending;
    de.pendingKind = s.pendingKind;
    de.trialCR = s.trialCR;
    de.trialF = s.trialF;
    de.restartPending = s.restartPending >= 0 ? de.restarts[s.restartPending] : null;
    de.lastRestart = s.lastRestart;
    return de;
  }

  /**
   * Put a polished point (from LM) into the population in place of the best when its fitness is
   * better; returns the result's `polish` entry. `evaluations` are added to the run's count.
   */
  applyPolish(lm: LMResult, components: number[], evaluations: number): NonNullable<DEResult["polish"]> {
    const b = this.bestIndex();
    const before = this.fit[b];
    const f = this.fitnessOf(components);
    const accepted = cmpFitness(f, before) < 0;
    if (accepted) {
      this.pop[b] = Float64Array.from(lm.x);
      this.fit[b] = f;
      this.comp[b] = components.slice();
    }
    this.evaluations += evaluations;
    return {
      evaluations,
      iterations: lm.iterations,
      before,
      after: this.fit[b],
      polished: f,
      accepted,
      stopReason: lm.stopReason,
      during: [],
    };
  }

  /**
   * Put a point evaluated outside ask/tell (a polish during the run) in place of the worst
   * individual when it is better than the best; `evaluations` are added to the run's count. The
   * run stops ("target") when the point reaches the target.
   */
  inject(x: ArrayLike<number>, components: number[], evaluations: number): PolishRun {
    const b = this.bestIndex();
    const before = this.fit[b];
    const f = this.fitnessOf(components);
    const accepted = cmpFitness(f, before) < 0;
    if (accepted) {
      let w = 0;
      for (let i = 1; i < this.fit.length; i++) if (cmpFitness(this.fit[i], this.fit[w]) > 0) w = i;
      const y = Float64Array.from(x);
      for (let j = 0; j < this.dim; j++) y[j] = Math.min(this.bounds.upper[j], Math.max(this.bounds.lower[j], y[j]));
      this.pop[w] = y;
      this.fit[w] = f;
      this.comp[w] = components.slice();
      if (this.opts.target !== null && this.stopReason === null && this.measureOf(components, f) <= this.opts.target)
        this.stopReason = "target";
    }
    this.evaluations += evaluations;
    return { generation: this.generation, evaluations, before, polished: f, accepted };
  }
}

const SNAPSHOT_FORMAT = "geoinv.optim.DifferentialEvolution/1";

/** A JSON-serialisable checkpoint of a DifferentialEvolution run. */
export type DESnapshot = { format: string; [key: string]: unknown };

/** Encode for JSON: Float64Array -> {$f64: [...]}, NaN/Infinity/-0 -> {$n: "..."}. */
export function encodeState(v: unknown): unknown {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { $n: "NaN" };
    if (v === Infinity) return { $n: "Infinity" };
    if (v === -Infinity) return { $n: "-Infinity" };
    if (Object.is(v, -0)) return { $n: "-0" };
    return v;
  }
  if (v instanceof Float64Array) return { $f64: Array.from(v, encodeState) };
  if (Array.isArray(v)) return v.map(encodeState);
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = encodeState(x);
    return o;
  }
  return v;
}

export function decodeState(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeState);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$n === "string" && Object.keys(o).length === 1) return o.$n === "-0" ? -0 : Number(o.$n);
    if (Array.isArray(o.$f64) && Object.keys(o).length === 1)
      return Float64Array.from(o.$f64.map(decodeState) as number[]);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = decodeState(x);
    return out;
  }
  return v;
}

/** What runCore asks its driver for ("generation": a checkpoint point, only for ResumableRun; xs empty). */
export type Request = { kind: "objective" | "residuals" | "generation"; xs: Float64Array[] };

/** One LM polish from the current best, through `Request`s; counts evaluations and notes the target. */
function* polishOnce(
  de: DifferentialEvolution,
  p: PolishOptions,
): Generator<Request, { lm: LMResult; evaluations: number }, unknown> {
  const lmOpts: LMOptions = { ...(p.lm ?? {}), maxIterations: p.maxIterations ?? p.lm?.maxIterations ?? 100 };
  const it = lmIterator(de.pop[de.bestIndex()], de.bounds, lmOpts);
  const target = de.opts.target;
  let count = 0;
  // explicit casts: tslab compiles without strictNullChecks, where `!step.done` does not narrow
  let step = it.next();
  while (step.done !== true) {
    const xs = step.value as Float64Array[];
    const rows = (yield { kind: "residuals", xs }) as number[][];
    if (target !== null && de.evaluationsToTarget === null && Array.isArray(rows)) {
      for (let k = 0; k < rows.length; k++) {
        const c = p.components(Array.from(rows[k]));
        if (de.measureOf(c, de.fitnessOf(c)) <= target) {
          de.evaluationsToTarget = de.evaluations + count + k + 1;
          break;
        }
      }
    }
    count += xs.length;
    step = it.next(rows);
  }
  return { lm: step.value as LMResult, evaluations: count };
}

/**
 * The whole minimize run (DE, polishes during the run, final polish) as a generator of evaluation
 * requests. With `resumable` (ResumableRun, src/optim/resumable.ts) it also yields a "generation"
 * step after each generation (and its polish during the run) that did not end the DE: the points
 * where a run may be checkpointed; `during` collects the polishes during the run (a resumed run
 * passes the ones done before its snapshot).
 */
export function* runCore(
  de: DifferentialEvolution,
  options: DEOptions,
  resumable?: { during: PolishRun[] },
): Generator<Request, DEResult["polish"], unknown> {
  const p = options.polish;
  const every = p?.every ?? 0;
  const onRestart = p?.onRestart ?? false;
  const during: PolishRun[] = resumable ? resumable.during : [];
  while (!de.done) {
    const rec = de.tell((yield { kind: "objective", xs: de.ask() }) as number[] | number[][]);
    if (
      p &&
      !de.done &&
      ((every > 0 && rec.generation > 0 && rec.generation % every === 0) || (onRestart && rec.restart))
    ) {
      const { lm, evaluations } = yield* polishOnce(de, p);
      during.push(de.inject(lm.x, p.components(lm.residuals), evaluations));
    }
    if (resumable && !de.done) yield { kind: "generation", xs: [] };
  }
  if (!p) return undefined;
  const { lm, evaluations } = yield* polishOnce(de, p);
  const res = de.applyPolish(lm, p.components(lm.residuals), evaluations);
  res.during = during;
  return res;
}

export function checkPolish(p: PolishOptions | undefined): void {
  if (p === undefined) return;
  if (typeof p !== "object" || typeof p.residuals !== "function" || typeof p.components !== "function") {
    throw new ValidationError("polish", "must be { residuals: (xs) => number[][], components: (r) => number[] }");
  }
  if (p.every !== undefined) num(p.every, 0, "polish.every", 0, 1e9, true);
}

/**
 * The start of a minimize or minimizeAsync run: its clock (t0), the polish options checked, the
 * optimiser and the generator of its evaluation requests (runCore).
 */
function startRun(
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  options: DEOptions,
): { t0: number; de: DifferentialEvolution; run: ReturnType<typeof runCore> } {
  const t0 = performance.now();
  checkPolish(options.polish);
  const de = new DifferentialEvolution(bounds, options);
  return { t0, de, run: runCore(de, options) };
}

/**
 * The result of a finished run (minimize, minimizeAsync, ResumableRun): the optimiser's, timed
 * from `t0`, with the final polish when runCore returned one.
 */
export function runResult(de: DifferentialEvolution, t0: number, polished: DEResult["polish"]): DEResult {
  const res = de.result((performance.now() - t0) / 1000);
  if (polished) res.polish = polished;
  return res;
}

/** Minimise a synchronous batch objective over box bounds by DE (JADE with OBL by default). */
export function minimize(
  objective: Objective,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  options: DEOptions = {},
): DEResult {
  const { t0, de, run } = startRun(bounds, options);
  let step = run.next();
  while (step.done !== true) {
    const req = step.value as Request;
    if (req.kind === "objective") {
      step = run.next(objective(req.xs));
    } else {
      const rows = options.polish!.residuals(req.xs);
      if (rows && typeof (rows as Promise<number[][]>).then === "function")
        throw new ValidationError("polish.residuals", "returned a Promise; use minimizeAsync");
      step = run.next(rows);
    }
  }
  return runResult(de, t0, step.value as DEResult["polish"]);
}

/**
 * The same run with an asynchronous batch objective (e.g. a WorkerPool): identical results to
 * `minimize` for the same seed and objective values.
 */
export async function minimizeAsync(
  objective: AsyncObjective,
  bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  options: DEOptions = {},
): Promise<DEResult> {
  const { t0, de, run } = startRun(bounds, options);
  let step = run.next();
  while (step.done !== true) {
    const req = step.value as Request;
    step = run.next(req.kind === "objective" ? await objective(req.xs) : await options.polish!.residuals(req.xs));
  }
  return runResult(de, t0, step.value as DEResult["polish"]);
}
