/**
 * Does opposition-based initialisation (OBL, Rahnamayan et al. 2008; the TEM seed paper's eqs.
 * 10-11) help JADE where it can? Measured on functions whose box is NOT symmetric about the
 * optimum (src/optim/testfunctions.ts): CEC-style shifted-rotated sphere, Rastrigin, Ackley and
 * Rosenbrock on [-100, 100]^d with the optimum toward the upper corner, and the plain functions
 * in an asymmetric box (optimum a quarter of the way up). On the classic symmetric boxes the
 * even functions have f(x) = f(-x) = f(opposite of x), so there OBL cannot help by construction.
 *
 *   npx tsx bench/obl.ts [--seeds 20] [--budget 2000] [--quick] [--out bench/results/obl.json]
 *
 * Per function and dimension (d = 10, 30): JADE with init "opposition" vs init "random", plus the
 * classic DE/best/1 (the seed paper's eq. 3) and DE/rand/1 (F 0.5, CR 0.9, random init), all with
 * the same population (NP 50 in 10-D, 100 in 30-D), the same budget (`budget` x d evaluations,
 * OBL's extra NP evaluations of the initial opposites included) and seeds 1..`seeds`.
 *
 * Target: set before the measured runs, from a pilot of seeds 101-103 (not measured) with both
 * JADE inits: the worst best-so-far of the 6 pilot runs at half the budget, rounded up to the
 * 1-2-5 ladder. Evaluations-to-target are counted exactly, evaluation by evaluation, by wrapping
 * the objective (every run uses the whole budget, so the final best is comparable too).
 *
 * Statistics for OBL vs random init (two-sided): Mann-Whitney U on evaluations-to-target with
 * runs that never reach the target ranked last (tied), normal approximation with tie and
 * continuity corrections; P(OBL faster) = U / (n1 n2); Fisher's exact test on the success
 * counts; Mann-Whitney U on the final best value; a percentile bootstrap 95 % CI (10 000
 * resamples, seeded) of the difference of median evaluations-to-target where both inits
 * succeeded in every run; and Mann-Whitney U on the best of the first 2 NP evaluations (the head
 * start OBL is meant to give: its NP initial points and their NP opposites, against random init's
 * NP initial points and its first generation).
 */
import { execSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { mulberry32 } from "../src/config";
import { DEOptions, minimize, ProblemFamily, testProblem, TestFunctionName, TestProblem } from "../src/optim";
import { arg, argv, hasFlag } from "./support";

const quick = hasFlag("--quick");
const nSeeds = Number(arg("--seeds", quick ? "4" : "20"));
const budgetPerDim = Number(arg("--budget", quick ? "1000" : "2000"));
const out = arg("--out", "");
const PROBLEM_SEED = 1;

const FAMILIES: ProblemFamily[] = ["shifted-rotated", "asymmetric-box"];
const FUNCTIONS: TestFunctionName[] = ["sphere", "rastrigin", "ackley", "rosenbrock"];
const DIMS = quick ? [10] : [10, 30];

interface Method {
  key: string;
  label: string;
  options: DEOptions;
}
const METHODS: Method[] = [
  { key: "jade_obl", label: "JADE + OBL init", options: { strategy: "jade", init: "opposition" } },
  { key: "jade_random", label: "JADE, random init", options: { strategy: "jade", init: "random" } },
  { key: "de_best1", label: "DE/best/1 (F 0.5, CR 0.9)", options: { strategy: "DE/best/1", init: "random" } },
  { key: "de_rand1", label: "DE/rand/1 (F 0.5, CR 0.9)", options: { strategy: "DE/rand/1", init: "random" } },
];

interface Run {
  seed: number;
  evalsToTarget: number | null;
  finalBest: number;
  /**
   * Best value among the first 2 NP evaluations (OBL: the initial points and their opposites;
   * random: the initial population and the first generation).
   */
  bestAt2NP: number;
  bestAtHalf: number;
  evaluations: number;
}

/** One run over the whole budget; the objective wrapper records the first evaluation at or below the target. */
function run(
  p: TestProblem,
  np: number,
  maxEvaluations: number,
  seed: number,
  options: DEOptions,
  target: number | null,
): Run {
  let count = 0;
  let hit: number | null = null;
  let best = Infinity;
  let bestAtHalf = Infinity;
  let bestAt2NP = Infinity;
  const half = maxEvaluations / 2;
  const obj = (xs: Float64Array[]) =>
    xs.map((x) => {
      const v = p.f(x);
      count++;
      if (v < best) best = v;
      if (count <= half) bestAtHalf = best;
      if (count <= 2 * np) bestAt2NP = best;
      if (hit === null && target !== null && v <= target) hit = count;
      return v;
    });
  const r = minimize(obj, p.bounds, { ...options, np, seed, maxEvaluations });
  return {
    seed,
    evalsToTarget: hit,
    finalBest: Math.min(best, r.fitness),
    bestAt2NP,
    bestAtHalf,
    evaluations: r.evaluations,
  };
}

function median(v: number[]): number | null {
  if (v.length === 0) return null;
  const s = v.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Round up to the 1-2-5 ladder (0.002, 0.005, 0.01, ...). */
function ladderUp(x: number): number {
  if (!(x > 0)) return x;
  const e = Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) {
    const v = m * 10 ** e;
    if (v >= x * (1 - 1e-12)) return Number(v.toPrecision(1));
  }
  return 10 ** (e + 1);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Two-sided Mann-Whitney U (normal approximation, tie and continuity corrected). Infinity ties with Infinity. */
export function mannWhitney(a: number[], b: number[]): { U: number; pSuperiority: number; z: number; p: number } {
  const n1 = a.length;
  const n2 = b.length;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) =>
    x.v === y.v ? 0 : x.v < y.v ? -1 : 1,
  );
  const n = n1 + n2;
  const ranks = new Array<number>(n);
  let tieSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[k] = r;
    const t = j - i + 1;
    tieSum += t * t * t - t;
    i = j + 1;
  }
  let r1 = 0;
  for (let k = 0; k < n; k++) if (all[k].g === 0) r1 += ranks[k];
  const U1 = r1 - (n1 * (n1 + 1)) / 2; // pairs where a > b (+ half ties)
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieSum / (n * (n - 1)));
  const pSuperiority = 1 - U1 / (n1 * n2); // P(a < b) + 0.5 P(a = b)
  if (variance <= 0) return { U: U1, pSuperiority, z: 0, p: 1 };
  const d = U1 - mean;
  const z = (d - 0.5 * Math.sign(d)) / Math.sqrt(variance);
  return { U: U1, pSuperiority, z, p: Math.min(1, 2 * (1 - phi(Math.abs(z)))) };
}

function logFact(n: number): number {
  let s = 0;
  for (let k = 2; k <= n; k++) s += Math.log(k);
  return s;
}

/** Fisher's exact test, two-sided (sum of table probabilities no larger than the observed one). */
export function fisherExact(s1: number, n1: number, s2: number, n2: number): number {
  const K = s1 + s2;
  const N = n1 + n2;
  const lp = (x: number) =>
    logFact(K) +
    logFact(N - K) +
    logFact(n1) +
    logFact(n2) -
    logFact(N) -
    logFact(x) -
    logFact(K - x) -
    logFact(n1 - x) -
    logFact(n2 - K + x);
  const obs = lp(s1);
  let p = 0;
  for (let x = Math.max(0, K - n2); x <= Math.min(K, n1); x++) {
    const l = lp(x);
    if (l <= obs + 1e-9) p += Math.exp(l);
  }
  return Math.min(1, p);
}

/** Percentile bootstrap CI of median(a) - median(b). */
function bootstrapMedianDiff(a: number[], b: number[], reps = 10_000, seed = 12345): [number, number] {
  const rand = mulberry32(seed);
  const diffs: number[] = [];
  const draw = (v: number[]) => Array.from({ length: v.length }, () => v[Math.floor(rand() * v.length)]);
  for (let r = 0; r < reps; r++) diffs.push((median(draw(a)) as number) - (median(draw(b)) as number));
  diffs.sort((x, y) => x - y);
  return [diffs[Math.floor(0.025 * reps)], diffs[Math.ceil(0.975 * reps) - 1]];
}

