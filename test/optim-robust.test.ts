import { test } from "node:test";
import assert from "node:assert/strict";
import { gaussian, mulberry32 } from "../src/config";
import {
  DEFAULT_RESTART,
  defaultPopulation,
  DEOptions,
  DifferentialEvolution,
  levenbergMarquardt,
  levenbergMarquardtSync,
  makeBounds,
  minimize,
  minimizeAsync,
  populationAdvice,
  resolveOptions,
  SeededRandom,
} from "../src/optim";

/** Shifted Rastrigin (optimum at `shift`, value 0), written here independently of the library. */
function shiftedRastrigin(shift: number[]) {
  return (xs: Float64Array[]) =>
    xs.map((x) => {
      let s = 10 * x.length;
      for (let j = 0; j < x.length; j++) {
        const z = x[j] - shift[j];
        s += z * z - 10 * Math.cos(2 * Math.PI * z);
      }
      return s;
    });
}

test("SeededRandom reproduces mulberry32 and gaussian(mulberry32) and resumes from its state", () => {
  for (const seed of [0, 1, 12345, 2 ** 32 - 1]) {
    const ref = mulberry32(seed);
    const r = new SeededRandom(seed);
    for (let k = 0; k < 1000; k++) assert.equal(r.next(), ref());
  }
  // gaussian draws interleaved with uniforms, from one stream
  const refU = mulberry32(77);
  const refG = gaussian(refU);
  const r = new SeededRandom(77);
  const seq: number[] = [];
  for (let k = 0; k < 500; k++) {
    const a = k % 3 === 0 ? refU() : refG();
    const b = k % 3 === 0 ? r.rand() : r.gauss();
    assert.equal(b, a);
    if (k === 250) {
      // capture mid-stream (possibly with a spare deviate), replay the rest from a copy
      const copy = new SeededRandom(0);
      copy.state = JSON.parse(JSON.stringify(r.state));
      for (let m = k + 1; m < 500; m++) seq.push(m % 3 === 0 ? copy.rand() : copy.gauss());
    }
  }
  const again = new SeededRandom(77);
  const full: number[] = [];
  for (let k = 0; k < 500; k++) full.push(k % 3 === 0 ? again.rand() : again.gauss());
  assert.deepEqual(seq, full.slice(251));
});

test("population rule: default 40 + 5 d (>= 80 at d = 8, > 70 at d = 14), advice below the rule only", () => {
  assert.equal(defaultPopulation(2), 50);
  assert.equal(defaultPopulation(8), 80);
  assert.equal(defaultPopulation(14), 110);
  assert.equal(defaultPopulation(20), 140);
  assert.equal(resolveOptions(8, {}).np, 80);
  assert.equal(resolveOptions(8, { np: 36 }).np, 36); // the optimiser keeps the given np
  const w = populationAdvice(8, 36);
  assert.ok(w && /np 36/.test(w) && /80/.test(w), String(w));
  assert.ok(populationAdvice(14, 70));
  assert.equal(populationAdvice(8, 80), null);
  assert.equal(populationAdvice(14, 150), null);
  assert.equal(populationAdvice(3, 55), null);
  assert.ok(populationAdvice(3, 54));
  assert.throws(() => defaultPopulation(0), /dim/);
});

test("restart option: validated, off by default, {} means DEFAULT_RESTART", () => {
  assert.equal(resolveOptions(4, {}).restart, null);
  assert.equal(resolveOptions(4, { restart: false }).restart, null);
  assert.deepEqual(resolveOptions(4, { restart: {} }).restart, { ...DEFAULT_RESTART });
  assert.equal(DEFAULT_RESTART.diversity, 1e-6);
  assert.throws(() => resolveOptions(4, { restart: { diversity: -1 } }), /restart\.diversity/);
  assert.throws(() => resolveOptions(4, { restart: { opposition: 0.7, local: 0.6 } }), /restart\.local/);
});

