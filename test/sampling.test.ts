import { test } from "node:test";
import assert from "node:assert/strict";
import { gaussian, mulberry32 } from "../src/config";
import { ValidationError } from "../src/core";
import {
  assembleJacobian,
  autocovariance,
  ChainStore,
  diagnoseChains,
  DreamZS,
  essBasic,
  essBulk,
  finiteDifferenceJacobian,
  flattenDraws,
  foldInto,
  linearisedCovariance,
  normalCdf,
  normalQuantile,
  planJacobian,
  quantiles,
  rankNormalize,
  rhat,
  rhatBulk,
  rhatTail,
  sample,
  sampleAsync,
  SampleResult,
  splitRhat,
  summarize,
  uniformPriorPrecision,
  MOVE_KINDS,
} from "../src/sampling";

// ---------------------------------------------------------------------------------------------
// helpers

function normalChains(
  m: number,
  n: number,
  seed: number,
  mean = (_c: number) => 0,
  sd = (_c: number) => 1,
): Float64Array[] {
  const g = gaussian(mulberry32(seed));
  return Array.from({ length: m }, (_, c) => Float64Array.from({ length: n }, () => mean(c) + sd(c) * g()));
}

function ar1Chains(m: number, n: number, phi: number, seed: number): Float64Array[] {
  const g = gaussian(mulberry32(seed));
  const s = Math.sqrt(1 - phi * phi);
  return Array.from({ length: m }, () => {
    const x = new Float64Array(n);
    x[0] = g();
    for (let i = 1; i < n; i++) x[i] = phi * x[i - 1] + s * g();
    return x;
  });
}

function column(points: Float64Array[], j: number): number[] {
  return points.map((p) => p[j]);
}

function sameDraws(a: SampleResult, b: SampleResult): boolean {
  if (a.draws.length !== b.draws.length) return false;
  for (let c = 0; c < a.draws.length; c++) {
    if (a.draws[c].length !== b.draws[c].length) return false;
    for (let k = 0; k < a.draws[c].length; k++) {
      const x = a.draws[c][k];
      const y = b.draws[c][k];
      for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// normal distribution

test("normalQuantile: published values of Phi^-1 to ~1e-14, symmetry and round trip through normalCdf", () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-13, `${normalQuantile(0.975)}`);
  assert.ok(Math.abs(normalQuantile(0.95) - 1.6448536269514722) < 1e-13);
  assert.ok(Math.abs(normalQuantile(0.995) - 2.5758293035489004) < 1e-13);
  assert.equal(normalQuantile(0.5), 0);
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.ok(Number.isNaN(normalQuantile(1.5)));
  for (const p of [1e-12, 1e-5, 0.001, 0.02, 0.0243, 0.2, 0.45, 0.7, 0.9, 0.999]) {
    // (1 - p is rounded, so symmetry only holds to ~1e-16 / p relative)
    if (p >= 1e-5) assert.ok(Math.abs(normalQuantile(p) + normalQuantile(1 - p)) < 1e-10, `symmetry at ${p}`);
    const back = normalCdf(normalQuantile(p));
    assert.ok(Math.abs(back - p) < 1e-13 * Math.max(p, 1e-3), `round trip ${p}: ${back}`);
  }
  // Phi at published points
  assert.ok(Math.abs(normalCdf(-1) - 0.15865525393145707) < 1e-15);
  assert.ok(Math.abs(normalCdf(1.96) - 0.9750021048517795) < 1e-15);
  assert.ok(Math.abs(normalCdf(-5) / 2.866515718791939e-7 - 1) < 1e-12);
});

// ---------------------------------------------------------------------------------------------
// diagnostics

test("autocovariance by FFT equals the direct sum", () => {
  const x = normalChains(1, 37, 5)[0];
  const a = autocovariance(x);
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  for (const t of [0, 1, 2, 10, 36]) {
    let s = 0;
    for (let i = 0; i + t < x.length; i++) s += (x[i] - m) * (x[i + t] - m);
    assert.ok(Math.abs(a[t] - s / x.length) < 1e-12, `lag ${t}`);
  }
});

test("rankNormalize: average ranks for ties and Blom offsets", () => {
  const z = rankNormalize([
    [3, 1],
    [1, 2],
  ]);
  // pooled ranks: 1,1 -> 1.5 each; 2 -> 3; 3 -> 4; S = 4
  const q = (r: number) => normalQuantile((r - 0.375) / 4.25);
  assert.ok(Math.abs(z[0][0] - q(4)) < 1e-8);
  assert.ok(Math.abs(z[0][1] - q(1.5)) < 1e-8);
  assert.ok(Math.abs(z[1][0] - q(1.5)) < 1e-8);
  assert.ok(Math.abs(z[1][1] - q(3)) < 1e-8);
  // many ties and a large pool: ranks by binary search agree with counting
  const v = Array.from({ length: 3 }, (_, c) =>
    Float64Array.from({ length: 50 }, (_, i) => ((i * 7 + c * 13) % 11) / 2),
  );
  const zz = rankNormalize(v);
  const all = v.flatMap((c) => Array.from(c));
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 50; i++) {
      const x = v[c][i];
      const lt = all.filter((y) => y < x).length;
      const le = all.filter((y) => y <= x).length;
      const want = normalQuantile(((lt + 1 + le) / 2 - 0.375) / (150 + 0.25));
      assert.ok(Math.abs(zz[c][i] - want) < 1e-8 * Math.max(1, Math.abs(want)), `rank of ${x}`);
    }
  }
});

