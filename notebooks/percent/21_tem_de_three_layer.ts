// Source of notebooks/21_tem_de_three_layer.ipynb (percent format; build with `npm run notebooks:build`).

// %% [markdown]
// # Adaptive DE inversion of a three-layer H-type earth with IP (seed paper sect. 2.1, Figs. 2-5)
//
// The seed paper ([TEM24] in `docs/REFERENCES.md`; `docs/METHODS.md` part B) inverts the grounded-wire
// Ex transient of a three-layer H-type earth with the polarisable layer on top, in the middle and at the
// bottom, by JADE (DE/current-to-pbest/1 with archive, adaptive F and CR) with opposition-based
// initialisation, NP = 36 and the adaptive regularisation λ_t = D_d/(D_d + D_m) from λ_0 = 0.5 (its eq. 16).
// It reports rho and m recovered within 5 % (Figs. 2-3), the Ex fit (Fig. 4) and the misfit per
// generation (Fig. 5). This notebook redoes that and adds what the paper does not show: how often the
// method succeeds over seeds against JADE without OBL and classic DE/rand/1, and the spread of the
// recovered model.
//
// **Set-up** (the paper's Table 2 is not in the text; the models are those of the project's reference
// cases): 100 / 20 / 200 Ω·m, 200 m and 300 m thick, the polarisable layer with m = 0.3, τ = 5 ms,
// c = 0.5; a 1 km grounded wire along x, Ex at 500 m broadside, 31 times 10 µs - 1 s. The configs are
// `examples/tem_h3_ip_{top,middle,bottom}.json` (the same files `geoinv tem invert` runs).
// Free: log10 ρ (1-1000 Ω·m), log10 h (10-1000 m), m (0-0.9) of every layer.
// **τ and c are FIXED at their true values** (τ = 5 ms, c = 0.5, the same in every layer, so the fixed
// values do not say which layer is polarisable) in the single runs, the method comparison and the misfit
// comparison; the paper inverts ρ and m only. The noisy case at the end frees τ and c.
// Data: made by the EM engine at its `CONVERGED_OPTIONS` (finer Hankel and Fourier filters than the
// inversion's `FAST_OPTIONS`), so the true model does not fit them exactly (its RMS is measured below),
// but **noise-free**, weighted by a nominal 2 % + 10⁻⁹ V/m error (so RMS 1 means a 2 % fit); a run
// succeeds when the weighted RMS reaches 0.1. Noise-free data test the search; the last section adds 2 %
// noise and frees τ and c to test the recovery.
// JADE starts here at μ_CR = 0.9 instead of Zhang & Sanderson's 0.5 (the comparison below shows why) and draws
// x_pbest from the best 20 % (p = 0.2, the top of JADE's range; with NP 36, p = 0.05 means the best two).

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
const rec = openResults("21_tem_de_three_layer"); // key numbers to out/results/ (npm run results); shows nothing
type Case = "top" | "middle" | "bottom";
const cases: Case[] = ["top", "middle", "bottom"];
const cfgs = Object.fromEntries(
  cases.map((c) => [
    c,
    inv.parseInvertConfig(JSON.parse(fs.readFileSync(`examples/tem_h3_ip_${c}.json`, "utf8"))),
  ]),
);
const problems = Object.fromEntries(cases.map((c) => [c, inv.withSyntheticData(cfgs[c])]));
const WORKERS = 2;
const workerPool = inv.inversionPool(problems.middle, WORKERS);
const seeds = bySize({ quick: [1, 2], full: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
const compareCases = bySize<Case[]>({ quick: ["middle"], full: cases });
const compareGenerations = 300;
rec.seeds(seeds);
// how far the inversion's forward (FAST_OPTIONS) is from the data's (CONVERGED_OPTIONS): the true model's RMS
const truthRms = Object.fromEntries(
  cases.map((c) => {
    const d = problems[c].datasets[0];
    return [
      c,
      inv.rmsMisfit(
        inv.dataMisfit(inv.emForward([d.survey])([cfgs[c].model!])[0], d.observed, d.error),
        d.observed.length,
      ),
    ];
  }),
);
for (const c of cases)
  rec.value(`tem21.${c}.truth_rms`, truthRms[c], {
    tol: { rel: 1e-6, reason: "deterministic forward; moves only when the engine changes" },
    note: "weighted RMS of the true model under the inversion's FAST_OPTIONS forward, data from CONVERGED_OPTIONS",
  });
markdown(
  `The true model fits the noise-free data at weighted RMS ${cases.map((c) => `${fmt(truthRms[c], 3)} (${c})`).join(", ")} under the inversion's forward: ` +
    `the data are not made by the inversion's own discretisation, but the difference (${fmt(2 * Math.max(...cases.map((c) => truthRms[c])), 2)} % of the data at most) is far below a 2 % noise.`,
);
markdown(
  `Run size **${runSize()}**: comparison over ${seeds.length} seeds on ${compareCases.join(", ")}, at most ${compareGenerations} generations; ${WORKERS} worker threads on a 2-core machine shared with other jobs (times are wall-clock).`,
);

// %% [markdown]
// ## One inversion per position of the polarisable layer (JADE + OBL, NP 36, seed 1)

// %%
const single: Record<string, inv.InversionResult> = {};
for (const c of cases) {
  const cfg = cfgs[c];
  const bar = progress(`${c} layer polarisable`, cfg.optimizer.maxGenerations ?? 300);
  single[c] = await inv.invert(problems[c], {
    ...cfg.optimizer,
    pool: workerPool,
    onGeneration: (h) => bar.update(h.generation, `rms ${fmt(h.rms, 3)}`),
  });
  bar.done(
    `${single[c].stopReason} at generation ${single[c].generations}, rms ${fmt(single[c].misfit.rms, 3)}, ${fmt(single[c].seconds, 3)} s`,
  );
}

// %%
const pct = (a: number, b: number) => (b === 0 ? null : (100 * (a - b)) / b);
const rows: Record<string, unknown>[] = [];
for (const c of cases) {
  const t = cfgs[c].model!;
  const m = single[c].model;
  for (let j = 0; j < 3; j++) {
    rows.push({
      case: c,
      layer: j + 1,
      "ρ true": t.rho0[j],
      "ρ inv": m.rho0[j],
      "ρ err %": pct(m.rho0[j], t.rho0[j]),
      "h true": j < 2 ? t.thickness[j] : "",
      "h inv": j < 2 ? m.thickness[j] : "",
      "h err %": j < 2 ? pct(m.thickness[j], t.thickness[j]) : "",
      "m true": t.m[j],
      "m inv": m.m[j],
      "m err (% or abs)":
        t.m[j] === 0 ? `${fmt(m.m[j], 2)} abs` : fmt(pct(m.m[j], t.m[j]), 3) + " %",
    });
  }
}
table(rows, {
  caption:
    "True vs recovered model (noise-free data, seed 1). Where m is 0 the absolute value is shown.",
});
const worstRho = Math.max(...rows.map((r) => Math.abs(r["ρ err %"] as number)));
const worstM = Math.max(
  ...cases.map((c) => Math.abs(pct(single[c].model.m[cases.indexOf(c)], 0.3)!)),
);
markdown(
  `Largest |ρ error| ${fmt(worstRho, 3)} %; largest |m error| of the polarisable layer ${fmt(worstM, 3)} %. ` +
    `The paper reports both within 5 %.`,
);
const errBand = {
  abs: 2,
  reason:
    "percentage points; the paper's claim is 5 %, a run within 2 points of the recorded error keeps the conclusion",
};
rec.value("tem21.worst_rho_error_pct", worstRho, {
  units: "%",
  tol: errBand,
  note: "noise-free, tau and c fixed at the truth, seed 1, largest over the three cases and layers",
});
rec.value("tem21.worst_m_error_pct", worstM, {
  units: "%",
  tol: errBand,
  note: "m of the polarisable layer",
});
rec.table(
  "tem21.recovery",
  rows.map((r) => ({
    case: r.case as string,
    layer: r.layer as number,
    "rho err %": r["ρ err %"] as number,
    "h err %": r["h err %"] === "" ? null : (r["h err %"] as number),
    "m inv": r["m inv"] as number,
  })),
  {
    tol: {
      abs: 2,
      reason:
        "errors in percentage points (m inv in 0.02 of m); seeded, so only a change of the code moves them",
    },
    note: "seed 1, noise-free, tau and c fixed",
  },
);
for (const c of cases)
  rec.value(`tem21.${c}.final_rms`, single[c].misfit.rms, {
    tol: { abs: 0.1, reason: "every run must still reach the target RMS 0.1" },
  });

// %% [markdown]
// ### Recovered resistivity and chargeability (paper Figs. 2-3), with the 5-95 % band of the final DE population
// (the optimiser's search spread when it stopped, not an uncertainty)

// %%
for (const c of cases) {
  const t = cfgs[c].model!;
  const r = single[c];
  const grid = inv.depthGrid(900, 181);
  const bRho = inv.depthBand(r.population.models, "rho0", grid);
  const bM = inv.depthBand(r.population.models, "m", grid);
  const jade = (color: string) => [{ name: "JADE + OBL", model: r.model, color: color }];
  plot(
    truthBandFigure("rho0", t, jade("#d62728"), [searchSpreadBand(bRho, "#d62728")], {
      title: `Resistivity, polarisable ${c} layer`,
      maxDepth: 900,
      height: 380,
    }),
  );
  plot(
    truthBandFigure("m", t, jade("#1f77b4"), [searchSpreadBand(bM, "#1f77b4")], {
      title: `Chargeability, polarisable ${c} layer`,
      maxDepth: 900,
      height: 380,
    }),
  );
}

// %% [markdown]
// ### Ex fit (paper Fig. 4) and misfit per generation (paper Fig. 5)

// %%
const times = problems.middle.datasets[0].survey.times!;
plot(
  transientFigure(
    cases.flatMap((c) => [
      {
        name: `${c}: data`,
        times,
        values: problems[c].datasets[0].observed,
        kind: "data" as const,
      },
      {
        name: `${c}: inverted model`,
        times,
        values: single[c].predicted[0],
        kind: "model" as const,
      },
    ]),
    { title: "Ex: data and the response of the inverted models", yLabel: "|Ex| (V/m per A)" },
  ),
);
plot(
  convergenceFigure(
    cases.map((c) => ({ name: c, y: single[c].history.rms })),
    { title: "Weighted RMS misfit of the best model", yLabel: "RMS (1 = 2 % fit)" },
  ),
);
plot(
  convergenceFigure(
    cases.flatMap((c) => [
      { name: `${c}: λ`, y: single[c].history.lambda },
      { name: `${c}: μ_CR`, y: single[c].history.muCR, dash: "dot" as const },
      { name: `${c}: μ_F`, y: single[c].history.muF, dash: "dash" as const },
    ]),
    { title: "Adaptive λ (eq. 16) and JADE's μ_CR, μ_F", yLabel: "value", logY: false },
  ),
);

// %% [markdown]
// ## JADE + OBL vs JADE vs DE/rand/1 over seeds
// Same problems and budget for every method (NP 36); success = the weighted RMS reaches 0.1;
// evaluations to target count every forward run, including OBL's 2 NP at the start.
// "JADE + OBL, μ_CR,0 = 0.5" is JADE with Zhang & Sanderson's initial μ_CR.

// %%
const methods: { name: string; o: inv.InvertOptions }[] = [
  { name: "JADE + OBL", o: {} },
  { name: "JADE (random init)", o: { init: "random" } },
  { name: "JADE + OBL, μ_CR,0 = 0.5", o: { CR: 0.5 } },
  {
    name: "DE/rand/1 (F 0.5, CR 0.9)",
    o: { strategy: "DE/rand/1", init: "random", F: 0.5, CR: 0.9 },
  },
];
const comp: { c: string; method: string; seed: number; r: inv.InversionResult }[] = [];
const total = compareCases.length * methods.length * seeds.length;
const cbar = progress("comparison runs", total);
for (const c of compareCases)
  for (const m of methods)
    for (const seed of seeds) {
      const r = await inv.invert(problems[c], {
        np: 36,
        maxGenerations: compareGenerations,
        targetRms: 0.1,
        seed,
        pool: workerPool,
        ...m.o,
      });
      comp.push({ c, method: m.name, seed, r });
      cbar.update(comp.length, `${c} ${m.name} seed ${seed}: rms ${fmt(r.misfit.rms, 3)}`);
    }
cbar.done();
const median = inv.median;
const compRows = compareCases.flatMap((c) =>
  methods.map((m) => {
    const runs = comp.filter((x) => x.c === c && x.method === m.name).map((x) => x.r);
    const s = inv.summarizeRuns(runs);
    return {
      case: c,
      method: m.name,
      success: s.success,
      "median evals to target": s.medianEvaluationsToTarget ?? "-",
      "median final RMS": s.medianFinalRms,
      "median ρ2 err %": median(runs.map((r) => Math.abs(pct(r.model.rho0[1], 20)!))),
      "median s / run": s.medianSeconds,
    };
  }),
);
table(compRows, {
  caption: `Success rate and cost over seeds ${seeds.join(", ")} (≤ ${compareGenerations} generations, NP 36)`,
});
rec.table(
  "tem21.method_comparison",
  compRows.map((r) => ({
    case: r.case,
    method: r.method,
    success: r.success,
    "median evals to target":
      typeof r["median evals to target"] === "number" ? r["median evals to target"] : null,
  })),
  {
    tol: {
      rel: 0.5,
      reason:
        "success counts must match exactly; evaluations to target within 50 % (a different random path of the same method)",
    },
    note: `seeds ${seeds.join(", ")}, NP 36, target RMS 0.1`,
  },
);
plot(
  convergenceFigure(
    methods.map((m) => {
      const runs = comp.filter((x) => x.c === compareCases[0] && x.method === m.name);
      const y = inv.medianRmsCurve(runs.map((x) => x.r));
      return { name: m.name, y, x: y.map((_, g) => 2 * 36 + g * 36) };
    }),
    {
      title: `Median best RMS over seeds (${compareCases[0]} layer polarisable)`,
      xLabel: "forward evaluations",
      yLabel: "RMS",
    },
  ),
);

// %% [markdown]
// ## The paper's raw misfit (eq. 12) beside the weighted chi-square, and what eq. 16's λ does in each
// The paper's data misfit (its eq. 12) is the raw sum of squares D_d = Σ (d_pred − d_obs)², in (V/m per A)²;
// this project's default (`misfit: "weighted"`) is the chi-square D_d = Σ ((d_pred − d_obs)/σ)², dimensionless,
// with σ the 2 % + 10⁻⁹ V/m error. The roughness D_m = Σ (m_t − m_{t−1})² (eq. 15) is in squared search units
// (log10 ρ, log10 h, m), dimensionless. Eq. 16 sets λ_t = D_d/(D_d + D_m) from the previous generation's best
// model, so λ is a ratio of two quantities in different units, between 0 and 1. Two regimes:
// - D_d ≫ D_m (λ → 1): D = D_d + D_m in absolute terms. With the χ² (D_d ≈ N = 31 at a 2 % fit) the roughness
//   hardly counts until the fit is far below the noise. With raw data, D_d is of order 10⁻¹⁰ (V/m per A)² (measured below), so this regime
//   is reached only by a model whose roughness is below 10⁻¹⁰, a near-uniform earth; from there any layer
//   contrast costs more than the whole data misfit, and the search stays smooth.
// - D_d ≪ D_m (λ ≈ D_d/D_m): λ D_m ≈ D_d, so a relative change of the roughness weighs as much as a relative
//   change of the misfit. With raw V/m data this is where the run starts.
// The units also change which data count: the raw sum is dominated by the earliest, largest values (Ex spans
// several decades over 10 µs - 1 s), the χ² counts every gate by its own error. Both runs below: the
// middle-layer case, noise-free data, τ and c fixed at the truth, seed 1, NP 36, the same number of
// generations, no target (so both use the whole budget), with the default LM polish (every 25 generations and after the run).

// %%
const misfitGenerations = bySize({ quick: 150, full: 300 });
const misfitKinds: inv.MisfitKind[] = ["weighted", "raw"];
const byMisfit: Record<string, inv.InversionResult> = {};
for (const kind of misfitKinds) {
  const bar = progress(`misfit ${kind}`, misfitGenerations);
  byMisfit[kind] = await inv.invert(
    { ...problems.middle, misfit: kind },
    {
      ...cfgs.middle.optimizer,
      targetRms: undefined,
      maxGenerations: misfitGenerations,
      seed: 1,
      pool: workerPool,
      onGeneration: (h) => bar.update(h.generation, `λ ${h.lambda.toExponential(2)}`),
    },
  );
  bar.done(
    `${byMisfit[kind].generations} generations, λ ${byMisfit[kind].misfit.lambda.toExponential(3)}`,
  );
}
const dm = problems.middle.datasets[0];
const tm = cfgs.middle.model!;
const misfitRows = misfitKinds.map((kind) => {
  const r = byMisfit[kind];
  const pred = r.predicted[0];
  return {
    misfit: kind === "raw" ? "raw, eq. 12" : "weighted χ²",
    "D_d units": kind === "raw" ? "(V/m per A)²" : "1",
    "final D_d": r.misfit.dataMisfit,
    "final D_m": r.misfit.roughness,
    "final λ": r.misfit.lambda,
    "median λ over generations": median(r.history.lambda),
    "λ D_m / D_d": (r.misfit.lambda * r.misfit.roughness) / r.misfit.dataMisfit,
    "weighted RMS": inv.rmsMisfit(
      inv.dataMisfit(pred, dm.observed, dm.error, "weighted"),
      dm.observed.length,
    ),
    "raw RMS (V/m)": inv.rmsMisfit(
      inv.dataMisfit(pred, dm.observed, dm.error, "raw"),
      dm.observed.length,
    ),
    "ρ1 err %": pct(r.model.rho0[0], tm.rho0[0]),
    "ρ2 err %": pct(r.model.rho0[1], tm.rho0[1]),
    "ρ3 err %": pct(r.model.rho0[2], tm.rho0[2]),
    "h1 err %": pct(r.model.thickness[0], tm.thickness[0]),
    "h2 err %": pct(r.model.thickness[1], tm.thickness[1]),
    m2: r.model.m[1],
  };
});
table(misfitRows, {
  caption: `Raw (paper eq. 12) vs weighted misfit, middle layer polarisable, seed 1, ${misfitGenerations} generations (truth m2 = 0.3)`,
});
const lamFig = convergenceFigure(
  misfitKinds.map((kind) => ({ name: `λ, ${kind} misfit`, y: byMisfit[kind].history.lambda })),
  { title: "Adaptive λ (eq. 16) per generation, raw vs weighted misfit", yLabel: "λ", logY: true },
);
plot(lamFig);
rec.figure("lambda_raw_vs_weighted", lamFig);
const earlyShare = (() => {
  // share of the raw sum of squares that a uniform 2 % misfit puts on the first third of the gates
  const n = dm.observed.length;
  const sq = dm.observed.map((d) => d * d);
  return sq.slice(0, Math.ceil(n / 3)).reduce((a, b) => a + b, 0) / sq.reduce((a, b) => a + b, 0);
})();
const mr = Object.fromEntries(misfitKinds.map((k, i) => [k, misfitRows[i]]));
markdown(
  `The steps at generations 25, 50, 75, ... are the LM polishes during the run (\`polish_every\`, default 25): each moves ` +
    `the best model at once, and λ, computed from the best model's D_d and D_m, jumps with it. On these noise-free ` +
    `data the polish fits the weighted run far below the noise, so D_d and with it λ fall by decades. ` +
    `Measured: with the weighted χ² the final λ is ${fmt(mr.weighted["final λ"], 3)} (median over generations ${fmt(mr.weighted["median λ over generations"], 3)}); ` +
    `with the raw eq. 12 it is ${mr.raw["final λ"].toExponential(2)} (median ${mr.raw["median λ over generations"].toExponential(2)}), because D_d is ${mr.raw["final D_d"].toExponential(2)} (V/m per A)² against a roughness of ${fmt(mr.raw["final D_m"], 3)}. ` +
    `At the end λ D_m is ${fmt(mr.weighted["λ D_m / D_d"], 3)} × D_d (weighted) and ${mr.raw["λ D_m / D_d"].toExponential(2)} × D_d (raw; final roughness ${mr.raw["final D_m"].toExponential(2)}, ` +
    `${mr.raw["final D_m"] < 1e-6 ? "a near-uniform earth: the raw run ended in the smooth regime described above" : "not a uniform earth"}). ` +
    `What differs is the data: a uniform 2 % misfit would put ${fmt(100 * earlyShare, 3)} % of the raw sum of squares on the first third of the gates (10 µs - ${fmt(1e3 * times[Math.ceil(times.length / 3) - 1], 2)} ms). ` +
    `The raw run's model fits at weighted RMS ${fmt(mr.raw["weighted RMS"], 3)} (weighted run: ${fmt(mr.weighted["weighted RMS"], 3)}); its ρ errors are ${[1, 2, 3].map((j) => fmt(mr.raw[`ρ${j} err %` as "ρ1 err %"], 3)).join(" / ")} % and m2 = ${fmt(mr.raw.m2, 3)} ` +
    `(weighted: ${[1, 2, 3].map((j) => fmt(mr.weighted[`ρ${j} err %` as "ρ1 err %"], 3)).join(" / ")} %, m2 = ${fmt(mr.weighted.m2, 3)}).`,
);
for (const kind of misfitKinds) {
  const r = mr[kind];
  const key = `tem21.misfit_${kind}`;
  rec.value(`${key}.lambda_final_log10`, Math.log10(r["final λ"]), {
    tol: { abs: 1, reason: "λ is a ratio of misfits; within a decade keeps its meaning" },
    note: kind === "raw" ? "raw eq. 12, D_d in (V/m per A)^2" : "weighted chi-square",
  });
  rec.value(`${key}.lambda_median_log10`, Math.log10(r["median λ over generations"]), {
    tol: { abs: 1, reason: "λ is a ratio of misfits; within a decade keeps its meaning" },
  });
  rec.value(`${key}.weighted_rms`, r["weighted RMS"], {
    tol: {
      rel: 0.5,
      abs: 0.05,
      reason: "final fit of a seeded run; within 50 % keeps the comparison",
    },
  });
  rec.value(`${key}.rho2_error_pct`, r["ρ2 err %"], {
    units: "%",
    tol: { abs: 5, reason: "percentage points; the paper's claim is 5 %" },
  });
  rec.value(`${key}.m2`, r.m2, {
    tol: { abs: 0.05, reason: "chargeability within 0.05 of the recorded value" },
  });
}

// %% [markdown]
// ## Noisy data, τ and c free: spread over repeated runs
// The case without the shortcuts above: the middle-layer earth with 2 % Gaussian noise (+ 10⁻⁹ V/m floor,
// seed 11) added to the `CONVERGED_OPTIONS` data, and **τ (0.1-100 ms, log) and c (0.1-1) free in every
// layer** beside ρ, h and m (15 unknowns; nothing says which layer is polarisable or how it relaxes).
// Inverted from several seeds to RMS 1 (a fit to the noise), at most 300 generations. The bands are the
// 5-95 % range of the best models of the runs.

// %%
const middleJson = JSON.parse(fs.readFileSync("examples/tem_h3_ip_middle.json", "utf8"));
const noisyCfg = inv.parseInvertConfig({
  ...middleJson,
  synthetic: { relative: 0.02, floor: 1e-9, seed: 11 },
  parameterisation: {
    ...middleJson.parameterisation,
    tau: { min: 1e-4, max: 0.1 },
    c: { min: 0.1, max: 1 },
  },
});
const noisy = inv.withSyntheticData(noisyCfg);
const noisyRuns: inv.InversionResult[] = [];
for (const seed of seeds)
  noisyRuns.push(
    await inv.invert(noisy, { np: 36, maxGenerations: 300, targetRms: 1, seed, pool: workerPool }),
  );
const t = noisyCfg.model!;
const grid = inv.depthGrid(900, 181);
const models = noisyRuns.map((r) => r.model);
const bR = inv.depthBand(models, "rho0", grid);
const bM = inv.depthBand(models, "m", grid);
const runBand = (b: inv.DepthBand) => ({
  name: `${seeds.length} runs, 5-95 %`,
  depth: b.depth,
  lower: b.lower,
  upper: b.upper,
});
const run1 = [{ name: "run 1", model: models[0] }];
const noisyRhoFig = truthBandFigure("rho0", t, run1, [runBand(bR)], {
  title: "Resistivity from 2 % noisy data, τ and c free",
  maxDepth: 900,
  height: 380,
});
plot(noisyRhoFig);
plot(
  truthBandFigure("m", t, run1, [runBand(bM)], {
    title: "Chargeability from 2 % noisy data, τ and c free",
    maxDepth: 900,
    height: 380,
  }),
);
const noisyRows = noisyRuns.map((r, i) => ({
  seed: seeds[i],
  rms: r.misfit.rms,
  generations: r.generations,
  ρ1: r.model.rho0[0],
  ρ2: r.model.rho0[1],
  ρ3: r.model.rho0[2],
  h1: r.model.thickness[0],
  h2: r.model.thickness[1],
  m1: r.model.m[0],
  m2: r.model.m[1],
  m3: r.model.m[2],
  "τ2 (ms)": 1e3 * r.model.tau[1],
  c2: r.model.c[1],
}));
table(noisyRows, {
  caption:
    "Best model of each run, τ and c free (truth: ρ 100/20/200, h 200/300, m 0/0.3/0, τ 5 ms, c 0.5)",
});
rec.table(
  "tem21.noisy_tau_c_free",
  noisyRows.map((r) => ({
    seed: r.seed,
    rms: r.rms,
    rho2: r["ρ2"],
    h1: r.h1,
    h2: r.h2,
    m2: r.m2,
    tau2_ms: r["τ2 (ms)"],
    c2: r.c2,
  })),
  {
    tol: {
      rel: 0.25,
      reason:
        "seeded runs on 2 % noisy data: the recovered values may move within the noise's non-uniqueness, not by more than 25 %",
    },
    note: "middle layer polarisable, 2 % noise seed 11, tau and c free in every layer, target RMS 1",
  },
);
rec.value("tem21.noisy_tau_c_free.fit_count", noisyRuns.filter((r) => r.misfit.rms <= 1).length, {
  tol: { abs: 0, reason: "how many seeded runs fit the noise; any change is a changed result" },
  note: `of ${noisyRuns.length} runs`,
});
rec.figure("noisy_rho_band", noisyRhoFig);

// %% [markdown]
// ## Summary beside the paper

// %%
const jade = compRows.filter((r) => r.method === "JADE + OBL");
markdown(
  [
    `* **Recovery (noise-free)**: largest ρ error ${fmt(worstRho, 3)} %, largest m error of the polarisable layer ${fmt(worstM, 3)} % (paper: within 5 %). ` +
      `The chargeability of layers that are not polarisable is poorly constrained where the layer is deep (see the search-spread bands), as the paper notes for m generally.`,
    `* **JADE + OBL success**: ${jade.map((r) => `${r.case} ${r.success}`).join(", ")} runs reached RMS 0.1; the other methods are in the table above (same budget).`,
    `* **Raw vs weighted misfit**: final λ ${mr.raw["final λ"].toExponential(2)} (raw eq. 12) vs ${fmt(mr.weighted["final λ"], 3)} (weighted); median λ ${mr.raw["median λ over generations"].toExponential(2)} vs ${fmt(mr.weighted["median λ over generations"], 3)}; weighted RMS of the result ${fmt(mr.raw["weighted RMS"], 3)} vs ${fmt(mr.weighted["weighted RMS"], 3)}; ρ2 error ${fmt(mr.raw["ρ2 err %"], 3)} % vs ${fmt(mr.weighted["ρ2 err %"], 3)} %, m2 ${fmt(mr.raw.m2, 3)} vs ${fmt(mr.weighted.m2, 3)} (truth 0.3). The default is the weighted χ²; the paper's raw eq. 12 is \`misfit: "raw"\` in a config.`,
    `* **Noisy data, τ and c free**: ${noisyRuns.filter((r) => r.misfit.rms <= 1).length}/${noisyRuns.length} runs fit the 2 % noise; recovered τ2 ${noisyRows.map((r) => fmt(r["τ2 (ms)"], 3)).join(", ")} ms (truth 5), c2 ${noisyRows.map((r) => fmt(r.c2, 3)).join(", ")} (truth 0.5), m2 ${noisyRows.map((r) => fmt(r.m2, 3)).join(", ")} (truth 0.3). The spread of the models over seeds shows non-uniqueness, but it is not a posterior either: notebook 24 samples the posterior of these three cases.`,
    `* Everywhere else in this notebook τ and c are fixed at their true values (5 ms and 0.5 in every layer).`,
    `* Times are wall-clock with ${WORKERS} worker threads on a 2-core machine shared with other jobs; bench/README.md has the speed table.`,
  ].join("\n"),
);
await workerPool.close();