test("a collapsed population triggers a recorded diversity restart that keeps the best and re-seeds inside the box", () => {
  const bounds: [number, number][] = Array.from({ length: 5 }, () => [-5, 5] as [number, number]);
  const f = shiftedRastrigin([1, -2, 0.5, 3, -1]);
  const de = new DifferentialEvolution(bounds, {
    np: 20,
    seed: 3,
    maxGenerations: 50,
    restart: { opposition: 0.25, local: 0.5, spread: 0.05 },
  });
  de.tell(f(de.ask()));
  // collapse: every member becomes a copy of the best
  const b = de.bestIndex();
  const bx = de.pop[b];
  de.pop = de.pop.map(() => Float64Array.from(bx));
  de.fit = de.fit.map(() => de.fit[b]);
  de.comp = de.comp.map(() => de.comp[b].slice());
  const bestBefore = de.fit[b];
  // identical parents -> identical trials -> diversity 0 and no improvement: the diversity
  // trigger fires once the best has not improved for diversityWindow (10) generations
  let rec = de.tell(f(de.ask()));
  while (!rec.restart && rec.generation < 30) {
    assert.equal(rec.diversity, 0);
    rec = de.tell(f(de.ask()));
  }
  assert.ok(rec.restart, "restart recorded on the generation that triggered it");
  assert.equal(rec.restart!.reason, "diversity");
  assert.equal(rec.restart!.generation, 10);
  assert.equal(rec.diversity, 0);
  assert.equal(rec.restart!.bestBefore, rec.best);
  const pts = de.ask();
  assert.equal(pts.length, 19);
  const lo = makeBounds(bounds);
  for (const x of pts) for (let j = 0; j < 5; j++) assert.ok(x[j] >= lo.lower[j] && x[j] <= lo.upper[j]);
  // mix: 5 quasi-opposite points lie between the box centre (0) and the opposite of the (collapsed) sources,
  // 10 around the best within a few spreads
  for (let k = 0; k < 5; k++) {
    for (let j = 0; j < 5; j++) {
      const opp = -bx[j];
      assert.ok(Math.min(0, opp) - 1e-12 <= pts[k][j] && pts[k][j] <= Math.max(0, opp) + 1e-12);
    }
  }
  for (let k = 5; k < 15; k++) for (let j = 0; j < 5; j++) assert.ok(Math.abs(pts[k][j] - bx[j]) < 10 * 0.05 * 10);
  assert.equal(de.archive.length, 0);
  assert.equal(de.muF, 0.5);
  assert.equal(de.muCR, 0.5);
  const rec2 = de.tell(f(pts));
  assert.ok(rec2.diversity > 0.05, `diversity after restart ${rec2.diversity}`);
  assert.ok(rec2.best <= bestBefore, "best never lost");
  assert.ok(
    de.pop.some((x) => x.every((v, j) => v === bx[j])),
    "the best individual survives unchanged",
  );
  while (!de.done) de.tell(f(de.ask()));
  const res = de.result();
  assert.ok(res.restarts.length >= 1);
  assert.deepEqual(res.restarts[0], rec.restart);
});

test("stagnation restarts fire every `generations` on a flat objective, deterministic for a seed", () => {
  const flat = (xs: Float64Array[]) => xs.map(() => 1);
  const run = () =>
    minimize(
      flat,
      [
        [0, 1],
        [0, 1],
        [0, 1],
      ],
      { np: 12, seed: 5, maxGenerations: 35, restart: { generations: 10, diversity: 0 } },
    );
  const r = run();
  assert.deepEqual(
    r.restarts.map((x) => [x.reason, x.generation]),
    [
      ["stagnation", 10],
      ["stagnation", 20],
      ["stagnation", 30],
    ],
  );
  assert.deepEqual(
    r.history.filter((h) => h.restart).map((h) => h.generation),
    [10, 20, 30],
  );
  const again = run();
  assert.deepEqual({ ...again, seconds: 0 }, { ...r, seconds: 0 });
});

test("the best never gets worse across restarts", () => {
  const f = shiftedRastrigin([1.3, -2.2, 0.7, 3.1, -1.9, 2.4]);
  const bounds = Array.from({ length: 6 }, () => [-5.12, 5.12] as [number, number]);
  const r = minimize(f, bounds, {
    np: 15,
    seed: 9,
    maxGenerations: 600,
    restart: { generations: 20, diversity: 1e-2 },
  });
  assert.ok(r.restarts.length >= 3, `restarts ${r.restarts.length}`);
  for (let g = 1; g < r.history.length; g++) assert.ok(r.history[g].best <= r.history[g - 1].best, `generation ${g}`);
  for (const x of r.restarts) assert.ok(r.history[x.generation + 1].best <= x.bestBefore);
});

