import { test } from "node:test";
import assert from "node:assert/strict";
import { FAST_OPTIONS } from "../src/em";
import {
  addDataNoise,
  compileParameterisation,
  convergenceWarning,
  emForward,
  EarthModel,
  invert,
  InversionProblem,
  parseInvertConfig,
  parsePosteriorOptions,
  runInvertConfig,
  samplePosterior,
  syntheticProblem,
  toyForward,
  toVector,
  truthCheck,
} from "../src/inversion";
import { createPredictor, localPredictor, SEARCH_SPREAD_NOTE } from "../src/inversion/internal";
import { broadsideWire, logSpacedTimes, TOY_FORWARD } from "./support/fixtures";

/**
 * The posterior of the inversion (src/inversion/posterior.ts) on problems whose posterior is
 * known in closed form: the toy forward of a half-space returns log10 rho at every time, and of
 * a layered earth with fixed thicknesses a fixed linear combination of the layers' log10 rho,
 * so the likelihood is Gaussian in search space and the posterior is a (box-truncated) Gaussian.
 */
const times = logSpacedTimes(12, 2.5);
const survey = broadsideWire(times);

function halfSpace(rho: number, sd: number, seed: number): InversionProblem {
  const truth: EarthModel = { thickness: [], rho0: [rho], m: [0], tau: [1e-3], c: [0.5] };
  const clean = toyForward([survey])([truth])[0];
  const d = addDataNoise(clean, { relative: 0, floor: sd, seed });
  return {
    datasets: [{ survey, observed: d.observed, error: d.error }],
    parameterisation: { layers: 1, rho0: { min: 1, max: 10000 } },
    forward: TOY_FORWARD,
  };
}

function twoLayer(rho: [number, number], sd: number, seed: number): InversionProblem {
  const truth: EarthModel = { thickness: [60], rho0: rho, m: [0, 0], tau: [1e-3, 1e-3], c: [0.5, 0.5] };
  const clean = toyForward([survey])([truth])[0];
  const d = addDataNoise(clean, { relative: 0, floor: sd, seed });
  return {
    datasets: [{ survey, observed: d.observed, error: d.error }],
    parameterisation: { layers: 2, rho0: { min: 1, max: 10000 }, thickness: { fixed: 60 } },
    forward: TOY_FORWARD,
  };
}

/**
 * Exact Gaussian posterior of a linear problem d = G x + e, e ~ N(0, s^2): mean and covariance (2 x
 * 2 at most here).
 */
function linearPosterior(G: number[][], d: number[], s: number): { mean: number[]; cov: number[][] } {
  const k = G[0].length;
  const A = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => G.reduce((a, g) => a + (g[i] * g[j]) / s ** 2, 0)),
  );
  const b = Array.from({ length: k }, (_, i) => G.reduce((a, g, r) => a + (g[i] * d[r]) / s ** 2, 0));
  if (k === 1) return { mean: [b[0] / A[0][0]], cov: [[1 / A[0][0]]] };
  const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
  const inv = [
    [A[1][1] / det, -A[0][1] / det],
    [-A[1][0] / det, A[0][0] / det],
  ];
  return { mean: [inv[0][0] * b[0] + inv[0][1] * b[1], inv[1][0] * b[0] + inv[1][1] * b[1]], cov: inv };
}

