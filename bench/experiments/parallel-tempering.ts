/**
 * EXPERIMENT (issue 14: posteriors with 13-21 unknowns do not converge): parallel tempering
 * (replica exchange) of DREAM(ZS) populations, against the default `samplePosterior` at equal
 * total evaluations. Not in src/; nothing else uses it.
 *
 * K DreamZS populations of `chains` chains each run at inverse temperatures
 * beta_1 = 1 > beta_2 > ... > beta_K on the targets L^beta x prior (each population told
 * beta x log L, so its own Metropolis-Hastings ratios, independence move included, target the
 * tempered posterior), each with its own archive Z. After every iteration, adjacent levels
 * propose swaps, deterministic even-odd (DEO): at odd iterations the pairs (1,2), (3,4), ..., at
 * even ones (2,3), (4,5), ...; chain slot i of level k swaps with slot i of level k + 1 with
 * probability min(1, exp((beta_k - beta_{k+1}) (log L_{k+1} - log L_k))). So slot i of all levels
 * is one replica-exchange ladder (8 independent ladders, coupled only through the archives, as
 * DREAM(ZS)'s chains are), and the beta = 1 population's stored states are the posterior sample:
 * its R-hat, ESS, quantiles and burn-in (the first half) are DreamZS's own, as in the default.
 *
 * Starts: the cold population exactly as `samplePosterior` (src/inversion/posterior.ts) without
 * its tempered search (skipped below a budget of ~78 000, so also off in the default at 60 000):
 * linearised Gaussian C = (J^T J + P)^-1 at the DE's best, chains from draws with twice its sd,
 * archive = the DE's final population + 10 d draws with its sd, the same random stream. A hot
 * level uses the tempered linearisation C_beta = (beta J^T J + P)^-1 the same way (its own stream).
 *
 * Budget: every level's evaluations count; the run stops when the next iteration of all K levels
 * would pass `--budget` (or when the cold population meets the stop rule R-hat < 1.05, ESS >= 400).
 * `evaluations` reported = sampler evaluations + the Jacobian's 2 d + 1 (the default's summary
 * also adds its 100 predictive draws).
 *
 *   nice -n 19 npx tsx bench/experiments/parallel-tempering.ts --seed 2 --only 0 --budget 60000 \
 *     --workers 1 --ladders default,5:0.1 --out bench/results/parallel-tempering.json
 *
 * A ladder is `K:betaMin` (geometric betas betaMin^(k/(K-1)), k = 0..K-1) or `default` (the
 * default samplePosterior, no tempering); `--sampler-seeds 1,2,3` repeats each with other sampler
 * seeds on the same DE result. The output is written after every row (each row with its command); a
 * rerun with the same --out skips the rows already there (same problem, ladder, budget and seed).
 *
 * `--config examples/tem_l10_ip2_posterior.json` takes the problem from an example config instead, as
 * `geoinv tem invert` builds it (runInvertConfig): synthetic data from its model, its own DE (its
 * optimizer block and seed), the posterior block's options and seed (else the optimizer's), the
 * budget from its max_evaluations unless --budget is given. Every row also records the chi-square
 * of the truth, of the best cold state (PT: over the run; default: of the evaluated draws), of 1000
 * evenly spaced post-burn-in cold draws (best, median) and of the per-parameter median model, and the
 * per-parameter quantiles against the truth. At 420 000 the default row includes samplePosterior's
 * tempered search (on above a budget of ~78 000); the PT levels start from the DE as above.
 *
 *   npx tsx bench/experiments/parallel-tempering.ts --config examples/tem_l10_ip2_posterior.json \
 *     --budget 420000 --workers 2 --ladders 3:0.3,default --out bench/results/parallel-tempering-l10.json
 *
 * Result (bench/results/parallel-tempering.json, 2026-12-04, 1 worker, nice 19, load 0.2-4): at
 * 60 000 evaluations PT with beta = 1, 0.55, 0.3 (chosen on p00 of seed 2 among 2:0.5, 3:0.3,
 * 4:0.1, 6:0.01; swaps accepted 40-48 %) gave mean R-hat 1.20 / ESS 31 over 3 sampler seeds on
 * p00 against the default's 1.29 / 24, and on p10 of seed 1 (2 seeds) 1.11 / 53 against 1.16 / 36:
 * a small gain, far from the targets (R-hat < 1.05, ESS >= 400). Hotter ladders lost (4:0.1: 1.29
 * / 21; 6:0.01: 1.37 / 18), and the hot levels accept 1-5 % of their moves, no more than the cold
 * one: tempering to beta 0.01 does not straighten what slows DREAM(ZS) here. Down to
 * 1 / (median chi-square of uniform draws) (2.7e6 on p00) a geometric ladder would need ~16
 * levels for swaps to pass, each costing as much as the cold one.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gaussian, mulberry32 } from "../../src/config";
import {
  compileParameterisation,
  invert,
  inversionPool,
  OBJECTIVE_MODULE,
  parseInvertConfig,
  poolPredictor,
  samplePosterior,
  syntheticProblem,
  toVector,
  withSyntheticData,
} from "../../src/inversion";
import type { FreeParameter, InversionProblem, PosteriorOptions } from "../../src/inversion";
import {
  choleskyLower,
  linearisedDraws,
  logLikelihood,
  stackedData,
  whitenedResiduals,
} from "../../src/inversion/internal";
import { DEFAULT_INDEPENDENCE } from "../../src/inversion/posterior";
import {
  DreamZS,
  finiteDifferenceJacobian,
  flattenDraws,
  linearisedCovariance,
  quantiles,
  uniformPriorPrecision,
} from "../../src/sampling";
import { arg, argv, loadAverages, rowsFile } from "../support";
import { configTruth, deForPosterior } from "../support/posterior";

/** An example config (`geoinv tem invert`'s): its problem, synthetic data and DE instead of --seed/--only. */
const configPath = arg("--config", "");
const config = configPath ? parseInvertConfig(JSON.parse(fs.readFileSync(configPath, "utf8"))) : null;
const seed = Number(arg("--seed", "2"));
const only = arg("--only", "0").split(",").map(Number);
const budget = Number(arg("--budget", String(config?.posterior?.maxEvaluations ?? 60000)));
const workers = Number(arg("--workers", "1"));
const generations = Number(arg("--generations", "300"));
const chains = Number(arg("--chains", "8"));
const ladders = arg("--ladders", "default,5:0.1").split(",");
/** Sampler seeds (the DE is the same); default: problem + 1, as the posterior benches. */
const samplerSeeds = arg("--sampler-seeds", "")
  .split(",")
  .filter((v) => v !== "")
  .map(Number);
