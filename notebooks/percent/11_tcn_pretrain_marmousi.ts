// Source of notebooks/11_tcn_pretrain_marmousi.ipynb (percent format; build with `npm run notebooks:build`).

// %% [markdown]
// # TCN pre-training on Marmousi-2 (Wang et al. 2022, "pre-trained inversion mapping model")
//
// Step 1 of the seed paper's transfer-learning workflow (its Fig. 3): train a temporal convolutional
// network (TCN) that maps a post-stack seismic trace to acoustic impedance on the Marmousi-2 model,
// the "feature block 1" with many labelled traces. This notebook shows the learning curves, the
// inverted impedance section and its error section, and the metrics on the test traces, and saves the
// model under `out/models/` for notebook 12 (transfer to Overthrust).
//
// **Network** (METHODS.md part A; Bai et al. 2018 as used by Mustafa et al. 2019): eight residual
// blocks with channels [3, 5, 5, 5, 6, 6, 6, 6]; block *i* has two dilated convolutions (dilation 2^i,
// kernel 5) with weight normalisation, ReLU and dropout 0.2, plus a 1×1 convolution on the skip path
// where the channel count changes; a 1×1 linear head. Adam (learning rate 10⁻³, weight decay 10⁻⁴),
// batch 10, MSE on standardised impedance, early stopping on the validation loss with the best weights
// restored.
//
// **Data.** The bundled Marmousi-2 copy has 1701 traces × 351 depth samples on a 10 m grid (the paper
// used 2721 traces × 701 samples at 6.25 m × 5 m; `data/marmousi2/SOURCE.md`). Seismic is synthesised:
// reflectivity of the impedance along each trace convolved with a 30 Hz zero-phase Ricker wavelet,
// each depth sample taken as 2 ms. Split 1:1:4 as in the paper (here 284 / 284 / 1133 traces; the quick
// size trains on 120 and validates on 60 of them). Inputs and targets are standardised with statistics
// of the training traces only.
//
// Run size: `GEOINV_SIZE=quick|full` (the notebook runner's `--quick` / `--full`).

// %%
import * as fs from "fs";
import * as path from "path";
import { bySize, runSize } from "./src/config";
import {
  epochProgress,
  initNotebook,
  learningCurveFigure,
  markdown,
  plot,
  sectionFigure,
  table,
  traceOverlayFigure,
} from "./src/display";
import { fractionToSnrDb, minTraceDistance } from "./src/seismic";
import { openResults } from "./src/results";
import * as tcn from "./src/tcn";

initNotebook();
const rec = openResults("11_tcn_pretrain_marmousi"); // key numbers to out/results/ (npm run results); shows nothing
// Seeded training on the wasm backend is bit-identical from run to run (two quick runs of this
// notebook agreed in every digit). The bands are below the effects the notebook measures (padding:
// 0.006 in validation PCC; random against blocked split: 0.025 in mean test PCC), so a changed
// network, data, split or training fails; another backend (tfjs-node) may need a re-record.
const tcnBand = {
  abs: 0.002,
  reason:
    "seeded TCN training on wasm, bit-identical in two quick runs; 0.002 absorbs a summation-order change, below the padding (0.006) and split (0.025) effects in PCC",
};
const lossBand = {
  abs: 0.002,
  reason:
    "training MSE (standardised) of a seeded run, bit-identical on wasm; 0.002 is below the 0.03 between the random and blocked splits",
};
const backend = await tcn.initBackend();
const nbSize = runSize();
markdown(
  `Run size **${nbSize}**; TensorFlow.js backend **${backend.tfName}** (${backend.reason}).`,
);

// %% [markdown]
// ## Pre-training
// The configuration is the library's preset for this run size (`tcn.pretrainPreset()`, the same object
// `geoinv tcn pretrain` uses).

// %%
const preCfg = tcn.pretrainPreset();
table(
  [
    {
      ...preCfg.train,
      split: JSON.stringify(preCfg.split.counts ?? preCfg.split.ratio),
      seismic: `${preCfg.data.freqHz} Hz Ricker, dt ${preCfg.data.dt} s`,
      padding: preCfg.model.padding,
    },
  ],
  { caption: "Pre-training settings" },
);
const pre = await tcn.runPretrain(preCfg, { onEpoch: epochProgress("pre-training") });
const preH = pre.history;
markdown(
  `Trained ${preH.epochsRun} epochs in ${preH.seconds.toFixed(0)} s (${preH.secondsPerEpoch.toFixed(2)} s/epoch` +
    ` on ${pre.split.train.length} traces); best validation loss ${preH.bestValLoss.toPrecision(3)} at epoch ${preH.bestEpoch}` +
    `${preH.stoppedEarly ? " (stopped early)" : ""}. Final training MSE (inference mode, the paper's "convergence loss"): ${preH.finalTrainLoss.toPrecision(3)}.`,
);

