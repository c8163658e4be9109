/**
 * Check of bench/experiments/manifold.ts on a target it must get right: a linear-Gaussian problem
 * (whitened residuals A x - b, 14 unknowns, 30 data, a box far wider than the posterior), whose
 * posterior mean is the least-squares solution and whose covariance is (A^T A)^-1.
 *
 *   npx tsx bench/experiments/manifold-linear.ts
 */
import { cholesky } from "../../src/sampling/linearised";
import { cholSolve, sampleManifold } from "./manifold";

const d = 14;
const n = 30;
let state = 12345;
const rnd = () => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648 - 0.5;
};
const A = Array.from({ length: n }, () => Array.from({ length: d }, () => rnd() * 10));
const b = Array.from({ length: n }, () => rnd());
const residuals = (xs: Float64Array[]) =>
  xs.map((x) => A.map((row, i) => row.reduce((s, v, j) => s + v * x[j], 0) - b[i]));

(async () => {
  const G = Array.from({ length: d }, (_, a) =>
    Float64Array.from({ length: d }, (_, c) => A.reduce((s, row) => s + row[a] * row[c], 0)),
  );
  const L = cholesky(G);
  if (!L) throw new Error("A^T A is singular");
  const mean = cholSolve(
    L,
    Array.from({ length: d }, (_, a) => A.reduce((s, row, i) => s + row[a] * b[i], 0)),
  );
  const sd = Array.from({ length: d }, (_, a) =>
    Math.sqrt(
      cholSolve(
        L,
        Array.from({ length: d }, (_, c) => (c === a ? 1 : 0)),
      )[a],
    ),
  );
  const starts = Array.from({ length: 8 }, (_, c) =>
    Float64Array.from({ length: d }, (_, j) => mean[j] + (((c * 7 + j * 3) % 9) - 4) * 0.5 * sd[j]),
  );
  const r = await sampleManifold(
    async (xs) => residuals(xs),
    { lower: new Array(d).fill(-5), upper: new Array(d).fill(5) },
    {
      initialStates: starts,
      maxEvaluations: 200000,
      seed: 3,
    },
  );
  const flat = r.draws.flat();
  const z = Array.from(mean, (m, a) => {
    const v = flat.map((x) => x[a]);
    const mu = v.reduce((s, x) => s + x, 0) / v.length;
    const s2 = v.reduce((s, x) => s + (x - mu) ** 2, 0) / (v.length - 1);
    return { zMean: (mu - m) / (sd[a] / Math.sqrt(r.essMin)), sdRatio: Math.sqrt(s2) / sd[a] };
  });
  console.log(
    JSON.stringify({
      step: r.step,
      acceptance: r.acceptance,
      rhat_max: r.rhatMax,
      ess_min: r.essMin,
      evaluations: r.evaluations,
      stop: r.stopReason,
      max_abs_z_of_mean: Math.max(...z.map((q) => Math.abs(q.zMean))),
      sd_ratio_range: [Math.min(...z.map((q) => q.sdRatio)), Math.max(...z.map((q) => q.sdRatio))],
    }),
  );
})();
