// Source of notebooks/22_tem_de_ten_layer.ipynb (percent format; build with `npm run notebooks:build`).

// %% [markdown]
// # Adaptive DE inversion of a ten-layer earth with two polarisable layers (seed paper sect. 2.2, Figs. 6-9)
//
// The seed paper inverts a ten-layer model (its Table 3, not in the text) with NP = 120 and shows the
// recovered resistivity (Fig. 6) and chargeability (Fig. 7), the Ex fit (Fig. 8) and the misfit per
// generation (Fig. 9). Here the ten-layer earth of the project's reference case `l10_ip2_wire`
// (50-500 Ω·m, layers 50-250 m thick, m = 0.35 in layer 3 and 0.25 in layer 7), the same 1 km grounded
// wire and Ex receiver as notebook 21, config `examples/tem_l10_ip2.json`.
// Free: log10 ρ and m of all ten layers (20 unknowns); **thicknesses, τ and c are FIXED at the true
// values** in the main run and the method comparison — with thicknesses free as well (29 unknowns) a 2 % fit
// was reached with models nothing like the truth (measured while building this notebook), so the layering
// is taken as known, as in a fixed-grid inversion. The fixed τ and c are those of the reference case and
// differ per layer (τ 10 ms and c 0.6 in layer 3, c 0.4 in layer 7; 1 ms and 0.5 elsewhere), so they tell the
// inversion which layers relax differently; the last section frees them.
// Data: from the EM engine's `CONVERGED_OPTIONS` (the inversion uses `FAST_OPTIONS`), noise-free, weighted
// by a nominal 2 % + 10⁻⁹ V/m error; success = weighted RMS 0.3.

// %%
import * as fs from "fs";
import { bySize, runSize } from "./src/config";
import {
  convergenceFigure,
  fmt,
  initNotebook,
  markdown,
  plot,
  progress,
  searchSpreadBand,
  table,
  transientFigure,
  truthBandFigure,
} from "./src/display";
import * as inv from "./src/inversion";
import { openResults } from "./src/results";

