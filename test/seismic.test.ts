import { test } from "node:test";
import assert from "node:assert/strict";
import { loadNpy2D } from "../src/data";
import {
  addNoise,
  addNoiseSnr,
  checkPair,
  convolveSame,
  destandardize,
  fitStandardizer,
  fractionToSnrDb,
  loadDataset,
  mae,
  marmousi2,
  meanTraceMetrics,
  metrics,
  mse,
  overthrust,
  pearson,
  randomTraces,
  reflectivity,
  ricker,
  rSquared,
  sectionMetrics,
  sectionRms,
  snrDbToFraction,
  splitTraces,
  standardize,
  syntheticSection,
  traceMetrics,
  ValidationError,
  wellTraces,
} from "../src/seismic";

const close = (a: number, b: number, tol: number, msg?: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ""} ${a} vs ${b} (tol ${tol})`);

test("ricker: peak 1 at the centre, symmetric, zero crossings at t = +-1/(pi f sqrt 2), recipe length", () => {
  const f = 30;
  const dt = 0.002;
  const w = ricker(f, dt);
  assert.equal(w.length, 37); // 2*floor(2.2/(30*0.002)/2)+1, data/overthrust/SOURCE.md
  assert.equal(w[18], 1);
  for (let k = 0; k < 18; k++) close(w[k], w[36 - k], 1e-15);
  // closed form at one lag, independent of the implementation's loop
  const t = 5 * dt;
  const a = Math.PI * f * t;
  close(w[18 + 5], (1 - 2 * a * a) * Math.exp(-a * a), 1e-12);
  // sign change between the samples around the analytic zero crossing
  const tz = 1 / (Math.PI * f * Math.SQRT2);
  const kz = Math.floor(tz / dt);
  assert.ok(w[18 + kz] > 0 && w[18 + kz + 1] < 0);
  assert.equal(ricker(25, 0.001, 11).length, 11);
  assert.throws(() => ricker(-1, 0.002), ValidationError);
});

test("reflectivity: (Z[k+1]-Z[k])/(Z[k+1]+Z[k]); sameLength appends a zero", () => {
  const r = reflectivity([1, 3, 3, 1]);
  assert.deepEqual(Array.from(r), [0.5, 0, -0.5]);
  const s = reflectivity([1, 3, 3, 1], true);
  assert.deepEqual(Array.from(s), [0.5, 0, -0.5, 0]);
  assert.throws(() => reflectivity([1, -1]), /finite and positive/);
});

test("convolveSame matches numpy's np.convolve(a, v, 'same') (values computed with NumPy 1.24)", () => {
  // np.convolve([1,0,0,0,0,0,0],[1,2,3,4],'same') -> [2,3,4,0,0,0,0]
  assert.deepEqual(Array.from(convolveSame([1, 0, 0, 0, 0, 0, 0], [1, 2, 3, 4])), [2, 3, 4, 0, 0, 0, 0]);
  // odd kernel -> [3,4,5,0,0,0,0]
  assert.deepEqual(Array.from(convolveSame([1, 0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5])), [3, 4, 5, 0, 0, 0, 0]);
  // kernel longer than the signal -> length of the kernel: [2,3,4,5,6,0]
  assert.deepEqual(Array.from(convolveSame([1, 0, 0], [1, 2, 3, 4, 5, 6])), [2, 3, 4, 5, 6, 0]);
  // against the full convolution written out directly
  const a = [0.3, -1, 2, 0.5, 4, -2, 1, 0];
  const v = [1, -2, 0.5];
  const full = new Array(a.length + v.length - 1).fill(0);
  a.forEach((x, i) => v.forEach((y, j) => (full[i + j] += x * y)));
  const same = convolveSame(a, v);
  for (let i = 0; i < a.length; i++) close(same[i], full[i + 1], 1e-12);
});

test("synthetic recipe reproduces the bundled ResKAN Overthrust seismic (30 Hz Ricker, 2 ms)", () => {
  const ip = loadNpy2D("overthrust/ip.npy").rows;
  const ref = loadNpy2D("overthrust/seismic_ricker30_reskan.npy").rows;
  const idx = [0, 70, 350, 800];
  const syn = syntheticSection(
    idx.map((i) => ip[i]),
    { freqHz: 30, dt: 0.002, sameLength: false },
  );
  let maxErr = 0;
  idx.forEach((i, k) => {
    assert.equal(syn[k].length, ref[i].length);
    for (let j = 0; j < ref[i].length; j++) maxErr = Math.max(maxErr, Math.abs(syn[k][j] - ref[i][j]));
  });
  // ip.npy is float32 of vp*rho/1000; ResKAN used float64 vp*rho: differences are float32 rounding only
  assert.ok(maxErr < 1e-6, `max abs diff ${maxErr}`); // measured 6e-8 over all 801 traces
  const same = syntheticSection([ip[70]], { sameLength: true })[0];
  assert.equal(same.length, 187);
});

test("noise: RMS is the stated fraction of the clean RMS; seeded; SNR in dB", () => {
  const clean = syntheticSection(loadNpy2D("overthrust/ip.npy").rows.slice(0, 200));
  const noisy = addNoise(clean, 0.2, 7);
  const diff = noisy.map((r, i) => r.map((x, j) => x - clean[i][j]));
  close(sectionRms(diff) / sectionRms(clean), 0.2, 0.002);
  assert.deepEqual(addNoise(clean, 0.2, 7)[5], noisy[5]);
  assert.notDeepEqual(addNoise(clean, 0.2, 8)[5], noisy[5]);
  close(fractionToSnrDb(0.2), 13.9794, 1e-4);
  close(snrDbToFraction(fractionToSnrDb(0.37)), 0.37, 1e-12);
  const bySnr = addNoiseSnr(clean, 20, 3);
  const d2 = bySnr.map((r, i) => r.map((x, j) => x - clean[i][j]));
  close(20 * Math.log10(sectionRms(clean) / sectionRms(d2)), 20, 0.1);
  assert.deepEqual(addNoise(clean, 0, 1)[3], clean[3]);
  assert.throws(() => addNoise(clean, -0.1, 1), ValidationError);
});

test("split 1:1:4: sizes, disjoint, complete, seeded; interleaved mode spans the line", () => {
  const s = splitTraces(1701, { seed: 3 });
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [284, 284, 1133]);
  const all = new Set([...s.train, ...s.val, ...s.test]);
  assert.equal(all.size, 1701);
  assert.deepEqual(splitTraces(1701, { seed: 3 }), s);
  assert.notDeepEqual(splitTraces(1701, { seed: 4 }).train, s.train);
  const p = splitTraces(2721, { counts: [450, 450, 1821], seed: 0 });
  assert.deepEqual([p.train.length, p.val.length, p.test.length], [450, 450, 1821]);
  const iv = splitTraces(600, { mode: "interleaved" });
  assert.deepEqual([iv.train.length, iv.val.length, iv.test.length], [100, 100, 400]);
  assert.equal(new Set([...iv.train, ...iv.val, ...iv.test]).size, 600);
  // every sixth of the line holds training traces
  for (let k = 0; k < 6; k++) assert.ok(iv.train.some((i) => i >= k * 100 && i < (k + 1) * 100));
  assert.throws(() => splitTraces(10, { counts: [5, 5, 5] }), ValidationError);
});

test("well traces: centres of k equal segments (80..720 for 5 of 801); random sets distinct", () => {
  assert.deepEqual(wellTraces(801, 5), [80, 240, 400, 560, 720]);
  assert.deepEqual(wellTraces(801, 1), [400]);
  assert.deepEqual(wellTraces(801, 5, "linspace"), [0, 200, 400, 600, 800]);
  const r = randomTraces(801, 5, 1);
  assert.equal(new Set(r).size, 5);
  assert.ok(r.every((i) => i >= 0 && i < 801));
  assert.throws(() => wellTraces(10, 11), ValidationError);
});

test("standardisation uses the training traces only and inverts exactly", () => {
  const rows = [Float32Array.from([1, 2, 3]), Float32Array.from([3, 4, 5]), Float32Array.from([100, 200, 300])];
  const st = fitStandardizer(rows, [0, 1]);
  close(st.mean, 3, 1e-12);
  close(st.std, Math.sqrt((4 + 1 + 0 + 0 + 1 + 4) / 6), 1e-12);
  const z = standardize(rows, st);
  close(z[2][0], (100 - 3) / st.std, 1e-4);
  const back = destandardize(z, st);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) close(back[i][j], rows[i][j], 1e-3);
  assert.throws(() => fitStandardizer([Float32Array.from([2, 2])]), /constant/);
});

test("metrics: PCC (eq. 5), r^2 (eq. 6), MSE, MAE on a hand-computed case and their invariances", () => {
  // p = [1,2,3,4], q = [1,3,2,4]: cov sum 4, var sums 5 and 5 -> PCC 0.8; SSres 2, SStot 5 -> r2 0.6
  const p = [1, 2, 3, 4];
  const q = [1, 3, 2, 4];
  close(pearson(p, q), 0.8, 1e-12);
  close(rSquared(p, q), 0.6, 1e-12);
  close(mse(p, q), 0.5, 1e-12);
  close(mae(p, q), 0.5, 1e-12);
  const x = [0.3, 1.7, -2, 5, 0.1];
  close(
    pearson(
      x,
      x.map((v) => 3 * v + 7),
    ),
    1,
    1e-12,
  );
  close(
    pearson(
      x,
      x.map((v) => -2 * v),
    ),
    -1,
    1e-12,
  );
  close(rSquared(x, x), 1, 1e-15);
  const m = x.reduce((a, b) => a + b) / x.length;
  close(
    rSquared(
      x,
      x.map(() => m),
    ),
    0,
    1e-12,
  );
  assert.ok(
    rSquared(
      x,
      x.map((v) => -v),
    ) < 0,
  );
  assert.throws(() => pearson([1, 2], [1]), ValidationError);
});

test("section metrics pool all samples; per-trace metrics and their mean", () => {
  const t = [Float32Array.from([1, 2, 3, 4]), Float32Array.from([2, 2, 5, 9])];
  const q = [Float32Array.from([1, 3, 2, 4]), Float32Array.from([2, 3, 5, 8])];
  const pooled = metrics([1, 2, 3, 4, 2, 2, 5, 9], [1, 3, 2, 4, 2, 3, 5, 8]);
  assert.deepEqual(sectionMetrics(t, q), pooled);
  const per = traceMetrics(t, q);
  close(per[0].pcc, 0.8, 1e-12);
  const mean = meanTraceMetrics(t, q);
  close(mean.r2, (per[0].r2 + per[1].r2) / 2, 1e-12);
  assert.deepEqual(sectionMetrics(t, q, [1]), metrics(t[1], q[1]));
});

test("data checks: shape mismatch and NaN are named", () => {
  assert.throws(
    () => checkPair([new Float32Array(5)], [new Float32Array(4)]),
    /shape mismatch.*\(1 traces, 5 samples\).*\(1, 4\)/,
  );
  assert.throws(() => checkPair([Float32Array.from([1, NaN])], [Float32Array.from([1, 2])]), /trace 0 sample 1 is NaN/);
  assert.throws(
    () => checkPair([new Float32Array(2), new Float32Array(3)], [new Float32Array(2), new Float32Array(3)]),
    /trace 1 has 3 samples/,
  );
});

test("bundled datasets: Marmousi-2 1701 x 351 and Overthrust 801 x 187 with same-length synthetics; specs", () => {
  const m = marmousi2({ traceStep: 10 });
  assert.equal(m.seismic.length, 171);
  assert.equal(m.seismic[0].length, 351);
  assert.equal(m.impedance[0].length, 351);
  assert.equal(m.traceIndex[3], 30);
  const o = overthrust();
  assert.deepEqual([o.seismic.length, o.seismic[0].length], [801, 187]);
  const r = overthrust({ seismic: "reskan" });
  assert.deepEqual([r.seismic.length, r.seismic[0].length, r.impedance[0].length], [801, 186, 186]);
  // first 186 samples of the same-length synthetic equal the ResKAN recipe
  for (let j = 0; j < 186; j++) close(o.seismic[70][j], r.seismic[70][j], 1e-6);
  const n = loadDataset({ name: "marmousi2", noise: 0.2, noiseSeed: 1, traceStep: 100 });
  assert.match(n.description, /20 % of the clean RMS/);
  assert.throws(() => loadDataset({ name: "marmousi3" }), /use marmousi2, overthrust or npy/);
  assert.throws(() => loadDataset({ name: "overthrust", freq: 30 } as never), /data.freq: unknown field/);
});

test("fitStandardizer names the data it was fitted on when the traces are constant", () => {
  assert.throws(
    () => fitStandardizer([Float32Array.from([0, 0])], undefined, "impedance"),
    /ValidationError: impedance: .*constant/,
  );
});
