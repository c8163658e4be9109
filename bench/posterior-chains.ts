/**
 * Why a posterior does not converge: one benchmark problem (src/inversion/problems.ts), DE then
 * DREAM(ZS) at a given budget, exactly as bench/posterior.ts runs it, then a look at the chains:
 * - per parameter: the 5/50/95 % quantiles against the truth, R-hat and bulk ESS;
 * - per chain: the mean of one parameter over ten consecutive segments (slow drift = slow mixing;
 *   chains parked at different values for the whole run = separate modes);
 * - the conditional spread: the pooled draws binned along one parameter (--along), with the mean
 *   and standard deviation of every parameter in each bin. A spread that changes several-fold from
 *   bin to bin is a funnel, which no fixed-scale proposal crosses efficiently.
 *
 *   npx tsx bench/posterior-chains.ts --problem 14 [--seed 1] [--budget 60000] [--generations 200]
 *     [--along 4] [--out FILE]
 *
 * The draws are deterministic for a seed (the load changes only the seconds).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { inversionPool, syntheticProblem } from "../src/inversion";
import { arg, machine } from "./support";
import { deThenPosterior } from "./support/posterior";

const index = Number(arg("--problem", "14"));
const seed = Number(arg("--seed", "1"));
const budget = Number(arg("--budget", "60000"));
const generations = Number(arg("--generations", "200"));
const out = arg("--out", path.join(__dirname, "results", `posterior-chains-p${String(index).padStart(2, "0")}.json`));

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const sd = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) * (b - m), 0) / Math.max(1, v.length - 1));
};

async function main() {
  const load0 = os.loadavg()[0];
  const sp = syntheticProblem(seed, index);
  const pool = inversionPool(sp.problem, 2);
  try {
    const { de, post } = await deThenPosterior(sp.problem, pool, { seed: index + 1, generations, budget });
    const s = post.summary;
    const d = sp.parameters.length;
    const along = Number(arg("--along", String(d - 1)));
    const params = sp.parameters.map((name, k) => {
      const f = s.parameters[k];
      const log = name.startsWith("log10");
      const truth = log ? Math.pow(10, sp.truthVector[k]) : sp.truthVector[k];
      return {
        name,
        truth,
        q05: f.q05,
        q50: f.q50,
        q95: f.q95,
        covered: truth >= f.q05 && truth <= f.q95,
        rhat: f.rhat,
        ess: f.ess,
      };
    });
    const segments = post.draws.map((chain) => {
      const n = Math.floor(chain.length / 10);
      return Array.from({ length: 10 }, (_, k) => mean(chain.slice(k * n, (k + 1) * n).map((x) => x[along])));
    });
    const flat = post.draws.flat();
    const vals = flat.map((x) => x[along]);
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    const bins = 8;
    const conditional = Array.from({ length: bins }, (_, b) => {
      const a = lo + ((hi - lo) * b) / bins;
      const z = lo + ((hi - lo) * (b + 1)) / bins;
      const sel = flat.filter((x) => x[along] >= a && (b === bins - 1 ? x[along] <= z : x[along] < z));
      return {
        from: a,
        to: z,
        draws: sel.length,
        mean: sp.parameters.map((_, k) => mean(sel.map((x) => x[k]))),
        sd: sp.parameters.map((_, k) => sd(sel.map((x) => x[k]))),
      };
    });
    const doc = {
      command: `npx tsx bench/posterior-chains.ts --problem ${index} --seed ${seed} --budget ${budget} --generations ${generations} --along ${along}`,
      problem: sp.name,
      machine: machine(),
      load: [load0, os.loadavg()[0]],
      date: new Date().toISOString(),
      de: { rms: de.misfit.rms, evaluations: de.evaluations, seconds: de.seconds },
      posterior: {
        stop: s.stop_reason,
        evaluations: s.evaluations,
        seconds: s.seconds,
        acceptance: s.acceptance,
        rhat_max: s.rhat_max,
        ess_min: s.ess_min,
      },
      parameters: params,
      along: sp.parameters[along],
      segment_means: segments,
      conditional,
    };
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
    console.log(
      `${sp.name}: posterior ${s.stop_reason}, ${s.evaluations} evaluations, ${s.seconds.toFixed(1)} s, acceptance ${s.acceptance.toFixed(3)}`,
    );
    for (const q of params) {
      console.log(
        `  ${q.name.padEnd(20)} truth ${q.truth.toPrecision(3).padStart(9)}  q05 ${q.q05.toPrecision(3)}  q50 ${q.q50.toPrecision(3)}  q95 ${q.q95.toPrecision(3)}  ${q.covered ? "in " : "OUT"}  R-hat ${q.rhat.toFixed(2)}  ESS ${q.ess.toFixed(0)}`,
      );
    }
    console.log(`per-chain means of ${sp.parameters[along]} over ten segments of the kept draws:`);
    segments.forEach((m, c) => console.log(`  chain ${c}: ${m.map((v) => v.toFixed(2)).join(" ")}`));
    console.log(`conditional spread along ${sp.parameters[along]} (bin: draws; sd of each parameter):`);
    for (const c of conditional)
      console.log(
        `  [${c.from.toFixed(2)}, ${c.to.toFixed(2)}): ${String(c.draws).padStart(5)}  sd ${c.sd.map((v) => v.toFixed(3)).join(" ")}`,
      );
    console.log(`written ${out}`);
  } finally {
    await pool.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
