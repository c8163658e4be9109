/**
 * Tuning apart from testing (issue 15, item 4): the inversion's DE settings chosen on a TUNING SET
 * of synthetic TEM problems that the reported benchmark does not use. The benchmark
 * (bench/posterior.ts) reports `syntheticProblem(1, 0..29)`; the tuning set here is drawn from
 * `syntheticProblem(2, i)` (same generator, another seed: other surveys' jitter, layer counts,
 * truths and noise), so no reported problem is tuned on.
 *
 * Three studies, each run on every DE seed given, everything else at the inversion's defaults
 * (JADE + OBL, NP 40 + 5 d, restarts, LM polish after the DE), at most --generations generations:
 * - grid: JADE's initial mu_CR in {0.5, 0.7, 0.9} x p in {0.05, 0.1, 0.2} on GRID problems;
 * - polish: `polish.every` in {0 (off), 25, 50, 100} on the 8-10-layer POLISH problems;
 * - obl: init "opposition" (the default) vs "random" on OBL problems (a superset of GRID; the
 *   "opposition" runs at the default mu_CR and p are the grid's default cell, not rerun);
 * - joint: p in {0.1, 0.2} x polish.every in {0, 25} at mu_CR 0.9 on GRID + POLISH problems (p and
 *   every were first chosen one at a time; p 0.1 with every 25 missed the ten-layer target).
 * - hard: noise-free data on the tuning set's 19-21-unknown problems, success = RMS <= 0.3 in 400
 *   generations (the ten-layer example's rule), p 0.1 / 0.2 with every 25 and the reference.
 * The reference of every study is the inversion's setting when they ran (DEFAULT below).
 *
 * Score of a run: success = the best model's objective D_d + lambda D_m reaches the true model's
 * objective at the same lambda (truthCheck's rule, src/inversion/run.ts). The run is watched every
 * generation and stopped at the first generation where it does (evaluations_to_truth = the
 * evaluations spent so far, the polishes during the run included); a run that never does within
 * the budget is scored by truthCheck after the final LM polish (evaluations_to_truth = all its
 * evaluations when that succeeds).
 *
 *   npx tsx bench/tune-de.ts [--study grid,polish,obl,joint,hard] [--seeds 1,2,3] [--generations 200]
 *     [--workers 1] [--problems 6,9] [--out bench/results/tune-de.json]
 *   npx tsx bench/tune-de.ts --report   (rewrites the summary of --out and prints its tables)
 *
 * Results are written after every run, and a rerun with the same --out skips the runs already
 * there (so studies and seeds can be added in later invocations; each command is recorded).
 */
import * as fs from "fs";
import * as path from "path";
import {
  compileParameterisation,
  createObjective,
  invert,
  inversionPool,
  syntheticProblem,
  toVector,
  truthCheck,
  DEFAULT_CR,
  DEFAULT_P,
  DEFAULT_POLISH_EVERY,
  emForward,
} from "../src/inversion";
import { CONVERGED_OPTIONS } from "../src/em";
import { arg, argv, gitCommit, hasFlag, loadAverages, machine } from "./support";

const list = (s: string) => (s ? s.split(",").map(Number) : []);
const studies = arg("--study", "grid,polish,obl").split(",");
const seeds = list(arg("--seeds", "1,2,3"));
const generations = Number(arg("--generations", "200"));
const workers = Number(arg("--workers", "1"));
const onlyProblems = hasFlag("--problems") ? list(arg("--problems", "")) : null;
const out = arg("--out", path.join(__dirname, "results", "tune-de.json"));
/** Print the tables (markdown) of the runs in --out and exit; runs nothing. */
const REPORT = hasFlag("--report");

