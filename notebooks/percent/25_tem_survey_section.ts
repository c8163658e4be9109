// Source of notebooks/25_tem_survey_section.ipynb (percent format; build with `npm run notebooks:build`).

// %% [markdown]
// # The Rankin Inlet survey as a section: 1-D DE per sounding, then a laterally constrained inversion
//
// All 22 central-loop PROTEM soundings of Rankin Inlet (`data/tem_gsc_rankin_inlet/`, the survey file
// `examples/survey_rankin.json` written by `geoinv survey rankin`) inverted as one survey
// (`src/survey`, docs/SURVEY.md):
//
// 1. **1-D DE per sounding** (`invert` of `src/inversion`, JADE + opposition init, adaptive λ): resistivity and
//    thickness of 5 layers (ρ 0.1-20 000 Ω·m, h 2-150 m) with m = 0, on the gates before each block's first
//    IP sign reversal — the two-step workflow's step 1 of notebook 23, for every site. Blocks TEM47 285 Hz,
//    TEM57 30 Hz and 7.5 Hz; errors = the file's noise with a 5 % floor. At lake sites the measured ice
//    (10 000 Ω·m) and water (the file's water resistivity, thickness = water depth − ice thickness) are fixed
//    top layers; bottom-fast-ice and onshore sites have none. Each sounding's seed is derived from the
//    survey seed and its id, so any machine gives the same result.
// 2. **LCI** (Auken & Christiansen 2004): all soundings at once on one grid of fixed thicknesses below the top
//    layers, log10 ρ per layer free, IP fixed at the step-1 value m = 0 on the same gates; objective = data χ² +
//    Σ((Δ_z log10 ρ)/σ_v)² + Σ w_i ((Δ_x log10 ρ)/σ_l)² between neighbours in profile order with
//    w_i = 1/(1 + d_i/d0); Gauss-Newton with Levenberg-Marquardt damping, Jacobians by forward differences
//    (one batched forward call per sounding, soundings on worker threads); start = the DE models.
// 3. **DOI** from the final LCI Jacobian J (data/error per decade of ρ), by detectability from the bottom: the
//    DOI is the depth z where ‖Σ_{layers below z} J_k‖₂ · log10 2 = √N — changing ρ by a factor 2 everywhere
//    below the DOI changes the N data by one standard deviation RMS, deeper changes by less. Below it the
//    section is shaded.
//
// The sites are not on one line: two clusters about 7 km apart (north: sites 1-9, 18-20; south: 10-17,
// 21-22). The profile order is the sites' projection on the principal axis of their locations, and the
// lateral weight falls with distance, so sites kilometres apart are barely tied.

// %%
import * as fs from "fs";
import * as path from "path";
import { bySize, runSize } from "./src/config";
import { fmt, initNotebook, markdown, plot, progress, table } from "./src/display";
import { openResults } from "./src/results";
import * as sv from "./src/survey";

initNotebook();
const rec = openResults("25_tem_survey_section"); // key numbers to out/results/ (npm run results); shows nothing
const THREADS = 2;
const json = JSON.parse(fs.readFileSync("examples/survey_rankin.json", "utf8"));
const size = runSize();
json.optimizer = { ...json.optimizer, ...bySize({ quick: { np: 12, generations: 6 }, full: {} }) };
json.lci = { ...json.lci, ...bySize({ quick: { layers: 12, max_iterations: 3 }, full: {} }) };
const spec = sv.parseSurveySpec(json);
rec.seeds([json.optimizer.seed ?? 1]);
markdown(
  `Run size **${size}**: ${spec.soundings.length} soundings, DE NP ${spec.optimizer.np}, ${spec.optimizer.maxGenerations} generations each; ` +
    `LCI ${spec.lci!.layers} layers to ${spec.lci!.maxDepth} m, σ_v ${spec.lci!.sigmaVertical}, σ_l ${spec.lci!.sigmaLateral}, d0 ${spec.lci!.d0} m, ≤ ${spec.lci!.maxIterations} iterations; ` +
    `${THREADS} worker threads over soundings on a 2-core machine shared with other jobs.` +
    (size === "quick"
      ? " **Quick size: DE budgets far below the full run; the 1-D models are not converged and the LCI is cut short.**"
      : ""),
);
const tasks = sv.soundingTasks(spec);
table(
  spec.soundings.map((s, i) => ({
    id: s.id,
    setting: String(s.info.setting),
    "x (m)": s.x,
    "y (m)": s.y,
    "ice / water (m)": s.top ? `${s.top.thickness[0]} / ${s.top.thickness[1]}` : "-",
    "water ρ (Ω·m)": s.top ? s.top.rho0[1] : "-",
    "gates step 1 / all": `${sv.step1Datasets(tasks[i]).reduce((n, d) => n + d.observed.length, 0)} / ${s.datasets.reduce((n, d) => n + d.observed.length, 0)}`,
  })),
  { caption: "Soundings in profile order" },
);