const out = arg("--out", path.join(__dirname, "..", "results", "parallel-tempering.json"));

/** samplePosterior's START_SCALE and ARCHIVE_SCALE (not exported; src/inversion/posterior.ts). */
const START_SCALE = 2;
const ARCHIVE_SCALE = 1;

interface Row {
  /** The command that made the row (several invocations share one --out). */
  command: string;
  /** syntheticProblem's generator seed (2: tuning, 1: benchmark); null with --config. */
  problem_seed: number | null;
  /** The example config (--config), or absent. */
  config?: string;
  problem: string;
  free: number;
  data: number;
  budget: number;
  sampler: string;
  sampler_seed: number;
  betas: number[] | null;
  rhat_max: number;
  ess_min: number;
  stop: string;
  evaluations: number;
  /** Evaluations of the beta = 1 population (the posterior sample). */
  cold_evaluations: number;
  iterations: number;
  acceptance: number;
  acceptance_by_move: Record<string, number | null>;
  /** Per level (cold first): overall acceptance. */
  acceptance_by_level?: number[];
  /** Per adjacent pair (1-2, 2-3, ...): accepted / proposed swaps. */
  swap_acceptance?: number[];
  /**
   * Arrivals at the cold level of states that were at the hottest level since they last left the
   * cold one (all slots): half round trips.
   */
  hot_to_cold?: number;
  /** Median chi-square of each level's states (every 10th iteration, second half), cold first. */
  chi2_median_by_level?: number[];
  covered: number;
  coverage: number;
  /** Chi-square of the DE's best and the median over 64 uniform draws in the box (ladder choice; not counted). */
  chi2_de_best: number;
  chi2_uniform_median: number;
  /** Chi-square of the true model (search vector of the truth) under the inversion's forward. */
  chi2_truth?: number;
  /** Best (lowest) chi-square of the cold chains' states over the whole run (PT only: tracked per iteration). */
  chi2_best_cold?: number;
  /** Best chi-square of any level's states over the whole run (PT only). */
  chi2_best_any_level?: number;
  /** Best and median chi-square over DRAW_SAMPLE evenly spaced post-burn-in cold draws. */
  chi2_best_draw?: number;
  chi2_median_draw?: number;
  /** Chi-square of the model of per-parameter medians of the cold draws. */
  chi2_q50_model?: number;
  /** Per free parameter (physical units): truth, cold 5/50/95 % quantiles, the best cold state, inside. */
  parameters?: {
    name: string;
    layer: number;
    true: number;
    q05: number;
    q50: number;
    q95: number;
    best: number;
    inside: boolean;
  }[];
  seconds: number;
  load: string;
}