initNotebook();
const rec = openResults("22_tem_de_ten_layer"); // key numbers to out/results/ (npm run results); shows nothing
const cfg = inv.parseInvertConfig(JSON.parse(fs.readFileSync("examples/tem_l10_ip2.json", "utf8")));
const problem = inv.withSyntheticData(cfg);
const truth = cfg.model!;
const WORKERS = 2;
const workerPool = inv.inversionPool(problem, WORKERS);
const generations = bySize({ quick: 150, full: cfg.optimizer.maxGenerations ?? 400 });
const seeds = bySize({ quick: [1], full: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
const compareGenerations = bySize({ quick: 60, full: 400 });
rec.seeds(seeds);
markdown(
  `Run size **${runSize()}**: main run ≤ ${generations} generations; comparison ${seeds.length} seed(s) × 3 methods, ≤ ${compareGenerations} generations. ` +
    `${WORKERS} worker threads on a 2-core machine shared with other jobs.` +
    (runSize() === "quick"
      ? " **Quick size stops long before convergence**; the full size runs the paper's budget."
      : ""),
);

// %% [markdown]
// ## The inversion (JADE + OBL, NP 120, seed 1)

// %%
const bar = progress("ten-layer inversion", generations);
const r = await inv.invert(problem, {
  ...cfg.optimizer,
  maxGenerations: generations,
  pool: workerPool,
  onGeneration: (h) => bar.update(h.generation, `rms ${fmt(h.rms, 3)}`),
});
bar.done(
  `${r.stopReason} after ${r.generations} generations, ${r.evaluations} evaluations, rms ${fmt(r.misfit.rms, 3)}, ${fmt(r.seconds, 3)} s`,
);
table(
  truth.rho0.map((_, j) => ({
    layer: j + 1,
    "top (m)": inv.layerTops(truth.thickness)[j],
    "ρ true": truth.rho0[j],
    "ρ inv": r.model.rho0[j],
    "ρ err %": (100 * (r.model.rho0[j] - truth.rho0[j])) / truth.rho0[j],
    "ρ pop 5 %": r.population.stats.find((s) => s.name === `log10 rho0[${j + 1}]`)!.p05,
    "ρ pop 95 %": r.population.stats.find((s) => s.name === `log10 rho0[${j + 1}]`)!.p95,
    "m true": truth.m[j],
    "m inv": r.model.m[j],
  })),
  {
    caption:
      "True vs recovered, with the 5-95 % range of the final DE population (ρ pop columns: search spread, not uncertainty)",
  },
);
rec.value("tem22.main.final_rms", r.misfit.rms, {
  tol: {
    rel: 0.5,
    abs: 0.05,
    reason: "final weighted RMS of the seeded main run; within 50 % keeps the conclusion",
  },
  note: `≤ ${generations} generations, NP 120, noise-free, thicknesses, tau and c fixed`,
});
rec.value("tem22.main.generations", r.generations, {
  note: "generations run (stops at target RMS 0.3)",
});
rec.table(
  "tem22.main.recovery",
  truth.rho0.map((_, j) => ({
    layer: j + 1,
    "rho err %": (100 * (r.model.rho0[j] - truth.rho0[j])) / truth.rho0[j],
    "m inv": r.model.m[j],
  })),
  {
    tol: {
      abs: 10,
      reason:
        "percentage points (m in 0.1): ten layers are poorly resolved at depth, the check catches a changed recovery, not noise in the last digits",
    },
    note: "seed 1",
  },
);

// %%
const maxDepth = 1500;
const grid = inv.depthGrid(maxDepth, 301);
const bR = inv.depthBand(r.population.models, "rho0", grid);
const bM = inv.depthBand(r.population.models, "m", grid);
const rhoFig = truthBandFigure(
  "rho0",
  truth,
  [{ name: "JADE + OBL", model: r.model, color: "#d62728" }],
  [searchSpreadBand(bR, "#d62728")],
  { title: "Resistivity (paper Fig. 6)", maxDepth: maxDepth },
);
plot(rhoFig);
plot(
  truthBandFigure(
    "m",
    truth,
    [{ name: "JADE + OBL", model: r.model, color: "#1f77b4" }],
    [searchSpreadBand(bM, "#1f77b4")],
    { title: "Chargeability (paper Fig. 7)", maxDepth: maxDepth },
  ),
);
const times = problem.datasets[0].survey.times!;
plot(
  transientFigure(
    [
      { name: "data", times, values: problem.datasets[0].observed, kind: "data" },
      { name: "inverted model", times, values: r.predicted[0], kind: "model" },
    ],
    { title: "Ex fit (paper Fig. 8)", yLabel: "|Ex| (V/m per A)" },
  ),
);
rec.figure("resistivity_fig6", rhoFig);
plot(
  convergenceFigure(
    [
      { name: "weighted RMS", y: r.history.rms },
      { name: "λ", y: r.history.lambda, dash: "dash" },
      { name: "μ_CR", y: r.history.muCR, dash: "dot" },
    ],
    { title: "Misfit and control parameters per generation (paper Fig. 9)", yLabel: "value" },
  ),
);

// %% [markdown]
// ## JADE + OBL vs JADE vs DE/rand/1
// "success" is the paper's: weighted RMS 0.3 reached. The last column applies a stricter rule: the run's
// objective (misfit + λ roughness) at or below the true model's at the run's final λ. On these noise-free
// data the truth fits to RMS ≈ 0.005, so a run can reach RMS 0.3 in another basin; on the example, 9 of 10
// default seeds reach RMS 0.3 while 1 of 10 passes the truth check (`bench/README.md`, ten-layer section).

// %%
const methods: { name: string; o: inv.InvertOptions }[] = [
  { name: "JADE + OBL", o: {} },
  { name: "JADE (random init)", o: { init: "random" } },
  {
    name: "DE/rand/1 (F 0.5, CR 0.9)",
    o: { strategy: "DE/rand/1", init: "random", F: 0.5, CR: 0.9 },
  },
];
const runs: { method: string; seed: number; r: inv.InversionResult }[] = [];
const cbar = progress("comparison runs", methods.length * seeds.length);
for (const m of methods)
  for (const seed of seeds) {
    const x = await inv.invert(problem, {
      np: 120,
      maxGenerations: compareGenerations,
      targetRms: 0.3,
      seed,
      pool: workerPool,
      ...m.o,
    });
    runs.push({ method: m.name, seed, r: x });
    cbar.update(runs.length, `${m.name} seed ${seed}: rms ${fmt(x.misfit.rms, 3)}`);
  }
cbar.done();
const runsOf = (method: string) => runs.filter((x) => x.method === method).map((x) => x.r);
const summaries = methods.map((m) => ({ method: m.name, s: inv.summarizeRuns(runsOf(m.name)) }));
const truthPassed = (method: string) =>
  runsOf(method).filter((r) => inv.truthCheck(problem, truth, r)?.success === true).length;
table(
  summaries.map(({ method, s }) => ({
    method: method,
    success: s.success,
    "median evals to RMS 0.3": s.medianEvaluationsToTarget ?? "-",
    "median final RMS": s.medianFinalRms,
    "median s / run": s.medianSeconds,
    "objective ≤ truth's": `${truthPassed(method)}/${s.runs}`,
  })),
  { caption: `NP 120, ≤ ${compareGenerations} generations, seeds ${seeds.join(", ")}` },
);
rec.table(
  "tem22.method_comparison",
  summaries.map(({ method, s }) => ({
    method: method,
    success: s.success,
    "median final RMS": s.medianFinalRms,
  })),
  {
    tol: {
      rel: 0.5,
      reason:
        "success counts must match exactly; final RMS within 50 % (a different random path of the same method)",
    },
    note: `NP 120, ≤ ${compareGenerations} generations, seeds ${seeds.join(", ")}`,
  },
);
plot(
  convergenceFigure(
    methods.map((m) => ({ name: m.name, y: inv.medianRmsCurve(runsOf(m.name)) })),
    { title: "Median best RMS per generation", yLabel: "RMS" },
  ),
);
const best = runs.filter((x) => x.method === "JADE + OBL").map((x) => x.r.model);
const bRs = inv.depthBand(best, "rho0", grid);
plot(
  truthBandFigure(
    "rho0",
    truth,
    [],
    [
      {
        name: `best models of ${best.length} JADE + OBL runs, 5-95 %`,
        depth: bRs.depth,
        lower: bRs.lower,
        upper: bRs.upper,
      },
    ],
    { title: "Resistivity spread over seeds", maxDepth: maxDepth },
  ),
);

// %% [markdown]
// ## Noisy data, τ and c free
// The same earth with 2 % Gaussian noise (+ 10⁻⁹ V/m floor, seed 11) on the `CONVERGED_OPTIONS` data and
// **τ (0.1-100 ms, log) and c (0.1-1) free in every layer** beside ρ and m (40 unknowns; thicknesses still
// fixed): nothing tells the inversion which layers are polarisable or how they relax. NP 120, target RMS 1
// (a fit to the noise), seed 1, the comparison's generation budget.

// %%
const tenJson = JSON.parse(fs.readFileSync("examples/tem_l10_ip2.json", "utf8"));
const freeCfg = inv.parseInvertConfig({
  ...tenJson,
  synthetic: { relative: 0.02, floor: 1e-9, seed: 11 },
  parameterisation: {
    ...tenJson.parameterisation,
    tau: { min: 1e-4, max: 0.1 },
    c: { min: 0.1, max: 1 },
  },
});
const freeProblem = inv.withSyntheticData(freeCfg);
const fbar = progress("noisy, τ and c free", compareGenerations);
const rf = await inv.invert(freeProblem, {
  np: 120,
  maxGenerations: compareGenerations,
  targetRms: 1,
  seed: 1,
  pool: workerPool,
  onGeneration: (h) => fbar.update(h.generation, `rms ${fmt(h.rms, 3)}`),
});
fbar.done(
  `${rf.stopReason} after ${rf.generations} generations, rms ${fmt(rf.misfit.rms, 3)}, ${fmt(rf.seconds, 3)} s`,
);
const freeRows = truth.rho0.map((_, j) => ({
  layer: j + 1,
  "ρ true": truth.rho0[j],
  "ρ inv": rf.model.rho0[j],
  "ρ err %": (100 * (rf.model.rho0[j] - truth.rho0[j])) / truth.rho0[j],
  "m true": truth.m[j],
  "m inv": rf.model.m[j],
  "τ true (ms)": 1e3 * truth.tau[j],
  "τ inv (ms)": 1e3 * rf.model.tau[j],
  "c true": truth.c[j],
  "c inv": rf.model.c[j],
}));
table(freeRows, {
  caption: `2 % noise, τ and c free in every layer: weighted RMS ${fmt(rf.misfit.rms, 3)} after ${rf.generations} generations (τ and c of a layer with m ≈ 0 have no effect on the data)`,
});
plot(
  truthBandFigure("m", truth, [{ name: "τ, c free", model: rf.model, color: "#1f77b4" }], [], {
    title: "Chargeability with τ and c free (2 % noise)",
    maxDepth: maxDepth,
  }),
);
rec.value("tem22.noisy_tau_c_free.final_rms", rf.misfit.rms, {
  tol: {
    rel: 0.5,
    reason: "final weighted RMS of the seeded run; within 50 % keeps the conclusion",
  },
  note: `≤ ${compareGenerations} generations, 40 unknowns, target RMS 1`,
});
rec.table(
  "tem22.noisy_tau_c_free.ip_layers",
  [2, 6].map((j) => ({
    layer: j + 1,
    "m inv": rf.model.m[j],
    "tau inv ms": 1e3 * rf.model.tau[j],
    "c inv": rf.model.c[j],
    "rho err %": freeRows[j]["ρ err %"],
  })),
  {
    tol: {
      rel: 0.5,
      abs: 0.05,
      reason:
        "a seeded but unconverged (quick) search; within 50 % keeps what it says about the polarisable layers",
    },
    note: "the two polarisable layers (truth m 0.35 / 0.25, tau 10 / 1 ms, c 0.6 / 0.4)",
  },
);

// %% [markdown]
// ## Summary beside the paper

// %%
const errs = truth.rho0.map((v, j) => Math.abs((100 * (r.model.rho0[j] - v)) / v));
const outside = truth.rho0
  .map((v, j) => {
    const st = r.population.stats.find((x) => x.name === `log10 rho0[${j + 1}]`)!;
    return v < st.p05 || v > st.p95 ? j + 1 : 0;
  })
  .filter((j) => j > 0);
markdown(
  [
    `* Main run: ${r.stopReason} after ${r.generations} generations (${r.evaluations} forward runs, ${fmt(r.seconds, 3)} s), weighted RMS ${fmt(r.misfit.rms, 3)}.`,
    `* ρ error: median ${fmt(inv.median(errs), 3)} %, largest ${fmt(Math.max(...errs), 3)} % (layer ${errs.indexOf(Math.max(...errs)) + 1}); m of the polarisable layers ${fmt(r.model.m[2], 3)} (0.35) and ${fmt(r.model.m[6], 3)} (0.25).`,
    `* Layers whose true ρ lies outside the final population's 5-95 % range: ${outside.length ? outside.join(", ") : "none"}. ` +
      `A converged population is narrow whether or not it is right: its spread measures convergence, not uncertainty. For the uncertainty, sample the posterior (\`geoinv tem invert examples/tem_l10_ip2.json --posterior\`, docs/POSTERIOR.md; notebook 24 does it for the three-layer cases). On this example it does not converge: at 420 000 evaluations (11 min) R-hat is 1.33 and the chains stay in the DE's basin, which holds 2 of the 20 true values (\`examples/tem_l10_ip2_posterior.json\`, bench/README.md); the result then says \`converged: false\` with a warning.`,
    `* The paper reports the ten-layer resistivity "basically consistent" with the model and the high-chargeability layers clearly recovered. ` +
      `With ρ and m free in all ten layers, a fit at RMS ${fmt(r.misfit.rms, 3)} (${fmt(2 * r.misfit.rms, 2)} % of the data) does not pin the model down here.`,
    `* τ and c are fixed at the true (per-layer) values in the main run and the comparison. With them free and 2 % noise: RMS ${fmt(rf.misfit.rms, 3)} after ${rf.generations} generations; ` +
      `m of layers 3 and 7 ${fmt(rf.model.m[2], 3)} and ${fmt(rf.model.m[6], 3)} (truth 0.35, 0.25), τ ${fmt(1e3 * rf.model.tau[2], 3)} and ${fmt(1e3 * rf.model.tau[6], 3)} ms (truth 10, 1), c ${fmt(rf.model.c[2], 3)} and ${fmt(rf.model.c[6], 3)} (truth 0.6, 0.4).`,
  ].join("\n"),
);
await workerPool.close();
