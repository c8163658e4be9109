// Source of notebooks/10_tcn_noise_test.ipynb (percent format; build with `npm run notebooks:build`).

// %% [markdown]
// # TCN impedance inversion with noisy seismic on Marmousi-2 (Wang et al. 2022, Figs. 4–5)
//
// The seed paper's first test: train the TCN on Marmousi-2 with noise-free seismic and with "20 % noise",
// and compare the inverted impedance and error sections (its Fig. 4: seismic sections; Fig. 5: inversion
// and error sections). The paper shows only pictures; this notebook adds the metrics on the test traces
// and, beyond the paper, a sweep over noise levels from 0 to 50 %.
//
// **Noise definition.** "20 % noise" = additive white Gaussian noise whose RMS is 20 % of the RMS of the
// clean section (one RMS over all traces and samples), i.e. an amplitude signal-to-noise ratio of
// 20·log10(1/0.2) = 13.98 dB. Noise is seeded. The network is trained and tested on noisy seismic;
// the impedance labels are exact.
//
// **Data and network** as in notebook 11: the bundled Marmousi-2 (1701 traces × 351 samples at 10 m; the
// paper used 2721 × 701), a 30 Hz Ricker convolutional synthetic with one depth sample taken as 2 ms,
// split 1:1:4 (284/284/1133; the quick size trains on 120 and validates on 60), standardisation with
// training statistics only, the Mustafa et al. TCN with symmetric padding, Adam 10⁻³ with weight decay
// 10⁻⁴, batch 10. Run size from `GEOINV_SIZE` (quick or full).

// %%
import { bySize, runSize } from "./src/config";
import {
  epochProgress,
  initNotebook,
  markdown,
  plot,
  sectionFigure,
  table,
  xyFigure,
} from "./src/display";
import { fractionToSnrDb, marmousi2, sectionRms } from "./src/seismic";
import { openResults } from "./src/results";
import * as tcn from "./src/tcn";

initNotebook();
const rec = openResults("10_tcn_noise_test"); // key numbers to out/results/ (npm run results); shows nothing
const backend = await tcn.initBackend();
const nbSize = runSize();
markdown(
  `Run size **${nbSize}**; TensorFlow.js backend **${backend.tfName}** (${backend.reason}).`,
);

const base = tcn.pretrainPreset();
/** The pre-training at a given noise fraction (same split and seed for every level). */
const configAt = (noise: number, train: tcn.TrainSettings = base.train): tcn.PretrainConfig => ({
  ...base,
  train,
  data: { ...base.data, noise, noiseSeed: 20 },
});
/**
 * Pre-train at several noise levels, two at a time (one worker thread each: a wasm training uses
 * one core; the results are bit for bit those of one-at-a-time training).
 */
async function trainAt(levels: number[], train: tcn.TrainSettings = base.train) {
  const bars = levels.map((lv) => epochProgress(`noise ${Math.round(100 * lv)} %`));
  return tcn.runPretrainMany(
    levels.map((lv) => configAt(lv, train)),
    { threads: 2, onEpoch: (i, l) => bars[i](l) },
  );
}

// %% [markdown]
// ## Seismic sections without and with 20 % noise (Fig. 4)

// %%
const clean = marmousi2();
const noisy = marmousi2({ noise: 0.2, noiseSeed: 20 });
const secM = {
  dx: clean.dx,
  dz: clean.dz,
  xLabel: "x (m)",
  zLabel: "depth (m)",
  stride: 2,
  symmetric: true,
  zmin: -0.25,
  zmax: 0.25,
};
plot(
  sectionFigure(clean.seismic, {
    ...secM,
    title: "Marmousi-2 synthetic seismic, noise-free",
    colorbarTitle: "amplitude",
  }),
);
plot(
  sectionFigure(noisy.seismic, {
    ...secM,
    title: "Marmousi-2 synthetic seismic, 20 % noise",
    colorbarTitle: "amplitude",
  }),
);
const noiseOnly = noisy.seismic.map((r, i) => r.map((v, j) => v - clean.seismic[i][j]));
rec.value("tcn10.noise20.rms_ratio", sectionRms(noiseOnly) / sectionRms(clean.seismic), {
  tol: {
    rel: 1e-6,
    reason: "seeded noise, deterministic; only a change to the noise model moves it",
  },
  note: "noise RMS / clean RMS of the 20 % section",
});
markdown(
  `Measured: noise RMS / clean RMS = ${(sectionRms(noiseOnly) / sectionRms(clean.seismic)).toFixed(4)} ` +
    `(SNR ${(20 * Math.log10(sectionRms(clean.seismic) / sectionRms(noiseOnly))).toFixed(2)} dB).`,
);

