/**
 * EXPERIMENT (issue 14: posteriors with 13-21 unknowns do not converge), an oracle diagnostic; not
 * in src/, nothing else uses it. Is a posterior slow because its chains cannot find the truth's
 * basin, or because they mix slowly inside any basin? samplePosterior exactly as the inversion runs
 * it, except that the chains start from the linearised Gaussian at the TRUE model (twice its sd,
 * as usual) instead of the DE's best, the archive holds the truth and 10 d such draws instead of
 * the DE's population, and the tempered mode search is off (it would start half the chains
 * elsewhere). No DE runs. Nothing here is a way to invert data: the truth is unknown in practice.
 *
 * If these chains converge within the budget, the truth's basin mixes well and what the real runs
 * lack is finding it (and moving between basins); if they do not, the chains mix slowly even
 * inside it.
 *
 *   npx tsx bench/experiments/truth-start.ts --config examples/tem_l10_ip2_posterior.json \
 *     [--budget 420000]
 *   npx tsx bench/experiments/truth-start.ts --seed 2 --only 0 [--budget 60000]
 *     [--workers 2] [--sampler-seed 1] [--out bench/results/truth-start.json]
 *
 * Rows are appended to --out (one per problem and budget). Evaluations, R-hat, ESS and the
 * quantiles depend only on the seeds; seconds depend on the load (stated in each row).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  compileParameterisation,
  inversionPool,
  OBJECTIVE_MODULE,
  parseInvertConfig,
  poolPredictor,
  samplePosterior,
  syntheticProblem,
  withSyntheticData,
} from "../../src/inversion";
import type { InversionProblem, PosteriorOptions } from "../../src/inversion";
import { logLikelihood } from "../../src/inversion/internal";
import { arg, loadAverages } from "../support";
import { configTruth } from "../support/posterior";

const configPath = arg("--config", "");
const seed = Number(arg("--seed", "2"));
const only = arg("--only", "0").split(",").map(Number);
const workers = Number(arg("--workers", "2"));
const samplerSeed = Number(arg("--sampler-seed", "1"));
const out = arg("--out", path.join(__dirname, "..", "results", "truth-start.json"));

interface Case {
  name: string;
  problem: InversionProblem;
  truth: number[];
  options: PosteriorOptions;
}

function cases(): Case[] {
  if (configPath) {
    const cfg = parseInvertConfig(JSON.parse(fs.readFileSync(configPath, "utf8")));
    const problem = withSyntheticData(cfg);
    return [{ name: cfg.name, problem, truth: configTruth(cfg, problem, configPath), options: cfg.posterior ?? {} }];
  }
  return only.map((i) => {
    const sp = syntheticProblem(seed, i);
    return { name: `seed ${seed} ${sp.name}`, problem: sp.problem, truth: sp.truthVector, options: {} };
  });
}

async function run(c: Case, budget: number): Promise<Record<string, unknown>> {
  const pool = inversionPool(c.problem, workers);
  const load0 = loadAverages();
  try {
    const predict = await poolPredictor(c.problem, pool, OBJECTIVE_MODULE);
    const p = compileParameterisation(c.problem.parameterisation);
    const ll = logLikelihood(p, c.problem, c.options.regularisation ?? null);
    const truth = Float64Array.from(c.truth);
    const chi2Truth = -2 * ll([truth], await predict([truth]))[0];
    const trace: { evaluations: number; rhat: number; ess: number }[] = [];
    const post = await samplePosterior(c.problem, truth, [truth], predict, {
      ...c.options,
      seed: samplerSeed,
      maxEvaluations: budget,
      temperedSearch: false,
      onCheck: (i) => {
        trace.push({ evaluations: i.evaluations, rhat: i.rhatMax, ess: i.essMin });
      },
    });
    const s = post.summary;
    const parameters = s.parameters.map((q, k) => {
      const log = p.free[k].log;
      const t = log ? 10 ** c.truth[k] : c.truth[k];
      return { name: q.name, layer: q.layer, truth: t, q05: q.q05, q50: q.q50, q95: q.q95, rhat: q.rhat, ess: q.ess };
    });
    return {
      command: `npx tsx bench/experiments/truth-start.ts ${process.argv.slice(2).join(" ")}`,
      problem: c.name,
      budget,
      sampler_seed: samplerSeed,
      chi2_truth: chi2Truth,
      stop: s.stop_reason,
      evaluations: s.evaluations,
      rhat_max: s.rhat_max,
      ess_min: s.ess_min,
      acceptance: s.acceptance,
      inside: parameters.filter((q) => q.truth >= q.q05 && q.truth <= q.q95).length,
      free: parameters.length,
      seconds: s.seconds,
      load: `${load0} -> ${loadAverages()}`,
      parameters,
      trace: trace.filter((_, k) => k % 5 === 0 || k === trace.length - 1),
    };
  } finally {
    await pool.close();
  }
}

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : [];
  for (const c of cases()) {
    const budget = Number(arg("--budget", String(c.options.maxEvaluations ?? 60000)));
    const row = await run(c, budget);
    rows.push(row);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(rows, null, 1) + "\n");
    console.log(
      `${c.name}: ${row.stop} after ${row.evaluations} evaluations, R-hat ${Number(row.rhat_max).toFixed(3)}, ESS ${Number(row.ess_min).toFixed(0)}, ${row.inside} of ${row.free} inside, ${Number(row.seconds).toFixed(0)} s (chi2 of the truth ${Number(row.chi2_truth).toPrecision(3)})`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
