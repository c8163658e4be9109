// Source of notebooks/12_tcn_transfer_overthrust.ipynb (percent format; build with `npm run notebooks:build`).

// %% [markdown]
// # TCN transfer learning from Marmousi-2 to Overthrust with five labelled traces (Wang et al. 2022, Table 1, Figs. 6–8)
//
// Steps 2–3 of the seed paper's workflow (its Fig. 3): load the TCN pre-trained on Marmousi-2
// (notebook 11), fine-tune it on **five** labelled traces of the SEG/EAGE Overthrust model, and invert
// the whole Overthrust section. Two baselines, as in the paper's Table 1: the pre-trained model applied
// directly, and a TCN trained from scratch on the same five traces ("TCN direct inversion"). All three
// are scored over the target section **less the five labelled traces** (796 of 801 traces; PCC, eq. 5;
// r², eq. 6; MSE and MAE in impedance units): a score that included the traces a model was trained on
// would credit it with remembering them (`transferExperiment` leaves the wells out by default and
// reports them in `excluded`).
//
// Beyond the paper: mean and spread over seeds, sensitivity to which five traces are labelled, PCC
// against the number of labelled traces (1, 3, 5, 10), which blocks to freeze while fine-tuning, and
// (issue 15) a real domain gap: a target synthesised with another wavelet and sampling, what a depth
// trend alone scores, and physics-guided fine-tuning.
//
// **Data.** Overthrust: one 801-trace inline, 187 depth samples at 25 m, impedance from vp and a
// Gardner density (`data/overthrust/SOURCE.md`). Seismic is synthesised with the same recipe as for
// Marmousi-2 (30 Hz Ricker, one depth sample taken as 2 ms) — the recipe of the bundled ResKAN
// Overthrust synthetic, which it reproduces (test/seismic.test.ts). **Wells**: the five labelled
// traces are the centres of five equal segments of the line, as evenly spaced wells would be
// (`wellTraces(801, 5)` = 80, 240, 400, 560, 720); the rule is a parameter.
//
// The paper does not state its fine-tuning epochs, learning rate, normalisation or which five traces it
// used; the choices here are the library's presets (`tcn.transferPreset()`), listed below.

// %%
import * as fs from "fs";
import * as path from "path";
import { bySize, runSize } from "./src/config";
import {
  epochProgress,
  initNotebook,
  markdown,
  plot,
  sectionFigure,
  table,
  traceOverlayFigure,
  xyFigure,
} from "./src/display";
import {
  loadDataset,
  overthrust,
  OVERTHRUST_MISMATCHED,
  randomTraces,
  SeismicDataset,
  sectionMetrics,
  wellTraces,
} from "./src/seismic";
import { openResults } from "./src/results";
import * as tcn from "./src/tcn";

initNotebook();
const rec = openResults("12_tcn_transfer_overthrust"); // key numbers to out/results/ (npm run results); shows nothing
// Seeded training on the wasm backend is bit-identical from run to run (two quick runs of this
// notebook agreed in every digit). The score band is below the gaps between the pre-trained, direct
// and transfer models, so a changed network, data, wavelet or training fails; it is not below the
// 0.0002 PCC between plain and weight-0.1 physics fine-tuning, which the quick size does not
// resolve. Another backend (tfjs-node) may need a re-record.
const tcnBand = {
  abs: 0.002,
  rel: 0.005,
  reason:
    "seeded TCN training on wasm, bit-identical in two quick runs; 0.002 + 0.5 % (r² far below 0 is large) absorbs a summation-order change, below the gaps between the pre-trained, direct and transfer models",
};
const lossBand = {
  rel: 0.05,
  reason:
    "final training MSE (standardised) on five traces, bit-identical on wasm; 5 %, where direct and transfer differ by a factor of 2",
};
const backend = await tcn.initBackend();
const nbSize = runSize();
markdown(
  `Run size **${nbSize}**; TensorFlow.js backend **${backend.tfName}** (${backend.reason}).`,
);

