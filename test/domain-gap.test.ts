import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mulberry32 } from "../src/config";
import {
  blockedSplit,
  convolveSame,
  dftAmplitude,
  estimateWavelet,
  fitStandardizer,
  loadDataset,
  makeDataset,
  minTraceDistance,
  OVERTHRUST_MISMATCHED,
  reflectivity,
  resampleLinear,
  ricker,
  rotatePhase,
  sectionMetrics,
  splitTraces,
  standardize,
  syntheticSection,
  ValidationError,
} from "../src/seismic";
import {
  evaluateTcn,
  finetuneTcn,
  fitTcn,
  initBackend,
  mergeConfig,
  physicsMisfit,
  pretrainPreset,
  runPretrain,
  runTransfer,
  synthesizeStandardized,
  transferExperiment,
  transferPreset,
} from "../src/tcn";

before(async () => {
  await initBackend({ quiet: true });
});

/** A layered impedance section: piecewise-constant layers whose depths drift along the line. */
function layered(n: number, L: number, seed: number): Float32Array[] {
  const r = mulberry32(seed);
  const tops = Array.from({ length: 8 }, (_, k) => (k + 0.3 + 0.5 * r()) * (L / 8));
  const vals = Array.from({ length: 9 }, () => 4000 + 6000 * r());
  return Array.from({ length: n }, (_, i) =>
    Float32Array.from({ length: L }, (_, j) => {
      let k = 0;
      while (k < tops.length && j > tops[k] + 3 * Math.sin((i + 1) * 0.2 + k)) k++;
      return vals[k] + 50 * Math.sin(0.3 * j + 0.1 * i);
    }),
  );
}

test("blocked split: contiguous blocks, disjoint, no training or validation trace within the gap of a test trace", () => {
  for (const [n, blockSize, gap, seed] of [
    [1701, 100, 10, 0],
    [1701, 50, 25, 3],
    [801, 40, 5, 7],
  ]) {
    const s = splitTraces(n, { mode: "blocked", blockSize, gap, seed });
    const all = [...s.train, ...s.val, ...s.test];
    assert.equal(new Set(all).size, all.length, "disjoint");
    assert.ok(minTraceDistance(s.train, s.test) > gap, `train-test distance > ${gap}`);
    assert.ok(minTraceDistance(s.val, s.test) > gap, `val-test distance > ${gap}`);
    assert.ok(minTraceDistance(s.train, s.val) > gap, `train-val distance > ${gap}`);
    // test blocks are whole: every test trace's block is all test
    for (const t of s.test) {
      const b = Math.floor(t / blockSize);
      for (let i = b * blockSize; i < Math.min(n, (b + 1) * blockSize); i++) assert.ok(s.test.includes(i));
    }
    // only the gap traces are unused
    const used = new Set(all);
    for (let i = 0; i < n; i++)
      if (!used.has(i)) assert.ok(minTraceDistance([i], s.test) <= gap || minTraceDistance([i], s.val) <= gap);
    assert.deepEqual(splitTraces(n, { mode: "blocked", blockSize, gap, seed }), s, "seeded");
  }
  // the paper's random split puts test traces next to training traces
  const r = splitTraces(1701, { seed: 0 });
  assert.equal(minTraceDistance(r.train, r.test), 1);
  // counts: exact sizes from the blocked subsets
  const c = blockedSplit(1701, { counts: [120, 60, 1133], blockSize: 100, gap: 10, seed: 0 });
  assert.deepEqual([c.train.length, c.val.length, c.test.length], [120, 60, 1133]);
  assert.ok(minTraceDistance(c.train, c.test) > 10);
});

