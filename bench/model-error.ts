/**
 * Is the posterior benchmark's likelihood right? The benchmark's data come from CONVERGED_OPTIONS
 * plus noise and the inversion's forward is FAST_OPTIONS (no inverse crime), so the likelihood
 * leaves out the modelling error FAST - CONVERGED. This measures it on every problem's TRUE model,
 * in units of the data's standard errors: if it were comparable to 1, the posterior would be
 * biased and the coverage of bench/posterior.ts would say nothing about the sampler.
 *
 *   npx tsx bench/model-error.ts [--n 30] [--seed 1] [--out bench/results/model-error.json]
 */
import * as fs from "fs";
import * as path from "path";
import { CONVERGED_OPTIONS, FAST_OPTIONS } from "../src/em";
import { emForward, syntheticProblem } from "../src/inversion";
import { arg, gitCommit, loadAverages, machine } from "./support";

const n = Number(arg("--n", "30"));
const seed = Number(arg("--seed", "1"));
const out = arg("--out", path.join(__dirname, "results", "model-error.json"));

const load0 = loadAverages();
const rows = Array.from({ length: n }, (_, i) => {
  const sp = syntheticProblem(seed, i);
  const ds = sp.problem.datasets[0];
  const conv = emForward([ds.survey], CONVERGED_OPTIONS)([sp.truth])[0];
  const fast = emForward([ds.survey], FAST_OPTIONS)([sp.truth])[0];
  let s2 = 0;
  let max = 0;
  for (let k = 0; k < conv.length; k++) {
    const r = (fast[k] - conv[k]) / ds.error[k];
    s2 += r * r;
    max = Math.max(max, Math.abs(r));
  }
  const row = { index: i, name: sp.name, data: conv.length, rms_sigma: Math.sqrt(s2 / conv.length), max_sigma: max };
  console.log(
    `${sp.name}: FAST - CONVERGED on the truth, RMS ${row.rms_sigma.toFixed(4)} sigma, max ${max.toFixed(4)}`,
  );
  return row;
});
const doc = {
  command: `npx tsx bench/model-error.ts --n ${n} --seed ${seed}`,
  what: "(FAST_OPTIONS - CONVERGED_OPTIONS) / sigma on each benchmark problem's true model; sigma = the data's standard errors (3 % + floor)",
  commit: gitCommit(),
  machine: machine(),
  load_start: load0,
  load_end: loadAverages(),
  date: new Date().toISOString(),
  summary: {
    max_rms_sigma: Math.max(...rows.map((r) => r.rms_sigma)),
    max_abs_sigma: Math.max(...rows.map((r) => r.max_sigma)),
  },
  problems: rows,
};
fs.writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
console.log(JSON.stringify(doc.summary));
