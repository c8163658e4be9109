/**
 * Simulation-based calibration (SBC) of the TEM posterior [Talts18]: truths drawn from the prior,
 * data simulated from them, the posterior sampled exactly as the benchmark does (DE, then
 * samplePosterior started from its result: bench/support/posterior.ts), and per free parameter
 * - the normalised rank of the truth among L thinned posterior draws (uniform on 0..1 if the
 *   sampler is calibrated, whatever the problem),
 * - whether the truth is inside the 90 % interval (q05..q95 of all draws, as bench/posterior.ts),
 * - the rank of the truth's log-likelihood among the draws' log-likelihoods (one per replicate).
 * Prints the coverage, a 10-bin rank histogram and chi-square / KS uniformity p-values.
 *
 * Problems: syntheticProblem(seed, i) (src/inversion/problems.ts: truths uniform in the prior box)
 * for i = 0, 1, ... kept when they have at most --max-free unknowns (and, with --kinds loop, a loop
 * source). The data are REGENERATED from the inversion's own forward (--data fast: FAST_OPTIONS, so
 * there is no modelling error at all; --data converged: the benchmark's CONVERGED_OPTIONS) plus the
 * generator's noise (3 % + 1e-3 x median, same seed). --forward toy replaces the EM forward by
 * src/inversion/toy.ts (cheap, not physics: many replicates for the sampler alone).
 *
 *   npx tsx bench/posterior-sbc.ts [--replicates 20] [--seed 3] [--max-free 7] [--kinds all|loop]
 *     [--forward em|toy] [--data fast|converged] [--independence 0.8] [--starts de|prior]
 *     [--budget 200000] [--ess 400] [--rhat 1.05] [--generations 200] [--workers 1] [--draws 99]
 *     [--search on|off] [--polish-every N] [--skip 0] [--out bench/results/posterior-sbc.json]
 *   npx tsx bench/posterior-sbc.ts --target exact [--independence 0.8] [--replicates 20] [--ess 400]
 *     (the sampler alone on a 6-D banana/funnel/ridge with exact quantiles; no physics)
 *   npx tsx bench/posterior-sbc.ts --report a.json,b.json   (pool result files and print the summary)
 *
 * The result file is written after every replicate; a rerun with the same --out continues after
 * the replicates already there.
 *
 * [Talts18] Talts, S., Betancourt, M., Simpson, D., Vehtari, A., Gelman, A. (2018). Validating
 * Bayesian inference algorithms with simulation-based calibration. arXiv:1804.06788.
 */
import * as fs from "fs";
import * as path from "path";
import { gaussian, mulberry32 } from "../src/config";
import { CONVERGED_OPTIONS, FAST_OPTIONS } from "../src/em";
import {
  addDataNoise,
  compileParameterisation,
  emForward,
  invert,
  inversionPool,
  InversionProblem,
  OBJECTIVE_MODULE,
  poolPredictor,
  samplePosterior,
  syntheticProblem,
  toVector,
  toyForward,
} from "../src/inversion";
import { logLikelihood } from "../src/inversion/internal";
import { DEFAULT_INDEPENDENCE } from "../src/inversion/posterior";
import { DEFAULT_MAX_EVALUATIONS, flattenDraws, quantiles, sample, sampleAsync } from "../src/sampling";
import type { WorkerPool } from "../src/optim";
import { arg, argv, gitCommit, hasFlag, loadAverages, machine } from "./support";

const REPLICATES = Number(arg("--replicates", "20"));
const SEED = Number(arg("--seed", "3"));
const MAX_FREE = Number(arg("--max-free", "7"));
const KINDS = arg("--kinds", "all");
const FORWARD = arg("--forward", "em");
const DATA = arg("--data", "fast");
const INDEPENDENCE = Number(arg("--independence", String(DEFAULT_INDEPENDENCE)));
const STARTS = arg("--starts", "de");
const BUDGET = Number(arg("--budget", String(DEFAULT_MAX_EVALUATIONS)));
const ESS = Number(arg("--ess", "400"));
const RHAT = Number(arg("--rhat", "1.05"));
const GENERATIONS = Number(arg("--generations", "200"));
const WORKERS = Number(arg("--workers", "1"));
const L = Number(arg("--draws", "99"));
const SKIP = Number(arg("--skip", "0"));
/** samplePosterior's tempered mode search before the sampling: on (its default) or off. */
const SEARCH = arg("--search", "on");
/**
 * The DE's LM polish every this many generations (default: invert's own default). Give it to pin the
 * DE when comparing runs across a change of the inversion defaults (the runs in bench/README.md: 0).
 */