test("iid normal chains: R-hat within 0.01 of 1 and bulk ESS near the number of draws", () => {
  for (const seed of [11, 12]) {
    const ch = normalChains(4, 2000, seed);
    const r = rhat(ch);
    assert.ok(Math.abs(r - 1) < 0.01, `rhat ${r}`);
    const e = essBulk(ch);
    assert.ok(Math.abs(e / 8000 - 1) < 0.2, `ess ${e}`);
    const eb = essBasic(ch);
    assert.ok(Math.abs(eb / 8000 - 1) < 0.2, `essBasic ${eb}`);
  }
});

test("chains with shifted means give R-hat > 1.1", () => {
  const ch = normalChains(4, 1000, 21, (c) => (c === 3 ? 1.5 : 0));
  assert.ok(rhat(ch) > 1.1, `rhat ${rhat(ch)}`);
  assert.ok(splitRhat(ch) > 1.1);
  // a trend inside each chain is caught by splitting even with equal chain means
  const trend = Array.from({ length: 4 }, (_, c) =>
    Float64Array.from({ length: 1000 }, (_, i) => i / 200 + normalChains(1, 1, 100 + c * 1000 + i)[0][0] * 0.5),
  );
  assert.ok(rhat(trend) > 1.1);
});

test("AR(1) chains with phi = 0.9 give ESS near n (1 - phi) / (1 + phi)", () => {
  const phi = 0.9;
  const ch = ar1Chains(4, 10000, phi, 31);
  const expected = (40000 * (1 - phi)) / (1 + phi);
  const e = essBasic(ch);
  const b = essBulk(ch);
  assert.ok(Math.abs(e / expected - 1) < 0.25, `essBasic ${e} vs ${expected}`);
  assert.ok(Math.abs(b / expected - 1) < 0.25, `essBulk ${b} vs ${expected}`);
});

test("one chain with a different scale: folded (tail) R-hat > 1.05 while bulk R-hat misses it", () => {
  const ch = normalChains(
    4,
    1000,
    41,
    () => 0,
    (c) => (c === 0 ? 3 : 1),
  );
  const tail = rhatTail(ch);
  const bulk = rhatBulk(ch);
  assert.ok(tail > 1.05, `tail ${tail}`);
  assert.ok(bulk < 1.05, `bulk ${bulk}`);
  assert.ok(rhat(ch) >= tail);
});

test("diagnoseChains (one shared sort) equals the separate bulk/tail R-hat and bulk ESS, ties included", () => {
  const g = gaussian(mulberry32(51));
  for (const [m, n] of [
    [3, 101],
    [4, 400],
    [8, 999],
  ]) {
    const ch = Array.from({ length: m }, (_, c) =>
      Float64Array.from({ length: n }, () => Math.round(g() * (1 + c / 4) * 4) / 4),
    );
    const d = diagnoseChains(ch);
    assert.equal(d.rhatBulk, rhatBulk(ch));
    assert.equal(d.rhatTail, rhatTail(ch));
    assert.equal(d.rhat, rhat(ch));
    assert.equal(d.essBulk, essBulk(ch));
  }
  // an AR(1) with phi = 0.99 needs lags beyond the direct sums: the FFT path
  const ar = ar1Chains(4, 20000, 0.99, 52);
  const expected = (80000 * 0.01) / 1.99;
  assert.ok(Math.abs(essBasic(ar) / expected - 1) < 0.35, `ess ${essBasic(ar)} vs ${expected}`);
});

// ---------------------------------------------------------------------------------------------
// sampler

const MU = [1, -2];
const SD = [1, 2];
const RHO = 0.8;
function gauss2(xs: Float64Array[]): number[] {
  return xs.map((x) => {
    const a = (x[0] - MU[0]) / SD[0];
    const b = (x[1] - MU[1]) / SD[1];
    return (-0.5 * (a * a - 2 * RHO * a * b + b * b)) / (1 - RHO * RHO);
  });
}
const BOX2: [number, number][] = [
  [-20, 20],
  [-30, 30],
];

test("DREAM(ZS) on a correlated 2-D Gaussian: means, sds, correlation and 90 % intervals", () => {
  const r = sample(gauss2, BOX2, { seed: 7, rhatTarget: 1.01, essTarget: 1500, checkEvery: 100 });
  assert.equal(r.stopReason, "converged");
  assert.ok(r.rhatMax < 1.01 && r.essMin >= 1500);
  const f = flattenDraws(r.draws);
  const s = summarize(f);
  assert.ok(Math.abs(s.mean[0] - MU[0]) < 0.1 * SD[0], `mean0 ${s.mean[0]}`);
  assert.ok(Math.abs(s.mean[1] - MU[1]) < 0.1 * SD[1], `mean1 ${s.mean[1]}`);
  assert.ok(Math.abs(s.sd[0] / SD[0] - 1) < 0.08, `sd0 ${s.sd[0]}`);
  assert.ok(Math.abs(s.sd[1] / SD[1] - 1) < 0.08, `sd1 ${s.sd[1]}`);
  let c = 0;
  for (const x of f) c += (x[0] - s.mean[0]) * (x[1] - s.mean[1]);
  const corr = c / (f.length - 1) / (s.sd[0] * s.sd[1]);
  assert.ok(Math.abs(corr - RHO) < 0.04, `corr ${corr}`);
  // the sampled 90 % central interval holds 90 % of the true marginal
  const q = quantiles(f, [0.05, 0.95]);
  for (let j = 0; j < 2; j++) {
    const mass = normalCdf((q[j][1] - MU[j]) / SD[j]) - normalCdf((q[j][0] - MU[j]) / SD[j]);
    assert.ok(Math.abs(mass - 0.9) < 0.03, `mass ${j}: ${mass}`);
  }
  assert.ok(r.acceptance > 0.1 && r.acceptance < 0.6, `acceptance ${r.acceptance}`);
  assert.equal(r.logLik[0].length, r.draws[0].length);
  assert.ok(Math.abs(r.logLik[2][5] - gauss2([r.draws[2][5]])[0]) < 1e-12);
});

