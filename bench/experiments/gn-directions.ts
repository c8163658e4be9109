/**
 * Why the Gauss-Newton manifold MALA (bench/experiments/manifold.ts) fails on a TEM posterior: at
 * the DE's best model of the tuning problem p00 (seed 2, 14 unknowns), the metric G = J^T J + P
 * (P = 12 / width^2) is diagonalised, and along each eigenvector the log-likelihood is compared with
 * the Gaussian's prediction -eps^2 / 2 at eps = 0.25, 0.5, 1 and -1 standard deviations of G^-1
 * ("out": the step leaves the box).
 *
 *   npx tsx bench/experiments/gn-directions.ts
 */
import { compileParameterisation, invert, syntheticProblem } from "../../src/inversion";
import { localPredictor, stackedData, whitenedResiduals } from "../../src/inversion/internal";
import { assembleJacobian, planJacobian } from "../../src/sampling/linearised";
(async () => {
  const sp = syntheticProblem(2, 0);
  const de = await invert(sp.problem, { seed: 1, maxGenerations: 300, workers: 1 });
  const p = compileParameterisation(sp.problem.parameterisation);
  const predict = localPredictor(sp.problem);
  const { observed, error } = stackedData(sp.problem);
  const res = async (xs: Float64Array[]) => (await predict(xs)).map((y) => whitenedResiduals(y, observed, error));
  const b = { lower: p.lower, upper: p.upper };
  const d = p.lower.length;
  const x0 = Float64Array.from(de.x);
  const plan = planJacobian(x0, b, 1e-4, "central");
  const { jacobian: J, residual: r0 } = assembleJacobian(plan, await res(plan.points));
  const ll0 = -0.5 * r0.reduce((a, c) => a + c * c, 0);
  // G = J^T J + 12/w^2 ; Jacobi eigen
  const G = Array.from({ length: d }, (_, a) =>
    Array.from(
      { length: d },
      (_, c) => J.reduce((s, row) => s + row[a] * row[c], 0) + (a === c ? 12 / (p.upper[a] - p.lower[a]) ** 2 : 0),
    ),
  );
  const V: number[][] = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, c) => (a === c ? 1 : 0)));
  const A = G.map((r) => r.slice());
  for (let sweep = 0; sweep < 60; sweep++)
    for (let i = 0; i < d; i++)
      for (let j = i + 1; j < d; j++) {
        if (Math.abs(A[i][j]) < 1e-14) continue;
        const th = 0.5 * Math.atan2(2 * A[i][j], A[j][j] - A[i][i]);
        const c = Math.cos(th),
          s = Math.sin(th);
        for (let k = 0; k < d; k++) {
          const aki = A[k][i],
            akj = A[k][j];
          A[k][i] = c * aki - s * akj;
          A[k][j] = s * aki + c * akj;
        }
        for (let k = 0; k < d; k++) {
          const aik = A[i][k],
            ajk = A[j][k];
          A[i][k] = c * aik - s * ajk;
          A[j][k] = s * aik + c * ajk;
        }
        for (let k = 0; k < d; k++) {
          const vki = V[k][i],
            vkj = V[k][j];
          V[k][i] = c * vki - s * vkj;
          V[k][j] = s * vki + c * vkj;
        }
      }
  const order = Array.from({ length: d }, (_, k) => k).sort((a, c) => A[c][c] - A[a][a]);
  for (const k of order) {
    const lam = A[k][k];
    const sd = 1 / Math.sqrt(lam);
    const out: string[] = [];
    for (const eps of [0.25, 0.5, 1, -1]) {
      const y = Float64Array.from(x0, (v, a) => v + eps * sd * V[a][k]);
      if (!y.every((v, a) => v >= p.lower[a] && v <= p.upper[a])) {
        out.push(`${eps}: out`);
        continue;
      }
      const [r] = await res([y]);
      out.push(
        `${eps}: ${(-0.5 * r.reduce((a2, c) => a2 + c * c, 0) - ll0).toFixed(2)} (q ${(-0.5 * eps * eps).toFixed(2)})`,
      );
    }
    const top = Array.from({ length: d }, (_, a) => [a, V[a][k]] as [number, number])
      .sort((u, w) => Math.abs(w[1]) - Math.abs(u[1]))
      .slice(0, 3)
      .map(([a, v]) => `${sp.parameters[a]} ${v.toFixed(2)}`)
      .join(", ");
    console.log(`lam ${lam.toExponential(2)} sd ${sd.toFixed(3)} | ${out.join(" | ")} | ${top}`);
  }
})();
