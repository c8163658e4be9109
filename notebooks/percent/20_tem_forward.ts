// Source of notebooks/20_tem_forward.ipynb (percent format; build with `npm run notebooks:build`).

// %% [markdown]
// # TEM forward modelling with Cole-Cole IP: grounded wire, loop and a real PROTEM sounding
//
// The forward engine behind the seed paper's inversions (its section 1.1: the Cole-Cole resistivity of
// eq. 1 and the finite grounded wire of eq. 2; `docs/METHODS.md` part B), run on the models
// of the project's reference cases, since the paper's Table 2 values are not in the text:
//
// * **Ex transients of the three-layer H-type earth** (100 / 20 / 200 Ω·m, 200 m and 300 m thick) with
//   the polarisable layer (m = 0.3, τ = 5 ms, c = 0.5) on top, in the middle and at the bottom; a
//   1000 m grounded wire along x, receiver 500 m broadside. IP makes the transients change sign;
//   the log-axis plots show |Ex| with negative parts dashed and open-marked.
// * the frequency-domain response of the same earths, the effect of m, τ and c, grounded wire vs
//   loop, and a Rankin Inlet PROTEM sounding beside a forward model with its real waveform
//   (5.1 µs ramp, bipolar half-duty repetition at the base frequency);
// * the engine's error against the independent reference cases and its speed.
//
// Conventions (`docs/METHODS.md`, TEM case conventions): time dependence e<sup>+iωt</sup>, z up, fields per ampere of source
// current, step-off (switch-off) responses. The library: `src/em` (`compileSurvey` once per survey,
// then `forward(plan, model)`).

// %%
import * as fs from "fs";
import * as path from "path";
import { bySize, runSize } from "./src/config";
import { loadRankinSounding } from "./src/data";
import {
  initNotebook,
  layeredModelFigure,
  markdown,
  plot,
  table,
  transientFigure,
  xyFigure,
} from "./src/display";
import * as em from "./src/em";
import { openResults } from "./src/results";

initNotebook();
const rec = openResults("20_tem_forward"); // key numbers to out/results/ (npm run results); shows nothing
const nTimes = bySize({ quick: 41, full: 81 });
const logspace = (a: number, b: number, n: number) =>
  Array.from({ length: n }, (_, i) => a * Math.pow(b / a, i / (n - 1)));
const times = logspace(1e-5, 1, nTimes);
const wireSurvey = em.broadsideWireSurvey(1000, 500, times);
const wirePlan = em.compileSurvey(wireSurvey);
const h3 = (ipLayer: number | null, m = 0.3, tau = 5e-3, c = 0.5): em.EarthModel => ({
  thickness: [200, 300],
  rho0: [100, 20, 200],
  m: [0, 1, 2].map((j) => (j === ipLayer ? m : 0)),
  tau: [0, 1, 2].map((j) => (j === ipLayer ? tau : 1e-3)),
  c: [0.5, 0.5, 0.5].map((v, j) => (j === ipLayer ? c : v)),
});
markdown(
  `Run size **${runSize()}**: ${nTimes} times from 10 µs to 1 s. Wire plan: ${wirePlan.info.sourcePoints} Gauss-Legendre points on the wire, ` +
    `${wirePlan.info.nLambda} wavenumbers (Hankel filter ${wirePlan.info.hankel}), ${wirePlan.info.nOmega} frequencies (Fourier filter ${wirePlan.options.fourier}).`,
);

// %% [markdown]
// ## The Cole-Cole resistivity (seed eq. 1)
// ρ(ω) = ρ₀ [1 − m (1 − 1/(1 + (iωτ)^c))]: from ρ₀ at low frequency to ρ₀(1 − m) at high frequency,
// with a negative (capacitive) phase peaking near ω = 1/τ; c sets the width of the transition.

// %%
const freqs = logspace(1e-2, 1e6, 120);
const ccCurves = [
  { name: "m 0.3, τ 5 ms, c 0.5", m: 0.3, tau: 5e-3, c: 0.5 },
  { name: "m 0.6, τ 5 ms, c 0.5", m: 0.6, tau: 5e-3, c: 0.5 },
  { name: "m 0.3, τ 0.1 ms, c 0.5", m: 0.3, tau: 1e-4, c: 0.5 },
  { name: "m 0.3, τ 5 ms, c 1.0", m: 0.3, tau: 5e-3, c: 1 },
];
const ccAt = (k: { m: number; tau: number; c: number }, f: number) =>
  em.coleCole(1, k.m, k.tau, k.c, 2 * Math.PI * f);