// %%
plot(
  learningCurveFigure(
    [
      { name: "training (dropout on)", values: preH.trainLoss },
      { name: "validation", values: preH.valLoss },
    ],
    { title: "Learning curves, Marmousi-2" },
  ),
);

// %% [markdown]
// ## Inverted section, error section and test metrics
// Metrics over the test traces only: "section" pools every sample of every test trace (N = traces ×
// samples in the paper's eqs. 5–6), "mean trace" averages the per-trace values. MSE and MAE are in
// impedance units, (m/s)·(g/cm³).

// %%
const d = pre.data;
const predM = pre.test.prediction;
const errM = predM.map((r, i) => r.map((v, j) => v - d.impedance[i][j]));
const secOpts = { dx: d.dx, dz: d.dz, xLabel: "x (m)", zLabel: "depth (m)", stride: 2 };
const ipRange = { zmin: 1500, zmax: 12400 };
plot(
  sectionFigure(d.impedance, {
    ...secOpts,
    ...ipRange,
    title: "True impedance",
    colorbarTitle: "Ip<br>(m/s)·(g/cm³)",
  }),
);
plot(
  sectionFigure(predM, {
    ...secOpts,
    ...ipRange,
    title: "TCN inversion (all traces; training traces included)",
    colorbarTitle: "Ip<br>(m/s)·(g/cm³)",
  }),
);
plot(
  sectionFigure(errM, {
    ...secOpts,
    symmetric: true,
    zmin: -3000,
    zmax: 3000,
    title: "Error: inverted − true",
    colorbarTitle: "ΔIp<br>(m/s)·(g/cm³)",
  }),
);
const fmtM = (name: string, m: { pcc: number; r2: number; mse: number; mae: number }) => ({
  "": name,
  "PCC %": 100 * m.pcc,
  "r² %": 100 * m.r2,
  MSE: m.mse,
  MAE: m.mae,
});
rec.seeds([preCfg.seed]);
rec.value("tcn11.pretrain.test_pcc", pre.test.section.pcc, {
  tol: tcnBand,
  note: `${pre.test.traces.length} test traces, all samples pooled`,
});
rec.value("tcn11.pretrain.test_r2", pre.test.section.r2, { tol: tcnBand });
rec.value("tcn11.pretrain.final_loss", preH.finalTrainLoss, {
  tol: lossBand,
  note: "final training MSE in inference mode (standardised)",
});
rec.value("tcn11.pretrain.best_val_loss", preH.bestValLoss, { tol: lossBand });
table(
  [
    fmtM("test traces, section", pre.test.section),
    fmtM("test traces, mean trace", pre.test.meanTrace),
  ],
  { caption: `Marmousi-2 test traces (${pre.test.traces.length})` },
);

// %%
for (const t of [
  pre.split.test[Math.floor(pre.split.test.length / 4)],
  pre.split.test[Math.floor((3 * pre.split.test.length) / 4)],
]) {
  plot(
    traceOverlayFigure(
      [
        { name: "true", values: d.impedance[t] },
        { name: "TCN", values: predM[t], dash: "dash" },
      ],
      {
        title: `Test trace ${t} (x = ${t * d.dx} m)`,
        axisLabel: "depth (m)",
        valueLabel: "Ip ((m/s)·(g/cm³))",
        dz: d.dz,
        vertical: true,
        height: 420,
      },
    ),
  );
}

// %% [markdown]
// ## Causal or symmetric padding?
// Bai et al.'s TCN is causal (output at sample *t* sees only samples ≤ *t*); Mustafa et al.'s impedance
// code pads symmetrically, and the seed paper calls its network causal. Impedance at a depth depends on
// reflections above *and* below it, so symmetric padding should do better. The library's default
// (`padding: "same"`) was chosen on **validation** traces, not on the test traces scored here:
// `npx tsx bench/tcn-padding.ts --seeds 0,1,2` (quick preset, seeds 0-2, each seed its own split)
// gave validation PCC 95.97 ± 0.23 % for "same" against 94.99 ± 0.50 % for "causal", "same" ahead
// on all three seeds (`bench/results/tcn-padding.json`). The table repeats it for seed 0 with the
// validation and the test scores side by side.