test("snooker-only DREAM(ZS) on a 3-D Gaussian keeps the target (needs the Jacobian correction)", () => {
  const ll = (xs: Float64Array[]) => xs.map((x) => -0.5 * (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]));
  const r = sample(
    ll,
    [
      [-10, 10],
      [-10, 10],
      [-10, 10],
    ],
    { seed: 3, snooker: 1, rhatTarget: 1.02, essTarget: 800, maxEvaluations: 120000 },
  );
  const f = flattenDraws(r.draws);
  const s = summarize(f);
  for (let j = 0; j < 3; j++) {
    assert.ok(Math.abs(s.mean[j]) < 0.1, `mean ${j} ${s.mean[j]}`);
    assert.ok(Math.abs(s.sd[j] - 1) < 0.07, `sd ${j} ${s.sd[j]}`);
  }
});

test("flat likelihood in a 1-D box: the draws are uniform in the box (folding keeps the prior)", () => {
  const lo = 2;
  const hi = 5;
  const r = sample((xs) => xs.map(() => 0), [[lo, hi]], { seed: 5, essTarget: 3000, rhatTarget: 1.01 });
  assert.equal(r.stopReason, "converged");
  const v = column(flattenDraws(r.draws), 0).sort((a, b) => a - b);
  const n = v.length;
  let D = 0;
  for (let i = 0; i < n; i++) {
    const F = (v[i] - lo) / (hi - lo);
    D = Math.max(D, Math.abs(F - i / n), Math.abs((i + 1) / n - F));
  }
  // Kolmogorov-Smirnov at the 1 % level with the effective sample size
  const crit = 1.63 / Math.sqrt(r.essMin);
  assert.ok(D < crit, `KS D = ${D}, critical ${crit}`);
  const edge = v.filter((x) => x < lo + 0.05 * (hi - lo) || x > hi - 0.05 * (hi - lo)).length / n;
  assert.ok(Math.abs(edge - 0.1) < 0.02, `mass near the edges ${edge}`);
  assert.ok(v[0] >= lo && v[n - 1] <= hi);
});

test("a Gaussian cut by the box: the truncated-normal mean and sd (folding with a non-flat likelihood)", () => {
  // N(0, 1) restricted to [0, 3]: mean = (phi(0) - phi(3)) / Z, var = 1 - 3 phi(3) / Z - mean^2, Z = Phi(3) - 1/2
  const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  const Z = normalCdf(3) - 0.5;
  const mean = (phi(0) - phi(3)) / Z;
  const sd = Math.sqrt(1 - (3 * phi(3)) / Z - mean * mean);
  const r = sample((xs) => xs.map((x) => -0.5 * x[0] * x[0]), [[0, 3]], {
    seed: 12,
    essTarget: 3000,
    rhatTarget: 1.01,
  });
  const s = summarize(flattenDraws(r.draws));
  assert.ok(Math.abs(s.mean[0] - mean) < 0.03, `mean ${s.mean[0]} vs ${mean}`);
  assert.ok(Math.abs(s.sd[0] / sd - 1) < 0.05, `sd ${s.sd[0]} vs ${sd}`);
});

test("a correlated Gaussian cut at a corner of the box: the mean (folding; reflection at the walls is biased here)", () => {
  const mu = 0.3;
  const rho = 0.9;
  const ll = (xs: Float64Array[]) =>
    xs.map((x) => {
      const a = x[0] - mu;
      const b = x[1] - mu;
      return (-0.5 * (a * a - 2 * rho * a * b + b * b)) / (1 - rho * rho);
    });
  // reference by the midpoint rule on a 400 x 400 grid over [0, 4]^2
  const N = 400;
  let Z = 0;
  let m = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const p = Float64Array.of(((i + 0.5) * 4) / N, ((j + 0.5) * 4) / N);
      const w = Math.exp(ll([p])[0]);
      Z += w;
      m += w * p[0];
    }
  }
  const exact = m / Z;
  const r = sample(
    ll,
    [
      [0, 4],
      [0, 4],
    ],
    { seed: 4, essTarget: 3000, rhatTarget: 1.01 },
  );
  const s = summarize(flattenDraws(r.draws));
  for (let j = 0; j < 2; j++) assert.ok(Math.abs(s.mean[j] - exact) < 0.045, `mean ${j}: ${s.mean[j]} vs ${exact}`);
});

test("foldInto: periodic folding into the box", () => {
  assert.equal(foldInto(3, 0, 10), 3);
  assert.ok(Math.abs(foldInto(12, 0, 10) - 2) < 1e-12);
  assert.ok(Math.abs(foldInto(-1, 0, 10) - 9) < 1e-12);
  assert.ok(Math.abs(foldInto(-21, 0, 10) - 9) < 1e-12);
});

/** Neal's funnel in 2-D: v ~ N(0, 1.5^2), x | v ~ N(0, e^v), in a box that cuts off < 0.2 % of it. */
const FUNNEL_BOX: [number, number][] = [
  [-4.5, 4.5],
  [-40, 40],
];
const funnel = (xs: Float64Array[]) =>
  xs.map(([v, x]) => (-0.5 * (v * v)) / (1.5 * 1.5) - 0.5 * v - (0.5 * x * x) / Math.exp(v));