test("half-space: the sampled posterior matches the closed form, converges, and the linearised sd is exact", async () => {
  const sd = 0.05;
  const prob = halfSpace(100, sd, 11);
  const obs = prob.datasets[0].observed;
  const exact = linearPosterior(
    obs.map(() => [1]),
    obs,
    sd,
  );
  const pred = localPredictor(prob);
  const best = Float64Array.from([exact.mean[0]]);
  const run = await samplePosterior(prob, best, [best], pred, { seed: 3, essTarget: 400 });
  const s = run.summary;
  assert.equal(s.stop_reason, "converged");
  assert.equal(s.converged, true);
  assert.equal(s.warning, null);
  assert.ok(s.rhat_max < 1.05 && s.ess_min >= 400, `R-hat ${s.rhat_max} ESS ${s.ess_min}`);
  const z = 1.6448536269514722;
  const m = exact.mean[0];
  const sdp = Math.sqrt(exact.cov[0][0]);
  const q = s.parameters[0];
  assert.equal(q.name, "rho0");
  assert.equal(q.layer, 0);
  // physical units: 10^(search quantiles); Monte Carlo tolerance ~ 0.15 sd with ESS >= 400
  assert.ok(Math.abs(Math.log10(q.q50) - m) < 0.15 * sdp, `median ${Math.log10(q.q50)} vs ${m}`);
  assert.ok(Math.abs(Math.log10(q.q05) - (m - z * sdp)) < 0.25 * sdp, `q05 ${Math.log10(q.q05)} vs ${m - z * sdp}`);
  assert.ok(Math.abs(Math.log10(q.q95) - (m + z * sdp)) < 0.25 * sdp, `q95 ${Math.log10(q.q95)} vs ${m + z * sdp}`);
  // linearised: C = (J^T J + 12/width^2)^-1, the box precision is negligible here (width 4 decades)
  const lin = s.linearised.parameters[0];
  assert.ok(Math.abs(lin.sdSearch - sdp) / sdp < 0.01, `linearised sd ${lin.sdSearch} vs ${sdp}`);
  assert.equal(lin.disagreement, null);
  assert.ok(lin.sdFactor !== null && Math.abs(lin.sdFactor - Math.pow(10, sdp)) < 1e-3);
  // predictive band brackets the noise-free prediction of the posterior median
  const band = s.predictive[0];
  assert.equal(band.q05.length, obs.length);
  band.q05.forEach((lo, i) => assert.ok(lo <= band.q50[i] && band.q50[i] <= band.q95[i]));
  // depth band of rho: a half-space, so the band is the same at every depth
  assert.ok(Math.abs(Math.log10(s.bands.rho0.median[0]) - m) < 0.15 * sdp);
});

test("two correlated layers: sampled and linearised covariances agree with the closed form", async () => {
  const sd = 0.02;
  const prob = twoLayer([50, 500], sd, 5);
  const p = compileParameterisation(prob.parameterisation);
  // the toy is linear in (log10 rho1, log10 rho2): its columns are the responses to unit vectors
  const fwd = createPredictor(prob, toyForward([survey]));
  const [g0, g1, g2] = fwd([Float64Array.from([0, 0]), Float64Array.from([1, 0]), Float64Array.from([0, 1])]);
  const G = g0.map((_, i) => [g1[i] - g0[i], g2[i] - g0[i]]);
  const exact = linearPosterior(
    G,
    prob.datasets[0].observed.map((d, i) => d - g0[i]),
    sd,
  );
  const run = await samplePosterior(prob, Float64Array.from(exact.mean), [], localPredictor(prob), { seed: 9 });
  const flat = run.draws.flat();
  const mean = [0, 1].map((k) => flat.reduce((a, x) => a + x[k], 0) / flat.length);
  const cov = [0, 1].map((i) =>
    [0, 1].map((j) => flat.reduce((a, x) => a + (x[i] - mean[i]) * (x[j] - mean[j]), 0) / (flat.length - 1)),
  );
  const corr = exact.cov[0][1] / Math.sqrt(exact.cov[0][0] * exact.cov[1][1]);
  const corrS = cov[0][1] / Math.sqrt(cov[0][0] * cov[1][1]);
  assert.ok(Math.abs(corr) > 0.3, `the test needs correlated parameters, got ${corr}`);
  assert.ok(Math.abs(corrS - corr) < 0.1, `correlation ${corrS} vs ${corr}`);
  for (const k of [0, 1]) {
    assert.ok(Math.abs(mean[k] - exact.mean[k]) < 0.2 * Math.sqrt(exact.cov[k][k]), `mean ${k}`);
    assert.ok(
      Math.abs(Math.sqrt(cov[k][k] / exact.cov[k][k]) - 1) < 0.15,
      `sd ${k}: ${Math.sqrt(cov[k][k])} vs ${Math.sqrt(exact.cov[k][k])}`,
    );
    const lin = run.summary.linearised.parameters[k];
    assert.ok(Math.abs(lin.sdSearch / Math.sqrt(exact.cov[k][k]) - 1) < 0.02, `linearised sd ${k}`);
  }
  assert.deepEqual(
    run.names,
    p.free.map((f) => f.name),
  );
});

