/**
 * Physics-guided fine-tuning on Volve's blind window (issue 15 part 6), composed from the library's
 * exported well-transfer pieces without changing the well workflow: the blind test's fine-tuning
 * (labelled windows of the upper two thirds of the log, amplitudes matched on them, as in runFold),
 * plain and with the physics term on every 32-sample window of the whole well trace (the seismic
 * is observed everywhere, the impedance of the blind window is never used), wavelet estimated by
 * least squares on the labelled log. Scores: PCC, r2 and MAE over the held-back samples.
 *
 *   GEOINV_SIZE=quick npx tsx bench/tcn-volve-physics.ts [--weights 0.1,1]
 */
import { runSize } from "../src/config";
import { estimateWavelet, makeDataset, mae, pearson, rSquared, windowStarts } from "../src/seismic";
import * as tcn from "../src/tcn";
import { contiguousRuns } from "../src/tcn/internal";

async function main(): Promise<void> {
  await tcn.initBackend({ quiet: true });
  const wi = process.argv.indexOf("--weights");
  const weights = wi > 0 ? process.argv[wi + 1].split(",").map(Number) : [0.1, 1];
  const size = runSize();
  const cfg = tcn.wellTransferPreset(tcn.VOLVE_TARGET, size);
  const target = tcn.loadWellTarget(cfg.target);
  const freqHz = cfg.source.data.freqHz === "auto" ? tcn.dominantFrequency(target).freqHz : cfg.source.data.freqHz;
  const t0 = Date.now();
  const pre = await tcn.pretrainWindows(cfg.source, freqHz, cfg.seed);
  console.log(
    `size ${size}; pre-trained on Marmousi-2 windows at ${freqHz.toFixed(1)} Hz in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  const n = target.timeMs.length;
  const matched = tcn.matchAmplitudes(target, freqHz, target.labelled, pre.bundle.xStats.std);
  const L = cfg.window.length;
  const lab = windowStarts(contiguousRuns(target.labelled), L, cfg.window.stride);
  const phys = windowStarts([[0, n]], L, 1);
  const fill = new Float32Array(L).fill(target.impedance[target.labelled[0]]); // never used: physics traces carry no impedance
  const ds = makeDataset(
    "Volve windows",
    [...lab.map((s) => matched.well.subarray(s, s + L)), ...phys.map((s) => matched.well.subarray(s, s + L))],
    [...lab.map((s) => target.impedance.subarray(s, s + L)), ...phys.map(() => fill)],
  );
  const labIdx = lab.map((_, i) => i);
  const physIdx = phys.map((_, i) => lab.length + i);
  const [a, b] = contiguousRuns(target.labelled).reduce((p, q) => (q[1] - q[0] > p[1] - p[0] ? q : p));
  const est = estimateWavelet([matched.well.subarray(a, b)], [target.impedance.subarray(a, b)], {
    length: L % 2 ? L : L - 1,
  });
  console.log(
    `${lab.length} labelled windows, ${phys.length} physics windows; wavelet ${est.wavelet.length} samples from samples ${a}-${b}, fit correlation ${est.correlation.toFixed(3)}`,
  );
  const held = target.heldOut;
  const score = (p: Float32Array) => {
    const y = held.map((i) => target.impedance[i]);
    const q = held.map((i) => p[i]);
    return { pcc: pearson(y, q), r2: rSquared(y, q), mae: mae(y, q) };
  };
  const ft = cfg.finetune;
  const rows: Record<string, { pcc: number; r2: number; mae: number }[]> = {};
  for (let k = 0; k < cfg.seeds; k++) {
    const seed = cfg.seed + k;
    for (const w of [0, ...weights]) {
      const r = await tcn.finetuneTcn(pre.bundle, ds, labIdx, undefined, {
        epochs: ft.epochs,
        batchSize: ft.batchSize,
        lr: ft.lr,
        weightDecay: ft.weightDecay,
        patience: null,
        seed,
        freezeBlocks: ft.freezeBlocks,
        normalization: ft.normalization,
        ...(w > 0 ? { physics: { weight: w, traces: physIdx, wavelet: est.wavelet } } : {}),
      });
      const s = score(tcn.predictImpedance(r.bundle, [matched.well])[0]);
      (rows[w === 0 ? "transfer" : `transfer + physics ${w}`] ??= []).push(s);
      console.log(
        `seed ${seed} weight ${w}: blind PCC ${s.pcc.toFixed(3)} r2 ${s.r2.toFixed(3)} MAE ${s.mae.toFixed(0)}`,
      );
      r.bundle.model.dispose();
    }
  }
  const pd = score(tcn.predictImpedance(pre.bundle, [matched.well])[0]);
  console.log(`pre-trained direct: blind PCC ${pd.pcc.toFixed(3)} r2 ${pd.r2.toFixed(3)} MAE ${pd.mae.toFixed(0)}`);
  const ms = (v: number[]) => {
    const m = v.reduce((x, y) => x + y, 0) / v.length;
    const sd = Math.sqrt(v.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, v.length - 1));
    return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
  };
  console.log(`| method | blind PCC | blind r2 | blind MAE |\n|---|---|---|---|`);
  for (const [k, v] of Object.entries(rows))
    console.log(
      `| ${k} (${v.length} seeds) | ${ms(v.map((x) => x.pcc))} | ${ms(v.map((x) => x.r2))} | ${ms(v.map((x) => x.mae))} |`,
    );
  console.log(
    `held-back samples ${held.length} (${target.timeMs[held[0]]}-${target.timeMs[held[held.length - 1]]} ms); ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