test("split options are validated: mode, blockSize, gap, keys, counts that the blocks cannot give", () => {
  const field = (f: () => unknown, name: string) =>
    assert.throws(f, (e: unknown) => e instanceof ValidationError && String((e as Error).message).includes(name));
  field(() => splitTraces(100, { mode: "blokced" as never }), "split.mode");
  field(() => splitTraces(100, { mode: "blocked", blockSize: 0 }), "split.blockSize");
  field(() => splitTraces(100, { mode: "blocked", gap: -1 }), "split.gap");
  field(() => splitTraces(100, { mode: "random", blockSize: 10 }), "split.blockSize");
  field(() => splitTraces(100, { mode: "blocked", blokSize: 10 } as never), "split.blokSize");
  field(() => splitTraces(100, { mode: "blocked", blockSize: 100 }), "split.blockSize");
  field(() => splitTraces(300, { mode: "blocked", blockSize: 50, gap: 20, counts: [50, 10, 100] }), "split.counts");
});

test("phase rotation keeps the amplitude spectrum; 0 and 180 degrees are identity and sign flip; 90 makes a Ricker odd", () => {
  const w = ricker(25, 0.002);
  const len = w.length;
  const N = 2 * Math.floor(1.5 * len) + 1;
  const padded = new Float64Array(N);
  const shift = (N - 1) / 2 - Math.floor(len / 2);
  w.forEach((v, k) => (padded[k + shift] = v));
  const a0 = dftAmplitude(padded);
  for (const deg of [30, 90, -120, 180]) {
    const r = rotatePhase(w, deg);
    assert.equal(r.length, N);
    const a = dftAmplitude(r);
    for (let f = 1; f < N; f++)
      assert.ok(Math.abs(a[f] - a0[f]) < 1e-9 * Math.max(1, a0[f]), `|W| at bin ${f}, ${deg} deg`);
    assert.ok(Math.abs(a[0] - Math.abs(Math.cos((deg * Math.PI) / 180)) * a0[0]) < 1e-9, "DC scaled by cos");
  }
  const id = rotatePhase(w, 0);
  id.forEach((v, k) => assert.ok(Math.abs(v - padded[k]) < 1e-12));
  rotatePhase(w, 180).forEach((v, k) => assert.ok(Math.abs(v + padded[k]) < 1e-12));
  const q = rotatePhase(w, 90);
  const c = (N - 1) / 2;
  let peak = 0;
  for (let k = 1; k <= c; k++) {
    assert.ok(Math.abs(q[c + k] + q[c - k]) < 1e-9, "odd about the centre");
    peak = Math.max(peak, Math.abs(q[c + k]));
  }
  assert.ok(Math.abs(q[c]) < 1e-9 && peak > 0.3);
  // two rotations add
  const twice = rotatePhase(rotatePhase(w, 45), 45);
  const sub = twice.subarray((twice.length - N) / 2, (twice.length + N) / 2);
  sub.forEach((v, k) => assert.ok(Math.abs(v - q[k]) < 1e-3, `45+45 = 90 at ${k}`));
  assert.throws(() => rotatePhase(w, 10, N + 1), ValidationError);
});

test("least-squares wavelet from wells recovers the wavelet of a noise-free synthetic, phase included", () => {
  const imp = layered(6, 200, 4).map((r, i) => r.map((v, j) => v * (1 + 0.03 * Math.sin(0.7 * j + i))));
  const rot = rotatePhase(ricker(20, 0.002), 60);
  const c = (rot.length - 1) / 2;
  const w = rot.subarray(c - 20, c + 21); // 41 samples
  const seis = syntheticSection(imp, { wavelet: w });
  const est = estimateWavelet(seis, imp, { length: 41, damping: 1e-10 });
  let err = 0,
    ref = 0;
  est.wavelet.forEach((v, k) => {
    err += (v - w[k]) ** 2;
    ref += w[k] ** 2;
  });
  assert.ok(Math.sqrt(err / ref) < 1e-4, `relative wavelet error ${Math.sqrt(err / ref)}`);
  assert.ok(est.correlation > 0.9999);
  assert.throws(() => estimateWavelet(seis, imp, { length: 40 }), ValidationError);
});