// NP 10 (not 20): at NP 20 JADE without restarts already solves this shifted (unrotated) Rastrigin
// on every seed; at NP 10 the population collapses onto a local minimum (diversity ~1e-10 at
// f = 1-9), the failure the restarts are for.
test("restarts solve shifted Rastrigin (d = 8, NP 10) on more seeds than the same runs without", () => {
  const shift = [1.7, -2.3, 0.4, 3.2, -3.9, 2.6, -0.8, 1.1];
  const bounds = Array.from({ length: 8 }, () => [-5.12, 5.12] as [number, number]);
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const solved = (restart: DEOptions["restart"]) =>
    seeds.filter(
      (seed) =>
        minimize(shiftedRastrigin(shift), bounds, { np: 10, seed, maxEvaluations: 40_000, target: 1e-6, restart })
          .measure <= 1e-6,
    ).length;
  const without = solved(false);
  const withR = solved({});
  assert.ok(withR > without, `with restarts ${withR}/10, without ${without}/10`);
});

/** y = a exp(-b t) + c on t = 0, 0.2, ..., 3.8. */
const T = Array.from({ length: 20 }, (_, i) => 0.2 * i);
const TRUE = [2.5, 1.3, 0.4];
const Y = T.map((t) => TRUE[0] * Math.exp(-TRUE[1] * t) + TRUE[2]);
const expResiduals = (x: ArrayLike<number>) => T.map((t, i) => x[0] * Math.exp(-x[1] * t) + x[2] - Y[i]);

test("LM fits an exponential decay from a poor start, every evaluated point inside the box, Jacobian in one batch", async () => {
  const bounds: [number, number][] = [
    [0, 10],
    [0.01, 10],
    [-2, 2],
  ];
  const calls: number[] = [];
  const res = (xs: Float64Array[]) => {
    calls.push(xs.length);
    for (const x of xs)
      for (let j = 0; j < 3; j++)
        assert.ok(x[j] >= bounds[j][0] && x[j] <= bounds[j][1], `point outside the box: ${Array.from(x)}`);
    return xs.map(expResiduals);
  };
  const r = levenbergMarquardtSync(res, [9, 8, -1.5], bounds);
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(r.x[j] - TRUE[j]) < 1e-6, `x[${j}] = ${r.x[j]}`);
  assert.ok(r.cost < 1e-14, `cost ${r.cost}`);
  assert.ok(r.initialCost > 10);
  // batches: the start point, then Jacobians of exactly 3 points and single trial points
  assert.equal(calls[0], 1);
  assert.ok(calls.every((n) => n === 1 || n === 3));
  assert.equal(
    calls.reduce((a, b) => a + b, 0),
    r.evaluations,
  );
  // the returned Jacobian is the one at the final x (analytic derivatives)
  assert.ok(r.jacobian);
  T.forEach((t, i) => {
    const e = Math.exp(-r.x[1] * t);
    const an = [e, -r.x[0] * t * e, 1];
    for (let j = 0; j < 3; j++)
      assert.ok(Math.abs(r.jacobian![i][j] - an[j]) < 1e-6 * (1 + Math.abs(an[j])), `J[${i}][${j}]`);
  });
  // async driver: identical iterates
  const ra = await levenbergMarquardt(async (xs) => xs.map(expResiduals), [9, 8, -1.5], bounds);
  assert.deepEqual(ra, r);
});

test("LM respects the bounds when the unconstrained optimum lies outside (Rosenbrock with x <= 0.5)", () => {
  // min 100 (y - x^2)^2 + (1 - x)^2 over x in [-2, 0.5], y in [-1, 3]: y = x^2 and x at its bound 0.5, cost 0.25
  const bounds: [number, number][] = [
    [-2, 0.5],
    [-1, 3],
  ];
  let outside = 0;
  const r = levenbergMarquardtSync(
    (xs) =>
      xs.map((x) => {
        if (x[0] < -2 || x[0] > 0.5 || x[1] < -1 || x[1] > 3) outside++;
        return [10 * (x[1] - x[0] * x[0]), 1 - x[0]];
      }),
    [-1.5, 2.5],
    bounds,
    { maxIterations: 500 },
  );
  assert.equal(outside, 0);
  assert.equal(r.x[0], 0.5);
  assert.ok(Math.abs(r.x[1] - 0.25) < 1e-7, `y ${r.x[1]}`);
  assert.ok(Math.abs(r.cost - 0.25) < 1e-12, `cost ${r.cost}`);
  assert.throws(() => levenbergMarquardtSync((xs) => xs.map(() => [0]), [0, 0, 0], bounds), /x0/);
});