test("independence-only moves keep the target (needs the q(x)/q(y) factor): a 3-D Gaussian", () => {
  const ll = (xs: Float64Array[]) => xs.map((x) => -0.5 * (x[0] * x[0] + (x[1] * x[1]) / 4 + x[2] * x[2]));
  const box: [number, number][] = [
    [-10, 10],
    [-10, 10],
    [-10, 10],
  ];
  const r = sample(ll, box, { seed: 4, independence: 1, rhatTarget: 1.02, essTarget: 1500, maxEvaluations: 120000 });
  assert.equal(r.stopReason, "converged");
  const s = summarize(flattenDraws(r.draws));
  const sd = [1, 2, 1];
  for (let j = 0; j < 3; j++) {
    assert.ok(Math.abs(s.mean[j]) < 0.1 * sd[j], `mean ${j} ${s.mean[j]}`);
    assert.ok(Math.abs(s.sd[j] / sd[j] - 1) < 0.06, `sd ${j} ${s.sd[j]}`);
  }
  // accepted independence moves are nearly independent draws
  assert.ok(r.acceptance > 0.4, `acceptance ${r.acceptance}`);
  // a Gaussian cut by the box: the proposal is redrawn until inside (its normaliser cancels)
  const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  const Z = normalCdf(3) - 0.5;
  const mean = (phi(0) - phi(3)) / Z;
  const sdCut = Math.sqrt(1 - (3 * phi(3)) / Z - mean * mean);
  const cut = sample((xs) => xs.map((x) => -0.5 * x[0] * x[0]), [[0, 3]], {
    seed: 12,
    independence: 1,
    essTarget: 3000,
    rhatTarget: 1.01,
  });
  const c = summarize(flattenDraws(cut.draws));
  assert.ok(Math.abs(c.mean[0] - mean) < 0.03, `mean ${c.mean[0]} vs ${mean}`);
  assert.ok(Math.abs(c.sd[0] / sdCut - 1) < 0.05, `sd ${c.sd[0]} vs ${sdCut}`);
});

test("block independence moves keep the target (needs the conditional q ratio): a correlated 4-D Gaussian and a mixture", () => {
  // x = A g: sds 1, 2, 0.5, 1 and correlations from the lower-triangular A
  const A = [
    [1, 0, 0, 0],
    [1.2, 1.6, 0, 0],
    [0.3, -0.2, 0.36, 0],
    [-0.5, 0.4, 0.2, 0.74],
  ];
  const d = 4;
  // log density by forward substitution: g = A^-1 (x - mean)
  const mean = [0.5, -1, 0.2, 0];
  const ll = (xs: Float64Array[]) =>
    xs.map((x) => {
      const g: number[] = [];
      for (let a = 0; a < d; a++) {
        let v = x[a] - mean[a];
        for (let k = 0; k < a; k++) v -= A[a][k] * g[k];
        g.push(v / A[a][a]);
      }
      return -0.5 * g.reduce((s, v) => s + v * v, 0);
    });
  const box: [number, number][] = Array.from({ length: d }, () => [-12, 12]);
  const r = sample(ll, box, {
    seed: 5,
    independence: 1,
    blockIndependence: 1,
    rhatTarget: 1.02,
    essTarget: 1500,
    maxEvaluations: 200000,
  });
  assert.equal(r.stopReason, "converged");
  assert.ok(r.acceptanceByMove.block! > 0.3, `block acceptance ${r.acceptanceByMove.block}`);
  assert.equal(r.acceptanceByMove.independence, null);
  const pts = flattenDraws(r.draws);
  const s = summarize(pts);
  const sd = A.map((row) => Math.sqrt(row.reduce((t, v) => t + v * v, 0)));
  for (let j = 0; j < d; j++) {
    assert.ok(Math.abs(s.mean[j] - mean[j]) < 0.1 * sd[j], `mean ${j} ${s.mean[j]}`);
    assert.ok(Math.abs(s.sd[j] / sd[j] - 1) < 0.06, `sd ${j} ${s.sd[j]} vs ${sd[j]}`);
  }
  // correlation of x0 and x1: 1.2 / (1 * 2) = 0.6
  const c01 = pts.reduce((t, p) => t + (p[0] - s.mean[0]) * (p[1] - s.mean[1]), 0) / pts.length / (s.sd[0] * s.sd[1]);
  assert.ok(Math.abs(c01 - 0.6) < 0.05, `corr ${c01}`);
  // two well separated modes with weights 0.3 / 0.7: block moves given the rest still find both
  const bimodal = (xs: Float64Array[]) =>
    xs.map((x) => {
      const q0 = (x[0] + 3) ** 2 + (x[1] + 3) ** 2;
      const q1 = (x[0] - 3) ** 2 + (x[1] - 3) ** 2;
      return Math.log(0.3 * Math.exp(-0.5 * q0) + 0.7 * Math.exp(-0.5 * q1));
    });
  const m = sample(
    bimodal,
    [
      [-8, 8],
      [-8, 8],
    ],
    { seed: 2, independence: 0.8, blockIndependence: 0.5, rhatTarget: 1.02, essTarget: 1500, maxEvaluations: 200000 },
  );
  assert.equal(m.stopReason, "converged");
  const high = flattenDraws(m.draws).filter((p) => p[0] > 0).length / flattenDraws(m.draws).length;
  assert.ok(Math.abs(high - 0.7) < 0.04, `weight of the upper mode ${high}`);
});