/** Post-burn-in cold draws evaluated for the chi-square statistics (evenly spaced; not counted). */
const DRAW_SAMPLE = 1000;

const niceness = os.getPriority();
const command = `${niceness > 0 ? `nice -n ${niceness} ` : ""}npx tsx bench/experiments/parallel-tempering.ts ${argv.join(" ")}`;
const { rows, save } = rowsFile<Row>(
  out,
  "bench/experiments/parallel-tempering.ts",
  config ? { config: configPath, workers, chains } : { seed, workers, chains },
);

function median(v: number[]): number {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
}

function parseLadder(s: string): number[] | null {
  if (s === "default") return null;
  const [K, betaMin] = s.split(":").map(Number);
  if (!(Number.isInteger(K) && K >= 2 && betaMin > 0 && betaMin < 1))
    throw new Error(`bad ladder '${s}': use K:betaMin`);
  return Array.from({ length: K }, (_, k) => betaMin ** (k / (K - 1)));
}

interface PtResult {
  rhatMax: number;
  essMin: number;
  stop: string;
  evaluations: number;
  coldEvaluations: number;
  iterations: number;
  acceptance: number;
  acceptanceByMove: Record<string, number | null>;
  acceptanceByLevel: number[];
  swapAcceptance: number[];
  hotToCold: number;
  chi2MedianByLevel: number[];
  draws: Float64Array[];
  /** The lowest chi-square cold state over the run, and the lowest chi-square of any level's states. */
  bestCold: { x: Float64Array; chi2: number };
  bestAnyLevel: number;
}

/**
 * Where a run starts: the box, the Jacobian J at the DE's best model xb, the DE's population, the
 * ladder and the run's seed.
 */
interface PtStart {
  bounds: { lower: Float64Array; upper: Float64Array };
  J: number[][];
  xb: Float64Array;
  population: Float64Array[];
  betas: number[];
  runSeed: number;
}

/**
 * The K DreamZS populations: level 0 started as samplePosterior starts its chains (the same
 * random stream), level k from the tempered linearisation C_beta = (beta J^T J + P)^-1.
 */