test("linear depth resampling is exact on a linear trace; the mismatched Overthrust has 249 samples at 18.75 m", () => {
  const x = Float32Array.from({ length: 11 }, (_, i) => 3 + 2 * i);
  const y = resampleLinear([x], 0.75)[0];
  assert.equal(y.length, 14);
  y.forEach((v, k) => assert.ok(Math.abs(v - (3 + 2 * 0.75 * k)) < 1e-5));
  const m = loadDataset({ ...OVERTHRUST_MISMATCHED, traceStep: 100 });
  assert.equal(m.impedance[0].length, 249);
  assert.equal(m.seismic[0].length, 249);
  assert.equal(m.dz, 18.75);
  assert.match(m.description, /rotated by 90 degrees/);
  assert.throws(() => loadDataset({ name: "overthrust", seismic: "reskan", phaseDeg: 90 }), ValidationError);
  assert.throws(() => loadDataset({ name: "overthrust", zStep: 0 }), ValidationError);
});

test("physics misfit: zero for the true impedance with the true wavelet, equal to convolveSame, positive otherwise", () => {
  const imp = layered(4, 120, 9);
  const w = rotatePhase(ricker(30, 0.002), 45).subarray(10, 61); // odd, 51 samples
  const seis = syntheticSection(imp, { wavelet: w });
  const xStats = fitStandardizer(seis);
  const yStats = fitStandardizer(imp);
  const pack = (rows: Float32Array[]) =>
    tf.tensor3d(Float32Array.from(rows.flatMap((r) => Array.from(r))), [rows.length, rows[0].length, 1]);
  const z = pack(standardize(imp, yStats));
  const x = pack(standardize(seis, xStats));
  const syn = synthesizeStandardized(z, yStats, w, xStats);
  const got = syn.arraySync().map((r) => r.map((v) => v[0] * xStats.std + xStats.mean));
  // independent reference: the Float64 convolutional model
  imp.forEach((row, i) => {
    const ref = convolveSame(reflectivity(row, true), w);
    ref.forEach((v, j) => assert.ok(Math.abs(got[i][j] - v) < 1e-4 * xStats.std + 1e-6, `trace ${i} sample ${j}`));
  });
  const zero = physicsMisfit(z, x, yStats, w, xStats).dataSync()[0];
  assert.ok(zero < 1e-8, `misfit of the truth ${zero}`);
  const wrong = physicsMisfit(z, x, yStats, ricker(15, 0.002), xStats).dataSync()[0];
  assert.ok(wrong > 0.1, `misfit with a wrong wavelet ${wrong}`);
  tf.dispose([z, x, syn]);
});

test("scores can exclude the labelled traces; the transfer experiment excludes the wells by default", async () => {
  const imp = layered(16, 64, 2);
  const d = makeDataset("toy", syntheticSection(imp, { freqHz: 30, dt: 0.002 }), imp);
  const cfg = { channels: [3, 3], kernelSize: 3 };
  const { bundle } = await fitTcn(d, [0, 1, 2, 3, 4, 5], undefined, { epochs: 1, batchSize: 3, seed: 1, config: cfg });
  const e = evaluateTcn(bundle, d, undefined, [3, 8]);
  assert.equal(e.traces.length, 14);
  assert.ok(!e.traces.includes(3) && !e.traces.includes(8));
  assert.deepEqual(e.excluded, [3, 8]);
  assert.deepEqual(e.section, sectionMetrics(d.impedance, e.prediction, e.traces));
  assert.throws(() => evaluateTcn(bundle, d, [1, 2], [1, 2]), ValidationError);
  const wells = [2, 7, 12];
  const r = await transferExperiment({
    pretrained: bundle,
    target: d,
    wells,
    finetune: { epochs: 1, batchSize: 3, seed: 1 },
    direct: { epochs: 1, batchSize: 3, seed: 1, config: cfg },
  });
  assert.deepEqual(r.excluded, wells);
  assert.equal(r.scored, 13);
  const kept = Array.from({ length: 16 }, (_, i) => i).filter((i) => !wells.includes(i));
  assert.deepEqual(r.pretrained_direct.metrics, sectionMetrics(d.impedance, r.pretrained_direct.prediction, kept));
  r.direct.bundle?.model.dispose();
  r.transfer.bundle?.model.dispose();
  bundle.model.dispose();
});