test("acceptance per move type: the counts add up to the overall acceptance; a move never proposed is null", () => {
  const ll = (xs: Float64Array[]) => xs.map((x) => -0.5 * (x[0] * x[0] + ((x[1] - x[0]) / 0.3) ** 2));
  const box: [number, number][] = [
    [-5, 5],
    [-5, 5],
  ];
  const mixed = new DreamZS(box, {
    seed: 3,
    snooker: 0.2,
    independence: 0.5,
    blockIndependence: 0.3,
    maxEvaluations: 8000,
  });
  while (!mixed.done) mixed.tell(ll(mixed.ask()));
  const r = mixed.result();
  assert.equal(
    mixed.proposedBy.reduce((a, b) => a + b, 0),
    mixed.proposals,
  );
  assert.equal(
    mixed.acceptedBy.reduce((a, b) => a + b, 0),
    mixed.accepted,
  );
  for (const [i, k] of MOVE_KINDS.entries()) {
    assert.ok(mixed.proposedBy[i] > 0, `${k} proposed`);
    assert.equal(r.acceptanceByMove[k], mixed.acceptedBy[i] / mixed.proposedBy[i]);
  }
  // the independence move fits this Gaussian well: far above the parallel-direction moves' rate
  assert.ok(r.acceptanceByMove.independence! > r.acceptanceByMove.parallel!, JSON.stringify(r.acceptanceByMove));
  const plainDream = sample(ll, box, { seed: 3, snooker: 0, maxEvaluations: 3000 });
  assert.equal(plainDream.acceptanceByMove.snooker, null);
  assert.equal(plainDream.acceptanceByMove.independence, null);
  assert.equal(plainDream.acceptanceByMove.block, null);
  assert.equal(plainDream.acceptanceByMove.parallel, plainDream.acceptance);
});

test("a funnel: the independence move keeps the marginal of v and mixes several times better than DREAM alone", () => {
  const opts = { seed: 21, rhatTarget: 1.01, essTarget: 2000, maxEvaluations: 400000 };
  const mixed = sample(funnel, FUNNEL_BOX, { ...opts, independence: 0.8 });
  assert.equal(mixed.stopReason, "converged");
  const f = flattenDraws(mixed.draws);
  const v = column(f, 0);
  const s = summarize(f);
  // truncated N(0, 1.5^2) on [-3 sd, 3 sd]: mean 0, sd 1.5 x 0.9865
  assert.ok(Math.abs(s.mean[0]) < 0.06, `mean of v ${s.mean[0]}`);
  assert.ok(Math.abs(s.sd[0] / (1.5 * 0.9865) - 1) < 0.05, `sd of v ${s.sd[0]}`);
  const [[q05, q95]] = quantiles(f, [0.05, 0.95]);
  const mass = normalCdf(q95 / 1.5) - normalCdf(q05 / 1.5);
  assert.ok(Math.abs(mass - 0.9) < 0.03, `mass of the 90 % interval of v ${mass}`);
  // the neck: x | v < -2 has sd e^(v/2) < 0.37
  const neck = f.filter((p) => p[0] < -2);
  assert.ok(neck.length > 0.03 * v.length, `draws in the neck ${neck.length / v.length}`);
  const dream = sample(funnel, FUNNEL_BOX, { ...opts, maxEvaluations: mixed.evaluations });
  const perEval = (r: SampleResult) => r.essMin / r.evaluations;
  assert.ok(
    perEval(mixed) > 3 * perEval(dream),
    `ESS per evaluation ${perEval(mixed)} with the independence move, ${perEval(dream)} without`,
  );
});

test("bimodal mixture: the weights of the two modes", () => {
  const w = 0.3;
  const s = 0.7;
  const ll = (xs: Float64Array[]) =>
    xs.map((x) => {
      const a = ((x[0] + 3) ** 2 + (x[1] + 3) ** 2) / (2 * s * s);
      const b = ((x[0] - 3) ** 2 + (x[1] - 3) ** 2) / (2 * s * s);
      return Math.log(w * Math.exp(-a) + (1 - w) * Math.exp(-b));
    });
  const r = sample(
    ll,
    [
      [-10, 10],
      [-10, 10],
    ],
    { seed: 9, essTarget: 1000, rhatTarget: 1.02, maxEvaluations: 150000 },
  );
  const f = flattenDraws(r.draws);
  const low = f.filter((x) => x[0] + x[1] < 0).length / f.length;
  assert.ok(Math.abs(low - w) < 0.05, `weight of the low mode ${low}`);
});

test("non-finite log-likelihoods are rejected, never crash", () => {
  // NaN left of 0, +Infinity below -5 would be accepted if treated as a number
  const ll = (xs: Float64Array[]) => xs.map((x) => (x[0] < 0 ? NaN : -0.5 * (x[0] - 1) ** 2));
  const r = sample(ll, [[-4, 4]], { seed: 2, maxEvaluations: 8000, checkEvery: 50 });
  for (const x of flattenDraws(r.draws)) assert.ok(x[0] >= 0, `draw ${x[0]} in the NaN region`);
});

test("determinism: same seed gives identical draws, another seed different ones", () => {
  const o = { maxEvaluations: 4000, checkEvery: 100 };
  const a = sample(gauss2, BOX2, { ...o, seed: 42 });
  const b = sample(gauss2, BOX2, { ...o, seed: 42 });
  const c = sample(gauss2, BOX2, { ...o, seed: 43 });
  assert.equal(a.stopReason, "budget");
  assert.ok(a.evaluations <= 4000);
  assert.ok(sameDraws(a, b));
  assert.ok(!sameDraws(a, c));
});