/** The generator seed of the tuning set (the reported benchmark uses seed 1). */
const TUNING_SEED = 2;
/** Grid problems (indices into syntheticProblem(2, i)): 3, 3, 4, 5, 8 and 10 layers. */
const GRID = [6, 9, 5, 12, 17, 14];
/** OBL problems: the grid's plus a 4-layer loop and a 6-layer wire. */
const OBL = [...GRID, 16, 11];
/** Polish problems: the tuning set's 8- and 10-layer ones. */
const POLISH = [17, 14, 2];
const CRS = [0.5, 0.7, 0.9];
const PS = [0.05, 0.1, 0.2];
const EVERY = [0, 25, 50, 100];

interface Setting {
  cr: number;
  p: number;
  init: "opposition" | "random";
  every: number;
}
/**
 * The reference setting of the studies: the inversion's settings when they were run (mu_CR 0.9,
 * p 0.2, polish only after the DE), pinned so that the committed runs keep their keys whatever the
 * defaults are (now p 0.2 with polish every 25, chosen by the joint and hard studies).
 */
const DEFAULT: Setting = { cr: 0.9, p: 0.2, init: "opposition", every: 0 };
/** Joint study: p x polish.every, because p and every were first tuned one at a time. */
const JOINT_SETTINGS: Setting[] = [0.1, 0.2].flatMap((p) => [0, 25].map((every) => ({ ...DEFAULT, p, every })));
/** Joint problems: the grid's and the polish study's. */
const JOINT = [...GRID, ...POLISH];
/**
 * Hard problems: the tuning set's 19-21-unknown ones (10L oblique wire + MN dipole, 10L central
 * loop, 10L bent wire, 8L loop with ramp) made NOISE-FREE (CONVERGED_OPTIONS data of the truth,
 * the generator's errors kept) and scored like the ten-layer example: success = RMS <= 0.3 within
 * HARD_GENERATIONS generations. The truth-objective rule of the other studies is met at RMS ~0.8-1
 * on noisy data, where p 0.1 with polish every 25 looked best, yet it stalled at RMS 1-1.6 in 4 of
 * 10 seeds of the ten-layer example (bench/results/ten-layer-seeds-p01-polish25.json).
 */
const HARD = [38, 44, 52, 46];
const HARD_GENERATIONS = 400;
const HARD_TARGET = 0.3;
/** The hard study's settings: p 0.1 and 0.2 with polish every 25, and the reference. */
const HARD_SETTINGS: Setting[] = [
  { cr: 0.9, p: 0.1, init: "opposition", every: 25 },
  { cr: 0.9, p: 0.2, init: "opposition", every: 25 },
  { cr: 0.9, p: 0.2, init: "opposition", every: 0 },
];
const key = (s: Setting) => `cr=${s.cr} p=${s.p} init=${s.init} every=${s.every}`;

interface Run {
  problem: number;
  seed: number;
  setting: string;
  cr: number;
  p: number;
  init: string;
  every: number;
  success: boolean;
  reached_in_de: boolean;
  evaluations_to_truth: number | null;
  evaluations: number;
  generations: number;
  rms: number;
  true_rms: number;
  objective: number;
  true_objective: number;
  restarts: number;
  stop: string;
  seconds: number;
  /** "noise-free" for the hard study (success = RMS <= HARD_TARGET), absent otherwise. */
  data?: string;
}

const load = loadAverages;
const prev = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : null;
const runs: Run[] = prev?.runs ?? [];
const commands: { command: string; load_start: string; load_end: string; date: string }[] = prev?.commands ?? [];
const commit = gitCommit();

const med = (v: number[]) => {
  const s = v.slice().sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2])) : null;
};

/**
 * The (problem, seed) pairs on which every setting of a study ran: a study's table is scored on
 * these only, so that a setting whose runs are shared with another study (the defaults) does not
 * count more runs than the others.
 */
function complete(settings: Setting[], problems: number[]): Set<string> {
  const pairs = new Set<string>();
  for (const r of runs) {
    if (!problems.includes(r.problem)) continue;
    const pk = `${r.problem}/${r.seed}`;
    if (settings.every((s) => runs.some((x) => x.setting === key(s) && x.problem === r.problem && x.seed === r.seed)))
      pairs.add(pk);
  }
  return pairs;
}