plot(
  xyFigure(
    ccCurves.map((k) => ({
      name: k.name,
      x: freqs,
      y: freqs.map((f) => Math.hypot(ccAt(k, f).re, ccAt(k, f).im)),
    })),
    { title: "|ρ(ω)| / ρ₀", xLabel: "frequency (Hz)", yLabel: "|ρ| / ρ₀", logX: true },
  ),
);
plot(
  xyFigure(
    ccCurves.map((k) => ({
      name: k.name,
      x: freqs,
      y: freqs.map((f) => -1000 * Math.atan2(ccAt(k, f).im, ccAt(k, f).re)),
    })),
    { title: "−phase of ρ(ω)", xLabel: "frequency (Hz)", yLabel: "−φ (mrad)", logX: true },
  ),
);

// %% [markdown]
// ## Ex transients of the H-type earth with the polarisable layer on top, in the middle, at the bottom

// %%
const h3Models: { name: string; model: em.EarthModel }[] = [
  { name: "no IP", model: h3(null) },
  { name: "IP top layer", model: h3(0) },
  { name: "IP middle layer", model: h3(1) },
  { name: "IP bottom layer", model: h3(2) },
];
plot(
  layeredModelFigure([{ name: "ρ₀", thickness: [200, 300], values: [100, 20, 200] }], {
    title: "H-type model (polarisable layer: m = 0.3, τ = 5 ms, c = 0.5)",
    maxDepth: 800,
  }),
);
const h3Resp = h3Models.map((x) => ({ ...x, ex: em.forward(wirePlan, x.model).time_off! }));
plot(
  transientFigure(
    h3Resp.map((r) => ({ name: r.name, times: times, values: r.ex, kind: "model" as const })),
    { title: "Ex step-off, 1000 m wire, receiver 500 m broadside", yLabel: "|Ex| (V/m per A)" },
  ),
);
const reversals = (v: ArrayLike<number>) => {
  const out: string[] = [];
  for (let i = 1; i < v.length; i++)
    if (Math.sign(v[i]) !== Math.sign(v[i - 1]))
      out.push(`${(Math.sqrt(times[i] * times[i - 1]) * 1e3).toPrecision(3)} ms`);
  return out.length ? out.join(", ") : "none";
};
table(
  h3Resp.map((r) => ({
    model: r.name,
    "Ex at 10 µs (V/m)": r.ex[0].toExponential(3),
    "Ex at 10 ms": r.ex[Math.round((nTimes - 1) * 0.6)].toExponential(3),
    "Ex at 1 s": r.ex[nTimes - 1].toExponential(3),
    "sign changes near": reversals(r.ex),
  })),
  { caption: "Sign changes of Ex(t) (computed on this notebook's time grid)" },
);
rec.table(
  "tem20.h3_ex",
  h3Resp.map((r) => ({
    model: r.name,
    "Ex at 10 us (V/m)": r.ex[0],
    "Ex at 1 s (V/m)": r.ex[nTimes - 1],
    "sign changes near": reversals(r.ex),
  })),
  {
    tol: { rel: 1e-6, reason: "deterministic forward; only a change to the engine moves it" },
    note: "1 km wire, Ex 500 m broadside, per A",
  },
);
rec.figure(
  "h3_ex_transients",
  transientFigure(
    h3Resp.map((r) => ({ name: r.name, times: times, values: r.ex, kind: "model" as const })),
    { title: "Ex step-off, 1000 m wire, receiver 500 m broadside", yLabel: "|Ex| (V/m per A)" },
  ),
);

// %%
const firstReversal = (v: ArrayLike<number>) => reversals(v).split(", ")[0];
markdown(
  `The early-time Ex (before ~0.1 ms) is the earth's instantaneous response to the switch-off; it differs only when the top ` +
    `layer is polarisable (${h3Resp[1].ex[0].toExponential(3)} vs ${h3Resp[0].ex[0].toExponential(3)} V/m at 10 µs). A polarisable layer adds a ` +
    `slowly decaying opposite-sign contribution (the discharge of the layer's capacitance) which overtakes the inductive decay and ` +
    `reverses the sign of Ex: on this grid near ${firstReversal(h3Resp[2].ex)} for the conductive middle layer, ${firstReversal(h3Resp[1].ex)} ` +
    `for the top layer and ${firstReversal(h3Resp[3].ex)} for the deep layer; without IP Ex keeps its sign.`,
);