const POLISH_EVERY = hasFlag("--polish-every") ? Number(arg("--polish-every", "0")) : null;
const TARGET = arg("--target", "tem");
const REPORT = hasFlag("--report") ? arg("--report", "").split(",") : null;
const out = arg("--out", path.join(__dirname, "results", "posterior-sbc.json"));

interface Replicate {
  index: number;
  name: string;
  parameters: string[];
  truth: number[];
  /** Normalised rank of the truth among L thinned draws: (#draws below + #ties / 2) / L, in 0..1. */
  rank: number[];
  covered: boolean[];
  q05: number[];
  q95: number[];
  /** Rank of the truth's log-likelihood among the thinned draws' (same normalisation). */
  loglik_rank: number | null;
  chi2_truth: number | null;
  chi2_best_draw: number | null;
  chi2_de: number | null;
  stop: string;
  rhat_max: number;
  ess_min: number;
  evaluations: number;
  de_evaluations: number | null;
  acceptance: number;
}

// ---------------------------------------------------------------------------------------------
// statistics

/** Regularised upper incomplete gamma Q(a, x) (series / continued fraction, Numerical Recipes 6.2). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnGa = lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    let ap = a;
    for (let n = 0; n < 500; n++) {
      ap++;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-14) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGa);
  }
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGa) * h;
}

/** ln Gamma(x), x > 0: Stirling's series at x + 8, shifted back by the recurrence. */
function lnGamma(x: number): number {
  let shift = 0;
  let z = x;
  while (z < 8) shift += Math.log(z++);
  const series = 1 / (12 * z) - 1 / (360 * z ** 3) + 1 / (1260 * z ** 5);
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/** Kolmogorov distribution: P(sqrt(n) D > lambda) (asymptotic series). */
function ksP(lambda: number): number {
  if (lambda < 0.2) return 1;
  let s = 0;
  for (let k = 1; k < 100; k++) s += 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
  return Math.min(1, Math.max(0, s));
}

/** 10-bin histogram, chi-square and KS p-values of values in [0, 1] against the uniform. */
function uniformity(u: number[]): { histogram: number[]; chi2: number; chi2_p: number; ks_d: number; ks_p: number } {
  const bins = new Array(10).fill(0);
  for (const v of u) bins[Math.min(9, Math.floor(v * 10))]++;
  const e = u.length / 10;
  const chi2 = bins.reduce((a, b) => a + (b - e) ** 2 / e, 0);
  const s = u.slice().sort((a, b) => a - b);
  let dmax = 0;
  s.forEach((v, i) => (dmax = Math.max(dmax, Math.abs((i + 1) / s.length - v), Math.abs(v - i / s.length))));
  const n = s.length;
  const lambda = (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * dmax;
  return { histogram: bins, chi2, chi2_p: gammaQ(4.5, chi2 / 2), ks_d: dmax, ks_p: ksP(lambda) };
}

/** Normalised rank of v among xs: (#below + #equal / 2) / n. */
function normRank(v: number, xs: ArrayLike<number>): number {
  let below = 0;
  let eq = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < v) below++;
    else if (xs[i] === v) eq++;
  }
  return (below + eq / 2) / xs.length;
}

/** Evenly spaced subsample of n points (chains pooled). */
function thinned<T>(flat: T[], n: number): T[] {
  const m = Math.min(n, flat.length);
  return Array.from({ length: m }, (_, i) => flat[Math.floor(((i + 0.5) * flat.length) / m)]);
}