/** Success count and the median evaluations to the truth's objective over runs of a setting. */
function score(setting: Setting, problems: number[], pairs: Set<string>) {
  const rs = runs.filter((r) => r.setting === key(setting) && pairs.has(`${r.problem}/${r.seed}`));
  const ok = rs.filter((r) => r.success);
  // per-problem medians of evaluations to truth (successes), then their geometric mean over the
  // problems a setting solved at least once: problems differ in size by 3x
  const perProblem = problems
    .map((i) => med(ok.filter((r) => r.problem === i).map((r) => r.evaluations_to_truth as number)))
    .filter((v): v is number => v !== null);
  return {
    setting: key(setting),
    runs: rs.length,
    successes: ok.length,
    success_rate: rs.length ? ok.length / rs.length : null,
    median_evaluations_to_truth: med(ok.map((r) => r.evaluations_to_truth as number)),
    median_evaluations_all: med(rs.map((r) => r.evaluations)),
    total_evaluations: rs.reduce((a, r) => a + r.evaluations, 0),
    per_problem_successes: Object.fromEntries(
      problems.map((i) => [
        `p${i}`,
        `${ok.filter((r) => r.problem === i).length}/${rs.filter((r) => r.problem === i).length}`,
      ]),
    ),
    geomean_of_problem_medians: perProblem.length
      ? Math.exp(perProblem.reduce((a, v) => a + Math.log(v), 0) / perProblem.length)
      : null,
  };
}

/** Two-sided sign test: P(at least this lopsided) for `a` wins vs `b` wins under p = 1/2. */
function signTest(a: number, b: number): number {
  const n = a + b;
  if (n === 0) return 1;
  const k = Math.min(a, b);
  let c = 1;
  let tail = 0;
  for (let j = 0; j <= k; j++) {
    tail += c;
    c = (c * (n - j)) / (j + 1);
  }
  return Math.min(1, (2 * tail) / 2 ** n);
}

/**
 * Paired comparison of setting a against b over the (problem, seed) pairs both ran: a "wins" a
 * pair when it succeeded with fewer evaluations to the truth's objective, or succeeded where b
 * failed (ties: equal evaluations, or both failed); the median ratio a / b of evaluations to truth
 * over the pairs both solved; and the sign test's p.
 */
function paired(a: Setting, b: Setting, pairs: Set<string>) {
  const ra = runs.filter((r) => r.setting === key(a) && pairs.has(`${r.problem}/${r.seed}`));
  let wins = 0;
  let losses = 0;
  let ties = 0;
  const ratios: number[] = [];
  for (const x of ra) {
    const y = runs.find((r) => r.setting === key(b) && r.problem === x.problem && r.seed === x.seed);
    if (!y) continue;
    const ex = x.success ? (x.evaluations_to_truth as number) : Infinity;
    const ey = y.success ? (y.evaluations_to_truth as number) : Infinity;
    if (x.success && y.success) ratios.push(ex / ey);
    if (ex < ey) wins++;
    else if (ex > ey) losses++;
    else ties++;
  }
  return { a: key(a), b: key(b), wins, losses, ties, median_ratio: med(ratios), sign_test_p: signTest(wins, losses) };
}