// %% [markdown]
// ## The pre-trained model
// Saved by notebook 11 under `out/models/`. When this notebook is opened alone and no saved model of this
// run size exists, a model is pre-trained here with the same preset (quick: about a minute).

// %%
const preDir = path.join("out", "models", `tcn_marmousi2_${nbSize}`);
async function loadOrPretrain(): Promise<tcn.TcnBundle> {
  if (fs.existsSync(path.join(preDir, tcn.BUNDLE_JSON))) {
    const b = await tcn.loadTcn(preDir);
    markdown(
      `Loaded the pre-trained model from \`${preDir}\` (trained ${(b.meta.history as { epochsRun?: number })?.epochsRun ?? "?"} epochs on ${b.meta.trainTraces} Marmousi-2 traces).`,
    );
    return b;
  }
  const r = await tcn.runPretrain(tcn.pretrainPreset(), {
    onEpoch: epochProgress("pre-training on Marmousi-2"),
  });
  markdown(
    `No saved model at \`${preDir}\`: pre-trained one here (${r.history.epochsRun} epochs; Marmousi-2 test PCC ${(100 * r.test.section.pcc).toFixed(2)} %).`,
  );
  return r.bundle;
}
const pretrained = await loadOrPretrain();

// %% [markdown]
// ## The target: Overthrust seismic and the five wells (Fig. 6)

// %%
const target = overthrust();
const nT = target.seismic.length;
const wells = wellTraces(nT, 5);
const cfg = tcn.transferPreset();
const secO = { dx: target.dx, dz: target.dz, xLabel: "x (m)", zLabel: "depth (m)" };
const wellMarks = wells.map((w) => ({ x: w * target.dx, label: `${w}` }));
plot(
  sectionFigure(target.seismic, {
    ...secO,
    symmetric: true,
    title: "Overthrust synthetic seismic (30 Hz Ricker) and the five labelled traces",
    colorbarTitle: "amplitude",
    markers: wellMarks,
  }),
);
table(
  [
    {
      run: "fine-tuning (transfer)",
      epochs: cfg.finetune.epochs,
      batch: cfg.finetune.batchSize,
      lr: cfg.finetune.lr,
      "weight decay": cfg.finetune.weightDecay,
      "frozen blocks": cfg.finetune.freezeBlocks,
      normalisation: `${cfg.finetune.normalization} traces`,
    },
    {
      run: "from scratch (TCN direct)",
      epochs: cfg.direct.epochs,
      batch: cfg.direct.batchSize,
      lr: cfg.direct.lr,
      "weight decay": cfg.direct.weightDecay,
      "frozen blocks": "-",
      normalisation: "target traces",
    },
  ],
  { caption: `Training on the wells ${wells.join(", ")}` },
);

// %% [markdown]
// ## Table 1 reproduced
// "Convergence loss" is the final training MSE on the five traces in standardised units (inference
// mode), the closest reading of the paper's column. The pre-trained model applied directly uses the
// Marmousi-2 normalisation for input and output, as it must without labels.