// %% [markdown]
// ## The same earths in the frequency domain
// Ex(ω) for the source current (time dependence e<sup>+iωt</sup>); real and imaginary parts, |value| on log axes with
// negative parts dashed. The electrodes sit 1 mm deep here (the reference code's convention; option
// `electricDepth`), which only matters for Im(Ex) at the highest frequencies.

// %%
const fPlan = em.compileSurvey({
  ...wireSurvey,
  times: undefined,
  frequencies: logspace(1e-3, 1e5, 81),
});
const fResp = h3Models.map((x) => ({ ...x, f: em.forward(fPlan, x.model).freq! }));
plot(
  transientFigure(
    fResp.map((r) => ({
      name: `${r.name}: Re`,
      times: fPlan.survey.frequencies!,
      values: r.f.re,
      kind: "model" as const,
    })),
    { title: "Re Ex(f)", xLabel: "frequency (Hz)", yLabel: "|Re Ex| (V/m per A)" },
  ),
);
plot(
  transientFigure(
    fResp.map((r) => ({
      name: `${r.name}: Im`,
      times: fPlan.survey.frequencies!,
      values: r.f.im,
      kind: "model" as const,
    })),
    { title: "Im Ex(f)", xLabel: "frequency (Hz)", yLabel: "|Im Ex| (V/m per A)" },
  ),
);

// %% [markdown]
// ## Effect of m, τ and c (polarisable middle layer)

// %%
const vary = (label: string, list: { name: string; model: em.EarthModel }[]) =>
  plot(
    transientFigure(
      list.map((x) => ({
        name: x.name,
        times: times,
        values: em.forward(wirePlan, x.model).time_off!,
        kind: "model" as const,
      })),
      { title: label, yLabel: "|Ex| (V/m per A)" },
    ),
  );
vary(
  "chargeability m (τ = 5 ms, c = 0.5)",
  [0, 0.1, 0.3, 0.5, 0.7].map((m) => ({ name: `m = ${m}`, model: h3(1, m) })),
);
vary(
  "time constant τ (m = 0.3, c = 0.5)",
  [1e-4, 1e-3, 1e-2, 1e-1].map((tau) => ({ name: `τ = ${tau * 1e3} ms`, model: h3(1, 0.3, tau) })),
);
vary(
  "exponent c (m = 0.3, τ = 5 ms)",
  [0.2, 0.4, 0.6, 0.8, 1].map((c) => ({ name: `c = ${c}`, model: h3(1, 0.3, 5e-3, c) })),
);

// %% [markdown]
// ## Grounded wire vs loop
// The same H-type earth seen by the 1000 m grounded wire (Ex broadside, which includes the galvanic
// field of the grounding points) and by a 100 m × 100 m loop (dBz/dt at its centre, purely inductive;
// plotted as V = −dBz/dt, positive for the normal decay, as for the field data below).
// The ratio IP / no-IP shows where each is sensitive to the polarisable layer.

// %%
const loopPlan = em.compileSurvey(em.centralLoopSurvey(100, times));
const loopResp = h3Models.map((x) => ({ ...x, dbdt: em.forward(loopPlan, x.model).time_off! }));
plot(
  transientFigure(
    loopResp.map((r) => ({
      name: r.name,
      times: times,
      values: Array.from(r.dbdt, (v) => -v),
      kind: "model" as const,
    })),
    {
      title: "V = −dBz/dt step-off, 100 m loop, central receiver",
      yLabel: "|−dBz/dt| (T/s per A)",
    },
  ),
);
const ratioFig = xyFigure(
  [
    ...h3Resp.slice(1).map((r) => ({
      name: `wire Ex: ${r.name}`,
      x: times,
      y: Array.from(r.ex, (v, i) => v / h3Resp[0].ex[i]),
    })),
    ...loopResp.slice(1).map((r) => ({
      name: `loop dBz/dt: ${r.name}`,
      x: times,
      y: Array.from(r.dbdt, (v, i) => v / loopResp[0].dbdt[i]),
    })),
  ],
  {
    title: "IP / no-IP response ratio (axis clipped to [-2, 3]; below 0: sign reversed)",
    xLabel: "time after switch-off (s)",
    yLabel: "ratio",
    logX: true,
  },
);
plot({
  ...ratioFig,
  layout: { ...ratioFig.layout, yaxis: { title: { text: "ratio" }, range: [-2, 3] } },
});
const firstDev = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  for (let i = 0; i < a.length; i++)
    if (Math.abs(a[i] / b[i] - 1) > 0.05) return `${(times[i] * 1e3).toPrecision(3)} ms`;
  return "never";
};
table(
  h3Models.slice(1).map((x, k) => ({
    model: x.name,
    "wire Ex: IP effect > 5 % from": firstDev(h3Resp[k + 1].ex, h3Resp[0].ex),
    "loop dBz/dt: IP effect > 5 % from": firstDev(loopResp[k + 1].dbdt, loopResp[0].dbdt),
  })),
  {
    caption:
      "First time (on this notebook's grid) where the IP response differs from the non-IP one by more than 5 %",
  },
);

