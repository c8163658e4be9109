import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "path";
import { mulberry32 } from "../src/config";
import {
  binomialCrossover,
  DifferentialEvolution,
  lehmerMean,
  makeBounds,
  minimize,
  minimizeAsync,
  MUTATIONS,
  opposite,
  oppositionInit,
  parseStrategy,
  repairBounds,
  sampleCR,
  sampleF,
  selectFittest,
  STRATEGIES,
  testBounds,
  testObjective,
  updateMeans,
  WorkerPool,
  GenerationRecord,
} from "../src/optim";
import { cauchy } from "../src/optim/internal";

/** A rand() that replays a list of values (for closed-form checks of one mutation). */
function replay(values: number[]): () => number {
  let k = 0;
  return () => {
    if (k >= values.length) throw new Error("replay exhausted");
    return values[k++];
  };
}

test("bounds: lower >= upper, non-finite and length mismatch are rejected naming the index", () => {
  assert.throws(
    () =>
      makeBounds([
        [0, 1],
        [2, 2],
      ]),
    /bounds\[1\]: lower 2 must be below upper 2/,
  );
  assert.throws(() => makeBounds([[0, Infinity]]), /bounds\[0\]: bounds must be finite/);
  assert.throws(() => makeBounds({ lower: [0, 0], upper: [1] }), /lower has 2 entries but upper has 1/);
  assert.deepEqual(
    Array.from(
      makeBounds([
        [-1, 1],
        [0, 5],
      ]).upper,
    ),
    [1, 5],
  );
});

test("midpoint rule puts a violating coordinate halfway between parent and bound, leaves others", () => {
  const b = makeBounds([
    [0, 10],
    [0, 10],
    [0, 10],
  ]);
  const v = Float64Array.from([-4, 5, 13]);
  const parent = Float64Array.from([2, 7, 8]);
  repairBounds(v, parent, b, "midpoint", () => 0.5);
  assert.deepEqual(Array.from(v), [1, 5, 9]);
  const r = Float64Array.from([-4, 23, 10]);
  repairBounds(r, parent, b, "reflect", () => 0.5);
  assert.deepEqual(Array.from(r), [4, 3, 10]);
});

test("opposition init: second half is s + k - x of the first, selectFittest keeps the n smallest", () => {
  const b = makeBounds([
    [-2, 4],
    [10, 20],
  ]);
  const xs = oppositionInit(5, b, mulberry32(9));
  assert.equal(xs.length, 10);
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(xs[i + 5][0] - (2 - xs[i][0])) < 1e-12);
    assert.ok(Math.abs(xs[i + 5][1] - (30 - xs[i][1])) < 1e-12);
  }
  assert.deepEqual(Array.from(opposite(Float64Array.from([4, 10]), b)), [-2, 20]);
  assert.deepEqual(selectFittest([5, 1, NaN, 3, 1, 0], 3), [5, 1, 4]);
});