interface CaseResult {
  family: ProblemFamily;
  fn: TestFunctionName;
  dim: number;
  np: number;
  maxEvaluations: number;
  target: number;
  pilot: number[];
  methods: Record<
    string,
    {
      label: string;
      success: number;
      runs: number;
      medianEvalsToTarget: number | null;
      medianFinal: number;
      seconds: number;
      runs_detail: Run[];
    }
  >;
  oblVsRandom: {
    mwuEvals: { U: number; pSuperiority: number; z: number; p: number };
    fisherSuccess: number;
    mwuFinal: { U: number; pSuperiority: number; z: number; p: number };
    mwuAt2NP: { U: number; pSuperiority: number; z: number; p: number };
    medianAt2NP: [number, number];
    bootstrapMedianDiffCI95: [number, number] | null;
  };
}

const fmtN = (v: number | null) => (v === null ? "-" : Math.round(v).toLocaleString("en-US").replace(/,/g, " "));
const fmtE = (v: number) => (v === 0 ? "0" : v.toExponential(1));
const fmtP = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

let uptimeAtStart: string;
try {
  uptimeAtStart = execSync("uptime", { encoding: "utf8" }).trim();
} catch {
  uptimeAtStart = `loadavg ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" ")}`;
}
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const results: CaseResult[] = [];
for (const family of FAMILIES) {
  for (const dim of DIMS) {
    for (const fn of FUNCTIONS) {
      const p = testProblem(family, fn, dim, PROBLEM_SEED);
      const np = dim <= 10 ? 50 : 100;
      const maxEvaluations = budgetPerDim * dim;
      const pilot: number[] = [];
      for (const s of [101, 102, 103])
        for (const m of METHODS.slice(0, 2)) pilot.push(run(p, np, maxEvaluations, s, m.options, null).bestAtHalf);
      const target = ladderUp(Math.max(...pilot));
      const methods: CaseResult["methods"] = {};
      for (const m of METHODS) {
        const tm = performance.now();
        const runs: Run[] = [];
        for (let s = 1; s <= nSeeds; s++) runs.push(run(p, np, maxEvaluations, s, m.options, target));
        const hits = runs.filter((r) => r.evalsToTarget !== null).map((r) => r.evalsToTarget as number);
        methods[m.key] = {
          label: m.label,
          success: hits.length,
          runs: nSeeds,
          medianEvalsToTarget: median(hits),
          medianFinal: median(runs.map((r) => r.finalBest)) as number,
          seconds: (performance.now() - tm) / 1000,
          runs_detail: runs,
        };
      }
      const a = methods.jade_obl.runs_detail;
      const b = methods.jade_random.runs_detail;
      const ea = a.map((r) => r.evalsToTarget ?? Infinity);
      const eb = b.map((r) => r.evalsToTarget ?? Infinity);
      const allHit = ea.every(Number.isFinite) && eb.every(Number.isFinite);
      const res: CaseResult = {
        family,
        fn,
        dim,
        np,
        maxEvaluations,
        target,
        pilot,
        methods,
        oblVsRandom: {
          mwuEvals: mannWhitney(ea, eb),
          fisherSuccess: fisherExact(methods.jade_obl.success, nSeeds, methods.jade_random.success, nSeeds),
          mwuFinal: mannWhitney(
            a.map((r) => r.finalBest),
            b.map((r) => r.finalBest),
          ),
          mwuAt2NP: mannWhitney(
            a.map((r) => r.bestAt2NP),
            b.map((r) => r.bestAt2NP),
          ),
          medianAt2NP: [median(a.map((r) => r.bestAt2NP)) as number, median(b.map((r) => r.bestAt2NP)) as number],
          bootstrapMedianDiffCI95: allHit ? bootstrapMedianDiff(ea, eb) : null,
        },
      };
      results.push(res);
      process.stderr.write(
        `${family} ${fn} ${dim}-D target ${target}: ` +
          METHODS.map(
            (m) => `${m.key} ${methods[m.key].success}/${nSeeds} ${fmtN(methods[m.key].medianEvalsToTarget)}`,
          ).join(", ") +
          ` | MWU p ${fmtP(res.oblVsRandom.mwuEvals.p)} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
    }
  }
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
/** CPU time of this process (user + system): what the bench costs on one core, whatever else runs. */
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

// ---- tables ----
const lines: string[] = [];
lines.push(
  "| problem | d | target | JADE + OBL: success, median evals | JADE random: success, median evals | P(OBL faster) | MWU p (evals) | Fisher p (success) | bootstrap 95 % CI of median diff (OBL - random) | median final f: OBL / random | MWU p (final f) | median best of first 2NP evals: OBL / random | MWU p (2NP) |",
);
lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of results) {
  const o = r.methods.jade_obl;
  const q = r.methods.jade_random;
  const ci = r.oblVsRandom.bootstrapMedianDiffCI95;
  lines.push(
    `| ${r.family} ${r.fn} | ${r.dim} | ${r.target} | ${o.success}/${o.runs}, ${fmtN(o.medianEvalsToTarget)} | ${q.success}/${q.runs}, ${fmtN(q.medianEvalsToTarget)} | ` +
      `${r.oblVsRandom.mwuEvals.pSuperiority.toFixed(2)} | ${fmtP(r.oblVsRandom.mwuEvals.p)} | ${fmtP(r.oblVsRandom.fisherSuccess)} | ` +
      `${ci ? `[${fmtN(ci[0])}, ${fmtN(ci[1])}]` : "- (not every run reached the target)"} | ${fmtE(o.medianFinal)} / ${fmtE(q.medianFinal)} | ${fmtP(r.oblVsRandom.mwuFinal.p)} | ` +
      `${fmtE(r.oblVsRandom.medianAt2NP[0])} / ${fmtE(r.oblVsRandom.medianAt2NP[1])} | ${fmtP(r.oblVsRandom.mwuAt2NP.p)} |`,
  );
}
const table1 = lines.join("\n");
const l2: string[] = [];
l2.push("| problem | d | target | " + METHODS.map((m) => m.label).join(" | ") + " |");
l2.push("|---|---|---|" + METHODS.map(() => "---").join("|") + "|");
for (const r of results) {
  l2.push(
    `| ${r.family} ${r.fn} | ${r.dim} | ${r.target} | ` +
      METHODS.map((m) => {
        const x = r.methods[m.key];
        return `${x.success}/${x.runs}, ${fmtN(x.medianEvalsToTarget)} (final ${fmtE(x.medianFinal)})`;
      }).join(" | ") +
      " |",
  );
}
const table2 = l2.join("\n");
process.stdout.write(
  `\nOBL vs random init (JADE), ${nSeeds} seeds, budget ${budgetPerDim} x d evaluations:\n\n${table1}\n\nAll methods: success, median evaluations to target (successful runs), median final best:\n\n${table2}\n\n${seconds.toFixed(0)} s wall, ${cpuSeconds.toFixed(0)} s CPU\n`,
);

if (out) {
  let commit: string;
  let dirty = "";
  let uptime: string;
  try {
    commit = execSync("git rev-parse HEAD", { encoding: "utf8" }).trim();
    dirty = execSync("git status --short src bench", { encoding: "utf8" }).trim();
  } catch {
    commit = "(not a git checkout)";
  }
  try {
    uptime = execSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    uptime = `loadavg ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(" ")}`;
  }
  const doc = {
    command: `npx tsx bench/obl.ts ${argv.join(" ")}`.trim(),
    date: new Date().toISOString(),
    commit,
    uncommittedChangesInSrcOrBench: dirty || null,
    uptimeAtEnd: uptime,
    node: process.version,
    cpu: os.cpus()[0]?.model,
    seconds,
    cpuSeconds,
    uptimeAtStart,
    settings: {
      seeds: nSeeds,
      budgetPerDim,
      problemSeed: PROBLEM_SEED,
      families: FAMILIES,
      functions: FUNCTIONS,
      dims: DIMS,
      methods: METHODS.map((m) => ({ key: m.key, label: m.label, options: m.options })),
    },
    tables: { oblVsRandom: table1, allMethods: table2 },
    results,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
  process.stderr.write(`wrote ${out}\n`);
}