test("an async batch evaluated point by point in shuffled timing gives identical draws", async () => {
  const o = { maxEvaluations: 1600, checkEvery: 50, seed: 8 };
  const ref = sample(gauss2, BOX2, o);
  const delay = mulberry32(99);
  const shuffled = (xs: Float64Array[]) =>
    Promise.all(
      xs.map(
        (x) => new Promise<number>((resolve) => setTimeout(() => resolve(gauss2([x])[0]), Math.floor(delay() * 3))),
      ),
    );
  const r = await sampleAsync(shuffled, BOX2, o);
  assert.ok(sameDraws(ref, r));
  // and the ask/tell machine with the batch evaluated in reverse order
  const s = new DreamZS(BOX2, o);
  while (!s.done) {
    const xs = s.ask();
    const vals = new Array<number>(xs.length);
    for (let i = xs.length - 1; i >= 0; i--) vals[i] = gauss2([xs[i]])[0];
    s.tell(vals);
  }
  assert.ok(sameDraws(ref, s.result()));
});

// ---------------------------------------------------------------------------------------------
// checkpoint: snapshot / restore

/** A result without wall time, Float64Arrays as plain arrays (deepEqual then also compares -0 and NaN exactly). */
function plain(r: SampleResult): unknown {
  const { seconds, ...rest } = r;
  void seconds;
  return JSON.parse(
    JSON.stringify(rest, (_k, v) =>
      v instanceof Float64Array ? Array.from(v, (x) => (Object.is(x, -0) ? "-0" : x)) : v,
    ),
  );
}

