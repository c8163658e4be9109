import { test } from "node:test";
import assert from "node:assert/strict";
import {
  adaptiveLambda,
  compileParameterisation,
  dataMisfit,
  EarthModel,
  geometricThicknesses,
  invert,
  invertSync,
  InversionProblem,
  InversionResult,
  median,
  medianRmsCurve,
  occam,
  roughness,
  summarizeRuns,
  toModel,
  toVector,
  toyForward,
  twoStepInversion,
  validateProblem,
} from "../src/inversion";
import { broadsideWire, logSpacedTimes, THREE_LAYER_IP, toyThreeLayerProblem } from "./support/fixtures";

/** Tests of the inversion plumbing on the analytic stand-in forward (src/inversion/toy.ts). */
const survey = broadsideWire(logSpacedTimes(25, 3));
const TRUE = THREE_LAYER_IP;
const toyProblem = (model: EarthModel, noise = 0.002, seed = 3) => toyThreeLayerProblem(survey, model, noise, seed);

test("adaptive lambda (seed eq. 16), misfit kinds (eq. 12) and roughness (eq. 15) follow their closed forms", () => {
  assert.equal(adaptiveLambda(3, 1), 0.75);
  assert.equal(adaptiveLambda(0, 0), 0);
  assert.equal(dataMisfit([1, 2], [0, 4], [0.5, 1], "weighted"), 4 + 4);
  assert.equal(dataMisfit([1, 2], [0, 4], [0.5, 1], "raw"), 1 + 4);
  assert.equal(dataMisfit([1, 2], [2, 4], [0.5, 1], "relative"), 0.25 + 0.25);
  const p = compileParameterisation(toyProblem(TRUE).parameterisation);
  // log10: 2, 1, log10(300); m: 0, 0.4, 0 ; thickness and tau/c not in the default roughness
  const want = (2 - 1) ** 2 + (1 - Math.log10(300)) ** 2 + 0.4 ** 2 + 0.4 ** 2;
  assert.ok(Math.abs(roughness(TRUE, p) - want) < 1e-12);
  const noM = compileParameterisation({ layers: 3, rho0: { min: 1, max: 1000 }, thickness: { min: 20, max: 400 } });
  assert.ok(Math.abs(roughness({ ...TRUE, m: [0, 0, 0] }, noM) - ((2 - 1) ** 2 + (1 - Math.log10(300)) ** 2)) < 1e-12);
});

test("parameterisation: log10 rho, thickness, tau; linear m, c; fixed entries; vector round trip", () => {
  const p = compileParameterisation({
    layers: 3,
    rho0: { min: [1, 1, 10], max: 1000 },
    thickness: { min: 10, max: 100, fixed: [null, 50] },
    m: { min: 0, max: 0.9, fixed: [0, null, 0] },
    tau: { min: 1e-4, max: 1e-1, fixed: [1e-3, null, 1e-3] },
    c: { fixed: 0.6 },
  });
  assert.deepEqual(
    p.free.map((f) => f.name),
    ["log10 rho0[1]", "log10 rho0[2]", "log10 rho0[3]", "log10 thickness[1]", "m[2]", "log10 tau[2]"],
  );
  assert.deepEqual(p.lower, [0, 0, 1, 1, 0, -4]);
  const model: EarthModel = {
    thickness: [30, 50],
    rho0: [5, 20, 300],
    m: [0, 0.3, 0],
    tau: [1e-3, 0.01, 1e-3],
    c: [0.6, 0.6, 0.6],
  };
  const back = toModel(p, toVector(p, model));
  for (const k of ["thickness", "rho0", "m", "tau", "c"] as const)
    back[k].forEach((v, j) =>
      assert.ok(Math.abs(v - model[k][j]) < 1e-12 * Math.abs(model[k][j]) + 1e-15, `${k}[${j}]`),
    );
});

test("bad parameterisations and data are rejected naming the field", () => {
  const base = toyProblem(TRUE);
  const bad = (patch: Partial<InversionProblem>, re: RegExp) =>
    assert.throws(() => validateProblem({ ...base, ...patch }), re);
  bad(
    { parameterisation: { ...base.parameterisation, rho0: { min: [1, 500, 1], max: [1000, 500, 1000] } } },
    /parameterisation\.rho0\.min\[1\]: lower bound 500 must be below upper bound 500/,
  );
  bad(
    { parameterisation: { ...base.parameterisation, m: { min: 0, max: 1.2 } } },
    /parameterisation\.m\.max: 1\.2 is outside \[0, 1\)/,
  );
  bad(
    {
      parameterisation: {
        layers: 3,
        rho0: { min: 1, max: 10 },
        thickness: { min: 1, max: 10 },
        m: { min: 0, max: 0.5 },
      },
    },
    /parameterisation\.tau: missing; chargeability m is free/,
  );
  bad(
    { parameterisation: { ...base.parameterisation, rho0: { min: -1, max: 10 } } },
    /parameterisation\.rho0\.min: -1 is outside \(0, inf\)/,
  );
  bad({ parameterisation: { ...base.parameterisation, sigma: {} } as never }, /parameterisation\.sigma: unknown key/);
  const ds = base.datasets[0];
  bad(
    { datasets: [{ ...ds, observed: ds.observed.slice(1) }] },
    /datasets\[0\]\.data\.time_off: has 24 values but times has 25/,
  );
  bad(
    { datasets: [{ ...ds, error: ds.error.map((e, i) => (i === 3 ? 0 : e)) }] },
    /datasets\[0\]\.data\.error\[3\]: 0; errors are standard deviations and must be > 0/,
  );
  bad({ misfit: "l1" as never }, /misfit: unknown 'l1'/);
});

