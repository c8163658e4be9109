/**
 * The trustworthy-inversion benchmark (issue 14, part 4): seeded synthetic problems from
 * `syntheticProblems` (src/inversion/problems.ts: every survey kind, 2-10 layers, IP in random
 * layers, tau and c sometimes free, truths drawn from the prior box, data from CONVERGED_OPTIONS
 * plus 3 % Gaussian noise), each inverted by DE at its default settings and then sampled by
 * DREAM(ZS) at its default settings, both with the inversion's own FAST_OPTIONS forward.
 *
 * Reports, for DE: success (objective at or below the true model's, at the final lambda),
 * evaluations and wall time; for the posterior: coverage of the 90 % interval (fraction of true
 * free parameters inside [q05, q95]), R-hat, ESS, evaluations and wall time.
 *
 *   npx tsx bench/posterior.ts [--n 30] [--seed 1] [--workers 2] [--generations 300]
 *     [--budget 200000] [--only 3,7] [--out bench/results/posterior.json]
 *   npx tsx bench/posterior.ts --merge a.json,b.json --out bench/results/posterior.json
 *
 * Results are written after every problem, and a rerun with the same --out skips the problems
 * already there (delete the file to start again).
 */
import * as fs from "fs";
import * as path from "path";
import { inversionPool, syntheticProblem, truthCheck } from "../src/inversion";
import { DEFAULT_MAX_EVALUATIONS } from "../src/sampling";
import { arg, gitCommit, hasFlag, loadAverages, machine } from "./support";
import { deThenPosterior } from "./support/posterior";

const n = Number(arg("--n", "30"));
const seed = Number(arg("--seed", "1"));
const workers = Number(arg("--workers", "2"));
const only = hasFlag("--only") ? arg("--only", "").split(",").map(Number) : null;
const out = arg("--out", path.join(__dirname, "results", "posterior.json"));
/** The DE's budget: the inversion defaults (JADE + OBL, NP 40 + 5 d, restarts, LM polish) for this many generations. */
const DE_GENERATIONS = Number(arg("--generations", "300"));
/** The posterior's evaluation budget (samplePosterior's default is 200000). */
const BUDGET = Number(arg("--budget", String(DEFAULT_MAX_EVALUATIONS)));
/** Merge result files of disjoint --only runs into --out (e.g. two processes on two cores). */
const MERGE = hasFlag("--merge") ? arg("--merge", "").split(",") : null;

interface Row {
  index: number;
  name: string;
  kind: string;
  layers: number;
  free: number;
  fixed_at_truth: string[];
  de: {
    success: boolean | null;
    rms: number;
    true_rms: number | null;
    objective: number;
    true_objective: number | null;
    evaluations: number;
    generations: number;
    np: number;
    restarts: number;
    polish: unknown;
    stop: string;
    seconds: number;
  };
  posterior: {
    covered: boolean[];
    coverage: number;
    rhat_max: number;
    ess_min: number;
    evaluations: number;
    seconds: number;
    stop: string;
    acceptance: number;
    acceptance_by_move?: Record<string, number | null>;
    /** R-hat and bulk ESS per free parameter, in `parameters` order. */
    rhat?: number[];
    ess?: number[];
  };
  parameters: string[];
}

const load = loadAverages;
const prev = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : null;
const rows: Row[] = prev?.problems ?? [];
const commit = gitCommit();

function summarise() {
  const covered = rows.flatMap((r) => r.posterior.covered);
  const byKind: Record<string, { inside: number; total: number }> = {};
  rows.forEach((r) =>
    r.parameters.forEach((name, k) => {
      const kind = name.replace(/^log10 /, "").replace(/\[.*$/, "");
      byKind[kind] = byKind[kind] ?? { inside: 0, total: 0 };
      byKind[kind].total++;
      if (r.posterior.covered[k]) byKind[kind].inside++;
    }),
  );
  const med = (v: number[]) => {
    const s = v.slice().sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2])) : NaN;
  };
  const succ = rows.filter((r) => r.de.success !== null);
  return {
    problems: rows.length,
    de_success_rate: succ.filter((r) => r.de.success).length / Math.max(1, succ.length),
    de_median_evaluations: med(rows.map((r) => r.de.evaluations)),
    de_median_seconds: med(rows.map((r) => r.de.seconds)),
    coverage_90: covered.filter(Boolean).length / Math.max(1, covered.length),
    coverage_by_kind: Object.fromEntries(
      Object.entries(byKind).map(([k, v]) => [k, { coverage: v.inside / v.total, parameters: v.total }]),
    ),
    parameters: covered.length,
    converged: rows.filter((r) => r.posterior.stop === "converged").length,
    rhat_max: Math.max(...rows.map((r) => r.posterior.rhat_max)),
    ess_min: Math.min(...rows.map((r) => r.posterior.ess_min)),
    posterior_median_seconds: med(rows.map((r) => r.posterior.seconds)),
    posterior_max_seconds: Math.max(...rows.map((r) => r.posterior.seconds)),
  };
}