// %% [markdown]
// ## Training without and with noise

// %%
const [r0, r20] = await trainAt([0, 0.2]);
const row = (name: string, r: typeof r0) => ({
  seismic: name,
  epochs: r.history.epochsRun,
  "final loss": r.history.finalTrainLoss,
  "test PCC %": 100 * r.test.section.pcc,
  "test r² %": 100 * r.test.section.r2,
  "test MSE": r.test.section.mse,
  "test MAE": r.test.section.mae,
  "mean-trace PCC %": 100 * r.test.meanTrace.pcc,
});
// Seeded training on the wasm backend is bit-identical from run to run (two quick runs of this
// notebook agreed in every digit). The band is below the effect the notebook measures (test PCC
// 0.962 at 0 % noise against 0.955 at 50 % in the quick sweep), so a changed network, data, noise
// or training fails; another backend (tfjs-node) may need the numbers re-recorded.
const tcnBand = {
  abs: 0.002,
  reason:
    "seeded TCN training on wasm, bit-identical in two quick runs; 0.002 absorbs a summation-order change, below the 0.007 PCC drop from 0 to 50 % noise",
};
rec.seeds([base.seed]);
for (const [key, r] of [
  ["clean", r0],
  ["noise20", r20],
] as const) {
  rec.value(`tcn10.${key}.test_pcc`, r.test.section.pcc, {
    tol: tcnBand,
    note: `Marmousi-2 test traces (${r.test.traces.length}), all samples pooled`,
  });
  rec.value(`tcn10.${key}.test_r2`, r.test.section.r2, { tol: tcnBand });
  rec.value(`tcn10.${key}.final_loss`, r.history.finalTrainLoss, {
    tol: {
      rel: 0.01,
      reason:
        "final training MSE (standardised) of a seeded run, bit-identical on wasm; within 1 %",
    },
  });
}
table([row("noise-free", r0), row("20 % noise", r20)], {
  caption: `Marmousi-2 test traces (${r0.test.traces.length}); MSE and MAE in (m/s)(g/cm³)`,
});

// %% [markdown]
// ## Inversion and error sections (Fig. 5)
// Every trace is inverted (the training and validation traces included, as in a section display);
// the metrics above are on the test traces only.

// %%
const secI = { dx: clean.dx, dz: clean.dz, xLabel: "x (m)", zLabel: "depth (m)", stride: 2 };
const errOf = (p: Float32Array[]) => p.map((r, i) => r.map((v, j) => v - clean.impedance[i][j]));
plot(
  sectionFigure(r0.test.prediction, {
    ...secI,
    zmin: 1500,
    zmax: 12400,
    title: "(a) inversion, noise-free seismic",
    colorbarTitle: "Ip<br>(m/s)·(g/cm³)",
  }),
);
plot(
  sectionFigure(r20.test.prediction, {
    ...secI,
    zmin: 1500,
    zmax: 12400,
    title: "(b) inversion, 20 % noise",
    colorbarTitle: "Ip<br>(m/s)·(g/cm³)",
  }),
);
plot(
  sectionFigure(errOf(r0.test.prediction), {
    ...secI,
    symmetric: true,
    zmin: -3000,
    zmax: 3000,
    title: "(c) error, noise-free",
    colorbarTitle: "ΔIp<br>(m/s)·(g/cm³)",
  }),
);
plot(
  sectionFigure(errOf(r20.test.prediction), {
    ...secI,
    symmetric: true,
    zmin: -3000,
    zmax: 3000,
    title: "(d) error, 20 % noise",
    colorbarTitle: "ΔIp<br>(m/s)·(g/cm³)",
  }),
);