test("DE inversion of stand-in data fits to the noise, lambda follows eq. 16 generation by generation", () => {
  const prob = toyProblem(TRUE);
  const r = invertSync(prob, { np: 30, maxGenerations: 300, seed: 4, targetRms: 1 });
  assert.equal(r.stopReason, "target");
  assert.ok(r.misfit.rms <= 1);
  assert.equal(r.history.lambda[0], 0.5, "lambda_0");
  for (let g = 1; g < r.history.lambda.length; g++) {
    const dd = r.history.dataMisfit[g - 1];
    const dm = r.history.roughness[g - 1];
    assert.ok(Math.abs(r.history.lambda[g] - dd / (dd + dm)) < 1e-14, `generation ${g}`);
  }
  // predicted data are the forward of the returned model
  const again = toyForward([survey])([r.model])[0];
  r.predicted[0].forEach((v, i) => assert.equal(v, again[i]));
  assert.equal(r.population.models.length, 30);
  assert.ok(r.population.stats.every((s) => s.p05 <= s.median && s.median <= s.p95));
});

test("worker-thread inversion reproduces the serial inversion exactly", async () => {
  const prob = toyProblem(TRUE);
  const o = { np: 20, maxGenerations: 25, seed: 9 };
  const a = invertSync(prob, o);
  const b = await invert(prob, { ...o, workers: 2 });
  assert.deepEqual(b.x, a.x);
  assert.deepEqual(b.history.best, a.history.best);
  assert.deepEqual(b.history.lambda, a.history.lambda);
});

test("two-step workflow: step 1 has no IP, step 2 keeps step 1's resistivities and thicknesses", async () => {
  const prob = toyProblem(TRUE);
  const r = await twoStepInversion(prob, { np: 20, maxGenerations: 60, seed: 2 });
  assert.deepEqual(r.step1.model.m, [0, 0, 0]);
  assert.deepEqual(r.step2.model.rho0, r.step1.model.rho0);
  assert.deepEqual(r.step2.model.thickness, r.step1.model.thickness);
  assert.ok(r.step2.parameters.every((n) => n.startsWith("m[")));
  assert.ok(Number.isFinite(r.step2.misfit.rms));
});

test("Occam reaches the target misfit with a model no rougher than the true one on its grid", async () => {
  const noIp: EarthModel = { ...TRUE, m: [0, 0, 0] };
  const prob = toyProblem(noIp, 0.003, 5);
  // 10 m layers: the true boundaries (80 m, 230 m) lie on the grid, so the true model is representable
  const thickness = geometricThicknesses(30, 10, 290);
  assert.ok(thickness.every((h) => Math.abs(h - 10) < 1e-9));
  const target = 1.2;
  const r = await occam(prob, { thickness, forward: toyForward([survey]), targetRms: target });
  assert.ok(r.rms <= target * 1.0001, `rms ${r.rms}`);
  // the true model sampled on Occam's layers, and its misfit
  const tops = [0];
  thickness.forEach((h) => tops.push(tops[tops.length - 1] + h));
  const mids = tops.map((t, j) => (j < thickness.length ? t + thickness[j] / 2 : t + 1));
  const rhoAt = (z: number) => (z < 80 ? 100 : z < 230 ? 10 : 300);
  const gridTrue: EarthModel = {
    thickness,
    rho0: mids.map(rhoAt),
    m: mids.map(() => 0),
    tau: mids.map(() => 1e-3),
    c: mids.map(() => 0.5),
  };
  const pred = toyForward([survey])([gridTrue])[0];
  const d = prob.datasets[0];
  const rmsTrue = Math.sqrt(dataMisfit(pred, d.observed, d.error) / d.observed.length);
  const rough = (m: EarthModel) =>
    m.rho0.reduce((s, v, j) => (j ? s + (Math.log10(v) - Math.log10(m.rho0[j - 1])) ** 2 : 0), 0);
  assert.ok(rmsTrue <= target, `true model on the grid misfits at ${rmsTrue}`);
  assert.ok(r.roughness <= rough(gridTrue) + 1e-9, `Occam roughness ${r.roughness} > true ${rough(gridTrue)}`);
  assert.equal(r.iterations[r.iterations.length - 1].phase, 2);
});