function makeLevels({ bounds, J, xb, population, betas, runSeed }: PtStart): DreamZS[] {
  const d = xb.length;
  const prec = uniformPriorPrecision(bounds);
  return betas.map((beta, k) => {
    // C_beta = (beta J^T J + P)^-1: the linearisation of L^beta x prior
    const Jb = J.map((row) => row.map((v) => Math.sqrt(beta) * v));
    const lin = linearisedCovariance(Jb, prec);
    // level 0: samplePosterior's stream; the others their own
    const g = gaussian(mulberry32(k === 0 ? runSeed ^ 0x5bd1e995 : (runSeed ^ 0x5bd1e995) + 7919 * k));
    const draw = linearisedDraws(xb, choleskyLower(lin.covariance), bounds, g);
    const initialStates = Array.from({ length: chains }, () => draw(START_SCALE));
    const initialArchive = [
      ...population.map((x) => Float64Array.from(x)),
      ...Array.from({ length: 10 * d }, () => draw(ARCHIVE_SCALE)),
    ];
    return new DreamZS(bounds, {
      independence: DEFAULT_INDEPENDENCE,
      snooker: 0.1,
      blockIndependence: 0,
      chains,
      seed: k === 0 ? runSeed : (runSeed * 2654435761 + 104729 * k) >>> 0,
      maxEvaluations: 1e15,
      // only the cold population's stop rule counts; the hot ones never check
      ...(k === 0 ? {} : { checkEvery: 1e9 }),
      initialStates,
      initialArchive,
    });
  });
}

/** Swap counters and the hot-to-cold bookkeeping of a run. */
interface SwapStats {
  proposed: number[];
  accepted: number[];
  /** label[k][i]: which state (an id) sits in slot i of level k. */
  label: number[][];
  /** The last end (0 cold, 1 hottest) each state visited. */
  lastEnd: Map<number, number>;
  hotToCold: number;
}

/**
 * One round of swaps between adjacent levels, deterministic even-odd: pairs (k, k + 1) with k
 * even at odd iterations, k odd at even ones; slot i with slot i. Updates the populations' states
 * and tempered values (DreamZS's public x and ll) and the untempered values L.
 */
function swapRound(
  levels: DreamZS[],
  betas: number[],
  L: number[][],
  iteration: number,
  rand: () => number,
  st: SwapStats,
): void {
  const K = levels.length;
  for (let k = iteration % 2 === 1 ? 0 : 1; k + 1 < K; k += 2) {
    const a = levels[k];
    const b = levels[k + 1];
    for (let i = 0; i < chains; i++) {
      const u = rand();
      st.proposed[k]++;
      const la = L[k][i];
      const lb = L[k + 1][i];
      if (!Number.isFinite(la) || !Number.isFinite(lb)) continue;
      // min(1, exp((beta_k - beta_k+1)(log L_k+1 - log L_k)))
      if (Math.log(u) < (betas[k] - betas[k + 1]) * (lb - la)) {
        st.accepted[k]++;
        [a.x[i], b.x[i]] = [b.x[i], a.x[i]];
        [L[k][i], L[k + 1][i]] = [lb, la];
        a.ll[i] = betas[k] * lb;
        b.ll[i] = betas[k + 1] * la;
        [st.label[k][i], st.label[k + 1][i]] = [st.label[k + 1][i], st.label[k][i]];
      }
    }
  }
  for (let i = 0; i < chains; i++) {
    const c = st.label[0][i];
    if (st.lastEnd.get(c) === 1) st.hotToCold++;
    st.lastEnd.set(c, 0);
    st.lastEnd.set(st.label[K - 1][i], 1);
  }
}