/** Shifted Rosenbrock as residuals: r = [10 (z_{j+1} - z_j^2), 1 - z_j], z = x - shift + 1. */
function rosenResiduals(shift: number[]) {
  return (x: ArrayLike<number>) => {
    const z = Array.from(x, (v, j) => v - shift[j] + 1);
    const r: number[] = [];
    for (let j = 0; j + 1 < z.length; j++) r.push(10 * (z[j + 1] - z[j] * z[j]), 1 - z[j]);
    return r;
  };
}

test("polish in minimize: keeps or improves the fitness, counts its evaluations, result consistent", () => {
  const shift = [0.7, -1.2, 1.9, 0.3];
  const resid = rosenResiduals(shift);
  const sq = (r: number[]) => r.reduce((s, v) => s + v * v, 0);
  const bounds = Array.from({ length: 4 }, () => [-3, 3] as [number, number]);
  let objCount = 0;
  let resCount = 0;
  const objective = (xs: Float64Array[]) => {
    objCount += xs.length;
    return xs.map((x) => sq(resid(x)));
  };
  const base = { np: 20, seed: 4, maxGenerations: 60 };
  const plain = minimize(objective, bounds, base);
  objCount = 0;
  const pol = minimize(objective, bounds, {
    ...base,
    polish: {
      residuals: (xs) => {
        resCount += xs.length;
        return xs.map(resid);
      },
      components: (r) => [sq(r)],
    },
  });
  assert.ok(pol.polish);
  assert.equal(pol.polish!.before, plain.fitness);
  assert.ok(pol.polish!.accepted);
  assert.ok(pol.fitness < 1e-12 && pol.fitness < plain.fitness, `polished ${pol.fitness} vs ${plain.fitness}`);
  assert.equal(pol.polish!.after, pol.fitness);
  assert.equal(pol.polish!.evaluations, resCount);
  assert.equal(pol.evaluations, objCount + resCount);
  assert.ok(Math.abs(sq(resid(pol.x)) - pol.fitness) <= 1e-15);
  for (let j = 0; j < 4; j++) assert.ok(Math.abs(pol.x[j] - shift[j]) < 1e-5);
  assert.ok(pol.populationFitness.includes(pol.fitness));
  // a polish whose components are worse is not kept: the result is the plain run's
  const worse = minimize(objective, bounds, {
    ...base,
    polish: { residuals: (xs) => xs.map(resid), components: () => [1e300] },
  });
  assert.equal(worse.polish!.accepted, false);
  assert.equal(worse.fitness, plain.fitness);
  assert.deepEqual(worse.x, plain.x);
});

test("snapshot/restore (through JSON) resumes bit-identically, with restarts and adaptive weights", () => {
  const shift = [1.1, -0.4, 2.2, -1.7];
  const f = shiftedRastrigin(shift);
  // two components [rastrigin, |x|^2], weight of the second adapted from the previous best
  const objective = (xs: Float64Array[]) => {
    const a = f(xs);
    return xs.map((x, i) => [a[i], x.reduce((s, v) => s + v * v, 0)]);
  };
  const opts: DEOptions = {
    np: 12,
    seed: 21,
    maxGenerations: 160,
    restart: { diversity: 1e-3, generations: 15 },
    scalarisation: { initial: [1, 0.01], update: (c) => [1, (0.01 * c[0]) / (1 + c[0])] },
  };
  const full = new DifferentialEvolution(
    [
      [-5, 5],
      [-5, 5],
      [-5, 5],
      [-5, 5],
    ],
    opts,
  );
  while (!full.done) full.tell(objective(full.ask()));
  const ref = full.result();
  assert.ok(ref.restarts.length >= 2, `restarts ${ref.restarts.length}`);
  assert.ok(new Set(ref.history.map((h) => h.weights[1])).size > 10, "weights changed along the run");
  const cuts = [
    { gen: 37, pending: false },
    { gen: ref.restarts[0].generation, pending: false }, // right after a restart was decided
    { gen: ref.restarts[0].generation, pending: true }, // restart points asked, not told
    { gen: 90, pending: true },
  ];
  for (const cut of cuts) {
    let de = new DifferentialEvolution(
      [
        [-5, 5],
        [-5, 5],
        [-5, 5],
        [-5, 5],
      ],
      opts,
    );
    while (de.generation < cut.gen) de.tell(objective(de.ask()));
    if (cut.pending) de.ask();
    const json = JSON.stringify(de.snapshot());
    de = DifferentialEvolution.restore(JSON.parse(json), opts);
    while (!de.done) de.tell(objective(de.ask()));
    const got = de.result();
    assert.deepStrictEqual({ ...got, seconds: 0 }, { ...ref, seconds: 0 }, `cut at ${JSON.stringify(cut)}`);
  }
  const s = full.snapshot();
  assert.throws(() => DifferentialEvolution.restore(s, { ...opts, seed: 22 }), /options\.seed/);
  assert.throws(() => DifferentialEvolution.restore({ format: "x" }, opts), /snapshot/);
});