test("LM polish during the run (polish.every) in worker threads: the pool switches between objective and predictions, same numbers as serial", async () => {
  const prob = toyProblem(TRUE);
  const o = { np: 16, maxGenerations: 20, seed: 4, polish: { every: 5 } };
  const serial = invertSync(prob, o);
  const pooled = await invert(prob, { ...o, workers: 2 });
  assert.deepEqual(pooled.x, serial.x);
  assert.equal(pooled.evaluations, serial.evaluations);
  assert.ok(serial.polish && serial.polish.evaluations > 0);
  assert.ok(serial.evaluations > 16 * 2 + 20 * 16, "the polishes' evaluations are counted");
});

test("Occam where no mu gives a solvable system (a non-finite Jacobian) stops as 'singular' with the start model; a blind forward makes no step; an empty mu sweep is refused", async () => {
  const prob = toyProblem({ ...TRUE, m: [0, 0, 0] });
  const n = prob.datasets[0].observed.length;
  // the start model predicts finite data, every perturbed model NaN: every mu's system has NaN pivots
  const nan = (models: EarthModel[]) => models.map((_, i) => new Array(n).fill(i === 0 ? 0.5 : NaN));
  const seen: number[] = [];
  const r = await occam(prob, { layers: 8, startRho: 30, forward: nan, onIteration: (it) => seen.push(it.iteration) });
  assert.equal(r.stopReason, "singular");
  assert.equal(r.iterations.length, 0);
  assert.deepEqual(seen, []);
  assert.ok(
    r.model.rho0.every((v) => Math.abs(v - 30) < 1e-9),
    "the start model is returned",
  );
  assert.ok(Number.isNaN(r.mu));
  assert.equal(r.evaluations, 1 + 8, "the start model and one Jacobian (8 perturbed models), no candidates");
  // data that do not depend on the model: no step can lower the misfit, so the start model stays
  const blind = (models: EarthModel[]) => models.map(() => new Array(n).fill(0.5));
  const b = await occam(prob, { layers: 8, startRho: 30, forward: blind });
  assert.ok(b.stopReason === "no-progress" || b.stopReason === "singular", b.stopReason);
  assert.equal(b.iterations.length, 0);
  assert.ok(b.model.rho0.every((v) => Math.abs(v - 30) < 1e-9));
  await assert.rejects(
    occam(prob, { layers: 8, forward: blind, log10Mu: [] }),
    /occam\.log10Mu: expected a non-empty list/,
  );
});

test("modelErrors: no percentage of a true 0 (no null in the result JSON); the absolute errors cover every kind", async () => {
  const { modelErrors, modelErrorsAbsolute } = await import("../src/inversion/internal");
  const truth = { rho0: [10, 100], thickness: [20], m: [0.3, 0], tau: [1e-3, 1e-3], c: [0.5, 0.5] };
  const model = { rho0: [11, 90], thickness: [22], m: [0.25, 0.1], tau: [1e-3, 2e-3], c: [0.5, 0.6] };
  const p = modelErrors(model, truth);
  assert.deepEqual(Object.keys(p).sort(), ["c", "rho0", "tau", "thickness"]);
  assert.ok(Math.abs(p.rho0[0] - 10) < 1e-12 && Math.abs(p.rho0[1] + 10) < 1e-12);
  const a = modelErrorsAbsolute(model, truth);
  assert.ok(Math.abs(a.m[1] - 0.1) < 1e-15 && Math.abs(a.m[0] + 0.05) < 1e-12);
  assert.ok(JSON.stringify({ p, a }).indexOf("null") < 0);
});

test("median, summarizeRuns and medianRmsCurve: counts and medians of repeated runs", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median(Float64Array.of(-1)), -1);
  assert.ok(Number.isNaN(median([])));
  const run = (rms: number[], toTarget: number | null, seconds: number) =>
    ({
      misfit: { rms: rms[rms.length - 1] },
      evaluationsToTarget: toTarget,
      seconds,
      history: { rms },
    }) as unknown as InversionResult;
  const runs = [run([5, 2, 1], 300, 4), run([4, 3], null, 1), run([6, 1, 0.5, 0.2], 100, 2)];
  assert.deepEqual(summarizeRuns(runs), {
    runs: 3,
    reached: 2,
    success: "2/3",
    medianEvaluationsToTarget: 200,
    medianFinalRms: 1,
    medianSeconds: 2,
  });
  assert.equal(summarizeRuns([runs[1]]).medianEvaluationsToTarget, null);
  // a run that stopped early counts with its last value: generation 3 is median(1, 3, 0.2)
  assert.deepEqual(medianRmsCurve(runs), [5, 2, 1, 1]);
  assert.deepEqual(medianRmsCurve([]), []);
});