/** Parallel tempering of DreamZS populations (see the comment at the top). */
async function parallelTempering(
  logLik: (xs: Float64Array[]) => Promise<number[]>,
  start: PtStart,
  maxEvaluations: number,
): Promise<PtResult> {
  const { xb, betas, runSeed } = start;
  const K = betas.length;
  const levels = makeLevels(start);
  // untempered log-likelihoods of the current states, per level and slot
  const L: number[][] = betas.map(() => []);
  const swapRand = mulberry32((runSeed ^ 0x2545f491) >>> 0);
  const st: SwapStats = {
    proposed: new Array(K - 1).fill(0),
    accepted: new Array(K - 1).fill(0),
    label: betas.map((_, k) => Array.from({ length: chains }, (_, i) => k * chains + i)),
    lastEnd: new Map(Array.from({ length: chains }, (_, i) => [i, 0] as [number, number])),
    hotToCold: 0,
  };
  const chi2Stored: number[][] = betas.map(() => []);
  const bestCold = { x: Float64Array.from(xb), chi2: Infinity };
  let bestAnyLevel = Infinity;
  const track = () => {
    for (let i = 0; i < chains; i++)
      if (-2 * L[0][i] < bestCold.chi2) {
        bestCold.chi2 = -2 * L[0][i];
        bestCold.x = Float64Array.from(levels[0].x[i]);
      }
    for (const l of L) for (const v of l) bestAnyLevel = Math.min(bestAnyLevel, -2 * v);
  };
  let evaluations = 0;
  let iteration = 0;
  while (evaluations + K * chains <= maxEvaluations) {
    // one batch for all levels
    const v = await logLik(levels.flatMap((s) => s.ask()));
    evaluations += v.length;
    levels.forEach((s, k) => {
      s.tell(v.slice(k * chains, (k + 1) * chains).map((x) => betas[k] * x));
      L[k] = s.ll.map((x) => x / betas[k]);
    });
    track();
    if (levels[0].done) break;
    iteration++;
    swapRound(levels, betas, L, iteration, swapRand, st);
    track();
    if (iteration % 10 === 0) for (let k = 0; k < K; k++) for (const l of L[k]) chi2Stored[k].push(-2 * l);
  }
  const res = levels[0].result();
  return {
    rhatMax: res.rhatMax,
    essMin: res.essMin,
    stop: res.stopReason === "callback" ? "budget" : res.stopReason,
    evaluations,
    coldEvaluations: levels[0].evaluations,
    iterations: res.iterations,
    acceptance: res.acceptance,
    acceptanceByMove: res.acceptanceByMove,
    acceptanceByLevel: levels.map((s) => (s.proposals > 0 ? s.accepted / s.proposals : 0)),
    swapAcceptance: st.proposed.map((p, k) => (p > 0 ? st.accepted[k] / p : NaN)),
    hotToCold: st.hotToCold,
    // chi-square of the states after each 10th iteration's moves and swaps, second half (as the draws)
    chi2MedianByLevel: chi2Stored.map((c) => median(c.slice(c.length >> 1))),
    draws: flattenDraws(res.draws),
    bestCold,
    bestAnyLevel,
  };
}

/** What a row needs of a problem: the DE's result, the likelihood, the bounds and the truth check. */
interface Setup {
  name: string;
  problemSeed: number | null;
  problem: InversionProblem;
  free: FreeParameter[];
  /** The truth's search-space vector. */
  truth: number[];
  /** The config's posterior block (--config; the CLI's options), else {}. */
  posteriorOptions: PosteriorOptions;
  de: { x: ArrayLike<number> };
  population: Float64Array[];
  predict: Awaited<ReturnType<typeof deForPosterior>>["predict"];
  logLik: (xs: Float64Array[]) => Promise<number[]>;
  bounds: { lower: Float64Array; upper: Float64Array };
  observed: ArrayLike<number>;
  error: ArrayLike<number>;
  chi2Truth: number;
  base: Pick<Row, "problem" | "free" | "data" | "budget" | "chi2_de_best" | "chi2_uniform_median">;
}

/** Truth values inside the 90 % intervals ([q05, q95] per parameter, search space). */
function covered(s: Setup, q: number[][]): number {
  return s.truth.filter((t, k) => t >= q[k][0] && t <= q[k][1]).length;
}

type RowPart = Omit<Row, "command" | "problem_seed" | "seconds" | "load">;