function summarise() {
  const gridS = CRS.flatMap((cr) => PS.map((p) => ({ ...DEFAULT, cr, p })));
  const polishS = EVERY.map((every) => ({ ...DEFAULT, every }));
  const oblS = (["opposition", "random"] as const).map((init) => ({ ...DEFAULT, init }));
  const jp = complete(JOINT_SETTINGS, JOINT);
  const joint = JOINT_SETTINGS.map((s) => score(s, JOINT, jp));
  const pairedJoint = JOINT_SETTINGS.filter((s) => key(s) !== key(DEFAULT)).map((s) => paired(s, DEFAULT, jp));
  const hp = complete(HARD_SETTINGS, HARD);
  const hard = HARD_SETTINGS.map((s) => score(s, HARD, hp));
  const pairedHard = HARD_SETTINGS.slice(1).map((s) => paired(s, HARD_SETTINGS[0], hp));
  const gp = complete(gridS, GRID);
  const pp = complete(polishS, POLISH);
  const op = complete(oblS, OBL);
  const grid = gridS.map((s) => score(s, GRID, gp));
  const polish = polishS.map((s) => score(s, POLISH, pp));
  const obl = oblS.map((s) => score(s, OBL, op));
  // the grid's winner: most successes, then the smallest geometric mean of per-problem medians
  const ranked = grid
    .map((g, k) => ({ g, s: { ...DEFAULT, cr: CRS[Math.floor(k / PS.length)], p: PS[k % PS.length] } }))
    .filter((x) => x.g.runs > 0)
    .sort(
      (x, y) =>
        y.g.successes - x.g.successes ||
        (x.g.geomean_of_problem_medians ?? Infinity) - (y.g.geomean_of_problem_medians ?? Infinity),
    );
  const best = ranked[0]?.s;
  const pairedGrid = best ? gridS.map((s) => paired(s, best, gp)).filter((x) => x.a !== key(best)) : [];
  const pairedPolish = polishS.filter((s) => s.every !== 0).map((s) => paired(s, DEFAULT, pp));
  const pairedObl = paired({ ...DEFAULT, init: "random" }, DEFAULT, op);
  const listPairs = (ps: Set<string>) => [...ps].sort();
  return {
    pairs: {
      grid: listPairs(gp),
      polish: listPairs(pp),
      obl: listPairs(op),
      joint: listPairs(jp),
      hard: listPairs(hp),
    },
    grid,
    grid_winner: best ? key(best) : null,
    grid_vs_winner: pairedGrid,
    polish,
    polish_vs_off: pairedPolish,
    obl,
    random_vs_opposition: pairedObl,
    joint,
    joint_vs_reference: pairedJoint,
    hard,
    hard_vs_p01_every25: pairedHard,
  };
}

function report() {
  const s = summarise();
  const f = (v: number | null) => (v === null ? "-" : Math.round(v).toLocaleString("en-US").replace(/,/g, " "));
  const pr = (v: number | null) => (v === null ? "-" : v.toFixed(2));
  const line = (cells: (string | number)[]) => console.log(`| ${cells.join(" | ")} |`);
  const table = (rows: ReturnType<typeof score>[], vs: ReturnType<typeof paired>[], label: (k: string) => string) => {
    line([
      "setting",
      "success",
      "median evals to truth",
      "geomean of problem medians",
      "vs reference: wins-losses-ties",
      "median ratio",
      "sign p",
    ]);
    line(["---", "---", "---", "---", "---", "---", "---"]);
    for (const g of rows) {
      const v = vs.find((x) => x.a === g.setting);
      line([
        label(g.setting),
        `${g.successes}/${g.runs}`,
        f(g.median_evaluations_to_truth),
        f(g.geomean_of_problem_medians),
        v ? `${v.wins}-${v.losses}-${v.ties}` : "(reference)",
        v ? pr(v.median_ratio) : "",
        v ? pr(v.sign_test_p) : "",
      ]);
    }
  };
  const n = (k: keyof typeof s.pairs) => `${s.pairs[k].length} (problem, seed) pairs: ${s.pairs[k].join(" ")}`;
  console.log(`grid (reference: the winner, ${s.grid_winner}); ${n("grid")}\n`);
  table(s.grid, s.grid_vs_winner, (k) => k.replace(/ init=\S+ every=\S+/, ""));
  console.log(`\npolish (reference: every 0); ${n("polish")}\n`);
  table(s.polish, s.polish_vs_off, (k) => k.replace(/^.* every=/, "every "));
  console.log(`\nOBL (reference: opposition); ${n("obl")}\n`);
  table(s.obl, [s.random_vs_opposition], (k) => k.replace(/^.* init=(\S+).*$/, "$1"));
  console.log(`\np x polish every (reference: p 0.2, every 0); ${n("joint")}\n`);
  const pe = (k: string) => k.replace(/^cr=\S+ (p=\S+) init=\S+ (every=\S+)$/, "$1 $2");
  table(s.joint, s.joint_vs_reference, pe);
  console.log(
    `\nhard: noise-free, success = RMS <= ${HARD_TARGET} in ${HARD_GENERATIONS} generations (reference: p 0.1, every 25); ${n("hard")}\n`,
  );
  table(s.hard, s.hard_vs_p01_every25, pe);
}