test("calibration: over truths drawn from the prior, the 90 % intervals cover about 90 % (and a wrong noise level breaks it)", async () => {
  const cover = async (claimed: number) => {
    let inside = 0;
    let total = 0;
    for (let k = 0; k < 16; k++) {
      const u = ((k * 0.6180339887) % 1) * 0.8 + 0.1; // spread over the prior, fixed
      const rho = [Math.pow(10, 1 + 2 * u), Math.pow(10, 3 - 2 * u)] as [number, number];
      const prob = twoLayer(rho, 0.05, 100 + k);
      prob.datasets[0].error = prob.datasets[0].error.map(() => claimed);
      const start = Float64Array.from(rho.map(Math.log10));
      const r = await samplePosterior(prob, start, [], localPredictor(prob), { seed: k + 1, essTarget: 200 });
      r.summary.parameters.forEach((q, j) => {
        total++;
        if (rho[j] >= q.q05 && rho[j] <= q.q95) inside++;
      });
    }
    return inside / total;
  };
  const honest = await cover(0.05);
  assert.ok(honest >= 0.75 && honest <= 1, `coverage with the true noise level: ${honest}`);
  const over = await cover(0.01); // errors claimed 5x too small: intervals far too narrow
  assert.ok(over < 0.6, `coverage with the noise understated 5x: ${over}`);
});

test("a posterior stopped at the budget says it is not converged, what it missed and what to do", async () => {
  const prob = halfSpace(100, 0.05, 11);
  const best = Float64Array.from([2]);
  const run = await samplePosterior(prob, best, [best], localPredictor(prob), {
    seed: 3,
    maxEvaluations: 600,
    temperedSearch: false,
  });
  const s = run.summary;
  assert.equal(s.stop_reason, "budget");
  assert.equal(s.converged, false);
  assert.match(s.warning ?? "", /NOT converged: stopped at the budget with .*ESS min \d+ \(target >= 400\)/);
  assert.match(s.warning ?? "", /not uncertainty: raise posterior\.max_evaluations/);
  assert.equal(convergenceWarning("converged", 1.01, 500, { rhat: 1.05, ess: 400 }), null);
  assert.match(
    convergenceWarning("budget", 1.2, 500, { rhat: 1.05, ess: 400 })!,
    /R-hat max 1\.200 \(target < 1\.05\);/,
  );
});

test("posterior options: parsed from the config's snake_case keys; bad ones name the field", () => {
  assert.deepEqual(parsePosteriorOptions(true), {});
  assert.deepEqual(parsePosteriorOptions({ chains: 6, max_evaluations: 5000, rhat: 1.01, ess: 800 }), {
    chains: 6,
    maxEvaluations: 5000,
    rhatTarget: 1.01,
    essTarget: 800,
  });
  assert.throws(() => parsePosteriorOptions({ chain: 6 }), /posterior\.chain: unknown key/);
  assert.throws(() => parsePosteriorOptions({ chains: 2 }), /posterior\.chains/);
  assert.throws(() => parsePosteriorOptions({ chains: 4.5 }), /posterior\.chains/);
  assert.throws(() => parsePosteriorOptions({ max_evaluations: -1 }), /posterior\.max_evaluations/);
  assert.throws(() => parsePosteriorOptions({ rhat: 0.9 }), /posterior\.rhat/);
  assert.deepEqual(parsePosteriorOptions({ independence: 0 }), { independence: 0 });
  assert.throws(
    () => parsePosteriorOptions({ independence: 1.5 }),
    /posterior\.independence: expected a number in \[0, 1\]/,
  );
  assert.deepEqual(parsePosteriorOptions({ snooker: 0.5 }), { snooker: 0.5 });
  assert.deepEqual(parsePosteriorOptions({ block_independence: 0.25 }), { blockIndependence: 0.25 });
  assert.throws(
    () => parsePosteriorOptions({ block_independence: 2 }),
    /posterior\.block_independence: expected a number/,
  );
  assert.throws(() => parsePosteriorOptions({ snooker: -0.1 }), /posterior\.snooker: expected a number in \[0, 1\]/);
  assert.deepEqual(parsePosteriorOptions({ tempered_search: false }), { temperedSearch: false });
  assert.throws(
    () => parsePosteriorOptions({ tempered_search: "no" }),
    /posterior\.tempered_search: expected true or false/,
  );
  assert.throws(() => parsePosteriorOptions("yes"), /posterior: expected an object/);
});