// %%
const settings = (t: tcn.TrainSettings, seed: number, label?: string) => ({
  epochs: t.epochs,
  batchSize: t.batchSize,
  lr: t.lr,
  weightDecay: t.weightDecay,
  patience: null,
  seed,
  ...(label ? { onEpoch: epochProgress(label) } : {}),
});
const ft = (seed: number, label?: string): tcn.FinetuneOptions => ({
  ...settings(cfg.finetune, seed, label),
  freezeBlocks: cfg.finetune.freezeBlocks,
  normalization: cfg.finetune.normalization,
});
const tab1 = await tcn.transferExperiment({
  pretrained: pretrained,
  target: target,
  wells: wells, // (tslab: no shorthand properties for variables of earlier cells)
  finetune: ft(cfg.seed, "transfer"),
  direct: {
    ...settings(cfg.direct, cfg.seed, "TCN direct"),
    config: { ...pretrained.config, seed: cfg.seed },
  },
});
const paper = {
  pretrained_direct: [8.31, 0.69, NaN],
  direct: [97.19, 94.47, 0.019556],
  transfer: [97.96, 95.97, 0.001082],
};
const names = {
  pretrained_direct: "Pre-trained model, direct prediction",
  direct: "TCN direct inversion (5 traces, from scratch)",
  transfer: "TCN transfer learning inversion",
};
const keys = ["pretrained_direct", "direct", "transfer"] as const;
rec.seeds([cfg.seed]);
rec.table(
  "tcn12.table1",
  keys.map((k) => ({ method: k, PCC: tab1[k].metrics.pcc, r2: tab1[k].metrics.r2 })),
  {
    tol: tcnBand,
    note: `seed ${cfg.seed}, scored on ${tab1.scored} traces, the labelled traces ${tab1.excluded.join(", ")} excluded`,
  },
);
rec.table(
  "tcn12.table1_loss",
  (["direct", "transfer"] as const).map((k) => ({ method: k, loss: tab1[k].loss ?? null })),
  { tol: lossBand, note: "final training MSE on the five traces (standardised, inference mode)" },
);
table(
  keys.map((k) => ({
    method: names[k],
    "PCC %": 100 * tab1[k].metrics.pcc,
    "paper PCC %": paper[k][0],
    "r² %": 100 * tab1[k].metrics.r2,
    "paper r² %": paper[k][1],
    loss: tab1[k].loss ?? NaN,
    "paper loss": paper[k][2],
    MAE: tab1[k].metrics.mae,
  })),
  {
    caption: `Table 1, Overthrust: scored on ${tab1.scored} traces, the ${tab1.excluded.length} labelled traces (${tab1.excluded.join(", ")}) excluded; ${nbSize} size`,
  },
);

// %% [markdown]
// ## Single traces 70 and 350 (Fig. 7)

// %%
for (const t of [70, 350]) {
  plot(
    traceOverlayFigure(
      [
        { name: "true", values: target.impedance[t] },
        { name: "pre-trained, direct", values: tab1.pretrained_direct.prediction[t], dash: "dot" },
        { name: "TCN direct", values: tab1.direct.prediction[t], dash: "dashdot" },
        { name: "TCN transfer", values: tab1.transfer.prediction[t], dash: "dash" },
      ],
      {
        title: `Overthrust trace ${t}`,
        axisLabel: "depth (m)",
        valueLabel: "Ip ((m/s)·(g/cm³))",
        dz: target.dz,
        vertical: true,
        height: 480,
      },
    ),
  );
}

// %% [markdown]
// ## The six sections of Fig. 8: inversion and error (inverted − true) for each method

// %%
const ipR = { zmin: 5000, zmax: 16500 };
for (const k of keys) {
  const pred = tab1[k].prediction;
  plot(
    sectionFigure(pred, {
      ...secO,
      ...ipR,
      title: `${names[k]}: inverted impedance`,
      colorbarTitle: "Ip<br>(m/s)·(g/cm³)",
      markers: wellMarks,
      height: 300,
    }),
  );
  plot(
    sectionFigure(
      pred.map((r, i) => r.map((v, j) => v - target.impedance[i][j])),
      {
        ...secO,
        symmetric: true,
        zmin: -4000,
        zmax: 4000,
        title: `${names[k]}: error`,
        colorbarTitle: "ΔIp<br>(m/s)·(g/cm³)",
        height: 300,
      },
    ),
  );
}

// %% [markdown]
// ## Beyond the paper
// The sweeps below use fewer epochs in the quick size than Table 1 does (listed in each caption); the
// full size uses the Table-1 settings throughout. Every score leaves out the labelled traces of its run.

// %%
const sweepEpochs = bySize({ quick: 150, full: cfg.finetune.epochs });
/** One sweep run: fine-tune on the traces `w` (and, unless directToo is false, train from scratch on them). */
type SweepRun = { w: number[]; seed: number; freeze?: number; directToo?: boolean };
/**
 * The sweep runs of a cell, two trainings at a time, one per core (`tcn.runFitsMany`: a wasm training
 * uses one thread; each result is bit for bit the one-at-a-time result), each scored on the target
 * without its labelled traces.
 */
