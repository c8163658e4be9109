import { performance } from "perf_hooks";
import { gaussian, mulberry32 } from "../config";
import { sampleCR, sampleF, updateMeans } from "./adapt";
import { BOUND_RULES, BoundRule, Bounds, makeBounds, repairBounds } from "./bounds";
import { ValidationError } from "./errors";
import { cmpFitness, oppositionInit, selectFittest, uniformInit } from "./init";
import { binomialCrossover, MIN_POPULATION, MUTATIONS, Strategy, STRATEGIES } from "./mutation";

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

export interface DEOptions {
  /** Population size NP (default 10 x dimension, at least 10). */
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
}

/** Parse a strategy name: "jade", "rand/1", "DE/rand/1", "DE/rand/1/bin" ... */
export function parseStrategy(name: string): { strategy: Strategy; jade: boolean } {
  const s = String(name).trim().toLowerCase().replace(/^de\//, "").replace(/\/bin$/, "");
  if (s === "jade") return { strategy: "current-to-pbest/1", jade: true };
  const hit = STRATEGIES.find((t) => t === s);
  if (!hit) {
    throw new ValidationError(`strategy: unknown '${name}'; use "jade" or one of ${STRATEGIES.map((t) => `"DE/${t}"`).join(", ")}`);
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

export function resolveOptions(dim: number, o: DEOptions): Resolved {
  const { strategy, jade } = parseStrategy(o.strategy ?? "jade");
  const adaptive = o.adaptive ?? jade;
  const np = num(o.np, Math.max(10, 10 * dim), "np", MIN_POPULATION[strategy], 1e6, true);
  const boundRule = o.boundRule ?? "midpoint";
  if (!BOUND_RULES.includes(boundRule)) throw new ValidationError(`boundRule: unknown '${boundRule}'; use one of ${BOUND_RULES.join(", ")}`);
  const init = o.init ?? "opposition";
  if (init !== "opposition" && init !== "random") throw new ValidationError(`init: unknown '${init}'; use "opposition" or "random"`);
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
  };
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
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const y = pop[i][j];
      s += y;
      s2 += y * y;
    }
    const m = s / n;
    acc += Math.sqrt(Math.max(0, s2 / n - m * m)) / (bounds.upper[j] - bounds.lower[j]);
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
 * how or where the points were evaluated (serially, in workers, in any order).
 */
export class DifferentialEvolution {
  readonly bounds: Bounds;
  readonly dim: number;
  readonly opts: Resolved;
  private readonly user: DEOptions;
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
  private pending: Float64Array[] | null = null;
  private trialCR: number[] = [];
  private trialF: number[] = [];

  constructor(bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][], options: DEOptions = {}) {
    this.bounds = makeBounds(bounds);
    this.dim = this.bounds.lower.length;
    this.opts = resolveOptions(this.dim, options);
    this.user = options;
    this.rand = mulberry32(this.opts.seed);
    this.gauss = gaussian(this.rand);
    this.muF = this.opts.F;
    this.muCR = this.opts.CR;
    if (options.scalarisation) this.weights = options.scalarisation.initial.slice();
  }

  get done(): boolean {
    return this.stopReason !== null;
  }

  private fitnessOf(c: number[]): number {
    const w = this.weights;
    if (c.length !== w.length) {
      throw new Error(`objective returned ${c.length} components but the scalarisation has ${w.length} weights`);
    }
    let f = 0;
    for (let k = 0; k < c.length; k++) f += w[k] === 0 ? 0 : w[k] * c[k];
    return f;
  }

  private measureOf(c: number[], f: number): number {
    return this.user.targetMeasure ? this.user.targetMeasure(c, f) : f;
  }

  bestIndex(): number {
    let b = 0;
    for (let i = 1; i < this.fit.length; i++) if (cmpFitness(this.fit[i], this.fit[b]) < 0) b = i;
    return b;
  }

  /** The points to evaluate next (the initial population, or this generation's trials). */
  ask(): Float64Array[] {
    if (this.done) throw new Error("ask() after the run stopped");
    if (this.pending) return this.pending;
    const o = this.opts;
    if (this.generation < 0) {
      this.pending = o.init === "opposition" ? oppositionInit(o.np, this.bounds, this.rand) : uniformInit(o.np, this.bounds, this.rand);
      return this.pending;
    }
    // new generation: weights from the previous generation's best, then rescore the parents
    const sc = this.user.scalarisation;
    if (sc?.update && this.generation >= 0) {
      this.weights = sc.update(this.comp[this.bestIndex()].slice(), this.generation + 1).slice();
      for (let i = 0; i < this.pop.length; i++) this.fit[i] = this.fitnessOf(this.comp[i]);
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
    this.pending = trials;
    return trials;
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
    let successes = 0;
    if (this.generation < 0) {
      const keep = o.init === "opposition" ? selectFittest(fits, o.np) : xs.map((_, i) => i);
      this.pop = keep.map((i) => xs[i]);
      this.fit = keep.map((i) => fits[i]);
      this.comp = keep.map((i) => vals[i]);
      successes = o.np;
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
    if (this.user.onGeneration && this.user.onGeneration(rec) === "stop" && this.stopReason === null) this.stopReason = "callback";
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
    };
  }
}

/** Minimise a synchronous batch objective over box bounds by DE (JADE with OBL by default). */
export function minimize(objective: Objective, bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][], options: DEOptions = {}): DEResult {
  const t0 = performance.now();
  const de = new DifferentialEvolution(bounds, options);
  while (!de.done) de.tell(objective(de.ask()));
  return de.result((performance.now() - t0) / 1000);
}

/**
 * The same run with an asynchronous batch objective (e.g. a WorkerPool): identical results to
 * `minimize` for the same seed and objective values.
 */
export async function minimizeAsync(objective: AsyncObjective, bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][], options: DEOptions = {}): Promise<DEResult> {
  const t0 = performance.now();
  const de = new DifferentialEvolution(bounds, options);
  while (!de.done) de.tell(await objective(de.ask()));
  return de.result((performance.now() - t0) / 1000);
}