// %% [markdown]
// ## A real sounding: Rankin Inlet, central-loop PROTEM
// The Geological Survey of Canada soundings bundled in `data/tem_gsc_rankin_inlet` (100 m × 100 m loop,
// receiver coil at its centre, 5.1 µs ramp-off, bipolar half-duty waveform at the base frequency, 400
// pulses; V = −dBz/dt per ampere, mV/(A·m²)), modelled at the gate centre times (the gate widths are not
// in the files). Two models: the reference case `permafrost_loop_285hz`'s three-layer earth (1000 Ω·m
// over 30 Ω·m with IP over 2000 Ω·m), and the best two-layer earth without IP on a coarse grid
// (ρ₁, h₁, ρ₂; misfit weighted by the data's noise over the three TEM-47 blocks). The grid search only
// shows the forward model beside the data; the inversion notebook fits them properly.

// %%
const site = 1;
const snd = loadRankinSounding(site);
const permafrost: em.EarthModel = {
  thickness: [10, 60],
  rho0: [1000, 30, 2000],
  m: [0, 0.2, 0],
  tau: [1e-3, 2e-4, 1e-3],
  c: [0.5, 0.7, 0.5],
};
const loopPts = em.squareLoopPoints(100);
const blocks47 = snd.blocks.filter((b) => b.tem === 47);
const rankinPlans = blocks47.map((b) =>
  em.compileSurvey({
    source: { type: "loop", points: loopPts, current: 1 },
    receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
    times: b.time,
    waveform: {
      type: "linear_ramp_off",
      ramp: 5.1e-6,
      repetition: { type: "bipolar_half_duty", base_frequency: b.baseFrequency, pulses: 400 },
    },
  }),
);
const toV = (plan: em.SurveyPlan, m: em.EarthModel) =>
  Array.from(em.forward(plan, m).time_off!, (x) => -1e3 * x); // V = -dBz/dt per A, mV/(A m^2)
const chi2 = (m: em.EarthModel) =>
  blocks47.reduce(
    (acc, b, k) =>
      acc + toV(rankinPlans[k], m).reduce((a, v, i) => a + ((v - b.v[i]) / b.noise[i]) ** 2, 0),
    0,
  );
let best = { chi2: Infinity, model: permafrost };
const gridT0 = performance.now();
let nGrid = 0;
for (const r1 of logspace(10, 10000, bySize({ quick: 10, full: 19 })))
  for (const h1 of logspace(2, 200, bySize({ quick: 8, full: 15 })))
    for (const r2 of logspace(10, 10000, bySize({ quick: 10, full: 19 }))) {
      const m: em.EarthModel = {
        thickness: [h1],
        rho0: [r1, r2],
        m: [0, 0],
        tau: [1e-3, 1e-3],
        c: [0.5, 0.5],
      };
      const x = chi2(m);
      nGrid++;
      if (x < best.chi2) best = { chi2: x, model: m };
    }