function summarise(rows: Replicate[]) {
  const cov = rows.flatMap((r) => r.covered);
  const ranks = rows.flatMap((r) => r.rank);
  const conv = rows.filter((r) => r.stop === "converged");
  const covConv = conv.flatMap((r) => r.covered);
  const llr = rows.map((r) => r.loglik_rank).filter((v): v is number => v !== null);
  // bootstrap over replicates (the parameters of one replicate are not independent)
  const rnd = mulberry32(1);
  const boots: number[] = [];
  for (let b = 0; b < 2000 && rows.length; b++) {
    let ins = 0;
    let tot = 0;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[Math.floor(rnd() * rows.length)];
      ins += r.covered.filter(Boolean).length;
      tot += r.covered.length;
    }
    boots.push(ins / tot);
  }
  boots.sort((a, b) => a - b);
  const u = uniformity(ranks);
  const ul = uniformity(llr);
  return {
    replicates: rows.length,
    parameters: cov.length,
    coverage_90: cov.filter(Boolean).length / Math.max(1, cov.length),
    coverage_90_ci95: boots.length
      ? [boots[Math.floor(0.025 * boots.length)], boots[Math.floor(0.975 * boots.length)]]
      : null,
    converged: conv.length,
    coverage_90_converged: covConv.filter(Boolean).length / Math.max(1, covConv.length),
    parameters_converged: covConv.length,
    rank_histogram: u.histogram,
    rank_chi2_p: u.chi2_p,
    rank_ks_p: u.ks_p,
    loglik_rank_histogram: ul.histogram,
    loglik_rank_chi2_p: ul.chi2_p,
    loglik_rank_ks_p: ul.ks_p,
    median_evaluations: rows.map((r) => r.evaluations).sort((a, b) => a - b)[rows.length >> 1] ?? null,
  };
}