test("benchmark problems: deterministic, truth inside the bounds, data from CONVERGED_OPTIONS with the stated noise", () => {
  const a = syntheticProblem(1, 3);
  const b = syntheticProblem(1, 3);
  assert.deepEqual(a.problem.datasets[0].observed, b.problem.datasets[0].observed);
  assert.notDeepEqual(syntheticProblem(2, 3).problem.datasets[0].observed, a.problem.datasets[0].observed);
  for (let i = 0; i < 10; i++) {
    const sp = syntheticProblem(1, i);
    const p = compileParameterisation(sp.problem.parameterisation);
    const x = toVector(p, sp.truth);
    x.forEach((v, k) => assert.ok(v >= p.lower[k] && v <= p.upper[k], `${sp.name} ${p.free[k].name}`));
    assert.ok(sp.truth.rho0.length >= 2 && sp.truth.rho0.length <= 10);
    assert.ok(sp.fixedAtTruth.length > 0);
  }
  // no inverse crime: the inversion's forward (FAST_OPTIONS) differs from the data's, but far below the noise
  const sp = syntheticProblem(1, 0);
  const d = sp.problem.datasets[0];
  const fast = emForward([d.survey], FAST_OPTIONS)([sp.truth])[0];
  const z = d.observed.map((o, i) => (o - fast[i]) / d.error[i]);
  const chi2 = z.reduce((a, v) => a + v * v, 0);
  assert.ok(chi2 > 0.3 * z.length && chi2 < 2.5 * z.length, `chi2/N of the truth ${chi2 / z.length}`);
});

test("tem invert config with posterior: the result has the posterior, a labelled search spread and the truth check", async () => {
  const cfg = parseInvertConfig({
    ...survey,
    model: { thickness: [60], rho0: [50, 500], m: [0, 0], tau: [1e-3, 1e-3], c: [0.5, 0.5] },
    synthetic: { relative: 0, floor: 0.02, seed: 4 },
    parameterisation: { layers: 2, rho0: { min: 1, max: 10000 }, thickness: { fixed: 60 } },
    optimizer: { np: 20, generations: 60, seed: 2 },
    posterior: { chains: 6, ess: 200 },
  });
  cfg.problem.forward = TOY_FORWARD;
  let chains = 0;
  const out = await runInvertConfig(cfg, () => undefined, { onPosterior: (r) => (chains = r.draws.length) });
  const post = out.posterior as {
    parameters: { name: string; layer: number; q05: number; q50: number; q95: number }[];
    rhat_max: number;
    ess_min: number;
    evaluations: number;
    seconds: number;
    bands: unknown;
    predictive: unknown[];
  };
  assert.equal(chains, 6);
  assert.deepEqual(
    post.parameters.map((q) => [q.name, q.layer]),
    [
      ["rho0", 0],
      ["rho0", 1],
    ],
  );
  post.parameters.forEach((q) => assert.ok(q.q05 < q.q50 && q.q50 < q.q95));
  assert.ok(post.evaluations > 0 && post.seconds > 0 && post.rhat_max > 0 && post.ess_min > 0);
  assert.equal((out.search_spread as { note: string }).note, SEARCH_SPREAD_NOTE);
  assert.equal(out.population, undefined);
  const tc = out.truth_check as { success: boolean; true_objective: number; best_objective: number };
  assert.equal(typeof tc.success, "boolean");
  assert.equal(tc.success, tc.best_objective <= tc.true_objective);
});

test("truth check: null when the truth is not representable, success when the best beats the truth", async () => {
  const prob = twoLayer([50, 500], 0.02, 8);
  const r = await invert(prob, { np: 20, maxGenerations: 80, seed: 1, forward: toyForward([survey]) });
  const truth: EarthModel = { thickness: [60], rho0: [50, 500], m: [0, 0], tau: [1e-3, 1e-3], c: [0.5, 0.5] };
  const tc = truthCheck(prob, truth, r)!;
  assert.equal(tc.success, true);
  assert.equal(truthCheck(prob, { ...truth, thickness: [70] }, r), null); // fixed thickness differs
  assert.equal(truthCheck(prob, { thickness: [], rho0: [50], m: [0], tau: [1e-3], c: [0.5] }, r), null);
});

