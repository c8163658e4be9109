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
import * as path from "node:path";
import { gaussian, mulberry32 } from "../../src/config";
import { compileParameterisation, inversionPool, samplePosterior, syntheticProblem } from "../../src/inversion";
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
import { deForPosterior } from "../support/posterior";

const seed = Number(arg("--seed", "2"));
const only = arg("--only", "0").split(",").map(Number);
const budget = Number(arg("--budget", "60000"));
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
  /** syntheticProblem's generator seed (2: tuning, 1: benchmark). */
  problem_seed: number;
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
  seconds: number;
  load: string;
}

const command = `nice -n 19 npx tsx bench/experiments/parallel-tempering.ts ${argv.join(" ")}`;
const { rows, save } = rowsFile<Row>(out, "bench/experiments/parallel-tempering.ts", { seed, workers, chains });

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
}

/**
 * The K DreamZS populations: level 0 started as samplePosterior starts its chains (the same
 * random stream), level k from the tempered linearisation C_beta = (beta J^T J + P)^-1.
 */
function makeLevels(
  bounds: { lower: Float64Array; upper: Float64Array },
  J: number[][],
  xb: Float64Array,
  population: Float64Array[],
  betas: number[],
  runSeed: number,
): DreamZS[] {
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
  bounds: { lower: Float64Array; upper: Float64Array },
  J: number[][],
  xb: Float64Array,
  population: Float64Array[],
  betas: number[],
  runSeed: number,
  maxEvaluations: number,
): Promise<PtResult> {
  const K = betas.length;
  const levels = makeLevels(bounds, J, xb, population, betas, runSeed);
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
    if (levels[0].done) break;
    iteration++;
    swapRound(levels, betas, L, iteration, swapRand, st);
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
  };
}

/** What a row needs of a problem: the DE's result, the likelihood, the bounds and the truth check. */
interface Setup {
  sp: ReturnType<typeof syntheticProblem>;
  de: { x: ArrayLike<number> };
  population: Float64Array[];
  predict: Awaited<ReturnType<typeof deForPosterior>>["predict"];
  logLik: (xs: Float64Array[]) => Promise<number[]>;
  bounds: { lower: Float64Array; upper: Float64Array };
  observed: ArrayLike<number>;
  error: ArrayLike<number>;
  base: Pick<Row, "problem" | "free" | "data" | "budget" | "chi2_de_best" | "chi2_uniform_median">;
}

/** Truth values inside the 90 % intervals ([q05, q95] per parameter, search space). */
function covered(sp: Setup["sp"], q: number[][]): number {
  return sp.truthVector.filter((t, k) => t >= q[k][0] && t <= q[k][1]).length;
}

/** The default samplePosterior at the budget: the baseline row. */
async function defaultRow(
  s: Setup,
  runSeed: number,
): Promise<Omit<Row, "command" | "problem_seed" | "seconds" | "load">> {
  const post = await samplePosterior(s.sp.problem, s.de.x, s.population, s.predict, {
    seed: runSeed,
    maxEvaluations: budget,
  });
  const m = post.summary;
  const q = m.parameters.map((f, k) => {
    const log = s.sp.parameters[k].startsWith("log10");
    return [log ? Math.log10(f.q05) : f.q05, log ? Math.log10(f.q95) : f.q95];
  });
  const c = covered(s.sp, q);
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
  };
}

/** Parallel tempering with `betas` at the budget, all levels' evaluations counted. */
async function ptRow(
  s: Setup,
  ladder: string,
  betas: number[],
  runSeed: number,
): Promise<Omit<Row, "command" | "problem_seed" | "seconds" | "load">> {
  const residuals = async (xs: Float64Array[]) =>
    (await s.predict(xs)).map((y) => whitenedResiduals(y, s.observed, s.error));
  const xb = Float64Array.from(s.de.x);
  const J = await finiteDifferenceJacobian(residuals, xb, s.bounds);
  const r = await parallelTempering(s.logLik, s.bounds, J, xb, s.population, betas, runSeed, budget);
  const c = covered(s.sp, quantiles(r.draws, [0.05, 0.95]));
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
  return (
    `${row.problem} ${row.sampler} seed ${row.sampler_seed}: ${row.stop} R-hat ${f(row.rhat_max)} ESS ${row.ess_min.toFixed(0)} ` +
    `acc ${f(row.acceptance)} (${moves})${pt} covered ${row.covered}/${row.free} ` +
    `evals ${row.evaluations} (cold ${row.cold_evaluations}) ${row.seconds.toFixed(0)} s [load ${row.load}]`
  );
}

async function setup(i: number, pool: ReturnType<typeof inversionPool>): Promise<Setup> {
  const sp = syntheticProblem(seed, i);
  const { de, population, predict } = await deForPosterior(sp.problem, pool, { seed: i + 1, generations });
  const p = compileParameterisation(sp.problem.parameterisation);
  const bounds = { lower: Float64Array.from(p.lower), upper: Float64Array.from(p.upper) };
  const { observed, error } = stackedData(sp.problem);
  const ll = logLikelihood(p, sp.problem, null);
  const logLik = async (xs: Float64Array[]) => ll(xs, await predict(xs));
  // the ladder's scale: chi-square of the DE's best and of uniform draws in the box (not counted)
  const chi2De = -2 * (await logLik([Float64Array.from(de.x)]))[0];
  const ur = mulberry32(12345);
  const uni = Array.from({ length: 64 }, () => Float64Array.from(p.lower, (lo, j) => lo + ur() * (p.upper[j] - lo)));
  const chi2Uni = median((await logLik(uni)).map((v) => -2 * v));
  const base = {
    problem: sp.name,
    free: p.free.length,
    data: observed.length,
    budget,
    chi2_de_best: chi2De,
    chi2_uniform_median: chi2Uni,
  };
  console.log(
    `${sp.name} d=${base.free} n=${base.data}: DE best chi2 ${chi2De.toFixed(1)}, uniform median ${chi2Uni.toExponential(2)}`,
  );
  return { sp, de, population, predict, logLik, bounds, observed, error, base };
}

async function main(): Promise<void> {
  for (const i of only) {
    const name = syntheticProblem(seed, i).name;
    const seeds = samplerSeeds.length ? samplerSeeds : [i + 1];
    const todo = ladders.flatMap((l) => seeds.map((sd) => ({ l, sd })));
    const left = todo.filter(
      ({ l, sd }) =>
        !rows.some(
          (r) =>
            r.problem === name &&
            (r.problem_seed ?? seed) === seed &&
            r.sampler === l &&
            r.budget === budget &&
            r.sampler_seed === sd,
        ),
    );
    if (left.length === 0) continue;
    const pool = inversionPool(syntheticProblem(seed, i).problem, workers);
    try {
      const s = await setup(i, pool);
      for (const { l, sd } of left) {
        const t0 = Date.now();
        const load0 = loadAverages();
        const betas = parseLadder(l);
        const r = betas ? await ptRow(s, l, betas, sd) : await defaultRow(s, sd);
        const row: Row = {
          command,
          problem_seed: seed,
          ...r,
          seconds: (Date.now() - t0) / 1000,
          load: `${load0} -> ${loadAverages()}`,
        };
        rows.push(row);
        save();
        console.log(describe(row));
      }
    } finally {
      await pool.close();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