function problemsInfo() {
  const all = [...new Set([...GRID, ...OBL, ...POLISH, ...HARD])].sort((a, b) => a - b);
  return all.map((i) => {
    const sp = syntheticProblem(TUNING_SEED, i);
    return {
      seed: TUNING_SEED,
      index: i,
      name: sp.name,
      free: sp.parameters.length,
      studies: [
        GRID.includes(i) ? "grid" : "",
        OBL.includes(i) ? "obl" : "",
        POLISH.includes(i) ? "polish" : "",
        JOINT.includes(i) ? "joint" : "",
        HARD.includes(i) ? "hard" : "",
      ]
        .filter(Boolean)
        .join(","),
    };
  });
}

function save() {
  const doc = {
    what: "DE tuning on a tuning set disjoint from the reported benchmark (issue 15 item 4); see bench/README.md",
    rule: "success = best objective D_d + lambda D_m at or below the true model's at the same lambda (truthCheck); run stopped at the first generation that reaches it",
    settings: `invert() defaults otherwise (JADE + OBL, NP 40 + 5 d, restarts, LM polish after the DE), at most ${generations} generations, forward FAST_OPTIONS, data CONVERGED_OPTIONS + 3 % noise; reference setting (the defaults when the studies ran): mu_CR 0.9, p 0.2, polish.every 0, init opposition; defaults in the code now: DEFAULT_CR ${DEFAULT_CR}, DEFAULT_P ${DEFAULT_P}, DEFAULT_POLISH_EVERY ${DEFAULT_POLISH_EVERY}`,
    tuning_set: {
      generator: `syntheticProblem(${TUNING_SEED}, i)`,
      grid: GRID,
      polish: POLISH,
      obl: OBL,
      joint: JOINT,
      hard: HARD,
    },
    reported_set: "syntheticProblem(1, 0..29) (bench/posterior.ts), not used here",
    problems: problemsInfo(),
    commit,
    machine: machine({ memory: true }),
    commands,
    summary: summarise(),
    runs,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = out + ".tmp";
  fs.writeFileSync(tmp, JSON.stringify(doc, null, 1) + "\n");
  fs.renameSync(tmp, out);
}

/** The tuning problem i; for the hard study its data are replaced by the noise-free CONVERGED_OPTIONS data. */
function tuningProblem(i: number, hard: boolean) {
  const sp = syntheticProblem(TUNING_SEED, i);
  if (!hard) return sp;
  const datasets = sp.problem.datasets.map((ds) => ({
    ...ds,
    observed: Array.from(emForward([ds.survey], CONVERGED_OPTIONS)([sp.truth])[0]),
  }));
  return { ...sp, problem: { ...sp.problem, datasets } };
}

async function runOne(i: number, seed: number, s: Setting, hard = false): Promise<Run> {
  const sp = tuningProblem(i, hard);
  const p = compileParameterisation(sp.problem.parameterisation);
  const [ddT, dmT] = createObjective(sp.problem)([Float64Array.from(toVector(p, sp.truth))])[0];
  let reachedAt: number | null = null;
  const pool = workers > 1 ? inversionPool(sp.problem, workers) : undefined;
  try {
    const r = await invert(sp.problem, {
      pool,
      workers: 1,
      seed,
      maxGenerations: hard ? HARD_GENERATIONS : generations,
      targetRms: hard ? HARD_TARGET : undefined,
      CR: s.cr,
      p: s.p,
      init: s.init,
      // explicit, since the inversion's default polish.every is no longer 0
      polish: { every: s.every },
      onGeneration: (rec) => {
        if (hard) return;
        if (rec.dataMisfit + rec.lambda * rec.roughness <= ddT + rec.lambda * dmT) {
          reachedAt = rec.evaluations;
          return "stop";
        }
      },
    });
    const tc = truthCheck(sp.problem, sp.truth, r);
    if (!tc) throw new Error(`truth of problem ${i} is not representable`);
    const success = hard ? r.misfit.rms <= HARD_TARGET : reachedAt !== null || (tc.success as boolean);
    return {
      problem: i,
      seed,
      setting: key(s),
      ...s,
      success,
      reached_in_de: reachedAt !== null,
      // hard study: the evaluations to the RMS target (the run stops there)
      evaluations_to_truth: reachedAt ?? (success ? r.evaluations : null),
      evaluations: r.evaluations,
      generations: r.generations,
      rms: r.misfit.rms,
      true_rms: tc.true_rms as number,
      objective: r.misfit.objective,
      true_objective: tc.true_objective as number,
      restarts: r.restarts.length,
      stop: r.stopReason,
      seconds: r.seconds,
      ...(hard ? { data: "noise-free" } : {}),
    };
  } finally {
    if (pool) await pool.close();
  }
}

/** The runs of a study for one DE seed, in order. */
function plan(study: string, seed: number): [number, number, Setting][] {
  const pick = (ps: number[]) => (onlyProblems ? ps.filter((i) => onlyProblems.includes(i)) : ps);
  if (study === "grid")
    return pick(GRID).flatMap((i) =>
      CRS.flatMap((cr) => PS.map((p) => [i, seed, { ...DEFAULT, cr, p }] as [number, number, Setting])),
    );
  if (study === "polish")
    return pick(POLISH).flatMap((i) =>
      EVERY.map((every) => [i, seed, { ...DEFAULT, every }] as [number, number, Setting]),
    );
  if (study === "obl")
    return pick(OBL).flatMap((i) =>
      (["opposition", "random"] as const).map((init) => [i, seed, { ...DEFAULT, init }] as [number, number, Setting]),
    );
  if (study === "hard")
    return pick(HARD).flatMap((i) => HARD_SETTINGS.map((st) => [i, seed, st] as [number, number, Setting]));
  if (study === "joint")
    return pick(JOINT).flatMap((i) => JOINT_SETTINGS.map((st) => [i, seed, st] as [number, number, Setting]));
  throw new Error(`unknown study ${study} (grid, polish, obl, joint, hard)`);
}

async function main() {
  if (REPORT) {
    if (prev) save();
    return report();
  }
  const entry = {
    command: `npx tsx bench/tune-de.ts ${argv.join(" ")}`.trim(),
    load_start: load(),
    load_end: "",
    date: new Date().toISOString(),
  };
  commands.push(entry);
  for (const seed of seeds)
    for (const study of studies)
      for (const [i, sd, s] of plan(study, seed)) {
        if (runs.some((r) => r.problem === i && r.seed === sd && r.setting === key(s))) continue;
        const r = await runOne(i, sd, s, study === "hard");
        runs.push(r);
        entry.load_end = load();
        save();
        console.log(
          `${study} p${i} seed ${sd} ${key(s)}: ${r.success ? "ok" : "MISS"} ${r.evaluations_to_truth ?? "-"} evals to truth ` +
            `(${r.evaluations} evals, ${r.generations} gen, ${r.stop}, rms ${r.rms.toFixed(3)} truth ${r.true_rms.toFixed(3)}), ` +
            `${r.seconds.toFixed(1)} s [load ${load()}]`,
        );
      }
  entry.load_end = load();
  save();
  console.log(JSON.stringify(summarise(), null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