function save(loadStart: string) {
  const doc = {
    command: `npx tsx bench/posterior.ts --n ${n} --seed ${seed} --workers ${workers} --generations ${DE_GENERATIONS} --budget ${BUDGET}${only ? ` --only ${only.join(",")}` : ""}`,
    settings: `DE: invert() defaults (JADE + OBL, NP 40 + 5 d, restarts, LM polish) for ${DE_GENERATIONS} generations, seed = problem index + 1; posterior: samplePosterior() defaults (DREAM(ZS), 8 chains, stop at R-hat < 1.05 and ESS >= 400) with a budget of ${BUDGET} evaluations, same seed; forward FAST_OPTIONS, data CONVERGED_OPTIONS + 3 % noise`,
    commit,
    machine: machine({ memory: true }),
    load_start: prev?.load_start ?? loadStart,
    load_end: load(),
    date: new Date().toISOString(),
    summary: summarise(),
    problems: rows,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = out + ".tmp";
  fs.writeFileSync(tmp, JSON.stringify(doc, null, 1) + "\n");
  fs.renameSync(tmp, out);
}

async function main() {
  const loadStart = load();
  if (MERGE) {
    const docs = MERGE.map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    for (const d of docs) for (const r of d.problems) if (!rows.some((x) => x.index === r.index)) rows.push(r);
    rows.sort((a, b) => a.index - b.index);
    const doc = {
      command:
        docs.map((d) => d.command).join(" & ") +
        ` ; npx tsx bench/posterior.ts --merge ${MERGE.join(",")} --out ${path.relative(process.cwd(), out)}`,
      commit: docs[0].commit,
      settings: docs[0].settings,
      machine: docs[0].machine,
      load_start: docs.map((d) => d.load_start).join(" | "),
      load_end: docs.map((d) => d.load_end).join(" | "),
      date: new Date().toISOString(),
      summary: summarise(),
      problems: rows,
    };
    fs.writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
    console.log(JSON.stringify(doc.summary, null, 1));
    return;
  }
  const idx = only ?? Array.from({ length: n }, (_, i) => i);
  for (const i of idx) {
    if (rows.some((r) => r.index === i)) continue;
    const sp = syntheticProblem(seed, i);
    const pool = inversionPool(sp.problem, workers);
    try {
      const { de, post } = await deThenPosterior(sp.problem, pool, {
        seed: i + 1,
        generations: DE_GENERATIONS,
        budget: BUDGET,
      });
      const tc = truthCheck(sp.problem, sp.truth, de);
      const s = post.summary;
      // coverage in search space: the physical quantiles are monotone in the search value
      const covered = sp.truthVector.map((t, k) => {
        const f = s.parameters[k];
        const log = sp.parameters[k].startsWith("log10");
        const v = log ? Math.pow(10, t) : t;
        return v >= f.q05 && v <= f.q95;
      });
      const row: Row = {
        index: i,
        name: sp.name,
        kind: sp.kind,
        layers: sp.truth.rho0.length,
        free: sp.parameters.length,
        fixed_at_truth: sp.fixedAtTruth,
        parameters: sp.parameters,
        de: {
          success: tc ? (tc.success as boolean) : null,
          rms: de.misfit.rms,
          true_rms: tc ? (tc.true_rms as number) : null,
          objective: de.misfit.objective,
          true_objective: tc ? (tc.true_objective as number) : null,
          evaluations: de.evaluations,
          generations: de.generations,
          np: de.np,
          restarts: de.restarts.length,
          polish: de.polish,
          stop: de.stopReason,
          seconds: de.seconds,
        },
        posterior: {
          covered,
          coverage: covered.filter(Boolean).length / covered.length,
          rhat_max: s.rhat_max,
          ess_min: s.ess_min,
          evaluations: s.evaluations,
          seconds: s.seconds,
          stop: s.stop_reason,
          acceptance: s.acceptance,
          acceptance_by_move: s.acceptance_by_move,
          rhat: s.parameters.map((q) => q.rhat),
          ess: s.parameters.map((q) => q.ess),
        },
      };
      rows.push(row);
      rows.sort((a, b) => a.index - b.index);
      save(loadStart);
      console.log(
        `${sp.name}: d=${row.free} DE ${row.de.success ? "ok" : "MISS"} rms ${row.de.rms.toFixed(3)} (truth ${row.de.true_rms?.toFixed(3)}) ${row.de.evaluations} evals ${row.de.seconds.toFixed(1)} s, ` +
          `restarts ${row.de.restarts} | posterior ${row.posterior.stop} R-hat ${s.rhat_max.toFixed(3)} ESS ${s.ess_min.toFixed(0)} cover ${covered.filter(Boolean).length}/${covered.length} ${s.seconds.toFixed(1)} s, ` +
          `acceptance ${Object.entries(s.acceptance_by_move)
            .map(([k, v]) => `${k} ${v === null ? "-" : v.toFixed(4)}`)
            .join(", ")}  [load ${load()}]`,
      );
    } finally {
      await pool.close();
    }
  }
  save(loadStart);
  console.log(JSON.stringify(summarise(), null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