const runSweep = async (runs: SweepRun[]) => {
  const jobs: tcn.FitJob[] = [];
  const labels: string[] = [];
  const at = runs.map((r) => {
    const transfer = jobs.length;
    jobs.push({
      kind: "finetune",
      pretrained: pretrained,
      data: target,
      train: r.w,
      opts: {
        ...ft(r.seed),
        epochs: sweepEpochs,
        freezeBlocks: r.freeze ?? cfg.finetune.freezeBlocks,
      },
    });
    labels.push(
      `transfer wells ${r.w.length} seed ${r.seed}${r.freeze ? ` frozen ${r.freeze}` : ""}`,
    );
    if (r.directToo === false) return { transfer, direct: -1 };
    jobs.push({
      kind: "fit",
      data: target,
      train: r.w,
      opts: {
        ...settings(cfg.direct, r.seed),
        epochs: sweepEpochs,
        config: { ...pretrained.config, seed: r.seed },
      },
    });
    labels.push(`direct wells ${r.w.length} seed ${r.seed}`);
    return { transfer, direct: jobs.length - 1 };
  });
  const bars = labels.map((l) => epochProgress(l));
  const fits = await tcn.runFitsMany(jobs, { threads: 2, onEpoch: (i, l) => bars[i](l) });
  const out = runs.map((r, k) => {
    const tr = fits[at[k].transfer];
    const dr = at[k].direct >= 0 ? fits[at[k].direct] : undefined;
    return {
      transfer: tcn.evaluateTcn(tr.bundle, target, undefined, r.w).section,
      transferLoss: tr.history.finalTrainLoss,
      direct: dr && tcn.evaluateTcn(dr.bundle, target, undefined, r.w).section,
      directLoss: dr ? dr.history.finalTrainLoss : NaN,
    };
  });
  fits.forEach((f) => f.bundle.model.dispose());
  return out;
};
const meanStd = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return {
    mean: m,
    std: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1)),
  };
};

// %% [markdown]
// ### Spread over seeds
// The seed sets the initial weights of the from-scratch TCN, the dropout masks and the batch order of
// both; the pre-trained model and the five wells are fixed.

// %%
const seeds = [1, 2, 3, 4, 5];
const bySeed = await runSweep(seeds.map((s) => ({ w: wells, seed: s })));
const seedRows = (["direct", "transfer"] as const).map((k) => {
  const pcc = meanStd(bySeed.map((r) => 100 * r[k]!.pcc));
  const r2 = meanStd(bySeed.map((r) => 100 * r[k]!.r2));
  return {
    method: k === "direct" ? "TCN direct" : "TCN transfer",
    "PCC % mean": pcc.mean,
    "PCC % std": pcc.std,
    "r² % mean": r2.mean,
    "r² % std": r2.std,
    "min PCC %": Math.min(...bySeed.map((r) => 100 * r[k]!.pcc)),
  };
});
rec.seeds([cfg.seed, ...seeds]);
rec.table(
  "tcn12.seeds",
  seedRows.map((r) => ({
    method: r.method,
    "PCC mean": r["PCC % mean"] / 100,
    "PCC sd": r["PCC % std"] / 100,
    "r2 mean": r["r² % mean"] / 100,
    "r2 sd": r["r² % std"] / 100,
  })),
  { tol: tcnBand, note: `mean ± sd over seeds ${seeds.join(", ")}, ${sweepEpochs} epochs` },
);
rec.table(
  "tcn12.seeds_loss",
  (["direct", "transfer"] as const).map((k) => {
    const l = meanStd(bySeed.map((r) => (k === "direct" ? r.directLoss : r.transferLoss)));
    return { method: k, "loss mean": l.mean, "loss sd": l.std };
  }),
  { tol: lossBand, note: `final training MSE, mean ± sd over seeds ${seeds.join(", ")}` },
);
table(seedRows, {
  caption: `${seeds.length} seeds, wells ${wells.join(", ")}, ${sweepEpochs} epochs`,
});