const gridMs = performance.now() - gridT0;
const nData = blocks47.reduce((a, b) => a + b.v.length, 0);
markdown(
  `Grid search: ${nGrid} two-layer models × ${blocks47.length} blocks in ${(gridMs / 1000).toFixed(1)} s ` +
    `(${(gridMs / nGrid / blocks47.length).toFixed(2)} ms per transient with the waveform). Best: ρ₁ = ${best.model.rho0[0].toPrecision(3)} Ω·m, ` +
    `h₁ = ${best.model.thickness[0].toPrecision(3)} m, ρ₂ = ${best.model.rho0[1].toPrecision(3)} Ω·m, χ²/N = ${(best.chi2 / nData).toPrecision(3)}; ` +
    `the permafrost model: χ²/N = ${(chi2(permafrost) / nData).toPrecision(3)} (N = ${nData}).`,
);
const same = {
  rel: 1e-6,
  reason: "deterministic forward and grid; only a change to the engine moves it",
};
rec.value("tem20.rankin1.grid_best_chi2_per_n", best.chi2 / nData, {
  tol: same,
  note: `two-layer grid of ${nGrid} models, site ${site} TEM-47 blocks`,
});
rec.value("tem20.rankin1.grid_best_rho1_ohmm", best.model.rho0[0], { units: "ohm-m", tol: same });
rec.value("tem20.rankin1.grid_best_h1_m", best.model.thickness[0], { units: "m", tol: same });
rec.value("tem20.rankin1.grid_best_rho2_ohmm", best.model.rho0[1], { units: "ohm-m", tol: same });
rec.value("tem20.rankin1.permafrost_chi2_per_n", chi2(permafrost) / nData, { tol: same });
const rankinSeries = blocks47.flatMap((b, k) => [
  {
    name: `data ${b.baseFrequency} Hz`,
    times: b.time,
    values: b.v,
    errors: b.noise,
    kind: "data" as const,
  },
  {
    name: `grid best ${b.baseFrequency} Hz`,
    times: b.time,
    values: toV(rankinPlans[k], best.model),
    kind: "model" as const,
  },
]);
plot(
  transientFigure(rankinSeries, {
    title: `Rankin Inlet site ${site}, TEM-47 (3 A) blocks, and the best two-layer model of the grid`,
    yLabel: "|V| (mV/(A·m²))",
  }),
);
plot(
  transientFigure(
    blocks47.flatMap((b, k) => [
      {
        name: `data ${b.baseFrequency} Hz`,
        times: b.time,
        values: b.v,
        errors: b.noise,
        kind: "data" as const,
      },
      {
        name: `permafrost model ${b.baseFrequency} Hz`,
        times: b.time,
        values: toV(rankinPlans[k], permafrost),
        kind: "model" as const,
      },
    ]),
    {
      title: `Rankin Inlet site ${site} and the reference permafrost model (with IP)`,
      yLabel: "|V| (mV/(A·m²))",
    },
  ),
);

// %% [markdown]
// ## Accuracy against the reference cases, and speed
// Every case in `test/fixtures/tem-reference` (copies of the independent reference cases, computed with
// empymod 2.6.0) through the same default plan; the error is the reference README's metric (each
// value against the largest of its neighbours). Speed is the best of a few warm evaluations in this
// kernel; `bench/README.md` has the benchmark table and the command that made it.

// %%
const refDir = path.join(process.cwd(), "test", "fixtures", "tem-reference");
const refRows = fs
  .readdirSync(refDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => {
    const c = JSON.parse(fs.readFileSync(path.join(refDir, f), "utf8"));
    const plan = em.compileSurvey({ ...c, frequencies: undefined });
    const model = em.parseEarthModel(c.model);
    const r = em.forward(plan, model);
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      em.forward(plan, model);
      best = Math.min(best, performance.now() - t0);
    }
    const emp = c.reference?.timing?.empymod_default_s;
    return {
      case: f.replace(".json", ""),
      "max err (time_off)": em.referenceError(r.time_off!, c.outputs.time_off).err.toExponential(1),
      "ms per transient": best.toFixed(2),
      "empymod (ms)": emp ? (emp * 1e3).toFixed(0) : "—",
      "speed-up": emp ? `${Math.round((emp * 1e3) / best)}x` : "—",
    };
  });
table(refRows, { caption: "Engine vs reference cases (this kernel, this machine)" });
rec.table(
  "tem20.reference_errors",
  refRows.map((r) => ({ case: r.case, "max err (time_off)": Number(r["max err (time_off)"]) })),
  {
    tol: {
      rel: 0.05,
      reason:
        "the engine's error against empymod; moves only when the engine's discretisation changes",
    },
    note: "the reference README's metric, default plan",
  },
);
rec.table(
  "tem20.reference_ms_per_transient",
  refRows.map((r) => ({
    case: r.case,
    ms: Number(r["ms per transient"]),
    "empymod ms": r["empymod (ms)"],
  })),
  { note: "best of 5 warm evaluations on the machine that ran it; wall time, not checked" },
);