// %% [markdown]
// ## Beyond the paper: scores against the noise level
// The same training at 0, 10, 20, 30, 40 and 50 % noise (same split, seed and epochs; each level its
// own seeded noise realisation, the same seed for all). Quick size: the settings above, so the 0 and
// 20 % runs are reused. Full size: 300 epochs without early stopping per level (six pre-trainings of up
// to 1000 epochs would add about 20 min on two cores). The levels train two at a time, one per core
// (`tcn.runPretrainMany`), with the same results as one after another.

// %%
const sweepTrain: tcn.TrainSettings = bySize({
  quick: base.train,
  full: { ...base.train, epochs: 300, patience: null },
});
const levels = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
const reuse = (lv: number) =>
  sweepTrain === base.train ? (lv === 0 ? r0 : lv === 0.2 ? r20 : undefined) : undefined;
const toTrain = levels.filter((lv) => !reuse(lv));
const trained = await trainAt(toTrain, sweepTrain);
const sweep = [];
for (const lv of levels) {
  const r = reuse(lv) ?? trained[toTrain.indexOf(lv)];
  sweep.push({
    "noise %": 100 * lv,
    "SNR dB": lv === 0 ? Infinity : fractionToSnrDb(lv),
    "test PCC %": 100 * r.test.section.pcc,
    "test r² %": 100 * r.test.section.r2,
    "test MAE": r.test.section.mae,
    "final loss": r.history.finalTrainLoss,
  });
  if (r !== r0 && r !== r20) r.bundle.model.dispose();
}
rec.table(
  "tcn10.sweep",
  sweep.map((x) => ({
    "noise %": x["noise %"],
    "test PCC": x["test PCC %"] / 100,
    "test r2": x["test r² %"] / 100,
  })),
  { tol: tcnBand, note: `test traces, ${sweepTrain.epochs} epochs max per level` },
);
table(sweep, {
  caption: `Noise sweep, Marmousi-2 test traces (${sweepTrain.epochs} epochs max, ${nbSize} size)`,
});
plot(
  xyFigure(
    [
      { name: "PCC", x: sweep.map((s) => s["noise %"]), y: sweep.map((s) => s["test PCC %"]) },
      { name: "r²", x: sweep.map((s) => s["noise %"]), y: sweep.map((s) => s["test r² %"]) },
    ],
    {
      title: "Test scores against noise (RMS % of the clean section)",
      xLabel: "noise (%)",
      yLabel: "%",
    },
  ),
);

// %% [markdown]
// ## Summary

// %%
const drop = (a: number, b: number) => (100 * (a - b)).toFixed(2);
markdown(
  `With 20 % noise the test PCC falls from ${(100 * r0.test.section.pcc).toFixed(2)} % to ${(100 * r20.test.section.pcc).toFixed(2)} % ` +
    `(−${drop(r0.test.section.pcc, r20.test.section.pcc)} points) and r² from ${(100 * r0.test.section.r2).toFixed(2)} % to ${(100 * r20.test.section.r2).toFixed(2)} %. ` +
    `In the sweep, at 50 % noise: PCC ${sweep[sweep.length - 1]["test PCC %"].toFixed(2)} %, r² ${sweep[sweep.length - 1]["test r² %"].toFixed(2)} %. ` +
    `The paper's claim is qualitative ("a certain anti-noise ability", its Fig. 5); it gives no numbers to compare with.` +
    (bySize({ quick: true, full: false })
      ? " (Quick size: fewer training traces and epochs than the paper; run with --full for the published setting.)"
      : ""),
);