test("a population below the rule is kept and said on the log; restarts are recorded in the result", async () => {
  const cfg = parseInvertConfig({
    ...survey,
    model: { thickness: [60], rho0: [50, 500], m: [0, 0], tau: [1e-3, 1e-3], c: [0.5, 0.5] },
    synthetic: { relative: 0, floor: 0.02, seed: 4 },
    parameterisation: { layers: 2, rho0: { min: 1, max: 10000 }, thickness: { fixed: 60 } },
    optimizer: { np: 12, generations: 40, seed: 2 },
  });
  cfg.problem.forward = TOY_FORWARD;
  const lines: string[] = [];
  const out = await runInvertConfig(cfg, (l) => lines.push(l));
  assert.ok(
    lines.some((l) => /warning: np 12 is below the population rule .* = 50/.test(l)),
    lines.join("\n"),
  );
  assert.equal(out.np, 12);
  assert.ok(Array.isArray(out.restarts));
  const def = parseInvertConfig({
    ...survey,
    data: { time_off: new Array(times.length).fill(1), error: new Array(times.length).fill(0.1) },
    parameterisation: { layers: 2, rho0: { min: 1, max: 10000 }, thickness: { fixed: 60 } },
    optimizer: { generations: 2 },
  });
  def.problem.forward = TOY_FORWARD;
  const lines2: string[] = [];
  const out2 = await runInvertConfig(def, (l) => lines2.push(l));
  assert.equal(out2.np, 50); // 40 + 5 x 2 unknowns
  assert.ok(!lines2.some((l) => /warning/.test(l)));
});

test("two separated basins, the DE in the lesser one: the tempered search finds the better basin and the posterior weighs both (without it the chains never leave the DE's basin)", async () => {
  // x = (log10 rho1, log10 rho2) in [0, 4]^2; predictions (x1 - 1)(x1 - 3), c (x1 - 3), x2 - 2
  // against data 0 with sd 0.1: basins at x1 = 1 (chi-square 6) and x1 = 3 (chi-square 0), a
  // barrier of chi-square ~100 at x1 = 2 between them; x2 ~ N(2, 0.1^2) independently
  const sd = 0.1;
  const c = (Math.sqrt(6) * sd) / 2;
  const t3 = logSpacedTimes(3, 2);
  const prob: InversionProblem = {
    datasets: [{ survey: broadsideWire(t3), observed: [0, 0, 0], error: [sd, sd, sd] }],
    parameterisation: { layers: 2, rho0: { min: 1, max: 10000 }, thickness: { fixed: 60 } },
    forward: TOY_FORWARD,
  };
  const predict = (xs: Float64Array[]) => xs.map((x) => [(x[0] - 1) * (x[0] - 3), c * (x[0] - 3), x[1] - 2]);
  // exact posterior mass of the basin x1 > 2 (grid integral over x1; x2 factors out)
  let inB = 0;
  let all = 0;
  for (let k = 0; k < 400000; k++) {
    const x1 = (4 * (k + 0.5)) / 400000;
    const chi2 = (((x1 - 1) * (x1 - 3)) / sd) ** 2 + ((c * (x1 - 3)) / sd) ** 2;
    const w = Math.exp(-chi2 / 2);
    all += w;
    if (x1 > 2) inB += w;
  }
  const exact = inB / all; // ~0.95
  // the "DE result": its best and a tight population in the lesser basin x1 = 1
  const best = Float64Array.from([1, 2]);
  const population = Array.from({ length: 20 }, (_, i) =>
    Float64Array.from([1 + 0.001 * (i - 10), 2 + 0.001 * (i % 5)]),
  );
  const massB = (draws: Float64Array[][]) => {
    const flat = draws.flat();
    return flat.filter((x) => x[0] > 2).length / flat.length;
  };
  const run = await samplePosterior(prob, best, population, predict, { seed: 2, maxEvaluations: 100000 });
  assert.ok(Math.abs(massB(run.draws) - exact) < 0.03, `mass of the better basin ${massB(run.draws)}, exact ${exact}`);
  assert.equal(run.summary.stop_reason, "converged");
  assert.match(run.summary.sampler, /tempered mode search/);
  // without the search (the sampler before it existed) the chains stay in the DE's basin
  const old = await samplePosterior(prob, best, population, predict, {
    seed: 2,
    maxEvaluations: 100000,
    temperedSearch: false,
  });
  assert.ok(massB(old.draws) < 0.05, `without the search: mass of the better basin ${massB(old.draws)}`);
  await assert.rejects(
    samplePosterior(prob, best, population, predict, { temperedSearch: { stages: 1 } }),
    /posterior\.temperedSearch\.stages: expected an integer >= 2/,
  );
});