// %% [markdown]
// ### Which five traces?
// The evenly spread rule against the line ends included (`linspace`) and random sets of five.

// %%
const sets: { name: string; w: number[] }[] = [
  { name: "centres (default)", w: wells },
  { name: "linspace (ends included)", w: wellTraces(nT, 5, "linspace") },
  ...[11, 12, 13].map((s) => ({ name: `random (seed ${s})`, w: randomTraces(nT, 5, s) })),
];
const setRuns = await runSweep(sets.map((st) => ({ w: st.w, seed: 1 })));
const setRows = [];
for (const [k, st] of sets.entries()) {
  const r = setRuns[k];
  setRows.push({
    wells: st.name,
    traces: st.w.join(" "),
    "direct PCC %": 100 * r.direct!.pcc,
    "direct r² %": 100 * r.direct!.r2,
    "transfer PCC %": 100 * r.transfer.pcc,
    "transfer r² %": 100 * r.transfer.r2,
  });
}
table(setRows, { caption: `Sensitivity to the labelled traces (seed 1, ${sweepEpochs} epochs)` });

// %% [markdown]
// ### PCC against the number of labelled traces

// %%
const counts = [1, 3, 5, 10];
const byCount = await runSweep(counts.map((c) => ({ w: wellTraces(nT, c), seed: 1 })));
plot(
  xyFigure(
    [
      { name: "TCN direct, PCC", x: counts, y: byCount.map((r) => 100 * r.direct!.pcc) },
      { name: "TCN transfer, PCC", x: counts, y: byCount.map((r) => 100 * r.transfer.pcc) },
      { name: "TCN direct, r²", x: counts, y: byCount.map((r) => 100 * r.direct!.r2) },
      { name: "TCN transfer, r²", x: counts, y: byCount.map((r) => 100 * r.transfer.r2) },
    ],
    {
      title: "Overthrust: scores against the number of labelled traces",
      xLabel: "labelled traces (evenly spread)",
      yLabel: "%",
    },
  ),
);
table(
  counts.map((c, i) => ({
    traces: c,
    "direct PCC %": 100 * byCount[i].direct!.pcc,
    "transfer PCC %": 100 * byCount[i].transfer.pcc,
    "direct r² %": 100 * byCount[i].direct!.r2,
    "transfer r² %": 100 * byCount[i].transfer.r2,
  })),
  { caption: `seed 1, ${sweepEpochs} epochs` },
);

// %% [markdown]
// ### Frozen blocks while fine-tuning
// Freezing the first *k* of the eight residual blocks keeps the pre-trained low-level filters and
// trains fewer weights; *k* = 8 trains only the 1×1 output head.

// %%
const frozen = [0, 2, 4, 6, 8];
const freezeRuns = await runSweep(
  frozen.map((k) => ({ w: wells, seed: 1, freeze: k, directToo: false })),
);
const freezeRows = [];
for (const [i, k] of frozen.entries()) {
  const r = freezeRuns[i];
  freezeRows.push({
    "frozen blocks": k,
    "transfer PCC %": 100 * r.transfer.pcc,
    "transfer r² %": 100 * r.transfer.r2,
    "final loss": r.transferLoss,
  });
}
table(freezeRows, {
  caption: `Transfer with the first k blocks frozen (seed 1, ${sweepEpochs} epochs)`,
});