/**
 * The chi-square statistics and per-parameter table of a row: `q` = search-space [q05, q50, q95] per
 * parameter (what `covered` used), `draws` the post-burn-in cold draws, `best` the run's best cold
 * state when tracked (else the best of the evaluated draws).
 */
async function drawStats(
  s: Setup,
  draws: Float64Array[],
  q: number[][],
  best: { x: Float64Array; chi2: number } | null,
): Promise<Partial<Row>> {
  const m = Math.min(DRAW_SAMPLE, draws.length);
  const pick = Array.from({ length: m }, (_, i) => draws[Math.floor(((i + 0.5) * draws.length) / m)]);
  const q50 = Float64Array.from(q, (v) => v[1]);
  const chi2 = (await s.logLik([...pick, q50])).map((v) => -2 * v);
  const chi2Q50 = chi2.pop()!;
  let bestDraw = 0;
  for (let i = 1; i < m; i++) if (chi2[i] < chi2[bestDraw]) bestDraw = i;
  const bx = best ? best.x : pick[bestDraw];
  const phys = (f: FreeParameter, v: number) => (f.log ? 10 ** v : v);
  return {
    chi2_truth: s.chi2Truth,
    ...(best ? { chi2_best_cold: best.chi2 } : {}),
    chi2_best_draw: chi2[bestDraw],
    chi2_median_draw: median(chi2),
    chi2_q50_model: chi2Q50,
    parameters: s.free.map((f, k) => ({
      name: f.kind,
      layer: f.layer,
      true: phys(f, s.truth[k]),
      q05: phys(f, q[k][0]),
      q50: phys(f, q[k][1]),
      q95: phys(f, q[k][2]),
      best: phys(f, bx[k]),
      inside: s.truth[k] >= q[k][0] && s.truth[k] <= q[k][2],
    })),
  };
}

/** The default samplePosterior at the budget: the baseline row. */
async function defaultRow(s: Setup, runSeed: number): Promise<RowPart> {
  const post = await samplePosterior(s.problem, s.de.x, s.population, s.predict, {
    ...s.posteriorOptions,
    seed: runSeed,
    maxEvaluations: budget,
  });
  const m = post.summary;
  const q = m.parameters.map((f, k) => {
    const log = s.free[k].log;
    return [f.q05, f.q50, f.q95].map((v) => (log ? Math.log10(v) : v));
  });
  const c = covered(
    s,
    q.map((v) => [v[0], v[2]]),
  );
  return {
    ...s.base,
    sampler: "default",
    sampler_seed: runSeed,
    betas: null,
    rhat_max: m.rhat_max,
    ess_min: m.ess_min,
    stop: m.stop_reason,
    evaluations: m.evaluations,
    cold_evaluations: m.evaluations,
    iterations: m.iterations,
    acceptance: m.acceptance,
    acceptance_by_move: m.acceptance_by_move,
    covered: c,
    coverage: c / s.base.free,
    ...(await drawStats(s, flattenDraws(post.draws), q, null)),
  };
}

/** Parallel tempering with `betas` at the budget, all levels' evaluations counted. */
async function ptRow(s: Setup, ladder: string, betas: number[], runSeed: number): Promise<RowPart> {
  const residuals = async (xs: Float64Array[]) =>
    (await s.predict(xs)).map((y) => whitenedResiduals(y, s.observed, s.error));
  const xb = Float64Array.from(s.de.x);
  const J = await finiteDifferenceJacobian(residuals, xb, s.bounds);
  const r = await parallelTempering(
    s.logLik,
    { bounds: s.bounds, J, xb, population: s.population, betas, runSeed },
    budget,
  );
  const q = quantiles(r.draws, [0.05, 0.5, 0.95]);
  const c = covered(
    s,
    q.map((v) => [v[0], v[2]]),
  );
  return {
    ...s.base,
    sampler: ladder,
    sampler_seed: runSeed,
    betas,
    rhat_max: r.rhatMax,
    ess_min: r.essMin,
    stop: r.stop,
    evaluations: r.evaluations + 2 * s.base.free + 1,
    cold_evaluations: r.coldEvaluations,
    iterations: r.iterations,
    acceptance: r.acceptance,
    acceptance_by_move: r.acceptanceByMove,
    acceptance_by_level: r.acceptanceByLevel,
    swap_acceptance: r.swapAcceptance,
    hot_to_cold: r.hotToCold,
    chi2_median_by_level: r.chi2MedianByLevel,
    covered: c,
    coverage: c / s.base.free,
    chi2_best_any_level: r.bestAnyLevel,
    ...(await drawStats(s, r.draws, q, r.bestCold)),
  };
}