test("JADE sampling: CR in [0,1] with mean muCR and sd 0.1; F in (0,1] with Cauchy median muF", () => {
  const rand = mulberry32(42);
  let g = 0;
  const gauss = () => {
    // Box-Muller from the same stream, independent of the library's helper
    const u = 1 - rand();
    const v = rand();
    g++;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const n = 20000;
  let s = 0,
    s2 = 0;
  for (let i = 0; i < n; i++) {
    const c = sampleCR(0.5, gauss);
    assert.ok(c >= 0 && c <= 1);
    s += c;
    s2 += c * c;
  }
  const mean = s / n;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean CR ${mean}`);
  assert.ok(Math.abs(Math.sqrt(s2 / n - mean * mean) - 0.1) < 0.005);
  assert.equal(g, n);
  const fs: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = sampleF(0.4, rand);
    assert.ok(f > 0 && f <= 1);
    fs.push(f);
  }
  fs.sort((a, b) => a - b);
  // redrawing F <= 0 shifts the median: P(F <= 0) = p0, median m has CDF(m) = p0 + (1 - p0) / 2
  const p0 = 0.5 + Math.atan(-0.4 / 0.1) / Math.PI;
  const m = 0.4 + 0.1 * Math.tan(Math.PI * (p0 + (1 - p0) / 2 - 0.5));
  assert.ok(Math.abs(fs[n / 2] - m) < 0.004, `median F ${fs[n / 2]}, expected ${m}`);
  // Cauchy quartiles are mu -+ gamma
  const cs = Array.from({ length: n }, () => cauchy(0, 0.1, rand)).sort((a, b) => a - b);
  assert.ok(Math.abs(cs[n / 4] + 0.1) < 0.01 && Math.abs(cs[(3 * n) / 4] - 0.1) < 0.01);
});

test("Lehmer mean and the mu updates follow the closed forms", () => {
  assert.equal(lehmerMean([1, 2, 3]), 14 / 6);
  const u = updateMeans(0.5, 0.5, [0.2, 0.4], [0.5, 1.0], 0.1);
  assert.ok(Math.abs(u.muCR - (0.9 * 0.5 + 0.1 * 0.3)) < 1e-15);
  assert.ok(Math.abs(u.muF - (0.9 * 0.5 + 0.1 * (1.25 / 1.5))) < 1e-15);
  assert.deepEqual(updateMeans(0.3, 0.7, [], [], 0.1), { muCR: 0.3, muF: 0.7 });
});

test("mutation formulas: rand/1, best/2, current-to-pbest/1 with archive (eq. 9), binomial crossover (eq. 4)", () => {
  const pop = [0, 1, 2, 3, 4, 5].map((k) => Float64Array.from([10 * k, -k]));
  const archive = [Float64Array.from([100, 100])];
  const out = new Float64Array(2);
  // rand() * 6 -> indices: 0.5 -> 3, 0.2 -> 1, 0.9 -> 5
  MUTATIONS["rand/1"]({ pop, i: 0, best: 2, pbest: 2, archive, F: 0.5, rand: replay([0.5, 0.2, 0.9]) }, out);
  assert.deepEqual(Array.from(out), [30 + 0.5 * (10 - 50), -3 + 0.5 * (-1 + 5)]);
  // i=1 is excluded: first draw 0.2 -> 1 rejected, then 0.0 -> 0; then 3, 4, 5
  MUTATIONS["best/2"]({ pop, i: 1, best: 2, pbest: 2, archive, F: 1, rand: replay([0.2, 0.0, 0.5, 0.7, 0.9]) }, out);
  assert.deepEqual(Array.from(out), [20 + (0 - 30) + (40 - 50), -2 + (0 + 3) + (-4 + 5)]);
  // current-to-pbest: r1 from 6 (0.6 -> 3), r2 from 7 = pop + archive (0.99 -> 6 = archive[0])
  MUTATIONS["current-to-pbest/1"]({ pop, i: 1, best: 0, pbest: 4, archive, F: 0.5, rand: replay([0.6, 0.99]) }, out);
  assert.deepEqual(Array.from(out), [10 + 0.5 * (40 - 10) + 0.5 * (30 - 100), -1 + 0.5 * (-4 + 1) + 0.5 * (-3 - 100)]);
  // crossover: j_rand = floor(0.6*3) = 1 always from v; j=0 rand 0.95 > CR keeps x; j=2 rand 0.1 takes v
  const x = Float64Array.from([1, 2, 3]);
  const v = Float64Array.from([7, 8, 9]);
  binomialCrossover(x, v, 0.5, replay([0.6, 0.95, 0.1]));
  assert.deepEqual(Array.from(v), [1, 8, 9]);
});

test("strategy names parse, unknown ones are rejected naming the field", () => {
  assert.deepEqual(parseStrategy("DE/rand/1/bin"), { strategy: "rand/1", jade: false });
  assert.deepEqual(parseStrategy("JADE"), { strategy: "current-to-pbest/1", jade: true });
  assert.throws(() => parseStrategy("DE/rand/3"), /strategy: unknown 'DE\/rand\/3'/);
  assert.throws(
    () => minimize(testObjective({ name: "sphere" }), testBounds("sphere", 2), { np: 3, strategy: "rand/2" }),
    /np: must be an integer in \[6,/,
  );
});

test("JADE solves sphere, Rosenbrock and Rastrigin in 10 dimensions", () => {
  const runs: [string, number, number][] = [
    ["sphere", 300, 1e-10],
    ["rosenbrock", 1500, 1e-6],
    ["rastrigin", 600, 1e-8],
  ];
  for (const [name, gens, tol] of runs) {
    const r = minimize(testObjective({ name: name as "sphere" }), testBounds(name as "sphere", 10), {
      np: 50,
      maxGenerations: gens,
      seed: 11,
    });
    assert.ok(r.fitness < tol, `${name}: ${r.fitness} after ${gens} generations`);
    assert.equal(r.evaluations, 100 + 50 * gens, "OBL evaluates 2NP, then NP per generation");
  }
});

test("every classic strategy with fixed F, CR converges on the 5-D sphere; JADE beats DE/rand/1 on Rastrigin", () => {
  for (const s of STRATEGIES) {
    const r = minimize(testObjective({ name: "sphere" }), testBounds("sphere", 5), {
      np: 30,
      strategy: s,
      maxGenerations: 400,
      seed: 5,
      init: "random",
    });
    assert.ok(r.fitness < 1e-6, `DE/${s}: ${r.fitness}`);
    assert.equal(r.muF, 0.5);
    assert.equal(r.muCR, 0.9);
  }
  let jadeWins = 0;
  for (const seed of [1, 2, 3]) {
    const o = { np: 50, maxGenerations: 400, seed };
    const j = minimize(testObjective({ name: "rastrigin" }), testBounds("rastrigin", 10), o);
    const d = minimize(testObjective({ name: "rastrigin" }), testBounds("rastrigin", 10), {
      ...o,
      strategy: "DE/rand/1",
    });
    if (j.fitness < d.fitness) jadeWins++;
  }
  assert.equal(jadeWins, 3);
});

test("runs are reproducible for a seed and differ between seeds", () => {
  const go = (seed: number) =>
    minimize(testObjective({ name: "rastrigin" }), testBounds("rastrigin", 6), { np: 20, maxGenerations: 50, seed });
  const a = go(7);
  const b = go(7);
  const c = go(8);
  assert.deepEqual(Array.from(a.x), Array.from(b.x));
  assert.deepEqual(
    a.history.map((h) => h.best),
    b.history.map((h) => h.best),
  );
  assert.notDeepEqual(Array.from(a.x), Array.from(c.x));
});

test("repaired coordinates land strictly inside the box (no clipping onto the bound)", () => {
  const rand = mulberry32(4);
  const b = makeBounds([[0, 1]]);
  for (const rule of ["midpoint", "reflect", "random"] as const) {
    let onBound = 0;
    for (let k = 0; k < 2000; k++) {
      const parent = Float64Array.from([0.01 + 0.98 * rand()]);
      const v = Float64Array.from([rand() < 0.5 ? -3 * rand() - 1e-9 : 1 + 3 * rand() + 1e-9]);
      repairBounds(v, parent, b, rule, rand);
      assert.ok(v[0] >= 0 && v[0] <= 1, `${rule}: ${v[0]}`);
      if (v[0] === 0 || v[0] === 1) onBound++;
    }
    assert.equal(onBound, 0, rule);
  }
});

test("the population never leaves the box; an optimum on the bound is approached from inside", () => {
  // minimum of sum (x - 3)^2 is outside [0, 1]^4: the best approaches 1 from inside
  const f = (xs: Float64Array[]) => xs.map((x) => x.reduce((s, v) => s + (v - 3) ** 2, 0));
  let inside = true;
  const r = minimize(
    f,
    Array.from({ length: 4 }, () => [0, 1] as [number, number]),
    {
      np: 20,
      maxGenerations: 200,
      seed: 3,
      onGeneration: (h: GenerationRecord) => {
        if (h.bestX.some((v) => v < 0 || v > 1)) inside = false;
      },
    },
  );
  for (const x of r.population) for (const v of x) if (v < 0 || v > 1) inside = false;
  assert.ok(inside);
  assert.ok(
    r.x.every((v) => v > 1 - 1e-6),
    `best ${Array.from(r.x)}`,
  );
});

test("stop rules: target (with evaluations to target), evaluation budget, stagnation, callback", () => {
  const sph = testObjective({ name: "sphere" });
  const bnd = testBounds("sphere", 4);
  const t = minimize(sph, bnd, { np: 20, target: 1e-3, maxGenerations: 1000, seed: 1 });
  assert.equal(t.stopReason, "target");
  assert.ok(
    t.fitness <= 1e-3 &&
      t.evaluationsToTarget !== null &&
      t.evaluationsToTarget <= t.evaluations &&
      t.evaluationsToTarget > t.evaluations - 20,
  );
  const e = minimize(sph, bnd, { np: 20, maxEvaluations: 1000, seed: 1 });
  assert.equal(e.stopReason, "evaluations");
  assert.ok(e.evaluations <= 1000 && e.evaluations > 980);
  const s = minimize((xs) => xs.map(() => 1), bnd, {
    np: 20,
    maxGenerations: 500,
    stagnation: { generations: 10 },
    seed: 1,
  });
  assert.equal(s.stopReason, "stagnation");
  assert.equal(s.generations, 10);
  const c = minimize(sph, bnd, {
    np: 20,
    maxGenerations: 500,
    seed: 1,
    onGeneration: (h) => (h.generation === 3 ? "stop" : undefined),
  });
  assert.equal(c.stopReason, "callback");
  assert.equal(c.history.length, 4);
});

test("component objectives: weights updated from the previous best, parents rescored each generation", () => {
  const seen: number[][] = [];
  const r = minimize(
    (xs) => xs.map((x) => [x[0] ** 2 + x[1] ** 2, (x[0] - x[1]) ** 2]),
    [
      [-5, 5],
      [-5, 5],
    ],
    {
      np: 12,
      maxGenerations: 20,
      seed: 2,
      scalarisation: {
        initial: [1, 0.5],
        update: (c) => {
          seen.push(c);
          return [1, c[0] / (c[0] + c[1] + 1e-300)];
        },
      },
    },
  );
  assert.equal(seen.length, 20);
  for (let g = 1; g < r.history.length; g++) {
    const prev = r.history[g - 1].bestComponents;
    assert.ok(Math.abs(r.history[g].weights[1] - prev[0] / (prev[0] + prev[1] + 1e-300)) < 1e-15);
  }
  const w = r.history[r.history.length - 1].weights;
  r.populationFitness.forEach((f, i) =>
    assert.equal(f, w[0] * r.populationComponents[i][0] + w[1] * r.populationComponents[i][1]),
  );
});

test("worker-thread evaluation gives exactly the serial run", async () => {
  const mod = path.join(__dirname, "..", "src", "optim", "testfunctions.ts");
  const opts = { np: 24, maxGenerations: 40, seed: 13 };
  const serial = minimize(testObjective({ name: "rosenbrock" }), testBounds("rosenbrock", 8), opts);
  const pool = new WorkerPool({ module: mod, factory: "testObjective", args: { name: "rosenbrock" } }, 2);
  try {
    const par = await minimizeAsync(pool.objective, testBounds("rosenbrock", 8), opts);
    assert.deepEqual(Array.from(par.x), Array.from(serial.x));
    assert.deepEqual(
      par.history.map((h) => h.best),
      serial.history.map((h) => h.best),
    );
    assert.equal(par.evaluations, serial.evaluations);
  } finally {
    await pool.close();
  }
  const bad = new WorkerPool({ module: mod, factory: "nope" }, 1);
  await assert.rejects(bad.evaluate([new Float64Array(2)]), /no exported function 'nope'/);
  await bad.close();
});

test("ask/tell: asking twice returns the same pending batch; tell checks the count", () => {
  const de = new DifferentialEvolution(
    [
      [0, 1],
      [0, 1],
    ],
    { np: 5, init: "random", maxGenerations: 3 },
  );
  const a = de.ask();
  assert.equal(de.ask(), a);
  assert.throws(() => de.tell([1, 2]), /returned 2 values for 5 points/);
});