// %% [markdown]
// ## A real domain gap (issue 15)
// Above, source and target seismic are made with the same 30 Hz zero-phase Ricker and the same "one
// sample = 2 ms" convention, so the pre-trained model meets no wavelet change at all. The **mismatched
// target** (`OVERTHRUST_MISMATCHED`) is the same Overthrust impedance with a **20 Hz** Ricker **rotated
// by 90°** (`rotatePhase`, amplitude spectrum kept) on a depth grid **resampled to 18.75 m** (249
// samples instead of 187, by linear interpolation), so layers are 4/3 as many samples thick as in the
// matched target. Each method is run on both targets with the Table-1 settings over several seeds.
//
// Two references that use no seismic at all put the scores in context:
// * **pre-trained, zero seismic**: the Marmousi-2 model fed all-zero traces. With symmetric padding the
//   network sees where the trace ends, so it can output a depth trend without any seismic;
// * **mean of the five wells**: the average impedance profile of the labelled traces, copied to every trace.
//
// **Physics-guided fine-tuning** (after Alfarraj & AlRegib 2019; `FinetuneOptions.physics`, config
// `finetune.physicsWeight`): during fine-tuning, each step also takes 10 unlabelled target traces,
// synthesises seismic from the predicted impedance (reflectivity convolved with a 41-sample wavelet
// estimated by least squares from the five wells, `estimateWavelet`) and adds weight × the misfit to
// the observed seismic (both in standardised units). The weights 0.1 and 1 were fixed before any run,
// not chosen on these scores.
//
// "anomaly PCC" is the PCC of the impedance minus the five wells' mean profile (prediction and truth
// alike): it scores the lateral and fine structure that the trend does not give.

// %%
const gapSeeds = bySize({ quick: [1, 2, 3], full: [1, 2, 3, 4, 5] });
const gapTargets: { name: string; data: SeismicDataset }[] = [
  { name: "matched (30 Hz, 0°, 25 m)", data: target },
  { name: "mismatched (20 Hz, 90°, 18.75 m)", data: loadDataset({ ...OVERTHRUST_MISMATCHED }) },
];
const physicsWeights = [0.1, 1];
type GapScore = { pcc: number; r2: number; anomaly: number };
const gapScores: Record<string, Record<string, GapScore[]>> = {};
const wellMeanOf = (d: SeismicDataset, w: number[]) => {
  const L = d.impedance[0].length;
  const m = new Float32Array(L);
  for (const i of w) for (let j = 0; j < L; j++) m[j] += d.impedance[i][j] / w.length;
  return m;
};
for (const tg of gapTargets) {
  const d = tg.data;
  const n = d.seismic.length;
  const w = wellTraces(n, 5);
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !w.includes(i));
  const wm = wellMeanOf(d, w);
  const anomaly = (p: Float32Array[]) =>
    sectionMetrics(
      d.impedance.map((r) => r.map((v, j) => v - wm[j])),
      p.map((r) => r.map((v, j) => v - wm[j])),
      keep,
    ).pcc;
  const score = (p: Float32Array[]): GapScore => {
    const m = sectionMetrics(d.impedance, p, keep);
    return { pcc: m.pcc, r2: m.r2, anomaly: anomaly(p) };
  };
  const rows: Record<string, GapScore[]> = {};
  rows["pre-trained, zero seismic"] = [
    score(
      tcn.predictImpedance(
        pretrained,
        d.seismic.map((r) => new Float32Array(r.length)),
      ),
    ),
  ];
  rows["mean of the five wells"] = [score(d.impedance.map(() => wm))];
  rows["pre-trained, direct"] = [score(tcn.predictImpedance(pretrained, d.seismic))];
  // every training of this target, two at a time (tcn.runFitsMany), scored in the order of the loop
  const jobs: { method: string; label: string; job: tcn.FitJob }[] = [];
  for (const seed of gapSeeds) {
    jobs.push({
      method: "TCN direct (5 traces)",
      label: `${tg.name}: direct, seed ${seed}`,
      job: {
        kind: "fit",
        data: d,
        train: w,
        opts: { ...settings(cfg.direct, seed), config: { ...pretrained.config, seed } },
      },
    });
    for (const pw of [0, ...physicsWeights]) {
      const method = pw === 0 ? "TCN transfer" : `TCN transfer + physics (weight ${pw})`;
      jobs.push({
        method,
        label: `${tg.name}: ${method}, seed ${seed}`,
        job: {
          kind: "finetune",
          pretrained: pretrained,
          data: d,
          train: w,
          opts: { ...ft(seed), ...(pw > 0 ? { physics: { weight: pw } } : {}) },
        },
      });
    }
  }
  const bars = jobs.map((j) => epochProgress(j.label));
  const fits = await tcn.runFitsMany(
    jobs.map((j) => j.job),
    { threads: 2, onEpoch: (i, l) => bars[i](l) },
  );
  for (const [i, j] of jobs.entries()) {
    (rows[j.method] ??= []).push(score(tcn.predictImpedance(fits[i].bundle, d.seismic)));
    fits[i].bundle.model.dispose();
  }
  gapScores[tg.name] = rows;
}
const msd = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return v.length > 1
    ? `${(100 * m).toFixed(2)} ± ${(100 * Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1))).toFixed(2)}`
    : (100 * m).toFixed(2);
};
const gapRows = [];
for (const method of Object.keys(gapScores[gapTargets[0].name])) {
  const row: Record<string, string | number> = {
    method,
    runs: gapScores[gapTargets[0].name][method].length,
  };
  for (const tg of gapTargets) {
    const v = gapScores[tg.name][method];
    row[`${tg.name.split(" ")[0]} PCC %`] = msd(v.map((x) => x.pcc));
    row[`${tg.name.split(" ")[0]} r² %`] = msd(v.map((x) => x.r2));
    row[`${tg.name.split(" ")[0]} anomaly PCC %`] = msd(v.map((x) => x.anomaly));
  }
  gapRows.push(row);
}
const gapRec = [];
for (const tg of gapTargets) {
  for (const [method, v] of Object.entries(gapScores[tg.name])) {
    const pcc = meanStd(v.map((x) => x.pcc));
    const r2 = meanStd(v.map((x) => x.r2));
    gapRec.push({
      target: tg.name.split(" ")[0],
      method: method,
      runs: v.length,
      "PCC mean": pcc.mean,
      "PCC sd": v.length > 1 ? pcc.std : null,
      "r2 mean": r2.mean,
      "r2 sd": v.length > 1 ? r2.std : null,
      "anomaly PCC mean": meanStd(v.map((x) => x.anomaly)).mean,
    });
  }
}
rec.seeds(Array.from(new Set([cfg.seed, ...seeds, ...gapSeeds])));
rec.table("tcn12.domain_gap", gapRec, {
  tol: tcnBand,
  note: `matched (30 Hz, 0°, 25 m) and mismatched (20 Hz, 90°, 18.75 m) Overthrust, 796 non-well traces, seeds ${gapSeeds.join(", ")}`,
});
table(gapRows, {
  caption: `Matched and mismatched Overthrust targets, scored on the 796 traces that are not wells (mean ± sd over seeds ${gapSeeds.join(", ")}; ${cfg.finetune.epochs} epochs, ${nbSize} size)`,
});

