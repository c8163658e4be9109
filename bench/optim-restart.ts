/**
 * Restarts, population size and LM polish for DE (src/optim), on shifted (and rotated) test
 * functions written here (not src/optim/testfunctions.ts): success rate and evaluations.
 *
 *   npx tsx bench/optim-restart.ts [--seeds 5] [--out bench/results/optim-restart.json]
 *
 * Sections:
 *  1. tuning: the collapse case (NP 10, d = 8; JADE's population falls to diversity ~1e-10 on a
 *     local minimum) for the restart thresholds and the re-seeding mix;
 *  2. restarts x population: NP 36, defaultPopulation(d) and 10 d, restarts off / DEFAULT_RESTART, at
 *     d = 8, 14, 20 on shifted Rastrigin, shifted-rotated Rastrigin, shifted-rotated Ackley,
 *     shifted Rosenbrock; budget 3000 d evaluations, success = best <= 1e-4;
 *  3. polish: DE to 1e-8 alone, against DE to 1e-2 followed by the LM polish, and against DE to
 *     1e-8 with the polish every 25 generations, on residual forms of shifted Rosenbrock and
 *     shifted Rastrigin: evaluations until a point reaches 1e-8.
 * Runs single-threaded; every run is seeded, so the numbers repeat exactly (times do not).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { gaussian, mulberry32 } from "../src/config";
import { DEFAULT_RESTART, defaultPopulation, DEOptions, minimize, RestartOptions } from "../src/optim";
import { arg, argv } from "./support";

const nSeeds = Number(arg("--seeds", "5"));
const out = arg("--out", path.join(__dirname, "results", "optim-restart.json"));
const t00 = performance.now();
const loadBefore = os.loadavg();

// ---- problems -------------------------------------------------------------------------------

/** Seeded random orthogonal matrix (Gram-Schmidt on Gaussian rows). */
function rotation(d: number, seed: number): number[][] {
  const g = gaussian(mulberry32(seed));
  const q = Array.from({ length: d }, () => Array.from({ length: d }, () => g()));
  for (let i = 0; i < d; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += q[i][j] * q[k][j];
        for (let j = 0; j < d; j++) q[i][j] -= dot * q[k][j];
      }
    }
    let n = 0;
    for (let j = 0; j < d; j++) n += q[i][j] * q[i][j];
    n = Math.sqrt(n);
    for (let j = 0; j < d; j++) q[i][j] /= n;
  }
  return q;
}

interface Problem {
  name: string;
  dim: number;
  bounds: [number, number][];
  f: (x: Float64Array) => number;
  /** Residual form (f = sum r^2), for the polish. */
  residuals?: (x: Float64Array) => number[];
}

function makeProblem(kind: string, d: number): Problem {
  const rnd = mulberry32(1000 + d);
  const rotate = kind.includes("rotated");
  const R = rotate ? rotation(d, 2000 + d) : null;
  const half = kind.startsWith("ackley") ? 32 : 5;
  const shift = Array.from({ length: d }, () => (rnd() * 2 - 1) * 0.6 * half);
  const z = (x: Float64Array) => {
    const y = Array.from(x, (v, j) => v - shift[j]);
    return R ? R.map((row) => row.reduce((s, r, j) => s + r * y[j], 0)) : y;
  };
  const bounds = Array.from({ length: d }, () => [-half, half] as [number, number]);
  if (kind.startsWith("rastrigin")) {
    // 10 d + sum z^2 - 10 cos(2 pi z) = sum z^2 + 20 sin^2(pi z): residuals [z_j, sqrt(20) sin(pi z_j)]
    const residuals = (x: Float64Array) => z(x).flatMap((v) => [v, Math.sqrt(20) * Math.sin(Math.PI * v)]);
    return {
      name: kind,
      dim: d,
      bounds,
      f: (x) => z(x).reduce((s, v) => s + v * v - 10 * Math.cos(2 * Math.PI * v) + 10, 0),
      residuals,
    };
  }
  if (kind.startsWith("ackley")) {
    return {
      name: kind,
      dim: d,
      bounds,
      f: (x) => {
        const v = z(x);
        let a = 0;
        let b = 0;
        for (const t of v) {
          a += t * t;
          b += Math.cos(2 * Math.PI * t);
        }
        return Math.max(0, -20 * Math.exp(-0.2 * Math.sqrt(a / d)) - Math.exp(b / d) + 20 + Math.E);
      },
    };
  }
  // rosenbrock, optimum at x = shift
  const residuals = (x: Float64Array) => {
    const v = z(x).map((t) => t + 1);
    const r: number[] = [];
    for (let j = 0; j + 1 < d; j++) r.push(10 * (v[j + 1] - v[j] * v[j]), 1 - v[j]);
    return r;
  };
  return { name: kind, dim: d, bounds, f: (x) => residuals(x).reduce((s, t) => s + t * t, 0), residuals };
}

