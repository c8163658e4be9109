/**
 * Optimiser benchmark (issue 4): evaluations to reach a target on standard test functions,
 * JADE + OBL / JADE / DE/rand/1 here against scipy.optimize.differential_evolution, and the
 * worker-pool speed-up on an expensive objective.
 *
 *   npx tsx bench/optim.ts [--seeds 10] [--quick] [--out bench/results/optim.json]
 *
 * scipy runs through /usr/bin/python3 (Debian's python3-scipy); skipped when it is missing. It is
 * run vectorised with updating="deferred" (a generation-synchronous DE, like ours; its default
 * "immediate" updating differs) and its default popsize 15 (NP = 15 x dimension), no polishing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { minimize, minimizeAsync, testBounds, testObjective, TestFunctionName, WorkerPool } from "../src/optim";
import { arg, hasFlag } from "./support";

const quick = hasFlag("--quick");
const nSeeds = Number(arg("--seeds", quick ? "3" : "10"));
const out = arg("--out", "");

interface Case {
  fn: TestFunctionName;
  dim: number;
  target: number;
  maxEvals: number;
}
const CASES: Case[] = [
  { fn: "rastrigin", dim: 10, target: 1e-6, maxEvals: 100_000 },
  { fn: "rosenbrock", dim: 10, target: 1e-6, maxEvals: 100_000 },
  { fn: "rastrigin", dim: 30, target: 1e-6, maxEvals: 300_000 },
  { fn: "rosenbrock", dim: 30, target: 1e-6, maxEvals: 300_000 },
];
const cases = quick ? CASES.slice(0, 2) : CASES;

interface Row {
  fn: string;
  dim: number;
  method: string;
  np: number;
  success: number;
  runs: number;
  medianEvals: number | null;
  meanBest: number;
  seconds: number;
}

function median(v: number[]): number | null {
  if (v.length === 0) return null;
  const s = v.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

function ours(c: Case, label: string, o: { strategy?: string; init?: "opposition" | "random" }): Row {
  const np = c.dim <= 10 ? 50 : 100;
  const evals: number[] = [];
  let best = 0;
  const t0 = performance.now();
  for (let s = 1; s <= nSeeds; s++) {
    const r = minimize(testObjective({ name: c.fn }), testBounds(c.fn, c.dim), {
      np,
      seed: s,
      target: c.target,
      maxEvaluations: c.maxEvals,
      ...o,
    });
    if (r.evaluationsToTarget !== null) evals.push(r.evaluationsToTarget);
    best += r.fitness / nSeeds;
  }
  return {
    fn: c.fn,
    dim: c.dim,
    method: label,
    np,
    success: evals.length,
    runs: nSeeds,
    medianEvals: median(evals),
    meanBest: best,
    seconds: (performance.now() - t0) / 1000,
  };
}

const PY = `
import json, sys, time
import numpy as np
from scipy.optimize import differential_evolution
from scipy import __version__
cfg = json.loads(sys.argv[1])
# vectorised: x has shape (dim, S), one column per point
def rastrigin(x): return 10*x.shape[0] + np.sum(x*x - 10*np.cos(2*np.pi*x), axis=0)
def rosenbrock(x): return np.sum(100*(x[1:]-x[:-1]**2)**2 + (1-x[:-1])**2, axis=0)
f = {"rastrigin": rastrigin, "rosenbrock": rosenbrock}[cfg["fn"]]
lim = {"rastrigin": 5.12, "rosenbrock": 30.0}[cfg["fn"]]
rows = []
t0 = time.time()
for seed in range(1, cfg["seeds"] + 1):
    state = {"n": 0, "hit": None, "best": float("inf")}
    def g(x):
        x = x.reshape(cfg["dim"], -1)
        v = f(x)
        state["best"] = min(state["best"], float(np.min(v)))
        if state["hit"] is None:
            ok = np.nonzero(v <= cfg["target"])[0]
            if ok.size: state["hit"] = state["n"] + int(ok[0]) + 1
        state["n"] += v.size
        return v
    popsize = cfg["popsize"]
    maxiter = cfg["maxEvals"] // (popsize * cfg["dim"]) - 1
    differential_evolution(g, [(-lim, lim)] * cfg["dim"], strategy=cfg["strategy"], popsize=popsize, maxiter=maxiter,
        tol=0, atol=0, seed=seed, polish=False, vectorized=True, updating="deferred",
        callback=lambda xk, convergence=0: state["hit"] is not None)
    rows.append({"hit": state["hit"], "best": state["best"]})
print(json.dumps({"version": __version__, "rows": rows, "seconds": time.time() - t0}))
`;

function scipy(c: Case, strategy: string, popsize: number): Row | null {
  const py = "/usr/bin/python3";
  if (!fs.existsSync(py)) return null;
  const cfg = { fn: c.fn, dim: c.dim, target: c.target, maxEvals: c.maxEvals, seeds: nSeeds, strategy, popsize };
  const r = spawnSync(py, ["-c", PY, JSON.stringify(cfg)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.error(`scipy skipped: ${r.stderr.trim().split("\n").pop()}`);
    return null;
  }
  const res = JSON.parse(r.stdout) as {
    version: string;
    rows: { hit: number | null; best: number }[];
    seconds: number;
  };
  const evals = res.rows.filter((x) => x.hit !== null).map((x) => x.hit as number);
  return {
    fn: c.fn,
    dim: c.dim,
    method: `scipy ${res.version} ${strategy}`,
    np: popsize * c.dim,
    success: evals.length,
    runs: nSeeds,
    medianEvals: median(evals),
    meanBest: res.rows.reduce((a, x) => a + x.best, 0) / nSeeds,
    seconds: res.seconds,
  };
}

async function poolSpeedup(): Promise<Record<string, number>> {
  // an objective of 200 us per point (a stand-in for a forward model), NP 40, 30 generations
  const spin = 200;
  const o = { np: 40, maxGenerations: 30, seed: 1 };
  const b = testBounds("rosenbrock", 10);
  let t0 = performance.now();
  const s = minimize(testObjective({ name: "rosenbrock", spinMicros: spin }), b, o);
  const serial = (performance.now() - t0) / 1000;
  const res: Record<string, number> = { serial_s: serial, evaluations: s.evaluations };
  for (const w of [2]) {
    const pool = new WorkerPool(
      {
        module: path.join(__dirname, "..", "src", "optim", "testfunctions.ts"),
        factory: "testObjective",
        args: { name: "rosenbrock", spinMicros: spin },
      },
      w,
    );
    await pool.whenReady(); // start-up not timed
    t0 = performance.now();
    const p = await minimizeAsync(pool.objective, b, o);
    res[`workers_${w}_s`] = (performance.now() - t0) / 1000;
    res[`workers_${w}_identical`] = Number(p.x.every((v, i) => v === s.x[i]));
    await pool.close();
  }
  return res;
}

async function main() {
  const rows: Row[] = [];
  for (const c of cases) {
    rows.push(ours(c, "JADE + OBL", {}));
    rows.push(ours(c, "JADE", { init: "random" }));
    rows.push(ours(c, "DE/rand/1 (F 0.5, CR 0.9)", { strategy: "DE/rand/1", init: "random" }));
    for (const [st, ps] of [
      ["best1bin", 15],
      ["rand1bin", 15],
    ] as [string, number][]) {
      const r = scipy(c, st, ps);
      if (r) rows.push(r);
    }
    for (const r of rows.filter((x) => x.fn === c.fn && x.dim === c.dim)) {
      console.log(
        `${r.fn} ${r.dim}-D  ${r.method.padEnd(28)} NP ${String(r.np).padStart(4)}  success ${r.success}/${r.runs}  median evals to ${c.target}: ${r.medianEvals ?? "-"}  mean best ${r.meanBest.toExponential(2)}  ${r.seconds.toFixed(1)} s`,
      );
    }
  }
  const pool = await poolSpeedup();
  console.log("worker pool (200 us objective, NP 40, 30 generations):", JSON.stringify(pool));
  const result = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    seeds: nSeeds,
    rows,
    pool,
  };
  if (out) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 1));
  }
}
main();