function printSummary(s: ReturnType<typeof summarise>, label: string) {
  const ci = s.coverage_90_ci95 ? ` (95 % CI ${s.coverage_90_ci95.map((v) => v.toFixed(2)).join("-")})` : "";
  console.log(
    `${label}: ${s.replicates} replicates, ${s.parameters} parameters: coverage ${(100 * s.coverage_90).toFixed(1)} %${ci}; ` +
      `converged ${s.converged}: ${(100 * s.coverage_90_converged).toFixed(1)} % of ${s.parameters_converged}`,
  );
  console.log(
    `  truth ranks (10 bins): ${s.rank_histogram.join(" ")}  chi2 p ${s.rank_chi2_p.toFixed(3)}  KS p ${s.rank_ks_p.toFixed(3)}`,
  );
  console.log(
    `  log-likelihood ranks:  ${s.loglik_rank_histogram.join(" ")}  chi2 p ${s.loglik_rank_chi2_p.toFixed(3)}  KS p ${s.loglik_rank_ks_p.toFixed(3)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// the TEM problems

function sbcProblem(
  i: number,
): { problem: InversionProblem; truth: number[]; parameters: string[]; name: string } | null {
  const sp = syntheticProblem(SEED, i);
  if (sp.parameters.length > MAX_FREE) return null;
  const survey = sp.problem.datasets[0].survey;
  if (KINDS === "loop" && survey.source.type !== "loop") return null;
  const clean =
    FORWARD === "toy"
      ? toyForward([survey])([sp.truth])[0]
      : emForward([survey], DATA === "fast" ? FAST_OPTIONS : CONVERGED_OPTIONS)([sp.truth])[0];
  const abs = Array.from(clean, Math.abs).sort((a, b) => a - b);
  const noise = addDataNoise(clean, {
    relative: sp.noise.relative,
    floor: sp.noise.floorOfMedian * abs[abs.length >> 1],
    seed: sp.noise.seed,
  });
  const problem: InversionProblem = {
    ...sp.problem,
    datasets: [{ ...sp.problem.datasets[0], observed: noise.observed, error: noise.error }],
    ...(FORWARD === "toy"
      ? { forward: { module: path.join(__dirname, "..", "src", "inversion", "toy.ts"), factory: "toyForward" } }
      : {}),
  };
  return { problem, truth: sp.truthVector, parameters: sp.parameters, name: sp.name };
}

interface Sampled {
  flat: Float64Array[];
  stop: string;
  rhatMax: number;
  essMin: number;
  evaluations: number;
  acceptance: number;
  deEvals: number | null;
  chi2De: number | null;
}

/** The posterior of one replicate: DE then samplePosterior (--starts de), or uniform starts (--starts prior). */
async function sampleReplicate(
  problem: InversionProblem,
  pool: WorkerPool,
  seed: number,
  ll: (xs: Float64Array[]) => Promise<number[]>,
): Promise<Sampled> {
  const p = compileParameterisation(problem.parameterisation);
  if (STARTS === "de") {
    // bench/support/posterior.ts deThenPosterior, with this script's sampler options
    const de = await invert(problem, {
      pool,
      seed,
      maxGenerations: GENERATIONS,
      ...(POLISH_EVERY !== null ? { polish: { every: POLISH_EVERY } } : {}),
    });
    const population = de.population.models.map((m) => toVector(p, m));
    const predict = await poolPredictor(problem, pool, OBJECTIVE_MODULE);
    const post = await samplePosterior(problem, de.x, population, predict, {
      seed,
      maxEvaluations: BUDGET,
      independence: INDEPENDENCE,
      essTarget: ESS,
      rhatTarget: RHAT,
      ...(SEARCH === "off" ? { temperedSearch: false } : {}),
    });
    const s = post.summary;
    return {
      flat: flattenDraws(post.draws),
      stop: s.stop_reason,
      rhatMax: s.rhat_max,
      essMin: s.ess_min,
      evaluations: s.evaluations,
      acceptance: s.acceptance,
      deEvals: de.evaluations,
      chi2De: -2 * (await ll([Float64Array.from(de.x)]))[0],
    };
  }
  // uniform starts and archive in the box (sampleAsync's defaults), samplePosterior's likelihood
  const r = await sampleAsync(
    ll,
    { lower: p.lower, upper: p.upper },
    { seed, independence: INDEPENDENCE, maxEvaluations: BUDGET, essTarget: ESS, rhatTarget: RHAT },
  );
  return {
    flat: flattenDraws(r.draws),
    stop: r.stopReason,
    rhatMax: r.rhatMax,
    essMin: r.essMin,
    evaluations: r.evaluations,
    acceptance: r.acceptance,
    deEvals: null,
    chi2De: null,
  };
}

async function runTem(rows: Replicate[], save: () => void) {
  let i = SKIP;
  while (rows.length < REPLICATES) {
    const index = i++;
    if (rows.some((r) => r.index === index)) continue;
    const pr = sbcProblem(index);
    if (!pr) continue;
    const { problem, truth } = pr;
    const p = compileParameterisation(problem.parameterisation);
    const pool = inversionPool(problem, WORKERS);
    try {
      const predict = await poolPredictor(problem, pool, OBJECTIVE_MODULE);
      const logL = logLikelihood(p, problem, null);
      const ll = async (xs: Float64Array[]) => logL(xs, await predict(xs));
      const r = await sampleReplicate(problem, pool, index + 1, ll);
      const q = quantiles(r.flat, [0.05, 0.95]);
      const sub = thinned(r.flat, L);
      const subLl = await ll(sub);
      const tLl = (await ll([Float64Array.from(truth)]))[0];
      const row: Replicate = {
        index,
        name: pr.name,
        parameters: pr.parameters,
        truth,
        rank: truth.map((t, k) =>
          normRank(
            t,
            sub.map((x) => x[k]),
          ),
        ),
        covered: truth.map((t, k) => t >= q[k][0] && t <= q[k][1]),
        q05: q.map((v) => v[0]),
        q95: q.map((v) => v[1]),
        loglik_rank: normRank(tLl, subLl),
        chi2_truth: -2 * tLl,
        chi2_best_draw: -2 * Math.max(...subLl),
        chi2_de: r.chi2De,
        stop: r.stop,
        rhat_max: r.rhatMax,
        ess_min: r.essMin,
        evaluations: r.evaluations,
        de_evaluations: r.deEvals,
        acceptance: r.acceptance,
      };
      rows.push(row);
      save();
      console.log(
        `${pr.name} d=${truth.length}: ${r.stop} R-hat ${r.rhatMax.toFixed(3)} ESS ${r.essMin.toFixed(0)} evals ${r.evaluations} acc ${r.acceptance.toFixed(3)} ` +
          `cover ${row.covered.filter(Boolean).length}/${truth.length} ranks ${row.rank.map((v) => v.toFixed(2)).join(" ")} ` +
          `chi2 truth ${row.chi2_truth!.toFixed(1)} DE ${r.chi2De?.toFixed(1) ?? "-"} best draw ${row.chi2_best_draw!.toFixed(1)}  [load ${loadAverages()}]`,
      );
    } finally {
      await pool.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the sampler alone on an exact target

/**
 * A 6-D density in the box shaped like the TEM posteriors: a banana (x2 | x1), a Cole-Cole-like
 * funnel (the spread of x4 grows with x3, mass cut at the wall x4 = 0) and a thin ridge
 * (corr(x5, x6) ~ 0.995). x = T(z), z ~ N(0, I), restricted to the box: exact draws by rejection.
 */
const EX_LOWER = [0, -1, -4, 0, 0, 0];
const EX_UPPER = [3, 3, -2, 0.8, 3, 3];
function exT(z: number[]): number[] {
  const x1 = 1.5 + 0.4 * z[0];
  const x2 = 0.5 + 0.25 * z[1] + 0.8 * (x1 - 1.5) ** 2;
  const x3 = -3 + 0.6 * z[2];
  const x4 = 0.25 + 0.12 * Math.exp(1.2 * (x3 + 3)) * z[3];
  const x5 = 1 + 0.5 * z[4];
  const x6 = 1.2 + 0.98 * (x5 - 1) + 0.05 * z[5];
  return [x1, x2, x3, x4, x5, x6];
}
function exLogp(x: ArrayLike<number>): number {
  for (let j = 0; j < 6; j++) if (!(x[j] >= EX_LOWER[j] && x[j] <= EX_UPPER[j])) return -Infinity;
  const s4 = 0.12 * Math.exp(1.2 * (x[2] + 3));
  const z = [
    (x[0] - 1.5) / 0.4,
    (x[1] - 0.5 - 0.8 * (x[0] - 1.5) ** 2) / 0.25,
    (x[2] + 3) / 0.6,
    (x[3] - 0.25) / s4,
    (x[4] - 1) / 0.5,
    (x[5] - 1.2 - 0.98 * (x[4] - 1)) / 0.05,
  ];
  return -0.5 * z.reduce((a, v) => a + v * v, 0) - Math.log(s4);
}

function runExact() {
  const d = 6;
  const g = gaussian(mulberry32(12345));
  const exact: number[][] = Array.from({ length: d }, () => []);
  for (let n = 0; n < 400000;) {
    const x = exT(Array.from({ length: d }, () => g()));
    if (x.every((v, j) => v >= EX_LOWER[j] && v <= EX_UPPER[j])) {
      x.forEach((v, j) => exact[j].push(v));
      n++;
    }
  }
  exact.forEach((c) => c.sort((a, b) => a - b));
  const cdf = (j: number, v: number) => normRank(v, exact[j]);
  // DE-like starts: a tight "population" at the mode, the linearised Gaussian (J J^T at z = 0) for
  // the archive (1 sd) and the chain starts (2 sd), as samplePosterior
  const mode = exT(new Array(d).fill(0));
  const J = Array.from({ length: d }, () => new Array(d).fill(0));
  for (let k = 0; k < d; k++) {
    const zp = new Array(d).fill(0);
    zp[k] = 1e-6;
    const xp = exT(zp);
    for (let j = 0; j < d; j++) J[j][k] = (xp[j] - mode[j]) / 1e-6;
  }
  const inside: number[][] = Array.from({ length: d }, () => []);
  const fLo: number[][] = Array.from({ length: d }, () => []);
  const fHi: number[][] = Array.from({ length: d }, () => []);
  const runs: unknown[] = [];
  for (let s = 1; s <= REPLICATES; s++) {
    const rng = gaussian(mulberry32(1000 + s));
    const lin = (scale: number): Float64Array => {
      for (;;) {
        const z = Array.from({ length: d }, () => rng());
        const x = mode.map((m, j) => m + scale * J[j].reduce((a, v, k) => a + v * z[k], 0));
        if (x.every((v, j) => v >= EX_LOWER[j] && v <= EX_UPPER[j])) return Float64Array.from(x);
      }
    };
    const opts =
      STARTS === "de"
        ? {
            initialStates: Array.from({ length: 8 }, () => lin(2)),
            initialArchive: [
              ...Array.from({ length: 70 }, () => lin(0.05)),
              ...Array.from({ length: 10 * d }, () => lin(1)),
            ],
          }
        : {};
    const r = sample(
      (xs) => xs.map(exLogp),
      EX_LOWER.map((l, j) => [l, EX_UPPER[j]] as [number, number]),
      { seed: s, independence: INDEPENDENCE, essTarget: ESS, rhatTarget: RHAT, maxEvaluations: BUDGET, ...opts },
    );
    const q = quantiles(flattenDraws(r.draws), [0.05, 0.95]);
    const mass = q.map((v, j) => {
      const a = cdf(j, v[0]);
      const b = cdf(j, v[1]);
      fLo[j].push(a);
      fHi[j].push(b);
      inside[j].push(b - a);
      return b - a;
    });
    runs.push({
      seed: s,
      stop: r.stopReason,
      evaluations: r.evaluations,
      rhat_max: r.rhatMax,
      ess_min: r.essMin,
      mass_inside: mass,
    });
    console.log(
      `seed ${s}: ${r.stopReason} evals ${r.evaluations} R-hat ${r.rhatMax.toFixed(3)} ESS ${r.essMin.toFixed(0)} acc ${r.acceptance.toFixed(3)} exact mass inside the 90 % interval ${mass.map((v) => v.toFixed(3)).join(" ")}`,
    );
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const summary = {
    mass_inside_mean: inside.map(mean),
    exact_cdf_at_q05_mean: fLo.map(mean),
    exact_cdf_at_q95_mean: fHi.map(mean),
  };
  console.log(
    `exact target, independence ${INDEPENDENCE}, starts ${STARTS}, ESS >= ${ESS}: mean exact mass inside ${summary.mass_inside_mean.map((v) => v.toFixed(3)).join(" ")}; ` +
      `F(q05) ${summary.exact_cdf_at_q05_mean.map((v) => v.toFixed(3)).join(" ")}; F(q95) ${summary.exact_cdf_at_q95_mean.map((v) => v.toFixed(3)).join(" ")}`,
  );
  return { summary, runs };
}

// ---------------------------------------------------------------------------------------------

function command(): string {
  return `npx tsx bench/posterior-sbc.ts ${argv.join(" ")}`;
}

async function main() {
  if (REPORT) {
    const rows: Replicate[] = REPORT.flatMap((f) => JSON.parse(fs.readFileSync(f, "utf8")).replicates ?? []);
    printSummary(summarise(rows), REPORT.join(" + "));
    return;
  }
  const loadStart = loadAverages();
  const meta = () => ({
    command: command(),
    commit: gitCommit(),
    machine: machine({ memory: true }),
    load_start: loadStart,
    load_end: loadAverages(),
    date: new Date().toISOString(),
  });
  const write = (doc: unknown) => {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out + ".tmp", JSON.stringify(doc, null, 1) + "\n");
    fs.renameSync(out + ".tmp", out);
  };
  if (TARGET === "exact") {
    const r = runExact();
    write({ ...meta(), target: "exact 6-D banana/funnel/ridge (bench/posterior-sbc.ts)", ...r });
    return;
  }
  const prev = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : null;
  const rows: Replicate[] = prev?.replicates ?? [];
  const settings = {
    generator: `syntheticProblem(${SEED}, i), at most ${MAX_FREE} unknowns${KINDS === "loop" ? ", loop sources" : ""}`,
    forward: FORWARD === "toy" ? "toy (src/inversion/toy.ts)" : "EM, FAST_OPTIONS",
    data:
      FORWARD === "toy"
        ? "toy forward + generator noise"
        : `${DATA === "fast" ? "FAST" : "CONVERGED"}_OPTIONS + generator noise`,
    starts:
      STARTS === "de"
        ? `DE (${GENERATIONS} generations${POLISH_EVERY !== null ? `, polish_every ${POLISH_EVERY}` : ""}) then samplePosterior, tempered search ${SEARCH}`
        : "uniform in the box (sampleAsync defaults)",
    independence: INDEPENDENCE,
    budget: BUDGET,
    targets: { rhat: RHAT, ess: ESS },
    thinned_draws: L,
  };
  const save = () =>
    write({
      ...meta(),
      load_start: prev?.load_start ?? loadStart,
      settings,
      summary: summarise(rows),
      replicates: rows,
    });
  await runTem(rows, save);
  save();
  printSummary(summarise(rows), out);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