// ---- runs -----------------------------------------------------------------------------------

interface Summary {
  solved: number;
  runs: number;
  /** Mean evaluations of the solved runs (to the target). */
  meanEvalsSolved: number | null;
  medianBest: number;
  restarts: number;
  seconds: number;
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

function runSet(
  p: Problem,
  np: number,
  restart: DEOptions["restart"],
  maxEvaluations: number,
  target: number,
): Summary {
  const t0 = performance.now();
  let solved = 0;
  let evals = 0;
  let restarts = 0;
  const bests: number[] = [];
  for (let seed = 1; seed <= nSeeds; seed++) {
    const r = minimize((xs) => xs.map(p.f), p.bounds, { np, seed, maxEvaluations, target, restart });
    bests.push(r.measure);
    restarts += r.restarts.length;
    if (r.measure <= target) {
      solved++;
      evals += r.evaluationsToTarget ?? r.evaluations;
    }
  }
  return {
    solved,
    runs: nSeeds,
    meanEvalsSolved: solved ? Math.round(evals / solved) : null,
    medianBest: median(bests),
    restarts,
    seconds: (performance.now() - t0) / 1000,
  };
}

const fmt = (s: Summary) =>
  `${s.solved}/${s.runs} ${s.meanEvalsSolved ?? "-"} (med ${s.medianBest.toExponential(1)}, ${s.restarts} rs)`;

// 1. tuning on the collapse case
const tuning: Record<string, unknown>[] = [];
const TUNE: Record<string, RestartOptions | false> = {
  off: false,
  "diversity 1e-3, window 1, no stagnation": { diversity: 1e-3, diversityWindow: 1, generations: 1e9 },
  "diversity 1e-4, window 1, no stagnation": { diversity: 1e-4, diversityWindow: 1, generations: 1e9 },
  "diversity 1e-6, window 1, no stagnation": { diversity: 1e-6, diversityWindow: 1, generations: 1e9 },
  "diversity 1e-4, window 10, no stagnation": { diversity: 1e-4, generations: 1e9 },
  "diversity 1e-6, window 10, no stagnation": { diversity: 1e-6, generations: 1e9 },
  "stagnation 40": { generations: 40 },
  "stagnation 100": { generations: 100 },
  DEFAULT_RESTART: {},
  "mix: local only": { opposition: 0, local: 1 },
  "mix: uniform only": { opposition: 0, local: 0 },
  "mix: opposition only": { opposition: 1, local: 0 },
  "spread 0.05": { spread: 0.05 },
  "spread 0.2": { spread: 0.2 },
};
console.log(
  `# 1. tuning: d = 8, NP 10, budget 40000, target 1e-4, ${nSeeds} seeds (solved/runs, mean evaluations of the solved)`,
);
for (const kind of ["rastrigin", "ackley-rotated", "rastrigin-rotated"]) {
  const p = makeProblem(kind, 8);
  for (const [name, restart] of Object.entries(TUNE)) {
    const s = runSet(p, 10, restart, 40_000, 1e-4);
    tuning.push({ problem: kind, dim: 8, np: 10, config: name, restart, ...s });
    console.log(`${kind.padEnd(18)} ${name.padEnd(40)} ${fmt(s)}`);
  }
}

// 2. restarts x population
const grid: Record<string, unknown>[] = [];
console.log(
  `\n# 2. restarts x population: budget 3000 d, target 1e-4, ${nSeeds} seeds (solved/runs, mean evaluations of the solved)`,
);
for (const kind of ["rastrigin", "rastrigin-rotated", "ackley-rotated", "rosenbrock"]) {
  for (const d of [8, 14, 20]) {
    const p = makeProblem(kind, d);
    const row: string[] = [];
    // 36 (stalled on TEM at d = 8), the default rule, and 10 d where it differs from the rule
    const nps = [...new Set([36, defaultPopulation(d), 10 * d])];
    for (const np of nps) {
      for (const [rn, restart] of [
        ["off", false],
        ["on", {}],
      ] as [string, DEOptions["restart"]][]) {
        const s = runSet(p, np, restart, 3000 * d, 1e-4);
        grid.push({ problem: kind, dim: d, np, restart: rn, ...s });
        row.push(`NP ${np} ${rn}: ${fmt(s)}`);
      }
    }
    console.log(`${kind.padEnd(18)} d=${d}  ${row.join(" | ")}`);
  }
}

// 3. polish
const polishRows: Record<string, unknown>[] = [];
console.log(
  `\n# 3. polish: evaluations until a point reaches 1e-8 (DE alone vs DE to 1e-2 + LM), ${nSeeds} seeds, default NP, restarts on`,
);
for (const kind of ["rosenbrock", "rastrigin"]) {
  for (const d of [8, 14]) {
    const p = makeProblem(kind, d);
    const fine = 1e-8;
    const budget = 5000 * d;
    const alone: number[] = [];
    const withPolish: number[] = [];
    const withEvery: number[] = [];
    let okAlone = 0;
    let okPolish = 0;
    let okEvery = 0;
    let polishEvals = 0;
    let everyPolishEvals = 0;
    for (let seed = 1; seed <= nSeeds; seed++) {
      const a = minimize((xs) => xs.map(p.f), p.bounds, { seed, maxEvaluations: budget, target: fine, restart: {} });
      if (a.measure <= fine) {
        okAlone++;
        alone.push(a.evaluationsToTarget!);
      }
      // count every evaluation (objective and residuals) and note the first reaching `fine`
      let count = 0;
      let hit: number | null = null;
      const see = (vals: number[]) => {
        for (let k = 0; k < vals.length; k++) if (hit === null && vals[k] <= fine) hit = count + k + 1;
        count += vals.length;
      };
      const b = minimize(
        (xs) => {
          const v = xs.map(p.f);
          see(v);
          return v;
        },
        p.bounds,
        {
          seed,
          maxEvaluations: budget,
          target: 1e-2,
          restart: {},
          polish: {
            residuals: (xs) => {
              const rs = xs.map(p.residuals!);
              see(rs.map((r) => r.reduce((s, t) => s + t * t, 0)));
              return rs;
            },
            components: (r) => [r.reduce((s, t) => s + t * t, 0)],
          },
        },
      );
      polishEvals += b.polish!.evaluations;
      if (hit !== null) {
        okPolish++;
        withPolish.push(hit);
      }
      const sq = (r: number[]) => r.reduce((s, t) => s + t * t, 0);
      const c = minimize((xs) => xs.map(p.f), p.bounds, {
        seed,
        maxEvaluations: budget,
        target: fine,
        restart: {},
        polish: { residuals: (xs) => xs.map(p.residuals!), components: (r) => [sq(r)], every: 25 },
      });
      everyPolishEvals += c.polish!.during.reduce((s, x) => s + x.evaluations, 0);
      if (c.evaluationsToTarget !== null) {
        okEvery++;
        withEvery.push(c.evaluationsToTarget);
      }
    }
    const mean = (v: number[]) => (v.length ? Math.round(v.reduce((s, x) => s + x, 0) / v.length) : null);
    const row = {
      problem: kind,
      dim: d,
      np: defaultPopulation(d),
      fine,
      budget,
      alone: { solved: okAlone, meanEvals: mean(alone) },
      polish: { solved: okPolish, meanEvals: mean(withPolish), meanPolishEvals: Math.round(polishEvals / nSeeds) },
      every25: { solved: okEvery, meanEvals: mean(withEvery), meanPolishEvals: Math.round(everyPolishEvals / nSeeds) },
    };
    polishRows.push(row);
    console.log(
      `${kind.padEnd(12)} d=${d}  DE alone ${okAlone}/${nSeeds} ${row.alone.meanEvals ?? "-"} | DE to 1e-2 + LM ${okPolish}/${nSeeds} ${row.polish.meanEvals ?? "-"} (LM ${row.polish.meanPolishEvals})` +
        ` | DE + LM every 25 ${okEvery}/${nSeeds} ${row.every25.meanEvals ?? "-"} (LM ${row.every25.meanPolishEvals})`,
    );
  }
}

const result = {
  command: `npx tsx bench/optim-restart.ts ${argv.join(" ")}`.trim(),
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${os.cpus()[0]?.model ?? "?"} x ${os.cpus().length}`,
  loadavgBefore: loadBefore,
  loadavgAfter: os.loadavg(),
  seconds: (performance.now() - t00) / 1000,
  seeds: nSeeds,
  defaultRestart: DEFAULT_RESTART,
  tuning,
  grid,
  polish: polishRows,
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
console.log(
  `\nwrote ${out} in ${result.seconds.toFixed(0)} s; load ${loadBefore.map((x) => x.toFixed(2)).join(" ")} -> ${result.loadavgAfter.map((x) => x.toFixed(2)).join(" ")}`,
);