// %%
/**
 * The comparisons below train several models; `trainAll` runs them two at a time, one per core
 * (`tcn.runPretrainMany`: a wasm training uses one thread; the results are bit for bit those of
 * one-at-a-time training). Configs equal to the pre-training above reuse it.
 */
const compareTrain: tcn.TrainSettings = {
  ...preCfg.train,
  epochs: bySize({ quick: preCfg.train.epochs, full: 300 }),
  patience: null,
};
const isPre = (cfg: tcn.PretrainConfig) => JSON.stringify(cfg) === JSON.stringify(preCfg);
async function trainAll(cfgs: tcn.PretrainConfig[], labels: string[]) {
  const todo = cfgs.filter((c) => !isPre(c));
  const bars = labels.filter((_, i) => !isPre(cfgs[i])).map((l) => epochProgress(l));
  const done = await tcn.runPretrainMany(todo, { threads: 2, onEpoch: (i, l) => bars[i](l) });
  return cfgs.map((c) => (isPre(c) ? pre : done[todo.indexOf(c)]));
}
const paddings = ["same", "causal"] as const;
const padRuns = await trainAll(
  paddings.map((padding) => ({
    ...preCfg,
    model: { ...preCfg.model, padding },
    train: compareTrain,
  })),
  paddings.map((p) => `padding ${p}`),
);
const padRows = [];
for (const [k, padding] of paddings.entries()) {
  const r = padRuns[k];
  const val = tcn.evaluateTcn(r.bundle, r.data, r.split.val).section;
  padRows.push({
    padding,
    epochs: compareTrain.epochs,
    "validation PCC %": 100 * val.pcc,
    "validation r² %": 100 * val.r2,
    "test PCC %": 100 * r.test.section.pcc,
    "test r² %": 100 * r.test.section.r2,
    "test MAE": r.test.section.mae,
  });
  if (r !== pre) r.bundle.model.dispose();
}
table(padRows, { caption: "Padding: same data, split and seed" });
rec.table(
  "tcn11.padding",
  padRows.map((p) => ({
    padding: p.padding,
    "val PCC": p["validation PCC %"] / 100,
    "val r2": p["validation r² %"] / 100,
    "test PCC": p["test PCC %"] / 100,
    "test r2": p["test r² %"] / 100,
  })),
  { tol: tcnBand, note: `seed ${preCfg.seed}, ${padRows[0].epochs} epochs each` },
);

// %% [markdown]
// ## Random or spatially blocked split? (issue 15)
// The paper allocates traces to training, validation and test at random (1:1:4). On this 10 m trace grid
// almost every test trace then has a training trace one or two traces (10–20 m) away, and neighbouring
// traces of a smooth model are nearly the same, so the test score measures interpolation between training
// traces more than inversion of unseen geology. The blocked split (`split: { mode: "blocked", blockSize: 100,
// gap: 10 }`, a validated config key of `geoinv tcn pretrain` and `runPretrain`) cuts the line into blocks
// of 100 traces (1 km), allocates whole blocks at random in the same proportions, and leaves unused every
// training or validation trace within 10 traces (100 m) of a test trace. Same sizes, epochs and model;
// each model is scored on its own split's test traces. Full size: 300 epochs without early stopping per
// run, as for the padding (ten 1000-epoch trainings would take about 35 min more on two cores).