test("DreamZS snapshot/restore: resumed through JSON at any point (between iterations, with an ask pending, before the first tell, after the end) equals the uninterrupted run", () => {
  // a correlated 3-D Gaussian with a region of -Infinity (one chain starts there), thinning doubled
  // during the run (maxStoredPerChain 40), snooker moves that leave the box (invalid proposals)
  const ll = (xs: Float64Array[]) =>
    xs.map((x) =>
      x[2] > 2.5 ? -Infinity : -0.5 * ((x[0] - 0.3) ** 2 / 0.04 + ((x[1] - x[0]) / 0.2) ** 2 + x[2] ** 2),
    );
  const box: [number, number][] = [
    [-1, 1],
    [-1, 1],
    [-2, 3],
  ];
  const starts = [
    [0, 0, 2.9],
    [0.5, 0.5, 0],
    [-0.5, 0, 1],
    [0, -0.5, -1],
    [0.2, 0.1, 0],
  ].map((p) => Float64Array.from(p));
  const cases = [
    {
      label: "budget",
      opts: {
        seed: 7,
        maxEvaluations: 2000,
        checkEvery: 15,
        maxStoredPerChain: 40,
        snooker: 0.3,
        initialStates: starts,
      },
    },
    {
      label: "converged",
      opts: { seed: 11, maxEvaluations: 50000, checkEvery: 20, rhatTarget: 1.1, essTarget: 60, initialStates: starts },
    },
  ];
  for (const { label, opts } of cases) {
    const ref = sample(ll, box, opts);
    assert.equal(ref.stopReason, label);
    if (label === "budget") assert.ok(ref.thinIncreased, "the thinning was doubled during the run");
    const n = ref.iterations;
    // the first iteration whose pending proposals hold a snooker move that left the box (rejected whatever its value)
    const probe = new DreamZS(box, opts);
    let invalidAt = 0;
    while (!probe.done && invalidAt === 0) {
      const xs = probe.ask();
      const valid = probe.snapshot().pendingValid as boolean[];
      if (probe.iteration > 0 && valid.includes(false)) invalidAt = probe.iteration;
      probe.tell(ll(xs));
    }
    if (label === "budget") assert.ok(invalidAt > 0, "a snooker proposal left the box");
    // where to take the snapshot: after the tell of iteration k (nothing pending) or after the ask of iteration k + 1
    const cuts: { at: number; pending: boolean }[] = [
      { at: -1, pending: true },
      { at: 0, pending: false },
      { at: 37, pending: true },
      { at: Math.floor(n / 2), pending: false },
      { at: n - 3, pending: true },
      { at: n, pending: false },
    ];
    if (invalidAt > 0) cuts.push({ at: invalidAt, pending: true });
    for (const cut of cuts) {
      const what = `${label}: snapshot at iteration ${cut.at}${cut.pending ? " with an ask pending" : ""}`;
      const s = new DreamZS(box, opts);
      let snap: string | null = null;
      for (;;) {
        if (!cut.pending && s.iteration === cut.at) snap = JSON.stringify(s.snapshot());
        if (s.done) break;
        const xs = s.ask();
        if (cut.pending && s.iteration === cut.at) snap = JSON.stringify(s.snapshot());
        s.tell(ll(xs));
      }
      assert.ok(snap, what);
      assert.deepEqual(plain(s.result()), plain(ref), `${what}: taking the snapshot changes nothing`);
      const r = DreamZS.restore(JSON.parse(snap!), opts, box);
      assert.equal(r.iteration, cut.at, what);
      while (!r.done) r.tell(ll(r.ask()));
      assert.deepEqual(plain(r.result()), plain(ref), what);
    }
  }
  // another seed, other numeric options, other bounds or not a snapshot: refused, naming the field
  const s = new DreamZS(box, cases[0].opts);
  for (let i = 0; i < 20; i++) s.tell(ll(s.ask()));
  const snap = JSON.parse(JSON.stringify(s.snapshot()));
  const refused: [() => unknown, RegExp][] = [
    [() => DreamZS.restore(snap, { ...cases[0].opts, seed: 8 }), /^posterior\.seed: 8 differs from the snapshot's 7/],
    [() => DreamZS.restore(snap, { ...cases[0].opts, maxEvaluations: 3000 }), /^posterior\.maxEvaluations: /],
    [() => DreamZS.restore(snap, { ...cases[0].opts, crossoverWeights: [1, 1, 1] }), /^posterior\.crossoverWeights: /],
    [
      () =>
        DreamZS.restore(snap, cases[0].opts, [
          [-1, 1],
          [-1, 1],
          [-2, 4],
        ]),
      /^posterior\.bounds: differ from the snapshot's/,
    ],
    [
      () => DreamZS.restore({ format: "geoinv.optim.DifferentialEvolution/1" }, cases[0].opts),
      /^snapshot: not a DreamZS snapshot/,
    ],
    [
      () => DreamZS.restore({ ...snap, store: { ...snap.store, stored: [] } }, cases[0].opts),
      /^snapshot: ChainStore snapshot is damaged/,
    ],
  ];
  for (const [f, re] of refused) {
    assert.throws(f, (e: Error) => e instanceof ValidationError && re.test(e.message), String(re));
  }
});

test("ChainStore snapshot/restore: the same stored states, thinning and checks after a round trip; another stop rule is refused", () => {
  const rule = { rhatTarget: 1.05, essTarget: 50, checkEvery: 10, checkGrowth: 0.05 };
  const g = gaussian(mulberry32(5));
  const steps = Array.from({ length: 90 }, () => Array.from({ length: 4 }, () => Float64Array.of(g(), g())));
  const run = (from: ChainStore | null, a: number, b: number) => {
    const st = from ?? new ChainStore(4, 2, 1, 16, rule);
    const checks: unknown[] = [];
    for (let t = a; t <= b; t++) {
      st.record(
        t,
        steps[t - 1],
        steps[t - 1].map((x) => -x[0] * x[0]),
      );
      checks.push(st.check(t, 4 * t, 0.5));
    }
    return { st, checks };
  };
  const ref = run(null, 1, 90);
  const half = run(null, 1, 40);
  const restored = ChainStore.restore(JSON.parse(JSON.stringify(half.st.snapshot())), 4, 2, 16, rule);
  const rest = run(restored, 41, 90);
  assert.ok(ref.st.thinIncreased && ref.st.thin === 8, `thinning doubled three times, got ${ref.st.thin}`);
  assert.deepEqual([...half.checks, ...rest.checks], ref.checks);
  assert.deepEqual(restored.stored, ref.st.stored);
  assert.deepEqual(restored.storedLogLik, ref.st.storedLogLik);
  const tail = (st: ChainStore) => [st.thin, st.nextCheck, st.lastCheck];
  assert.deepEqual(tail(restored), tail(ref.st));
  assert.throws(
    () => ChainStore.restore(half.st.snapshot(), 4, 2, 16, { ...rule, essTarget: 60 }),
    /^ValidationError: posterior\.essTarget: 60 differs|posterior\.essTarget: 60 differs/,
  );
  assert.throws(() => ChainStore.restore(half.st.snapshot(), 5, 2, 16, rule), /posterior\.chains: 5 differs/);
});

/** Coverage of the 90 % posterior interval over `trials` simulated data sets (1-D mean, uniform prior). */
function coverage(trials: number, assumedSigma: number): number {
  const rand = mulberry32(2024);
  const g = gaussian(rand);
  const sigma = 1;
  const nData = 5;
  let hit = 0;
  for (let t = 0; t < trials; t++) {
    const truth = -5 + 10 * rand();
    const y = Array.from({ length: nData }, () => truth + sigma * g());
    const ll = (xs: Float64Array[]) =>
      xs.map((x) => y.reduce((s, v) => s - (0.5 * (v - x[0]) ** 2) / (assumedSigma * assumedSigma), 0));
    const r = sample(ll, [[-5, 5]], {
      seed: 100 + t,
      chains: 6,
      essTarget: 300,
      rhatTarget: 1.05,
      checkEvery: 50,
      maxEvaluations: 30000,
    });
    const [[q05, q95]] = quantiles(flattenDraws(r.draws), [0.05, 0.95]);
    if (truth >= q05 && truth <= q95) hit++;
  }
  return hit / trials;
}

test("calibration: 90 % intervals cover 40 prior-drawn truths at 0.75-1.0; a wrong noise sd breaks it", () => {
  const good = coverage(40, 1);
  assert.ok(good >= 0.75 && good <= 1, `coverage ${good}`);
  const bad = coverage(40, 0.3);
  assert.ok(bad < 0.75, `coverage with the wrong noise sd ${bad}`);
});

test("stop rules: callback, budget, and automatic thinning bounds memory", () => {
  let calls = 0;
  const a = sample(gauss2, BOX2, {
    seed: 1,
    checkEvery: 20,
    onCheck: (info) => {
      calls++;
      assert.equal(info.iteration, 20 * calls);
      return calls === 3 ? "stop" : undefined;
    },
  });
  assert.equal(a.stopReason, "callback");
  assert.equal(a.iterations, 60);
  // the gap between checks grows as max(checkEvery, checkGrowth x iteration)
  const at: number[] = [];
  sample(gauss2, BOX2, {
    seed: 1,
    checkEvery: 10,
    checkGrowth: 0.5,
    maxEvaluations: 8 * 200,
    onCheck: (info) => void at.push(info.iteration),
  });
  assert.deepEqual(at, [10, 20, 30, 45, 68, 102, 153]);
  const b = sample(gauss2, BOX2, { seed: 1, maxEvaluations: 8 * 301, maxStoredPerChain: 50, thin: 1 });
  assert.equal(b.stopReason, "budget");
  assert.equal(b.iterations, 300);
  assert.equal(b.evaluations, 8 * 301);
  assert.ok(b.thinIncreased);
  assert.equal(b.thin, 8); // 300 states: 1 -> 2 (at 51) -> 4 (at 102) -> 8 (at 204), 37 kept
  assert.equal(b.draws[0].length, 37 - Math.floor(37 / 2));
  assert.equal(b.burnIn, Math.floor(37 / 2) * 8);
});

test("option validation: a ValidationError naming the field", () => {
  const ll = (xs: Float64Array[]) => xs.map(() => 0);
  const bad: [object, RegExp][] = [
    [{ chains: 2 }, /posterior\.chains/],
    [{ chains: 4.5 }, /posterior\.chains/],
    [{ maxEvaluations: -10 }, /posterior\.maxEvaluations/],
    [{ chians: 8 }, /posterior\.chians/],
    [{ rhatTarget: 0.9 }, /posterior\.rhatTarget/],
    [{ snooker: 2 }, /posterior\.snooker/],
    [{ thin: 0 }, /posterior\.thin/],
    [{ initialStates: [Float64Array.of(0), Float64Array.of(0), Float64Array.of(7)] }, /posterior\.initialStates\[2\]/],
    [
      { chains: 4, initialStates: [Float64Array.of(0), Float64Array.of(0), Float64Array.of(0)] },
      /posterior\.initialStates/,
    ],
    [{ initialArchive: [Float64Array.of(0)] }, /posterior\.initialArchive/],
    [{ crossoverWeights: [1, 2] }, /posterior\.crossoverWeights/],
    [{ crossoverWeights: [0, 0, 0] }, /posterior\.crossoverWeights/],
  ];
  for (const [o, re] of bad) {
    assert.throws(
      () => sample(ll, [[-1, 1]], o as never),
      (e: Error) => e.name === "ValidationError" && re.test(e.message),
      `${JSON.stringify(o)}`,
    );
  }
  assert.throws(
    () => sample(ll, [[1, 1]]),
    (e: Error) => e.name === "ValidationError" && /posterior\.bounds\[0\]/.test(e.message),
  );
});

// ---------------------------------------------------------------------------------------------
// linearised estimate

test("linearised covariance and batched finite-difference Jacobian on a linear model: the closed form", async () => {
  // r(x) = (A x - y) / sigma, 4 residuals, 2 parameters
  const A = [
    [1, 2],
    [3, -1],
    [0.5, 0.5],
    [-2, 1],
  ];
  const sigma = [0.5, 1, 2, 1];
  const y = [1, 0, 2, -1];
  const bounds: [number, number][] = [
    [-10, 10],
    [0, 4],
  ];
  let calls = 0;
  let batch = 0;
  const residuals = async (xs: Float64Array[]) => {
    calls++;
    batch = xs.length;
    for (const x of xs)
      for (let j = 0; j < 2; j++) assert.ok(x[j] >= bounds[j][0] && x[j] <= bounds[j][1], "point outside the box");
    return xs.map((x) => A.map((row, i) => (row[0] * x[0] + row[1] * x[1] - y[i]) / sigma[i]));
  };
  // x[1] sits on its upper bound: a one-sided (backward) difference there
  const x = Float64Array.of(1.5, 4);
  const J = await finiteDifferenceJacobian(residuals, x, bounds, 1e-3);
  assert.equal(calls, 1);
  assert.equal(batch, 1 + 2 + 1);
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(J[i][j] - A[i][j] / sigma[i]) < 1e-9, `J[${i}][${j}]`);
  const plan = planJacobian(x, bounds, 1e-3, "forward");
  assert.equal(plan.points.length, 3);
  const fw = assembleJacobian(plan, await residuals(plan.points));
  assert.ok(Math.abs(fw.residual[0] - (1 * 1.5 + 2 * 4 - 1) / 0.5) < 1e-12);

  // closed form of (J^T J + P)^-1 for 2 x 2
  const P = uniformPriorPrecision(bounds);
  assert.ok(Math.abs(P[0] - 12 / 400) < 1e-15 && Math.abs(P[1] - 12 / 16) < 1e-15);
  let a = P[0];
  let b = 0;
  let c = P[1];
  for (let i = 0; i < 4; i++) {
    const u = A[i][0] / sigma[i];
    const v = A[i][1] / sigma[i];
    a += u * u;
    b += u * v;
    c += v * v;
  }
  const det = a * c - b * b;
  const C = [
    [c / det, -b / det],
    [-b / det, a / det],
  ];
  const lin = linearisedCovariance(J, P);
  assert.equal(lin.jitter, 0);
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(lin.covariance[i][j] - C[i][j]) < 1e-9 * Math.abs(C[i][j]) + 1e-15);
  assert.ok(Math.abs(lin.sd[1] - Math.sqrt(C[1][1])) < 1e-12);
  assert.ok(Math.abs(lin.correlation[0][1] - C[0][1] / Math.sqrt(C[0][0] * C[1][1])) < 1e-12);
  assert.equal(lin.correlation[0][0], 1);
});

test("linearised covariance: an unresolved parameter gets the prior's sd, or a reported jitter without a prior", () => {
  const J = [
    [1, 0],
    [2, 0],
  ];
  const bounds: [number, number][] = [
    [0, 1],
    [-3, 3],
  ];
  const lin = linearisedCovariance(J, uniformPriorPrecision(bounds));
  assert.ok(Math.abs(lin.sd[1] - 6 / Math.sqrt(12)) < 1e-12);
  assert.ok(Math.abs(lin.sd[0] - 1 / Math.sqrt(5 + 12)) < 1e-12);
  const raw = linearisedCovariance(J);
  assert.ok(raw.jitter > 0);
  assert.ok(Number.isFinite(raw.sd[1]) && raw.sd[1] > 1e3);
  assert.throws(
    () => linearisedCovariance(J, [1]),
    (e: Error) => e.name === "ValidationError" && /priorPrecision/.test(e.message),
  );
});