function describe(row: Row): string {
  const f = (v: number) => v.toFixed(3);
  const moves = Object.entries(row.acceptance_by_move)
    .map(([k, v]) => `${k} ${v === null ? "-" : f(v)}`)
    .join(", ");
  const pt = row.swap_acceptance
    ? ` betas ${row.betas!.map((b) => b.toPrecision(3)).join(",")} levels ${row.acceptance_by_level!.map(f).join(",")}` +
      ` swaps ${row.swap_acceptance.map(f).join(",")} hot-to-cold ${row.hot_to_cold}` +
      ` chi2 ${row.chi2_median_by_level!.map((c) => c.toFixed(1)).join(",")}`
    : "";
  const g = (v: number | undefined) => (v === undefined ? "-" : v.toPrecision(3));
  const chi2 =
    row.chi2_median_draw === undefined
      ? ""
      : ` chi2: truth ${g(row.chi2_truth)} best cold ${g(row.chi2_best_cold)} best draw ${g(row.chi2_best_draw)}` +
        ` median draw ${g(row.chi2_median_draw)} q50 model ${g(row.chi2_q50_model)}`;
  return (
    `${row.problem} ${row.sampler} seed ${row.sampler_seed}: ${row.stop} R-hat ${f(row.rhat_max)} ESS ${row.ess_min.toFixed(0)} ` +
    `acc ${f(row.acceptance)} (${moves})${pt} covered ${row.covered}/${row.free}${chi2} ` +
    `evals ${row.evaluations} (cold ${row.cold_evaluations}) ${row.seconds.toFixed(0)} s [load ${row.load}]`
  );
}

/** The likelihood, bounds and base row fields of a problem once its DE has run. */
async function finishSetup(
  name: string,
  problemSeed: number | null,
  problem: InversionProblem,
  truth: number[],
  posteriorOptions: PosteriorOptions,
  dfp: Awaited<ReturnType<typeof deForPosterior>>,
): Promise<Setup> {
  const { de, population, predict } = dfp;
  const p = compileParameterisation(problem.parameterisation);
  const bounds = { lower: Float64Array.from(p.lower), upper: Float64Array.from(p.upper) };
  const { observed, error } = stackedData(problem);
  const ll = logLikelihood(p, problem, null);
  const logLik = async (xs: Float64Array[]) => ll(xs, await predict(xs));
  // the ladder's scale: chi-square of the DE's best and of uniform draws in the box (not counted)
  const chi2De = -2 * (await logLik([Float64Array.from(de.x)]))[0];
  const chi2Truth = -2 * (await logLik([Float64Array.from(truth)]))[0];
  const ur = mulberry32(12345);
  const uni = Array.from({ length: 64 }, () => Float64Array.from(p.lower, (lo, j) => lo + ur() * (p.upper[j] - lo)));
  const chi2Uni = median((await logLik(uni)).map((v) => -2 * v));
  const base = {
    problem: name,
    free: p.free.length,
    data: observed.length,
    budget,
    chi2_de_best: chi2De,
    chi2_uniform_median: chi2Uni,
  };
  console.log(
    `${name} d=${base.free} n=${base.data}: DE best chi2 ${chi2De.toFixed(3)} (truth ${chi2Truth.toPrecision(3)}), uniform median ${chi2Uni.toExponential(2)}`,
  );
  return {
    name,
    problemSeed,
    problem,
    free: p.free,
    truth,
    posteriorOptions,
    de,
    population,
    predict,
    logLik,
    bounds,
    observed,
    error,
    chi2Truth,
    base,
  };
}