// %% [markdown]
// ## 1-D DE per sounding, then the LCI
// Results go to `out/survey_rankin_<size>/` (one file per sounding as it finishes, then `section.json`, `lci.json`);
// the same run from the command line: `geoinv survey invert examples/survey_rankin.json --out DIR --workers 2`.

// %%
const out = path.join("out", `survey_rankin_${size}`);
fs.rmSync(out, { recursive: true, force: true });
const bar = progress("soundings", spec.soundings.length);
let done = 0;
const lciLog: string[] = [];
const t0 = Date.now();
const res = await sv.runSurvey(spec, {
  out,
  threads: THREADS,
  onSounding: (r) => bar.update(++done, `${r.id} rms ${fmt(r.resistivity.misfit.rms, 3)}`),
  log: (s) => {
    if (s.startsWith("lci it")) lciLog.push(s);
  },
});
bar.done(
  `DE ${fmt(res.timing.deSeconds, 3)} s, LCI ${fmt(res.timing.lciSeconds, 3)} s, total ${fmt((Date.now() - t0) / 1000, 3)} s`,
);
const L = res.lciResult!;
table(
  L.iterations.map((it) => ({
    iteration: it.iteration,
    "data RMS": it.rms,
    "χ² data": it.dataMisfit,
    vertical: it.vertical,
    lateral: it.lateral,
    μ: it.mu,
  })),
  { caption: `LCI iterations (stop: ${L.stopReason}, ${L.forwardCalls} forward models)` },
);

// %%
const cols = spec.soundings.map((s, i) => ({
  id: s.id,
  x: s.x,
  y: s.y,
  distance: res.soundings[i].distance,
  de: res.soundings[i].de.model,
  lci: L.soundings[i].model,
  doi: L.soundings[i].doi,
}));
const figs = sv.sectionFigures(cols, { maxDepth: 250 });
plot(figs.map);
plot(figs.section);
table(
  spec.soundings.map((s, i) => ({
    id: s.id,
    "distance (m)": Math.round(res.soundings[i].distance),
    "DE RMS": res.soundings[i].de.rms,
    "LCI RMS": L.soundings[i].rms,
    "DOI (m)": Math.round(L.soundings[i].doi),
    "lateral weight to next": i < L.neighbours.length ? L.neighbours[i].weight : "-",
  })),
  {
    caption:
      "Weighted RMS misfit per sounding (1 = fit to the errors), DOI, and the lateral weight w = 1/(1 + d/d0) to the next sounding",
  },
);

// %% [markdown]
// ## Summary