test("polish every K generations: injected, counted, deterministic, reaches a fine target in fewer evaluations", () => {
  const shift = [0.7, -1.2, 1.9, 0.3, -0.5, 1.4];
  const resid = rosenResiduals(shift);
  const sq = (r: number[]) => r.reduce((s, v) => s + v * v, 0);
  const bounds = Array.from({ length: 6 }, () => [-3, 3] as [number, number]);
  let objCount = 0;
  let resCount = 0;
  const objective = (xs: Float64Array[]) => {
    objCount += xs.length;
    return xs.map((x) => sq(resid(x)));
  };
  const polish = {
    residuals: (xs: Float64Array[]) => {
      resCount += xs.length;
      return xs.map(resid);
    },
    components: (r: number[]) => [sq(r)],
    every: 25,
  };
  const base = { np: 30, seed: 8, maxEvaluations: 60_000, target: 1e-10 };
  const a = minimize(objective, bounds, { ...base, polish });
  assert.equal(a.stopReason, "target");
  assert.ok(a.polish!.during.length >= 1);
  for (const d of a.polish!.during) assert.equal(d.generation % 25, 0);
  assert.equal(a.evaluations, objCount + resCount);
  assert.ok(a.evaluationsToTarget !== null && a.evaluationsToTarget <= a.evaluations);
  assert.ok(a.fitness <= 1e-10);
  objCount = 0;
  resCount = 0;
  const again = minimize(objective, bounds, { ...base, polish });
  assert.deepEqual({ ...again, seconds: 0 }, { ...a, seconds: 0 });
  const plain = minimize(objective, bounds, base);
  const plainEvals = plain.evaluationsToTarget ?? Infinity;
  assert.ok(
    a.evaluationsToTarget! < plainEvals,
    `with polish every 25: ${a.evaluationsToTarget}, DE alone: ${plainEvals}`,
  );
  assert.throws(() => minimize(objective, bounds, { ...base, polish: { ...polish, every: -1 } }), /polish\.every/);
});

test("minimizeAsync with async residuals equals minimize; polish on restart runs after each restart decision", async () => {
  // shifted Rastrigin as residuals [z_j, sqrt(20) sin(pi z_j)] (10 - 10 cos(2 pi z) = 20 sin^2(pi z))
  const shift = [0.2, -0.9, 1.4, 0.6];
  const resid = (x: ArrayLike<number>) =>
    Array.from(x).flatMap((v, j) => [v - shift[j], Math.sqrt(20) * Math.sin(Math.PI * (v - shift[j]))]);
  const sq = (r: number[]) => r.reduce((s, v) => s + v * v, 0);
  const bounds = Array.from({ length: 4 }, () => [-5, 5] as [number, number]);
  const objective = (xs: Float64Array[]) => xs.map((x) => sq(resid(x)));
  const opts: DEOptions = {
    np: 12,
    seed: 6,
    maxGenerations: 120,
    restart: { diversity: 1e-2, generations: 15 },
    polish: { residuals: (xs) => xs.map(resid), components: (r) => [sq(r)], onRestart: true, maxIterations: 5 },
  };
  const s = minimize(objective, bounds, opts);
  const a = await minimizeAsync(async (xs) => objective(xs), bounds, {
    ...opts,
    polish: { ...opts.polish!, residuals: async (xs) => xs.map(resid) },
  });
  assert.deepEqual({ ...a, seconds: 0 }, { ...s, seconds: 0 });
  assert.ok(s.restarts.length >= 1);
  const restartGens = s.restarts.map((r) => r.generation);
  assert.deepEqual(
    s.polish!.during.map((d) => d.generation),
    restartGens,
  );
});

test("the stagnation stop still ends a run when restarts are on (checked first)", () => {
  const flat = (xs: Float64Array[]) => xs.map(() => 1);
  const r = minimize(
    flat,
    [
      [0, 1],
      [0, 1],
    ],
    {
      np: 8,
      seed: 2,
      maxGenerations: 500,
      stagnation: { generations: 30 },
      restart: { generations: 50, diversity: 0 },
    },
  );
  assert.equal(r.stopReason, "stagnation");
  assert.equal(r.generations, 30);
  assert.equal(r.restarts.length, 0);
});