test("physics-guided fine-tuning: validated weight, estimated wavelet recorded, resumes bit-identically", async () => {
  const imp = layered(12, 64, 5);
  const d = makeDataset("toy", syntheticSection(imp, { freqHz: 30, dt: 0.002 }), imp);
  const cfg = { channels: [3, 3], kernelSize: 3 };
  const { bundle: pre } = await fitTcn(d, [0, 1, 2, 3], undefined, { epochs: 1, batchSize: 2, seed: 1, config: cfg });
  await assert.rejects(
    finetuneTcn(pre, d, [2, 6, 10], undefined, { epochs: 1, seed: 1, physics: { weight: -1 } }),
    (e: unknown) => e instanceof ValidationError && /physics\.weight/.test((e as Error).message),
  );
  await assert.rejects(
    finetuneTcn(pre, d, [2, 6, 10], undefined, { epochs: 1, seed: 1, physics: { weight: 1, waveletLength: 8 } }),
    ValidationError,
  );
  const opts = { epochs: 4, batchSize: 3, seed: 2, physics: { weight: 0.5, batchSize: 4, waveletLength: 21 } };
  const a = await finetuneTcn(pre, d, [2, 6, 10], undefined, opts);
  const meta = a.bundle.meta.physics as { traces: number; waveletLength: number; waveletEstimated: boolean };
  assert.equal(meta.traces, 9);
  assert.equal(meta.waveletLength, 21);
  assert.ok(meta.waveletEstimated);
  const plain = await finetuneTcn(pre, d, [2, 6, 10], undefined, { ...opts, physics: undefined });
  assert.notDeepEqual(a.history.trainLoss, plain.history.trainLoss, "the physics term changes the training");
  // interrupted during epoch 3 (the checkpoint holds epoch 2) and resumed == uninterrupted
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-physics-"));
  const file = path.join(dir, "ck.json");
  const stop = (l: { epoch: number }) => {
    if (l.epoch === 3) throw new Error("interrupted");
  };
  await assert.rejects(
    finetuneTcn(pre, d, [2, 6, 10], undefined, { ...opts, checkpoint: { file }, onEpoch: stop }),
    /interrupted/,
  );
  const b = await finetuneTcn(pre, d, [2, 6, 10], undefined, { ...opts, checkpoint: { file, resume: true } });
  assert.deepEqual(b.history.trainLoss, a.history.trainLoss);
  const wa = a.bundle.model.getWeights().map((t) => Array.from(t.dataSync()));
  const wb = b.bundle.model.getWeights().map((t) => Array.from(t.dataSync()));
  assert.deepEqual(wb, wa);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const m of [pre, a.bundle, plain.bundle, b.bundle]) m.model.dispose();
});

test("config keys: split.mode and finetune.physicsWeight are validated before any training", async () => {
  const named = (name: string) => (e: unknown) => e instanceof ValidationError && (e as Error).message.includes(name);
  await assert.rejects(
    runPretrain(mergeConfig(pretrainPreset("quick"), { split: { mode: "blokced" } })),
    named("split.mode"),
  );
  await assert.rejects(
    runPretrain(mergeConfig(pretrainPreset("quick"), { split: { mode: "random", gap: 5 } })),
    named("split.blockSize"),
  );
  const imp = layered(8, 64, 3);
  const d = makeDataset("toy", syntheticSection(imp, { freqHz: 30, dt: 0.002 }), imp);
  const { bundle } = await fitTcn(d, [0, 1, 2], undefined, {
    epochs: 1,
    batchSize: 3,
    seed: 1,
    config: { channels: [3, 3], kernelSize: 3 },
  });
  for (const bad of [-1, "0.1"]) {
    const cfg = mergeConfig(transferPreset("quick"), { finetune: { physicsWeight: bad } });
    await assert.rejects(runTransfer(cfg, { pretrained: bundle }), named("finetune.physicsWeight"));
  }
  assert.throws(() => mergeConfig(transferPreset("quick"), { finetune: { physicsWieght: 1 } }), ValidationError);
  bundle.model.dispose();
});