// %%
const deR = res.soundings.map((s) => s.de.rms);
const lcR = L.soundings.map((s) => s.rms);
const med = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
const dois = L.soundings.map((s) => s.doi);
const rmsBand = {
  rel: 0.3,
  reason:
    "weighted RMS of seeded DE (unconverged at quick size) and a Gauss-Newton LCI from it; within 30 % keeps the comparison",
};
rec.value("tem25.de_rms_median", med(deR), {
  tol: rmsBand,
  note: `${spec.soundings.length} soundings, DE NP ${spec.optimizer.np}, ${spec.optimizer.maxGenerations} generations`,
});
rec.value("tem25.lci_rms_median", med(lcR), { tol: rmsBand });
rec.value("tem25.lci_rms_all", L.rms, {
  tol: rmsBand,
  note: `after ${L.iterations.length - 1} iterations (${L.stopReason})`,
});
rec.value("tem25.doi_median_m", med(dois), {
  units: "m",
  tol: { rel: 0.3, reason: "DOI from the final LCI Jacobian; within 30 %" },
});
rec.table(
  "tem25.soundings",
  spec.soundings.map((s, i) => ({
    id: s.id,
    "DE RMS": res.soundings[i].de.rms,
    "LCI RMS": L.soundings[i].rms,
    "DOI m": L.soundings[i].doi,
  })),
  { tol: { rel: 0.5, reason: "per-sounding fit of an unconverged quick search; within 50 %" } },
);
rec.value("tem25.de_seconds", res.timing.deSeconds, {
  units: "s",
  note: `wall time on ${THREADS} threads; not checked`,
});
rec.value("tem25.lci_seconds", res.timing.lciSeconds, {
  units: "s",
  note: "wall time; not checked",
});
rec.figure("section", figs.section);
markdown(
  [
    `* ${spec.soundings.length} soundings: median DE RMS ${fmt(med(deR), 3)} (range ${fmt(Math.min(...deR), 3)}-${fmt(Math.max(...deR), 3)}), median LCI RMS ${fmt(med(lcR), 3)} (range ${fmt(Math.min(...lcR), 3)}-${fmt(Math.max(...lcR), 3)}); LCI data RMS over all ${fmt(L.rms, 3)} after ${L.iterations.length - 1} iterations (${L.stopReason}).`,
    `* DOI ${fmt(Math.min(...dois), 3)}-${fmt(Math.max(...dois), 3)} m (median ${fmt(med(dois), 3)} m): the section below it is shaded.`,
    `* Wall time: DE ${fmt(res.timing.deSeconds, 3)} s for ${res.timing.computed} soundings on ${THREADS} threads, LCI ${fmt(res.timing.lciSeconds, 3)} s.`,
    `* An RMS above 1 means the 1-D layered earth (or the 5 % floor) does not explain the data to their errors; the LCI trades some per-sounding fit for lateral continuity where soundings are close.`,
  ].join("\n"),
);

// %% [markdown]
// ## The posterior per sounding: a synthetic line, the section shaded by posterior width
//
// With the survey key `"posterior": {...}` (the same block as `geoinv tem invert`'s, docs/POSTERIOR.md) each
// sounding samples its resistivity posterior after its DE, in its own thread: DREAM(ZS) started from the DE's
// final population, Gaussian likelihood with the data errors, uniform prior in the parameterisation's box,
// seeded from the sounding's seed. The result file gets the posterior summary; the section summary gets the
// 5-95 % width of log10 ρ against depth (from the posterior depth bands), and the DE panel of the section is
// shaded by that width instead of by the DOI (the DOI stays as a line; the LCI panel keeps its DOI shading).
//
// Sampling all 22 Rankin soundings costs far more than a notebook run (bench/survey.ts `--posterior`,
// bench/README.md), so this runs on a **synthetic** line (`syntheticLine` of `src/survey`: 6 soundings 100 m
// apart over a smooth 3-layer earth, EM engine, 40 m central loop, 2 % noise, the true models known) with a
// **small budget**: 5 000 forward evaluations per sounding at quick size, 20 000 at full size, against the
// default 200 000. **At this budget the posterior is not expected to have converged** (the table says, per
// sounding, whether R-hat < 1.05 and ESS ≥ 400 were reached): where it has not, the widths are a sketch of the
// posterior, not calibrated intervals.

// %%
const synth = sv.syntheticLine({
  n: 6,
  forward: "em",
  ...bySize({ quick: { np: 20, generations: 40 }, full: { np: 30, generations: 80 } }),
  name: "synthetic_line_posterior",
});
const synthJson = synth.survey as Record<string, unknown>;
const POSTERIOR_BUDGET = bySize({ quick: 5000, full: 20000 });
synthJson.posterior = { max_evaluations: POSTERIOR_BUDGET };
const synthSpec = sv.parseSurveySpec(synthJson);
const synthOut = path.join("out", `survey_synthetic_posterior_${size}`);
fs.rmSync(synthOut, { recursive: true, force: true });
const synthBar = progress("soundings (DE + posterior)", synthSpec.soundings.length);
let synthDone = 0;
const synthResults: Record<string, sv.SoundingResult> = {};
const synthRes = await sv.runSurvey(synthSpec, {
  out: synthOut,
  threads: THREADS,
  onSounding: (r) => {
    synthResults[r.id] = r;
    synthBar.update(++synthDone, `${r.id} R-hat ${fmt(r.posterior!.rhat_max, 3)}`);
  },
});
synthBar.done(
  `DE + posterior ${fmt(synthRes.timing.deSeconds, 3)} s (samplers ${fmt(synthRes.timing.posteriorSeconds!, 3)} thread-s), LCI ${fmt(synthRes.timing.lciSeconds, 3)} s`,
);
const synthCols = synthSpec.soundings.map((s, i) => ({
  id: s.id,
  x: s.x,
  y: s.y,
  distance: synthRes.soundings[i].distance,
  de: synthRes.soundings[i].de.model,
  lci: synthRes.lciResult!.soundings[i].model,
  doi: synthRes.lciResult!.soundings[i].doi,
  posterior: synthRes.soundings[i].posterior,
}));
plot(sv.sectionFigures(synthCols, { maxDepth: 150, dz: 1 }).section);
const inside = (v: number, q: { q05: number; q95: number }) =>
  v >= q.q05 && v <= q.q95 ? "yes" : "no";
