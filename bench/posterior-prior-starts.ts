/**
 * Does a posterior depend on where its chains start? The benchmark's samplePosterior starts the
 * chains and the archive from the DE's result; this samples the same likelihood (problem i of
 * bench/posterior.ts, seed 1) with DREAM(ZS) + independence moves started from UNIFORM draws in the
 * box (sampleAsync's defaults), and prints the 5/50/95 % quantiles against the truth, R-hat, ESS,
 * and the chi-square of the truth and of the best draw. A run that converges (R-hat, ESS) to a mode
 * whose best chi-square is well above the DE's has found a secondary mode that R-hat cannot flag.
 *
 *   npx tsx bench/posterior-prior-starts.ts 6 12
 */
import {
  compileParameterisation,
  inversionPool,
  OBJECTIVE_MODULE,
  poolPredictor,
  syntheticProblem,
} from "../src/inversion";
import { logLikelihood } from "../src/inversion/internal";
import { flattenDraws, quantiles, sampleAsync } from "../src/sampling";
async function main() {
  for (const i of process.argv.slice(2).map(Number)) {
    const sp = syntheticProblem(1, i);
    const p = compileParameterisation(sp.problem.parameterisation);
    const pool = inversionPool(sp.problem, 2);
    const predict = await poolPredictor(sp.problem, pool, OBJECTIVE_MODULE);
    // samplePosterior's own likelihood (no regularisation prior), so only the starts differ
    const logL = logLikelihood(p, sp.problem, null);
    const ll = async (xs: Float64Array[]) => logL(xs, await predict(xs));
    const r = await sampleAsync(
      ll,
      { lower: p.lower, upper: p.upper },
      { seed: i + 1, independence: 0.8, maxEvaluations: 200000 },
    );
    const q = quantiles(flattenDraws(r.draws), [0.05, 0.5, 0.95]);
    let cov = 0;
    sp.parameters.forEach((name, k) => {
      const t = sp.truthVector[k];
      const c = t >= q[k][0] && t <= q[k][2];
      if (c) cov++;
      console.log(
        `  ${name.padEnd(18)} truth ${t.toFixed(3)}  q05 ${q[k][0].toFixed(3)} q50 ${q[k][1].toFixed(3)} q95 ${q[k][2].toFixed(3)} ${c ? "" : "MISS"}`,
      );
    });
    const bestLl = Math.max(...r.logLik.flat());
    const tl = (await ll([Float64Array.from(sp.truthVector)]))[0];
    console.log(
      `${sp.name}: prior starts: ${r.stopReason} evals ${r.evaluations} R-hat ${r.rhatMax.toFixed(3)} ESS ${r.essMin.toFixed(0)} acc ${r.acceptance.toFixed(3)} cover ${cov}/${sp.parameters.length}; chi2 truth ${(-2 * tl).toFixed(1)} best draw ${(-2 * bestLl).toFixed(1)}`,
    );
    await pool.close();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