async function setup(i: number, pool: ReturnType<typeof inversionPool>): Promise<Setup> {
  const sp = syntheticProblem(seed, i);
  const dfp = await deForPosterior(sp.problem, pool, { seed: i + 1, generations });
  return finishSetup(sp.name, seed, sp.problem, sp.truthVector, {}, dfp);
}

/**
 * --config: the problem as `geoinv tem invert` builds it (runInvertConfig, src/inversion/run.ts):
 * synthetic data from the config's model, the config's own DE (its optimizer block and seed; a
 * pool gives the same numbers as its workers), the posterior options of its block.
 */
async function setupConfig(problem: InversionProblem, pool: ReturnType<typeof inversionPool>): Promise<Setup> {
  const cfg = config!;
  const truth = configTruth(cfg, problem, configPath);
  const de = await invert(problem, { ...cfg.optimizer, pool });
  const p = compileParameterisation(problem.parameterisation);
  const population = de.population.models.map((m) => toVector(p, m));
  const predict = await poolPredictor(problem, pool, OBJECTIVE_MODULE);
  console.log(
    `DE: ${de.stopReason} after ${de.generations} generations, ${de.evaluations} evaluations, rms ${de.misfit.rms.toPrecision(4)}, ${de.seconds.toFixed(1)} s`,
  );
  return finishSetup(cfg.name, null, problem, truth, cfg.posterior ?? {}, { de, population, predict });
}

async function runRows(s: Setup, left: { l: string; sd: number }[]): Promise<void> {
  for (const { l, sd } of left) {
    const t0 = Date.now();
    const load0 = loadAverages();
    const betas = parseLadder(l);
    const r = betas ? await ptRow(s, l, betas, sd) : await defaultRow(s, sd);
    const row: Row = {
      command,
      problem_seed: s.problemSeed,
      ...(config ? { config: configPath } : {}),
      ...r,
      seconds: (Date.now() - t0) / 1000,
      load: `${load0} -> ${loadAverages()}`,
    };
    rows.push(row);
    save();
    console.log(describe(row));
  }
}

function todo(name: string, problemSeed: number | null, seeds: number[]): { l: string; sd: number }[] {
  return ladders
    .flatMap((l) => seeds.map((sd) => ({ l, sd })))
    .filter(
      ({ l, sd }) =>
        !rows.some(
          (r) =>
            r.problem === name &&
            (r.problem_seed === undefined ? seed : r.problem_seed) === problemSeed &&
            r.sampler === l &&
            r.budget === budget &&
            r.sampler_seed === sd,
        ),
    );
}

async function main(): Promise<void> {
  if (config) {
    // the CLI's posterior seed: the posterior block's, else the optimizer's, else 1
    const seeds = samplerSeeds.length ? samplerSeeds : [config.posterior?.seed ?? config.optimizer.seed ?? 1];
    const left = todo(config.name, null, seeds);
    if (left.length === 0) return;
    const problem = withSyntheticData(config);
    const pool = inversionPool(problem, workers);
    try {
      await runRows(await setupConfig(problem, pool), left);
    } finally {
      await pool.close();
    }
    return;
  }
  for (const i of only) {
    const name = syntheticProblem(seed, i).name;
    const left = todo(name, seed, samplerSeeds.length ? samplerSeeds : [i + 1]);
    if (left.length === 0) continue;
    const pool = inversionPool(syntheticProblem(seed, i).problem, workers);
    try {
      await runRows(await setup(i, pool), left);
    } finally {
      await pool.close();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