table(
  synthSpec.soundings.map((s, i) => {
    const p = synthResults[s.id].posterior!;
    const mid = p.parameters.find((q) => q.name === "rho0" && q.layer === 1)!;
    const top = p.parameters.find((q) => q.name === "thickness" && q.layer === 0)!;
    const w = synthRes.soundings[i].posterior!.logRhoWidth;
    return {
      id: s.id,
      "DE RMS": synthRes.soundings[i].de.rms,
      "R-hat max": p.rhat_max,
      "ESS min": p.ess_min,
      stop: p.stop_reason,
      "converged?": p.stop_reason === "converged" ? "yes" : "NO",
      evaluations: p.evaluations,
      "ρ₂ 5-95 % (Ω·m)": `${fmt(mid.q05, 3)}-${fmt(mid.q95, 3)}`,
      "true ρ₂": fmt(synth.truth[i].rho0[1], 3),
      "ρ₂ inside": inside(synth.truth[i].rho0[1], mid),
      "h₁ 5-95 % (m)": `${fmt(top.q05, 3)}-${fmt(top.q95, 3)}`,
      "true h₁": fmt(synth.truth[i].thickness[0], 3),
      "h₁ inside": inside(synth.truth[i].thickness[0], top),
      "width min-max (decades)": `${fmt(Math.min(...w), 2)}-${fmt(Math.max(...w), 2)}`,
    };
  }),
  {
    caption: `Posterior per sounding at a budget of ${POSTERIOR_BUDGET} evaluations (targets: R-hat < 1.05, ESS ≥ 400; "budget" = stopped unconverged). ρ₂, h₁: the conductive middle layer and the first thickness against the true synthetic model.`,
  },
);
const widthAtDepth = (p: { depth: number[]; logRhoWidth: number[] }, z: number) =>
  p.logRhoWidth[
    p.depth.findIndex((d) => d >= z) < 0 ? p.depth.length - 1 : p.depth.findIndex((d) => d >= z)
  ];
const widthMedianAt = (depthOf: (t: (typeof synth.truth)[number]) => number) =>
  med(
    synthSpec.soundings.map((_, i) =>
      widthAtDepth(synthRes.soundings[i].posterior!, depthOf(synth.truth[i])),
    ),
  );
const nConv = synthSpec.soundings.filter(
  (s) => synthResults[s.id].posterior!.stop_reason === "converged",
).length;
markdown(
  [
    `* ${nConv} of ${synthSpec.soundings.length} soundings reached R-hat < 1.05 and ESS ≥ 400 within ${POSTERIOR_BUDGET} evaluations; ` +
      (nConv === synthSpec.soundings.length
        ? "all converged on this easy synthetic line, but that is not to be expected of field data at this budget."
        : `the other ${synthSpec.soundings.length - nConv} stopped at the budget: **their posterior has not converged**, and their widths are not calibrated intervals.`),
    `* The posterior samplers took ${fmt(synthRes.timing.posteriorSeconds!, 3)} thread-seconds in all (wall ${fmt(synthRes.timing.deSeconds, 3)} s for DE + posterior on ${THREADS} threads, machine shared).`,
    `* White shading on the DE panel = a wide posterior (opaque at ≥ 1 decade of 5-95 % width in ρ). Median over the soundings of the 5-95 % width of log10 ρ: ` +
      `${fmt(
        widthMedianAt((t) => t.thickness[0] + t.thickness[1] / 2),
        2,
      )} decades at the centre of the true conductive layer, ${fmt(
        widthMedianAt((t) => t.thickness[0] / 2),
        2,
      )} in the middle of the top layer, ` +
      `${fmt(
        widthMedianAt(() => 120),
        2,
      )} at 120 m (the half-space under the conductor).`,
  ].join("\n"),
);