// %%
const gapTrace = 350;
for (const tg of gapTargets) {
  const d = tg.data;
  const w = wellTraces(d.seismic.length, 5);
  const wm = wellMeanOf(d, w);
  plot(
    traceOverlayFigure(
      [
        { name: "true", values: d.impedance[gapTrace] },
        {
          name: "pre-trained, direct",
          values: tcn.predictImpedance(pretrained, [d.seismic[gapTrace]])[0],
          dash: "dot",
        },
        {
          name: "pre-trained, zero seismic",
          values: tcn.predictImpedance(pretrained, [
            new Float32Array(d.seismic[gapTrace].length),
          ])[0],
          dash: "dashdot",
        },
        { name: "mean of the five wells", values: wm, dash: "dash" },
      ],
      {
        title: `${tg.name}: trace ${gapTrace}`,
        axisLabel: "depth (m)",
        valueLabel: "Ip ((m/s)·(g/cm³))",
        dz: d.dz,
        vertical: true,
        height: 480,
      },
    ),
  );
}

// %% [markdown]
// ## Summary against the paper

// %%
const pc = (x: number) => `${(100 * x).toFixed(2)} %`;
const range = (rows: Float32Array[]) => {
  let lo = Infinity,
    hi = -Infinity;
  for (const r of rows)
    for (const v of r) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  return `${lo.toFixed(0)}–${hi.toFixed(0)}`;
};
markdown(
  [
    `| | PCC (this run) | PCC (paper) | r² (this run) | r² (paper) |`,
    `|---|---|---|---|---|`,
    ...keys.map(
      (k) =>
        `| ${names[k]} | ${pc(tab1[k].metrics.pcc)} | ${paper[k][0]} % | ${pc(tab1[k].metrics.r2)} | ${paper[k][1]} % |`,
    ),
    ``,
    `* Ordering: transfer ${tab1.transfer.metrics.pcc > tab1.direct.metrics.pcc ? "beats" : "does not beat"} the from-scratch TCN on PCC ` +
      `(${pc(tab1.transfer.metrics.pcc)} vs ${pc(tab1.direct.metrics.pcc)}) and ${tab1.transfer.metrics.r2 > tab1.direct.metrics.r2 ? "beats" : "does not beat"} it on r²; ` +
      `over ${seeds.length} seeds the transfer PCC is ${seedRows[1]["PCC % mean"].toFixed(2)} ± ${seedRows[1]["PCC % std"].toFixed(2)} % against ${seedRows[0]["PCC % mean"].toFixed(2)} ± ${seedRows[0]["PCC % std"].toFixed(2)} % from scratch.`,
    `* The pre-trained model applied directly: PCC ${pc(tab1.pretrained_direct.metrics.pcc)}, r² ${pc(tab1.pretrained_direct.metrics.r2)} (paper 8.31 %, 0.69 %). ` +
      `Here the shapes carry over (same wavelet and sampling in both synthetic blocks) but the Marmousi-2 impedance scale does not ` +
      `(Overthrust impedance spans ${range(target.impedance)}; the pre-trained model's training traces span ${(pretrained.yStats.mean - 2 * pretrained.yStats.std).toFixed(0)}–${(pretrained.yStats.mean + 2 * pretrained.yStats.std).toFixed(0)} as mean ± 2 std), ` +
      `which shows up as a strongly negative r².`,
    `* A wavelet and sampling change does not reproduce the paper's 8 %: on the mismatched target (20 Hz, 90°, 18.75 m) the pre-trained model ` +
      `applied directly scores PCC ${pc(gapScores[gapTargets[1].name]["pre-trained, direct"][0].pcc)} (matched: ${pc(gapScores[gapTargets[0].name]["pre-trained, direct"][0].pcc)}). ` +
      `The same model fed **all-zero seismic** scores ${pc(gapScores[gapTargets[0].name]["pre-trained, zero seismic"][0].pcc)} on the matched grid and ` +
      `${pc(gapScores[gapTargets[1].name]["pre-trained, zero seismic"][0].pcc)} on the mismatched one, and the five wells' mean profile copied to every trace scores ` +
      `PCC ${pc(gapScores[gapTargets[0].name]["mean of the five wells"][0].pcc)}, r² ${pc(gapScores[gapTargets[0].name]["mean of the five wells"][0].r2)}: ` +
      `PCC and r² over the section are dominated by the depth trend, which the network draws from the position in the trace, not from the seismic. ` +
      `A PCC near 8 % would need a model whose output has no depth trend matching Overthrust's; the paper's value is not explained by a wavelet change alone.`,
    `* Physics-guided fine-tuning against plain fine-tuning (mean over ${gapSeeds.length} seeds): ` +
      gapTargets
        .map(
          (tg) =>
            `${tg.name}: PCC ${msd(gapScores[tg.name]["TCN transfer"].map((x) => x.pcc))} % plain, ` +
            physicsWeights
              .map(
                (pw) =>
                  `${msd(gapScores[tg.name][`TCN transfer + physics (weight ${pw})`].map((x) => x.pcc))} % with weight ${pw}`,
              )
              .join(", "),
        )
        .join("; ") +
      ".",
  ].join("\n"),
);