// %%
const splitSeeds = bySize({ quick: [0, 1, 2], full: [0, 1, 2, 3, 4] });
const splitRows: Record<string, number | string>[] = [];
const splitModes = ["random", "blocked"] as const;
const splitJobs = splitSeeds.flatMap((seed) => splitModes.map((mode) => ({ seed, mode })));
const splitRuns = await trainAll(
  splitJobs.map(({ seed, mode }) => ({
    ...preCfg,
    seed,
    train: compareTrain,
    split:
      mode === "random"
        ? { ...preCfg.split, seed }
        : { ...preCfg.split, mode, blockSize: 100, gap: 10, seed },
  })),
  splitJobs.map(({ seed, mode }) => `${mode} split, seed ${seed}`),
);
for (const [j, { seed, mode }] of splitJobs.entries()) {
  const r = splitRuns[j];
  const dist = r.split.test.map((t) => minTraceDistance([t], r.split.train)).sort((a, b) => a - b);
  splitRows.push({
    split: mode,
    seed,
    "train/val/test": `${r.split.train.length}/${r.split.val.length}/${r.split.test.length}`,
    "median test→train distance (traces)": dist[Math.floor(dist.length / 2)],
    "min distance": dist[0],
    "test PCC %": 100 * r.test.section.pcc,
    "test r² %": 100 * r.test.section.r2,
    "test MAE": r.test.section.mae,
    "final loss": r.history.finalTrainLoss,
  });
  if (r !== pre) r.bundle.model.dispose();
}
table(splitRows, {
  caption: `Random against blocked split (blockSize 100, gap 10), ${nbSize} size, seeds ${splitSeeds.join(", ")}`,
});
const splitMean = (mode: string, k: string) => {
  const v = splitRows.filter((r) => r.split === mode).map((r) => r[k] as number);
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1)) };
};
rec.seeds(splitSeeds);
rec.table(
  "tcn11.split_by_seed",
  splitRows.map((r) => ({
    split: r.split,
    seed: r.seed,
    "test PCC": (r["test PCC %"] as number) / 100,
    "test r2": (r["test r² %"] as number) / 100,
  })),
  { tol: tcnBand },
);
rec.table(
  "tcn11.split_loss_by_seed",
  splitRows.map((r) => ({ split: r.split, seed: r.seed, "final loss": r["final loss"] })),
  { tol: lossBand, note: "final training MSE in inference mode (standardised)" },
);
rec.table(
  "tcn11.split_mean_sd",
  (["random", "blocked"] as const).map((mode) => {
    const pcc = splitMean(mode, "test PCC %");
    const r2 = splitMean(mode, "test r² %");
    return {
      split: mode,
      "PCC mean": pcc.m / 100,
      "PCC sd": pcc.sd / 100,
      "r2 mean": r2.m / 100,
      "r2 sd": r2.sd / 100,
    };
  }),
  {
    tol: tcnBand,
    note: `mean ± sd over seeds ${splitSeeds.join(", ")}; each split's own test traces`,
  },
);
rec.table(
  "tcn11.split_loss_mean_sd",
  (["random", "blocked"] as const).map((mode) => {
    const loss = splitMean(mode, "final loss");
    return { split: mode, "loss mean": loss.m, "loss sd": loss.sd };
  }),
  {
    tol: lossBand,
    note: `final training MSE (standardised), mean ± sd over seeds ${splitSeeds.join(", ")}`,
  },
);
const fmtMs = (x: { m: number; sd: number }) => `${x.m.toFixed(2)} ± ${x.sd.toFixed(2)}`;
markdown(
  `Mean ± sd over ${splitSeeds.length} seeds: test PCC ${fmtMs(splitMean("random", "test PCC %"))} % (random) against ${fmtMs(splitMean("blocked", "test PCC %"))} % (blocked); ` +
    `r² ${fmtMs(splitMean("random", "test r² %"))} % against ${fmtMs(splitMean("blocked", "test r² %"))} %. ` +
    `The blocked score is the one that says how the network does on geology it has not seen.`,
);

// %% [markdown]
// ## Save the pre-trained model for notebook 12
// `tcn.saveTcn` writes the tfjs layers format (`model.json`, `weights.bin`) through a plain file
// handler (no tfjs-node needed) plus `geoinv-tcn.json` with the architecture and the training-set
// normalisation statistics. `geoinv tcn finetune --model DIR` and `tcn.loadTcn(DIR)` read it back.

// %%
const modelDir = path.join("out", "models", `tcn_marmousi2_${nbSize}`);
pre.bundle.meta = {
  ...pre.bundle.meta,
  size: nbSize,
  testMetrics: pre.test.section,
  noiseSnrDbOf20pc: fractionToSnrDb(0.2),
};
await tcn.saveTcn(pre.bundle, modelDir);
const back = await tcn.loadTcn(modelDir);
const same = tcn
  .predictImpedance(back, d.seismic.slice(0, 5))
  .every((r, i) => r.every((v, j) => v === predM[i][j]));
back.model.dispose();
markdown(
  `Saved to \`${modelDir}\` (${fs.readdirSync(modelDir).join(", ")}); reloaded model reproduces the predictions exactly: **${same}**.`,
);

// %% [markdown]
// ## Summary
// The paper gives no metrics for its Marmousi-2 pre-training (only the sections of its Fig. 5a/5c); the
// table above is this run's. The saved model is the starting point of the transfer experiment in
// notebook 12.
