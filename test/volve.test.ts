import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { test } from "node:test";
import { loadVolve, toNpy } from "../src/data";
import {
  amplitudeSpectrum,
  convertImpedance,
  reflectivity,
  resampleAverage,
  ricker,
  rmsMatch,
  rowStats,
  scaleAmplitude,
  syntheticTrace,
  wellTie,
  windowStarts,
} from "../src/seismic";
import {
  dominantFrequency,
  loadWellTarget,
  matchAmplitudes,
  spread,
  targetPath,
  VOLVE_TARGET,
  wellTargetSpec,
  wellTransferConfig,
} from "../src/tcn";

const close = (a: number, b: number, tol: number, msg = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b} (tol ${tol})`);

// ---- resampling -------------------------------------------------------------------------------

test("resampleAverage 1 -> 4 ms: interior samples get the trapezoid box (0.5,1,1,1,0.5)/4, a closed-form response", () => {
  const dt = 0.001;
  for (const f of [10, 30, 60, 125]) {
    const x = Float64Array.from({ length: 401 }, (_, i) => Math.cos(2 * Math.PI * f * i * dt + 0.3));
    const r = resampleAverage(x, 0, 1, 4);
    assert.equal(r.values.length, 101);
    assert.equal(r.t0, 0);
    // response of the 5-tap filter at f (independent of the code's overlap arithmetic)
    const h = (1 + 2 * Math.cos(2 * Math.PI * f * dt) + Math.cos(4 * Math.PI * f * dt)) / 4;
    for (let k = 1; k < 100; k++)
      close(r.values[k], h * Math.cos(2 * Math.PI * f * 4 * k * dt + 0.3), 1e-12, `f=${f} k=${k}`);
  }
});

test("resampleAverage removes a 250 Hz tone that would alias to 0 Hz at 4 ms, passes the seismic band", () => {
  const x = Float64Array.from({ length: 401 }, (_, i) => Math.cos(2 * Math.PI * 250 * i * 0.001));
  const r = resampleAverage(x, 0, 1, 4);
  for (let k = 1; k < 100; k++) close(r.values[k], 0, 1e-12);
  // plain decimation (every 4th sample) would give a constant 1 here: that is the aliasing avoided
  const h30 = (1 + 2 * Math.cos(2 * Math.PI * 0.03) + Math.cos(4 * Math.PI * 0.03)) / 4;
  assert.ok(h30 > 0.97 && h30 < 0.98);
});

test("resampleAverage keeps constants and ramps, averages what is there at the ends, and rejects bad input", () => {
  const ramp = Float64Array.from({ length: 9 }, (_, i) => 2 + 3 * i);
  const r = resampleAverage(ramp, 100, 1, 4);
  assert.deepEqual(Array.from(r.values.slice(1, 2)), [2 + 3 * 4]); // centre sample 4 of a ramp
  // first output cell [98, 102] is cut to [99.5, 102]: samples 0 (weight 1), 1 (1), 2 (0.5)
  close(r.values[0], (2 * 1 + 5 * 1 + 8 * 0.5) / 2.5, 1e-12);
  const c = resampleAverage(new Float64Array(17).fill(7), 0, 1, 4);
  for (const v of c.values) close(v, 7, 1e-12);
  // identity when dtOut = dtIn
  const x = [1, 5, 2, 8];
  assert.deepEqual(Array.from(resampleAverage(x, 0, 2, 2).values), x);
  // non-integer ratio: cell overlap weights, a constant stays constant
  for (const v of resampleAverage(new Float64Array(30).fill(-3), 0, 1, 2.5).values) close(v, -3, 1e-12);
  assert.throws(() => resampleAverage([1, 2, 3], 0, 4, 1), /only coarsens/);
  assert.throws(() => resampleAverage([1, NaN, 3], 0, 1, 2), /sample 1 is NaN/);
  assert.throws(() => resampleAverage([1, 2, 3], 0, 1, 2, { t0Out: 10 }), /outside the input span/);
});

// ---- units ------------------------------------------------------------------------------------

test("convertImpedance: (km/s)(g/cm3) -> (m/s)(g/cm3) is x1000, -> kg/(m2 s) is x1e6, and back", () => {
  const ip = [5.71, 15.53];
  assert.deepEqual(
    Array.from(convertImpedance(ip, "km/s*g/cm3")).map((v) => Math.round(v)),
    [5710, 15530],
  );
  const si = convertImpedance(ip, "km/s*g/cm3", "m/s*kg/m3");
  close(si[0], 5.71e6, 1e-3);
  const back = convertImpedance(si, "m/s*kg/m3", "km/s*g/cm3");
  close(back[1], 15.53, 1e-12);
  // 10000 ft/s * 2.3 g/cc = 3048 m/s * 2.3 g/cc
  close(convertImpedance([23000], "ft/s*g/cm3")[0], 3048 * 2.3, 1e-9);
  assert.throws(() => convertImpedance([1], "km/s"), /unit 'km\/s' unknown/);
});

// ---- spectrum, amplitude, tie -------------------------------------------------------------------

test("amplitudeSpectrum peaks at a Ricker's dominant frequency", () => {
  for (const f of [12, 18, 25]) {
    const w = ricker(f, 0.004, 129);
    const sp = amplitudeSpectrum([w], 0.004, { df: 0.25 });
    close(sp.peakHz, f, 0.6, `Ricker ${f} Hz`);
  }
  // a 1 ms section of two traces with the same Ricker
  const w = ricker(20, 0.001, 301);
  close(amplitudeSpectrum([w, w], 0.001, { fmax: 100 }).peakHz, 20, 0.6);
});

test("rmsMatch + scaleAmplitude give zero mean, the target RMS and the polarity asked for", () => {
  const rows = [Float32Array.from([0.2, 0.9, 0.5, 0.1]), Float32Array.from([0.6, 0.4, 1.0, 0.0])];
  const { offset, gain } = rmsMatch(rows, 0.08, -1);
  const out = scaleAmplitude(rows, offset, gain);
  const st = rowStats(out);
  close(st.mean, 0, 1e-7);
  close(st.std, 0.08, 1e-7);
  assert.ok(out[0][1] < 0, "polarity -1 turns the largest value negative");
  assert.throws(() => rmsMatch([[1, 1, 1]], 0.1), /constant/);
  assert.throws(() => scaleAmplitude(rows, 0, 0), /non-zero gain/);
});

test("wellTie recovers polarity and RMS scale of a trace made from the log", () => {
  const rand = (() => {
    let s = 7;
    return () => (s = (s * 16807) % 2147483647) / 2147483647;
  })();
  const z = Float64Array.from({ length: 120 }, (_, i) => 8000 + 1500 * Math.sin(i / 9) + 600 * (rand() - 0.5));
  const syn = syntheticTrace(z, { freqHz: 20, dt: 0.004 });
  // the "real" trace: reversed polarity, min-max normalised to 0..1 (an offset and a gain)
  let lo = Infinity,
    hi = -Infinity;
  for (const v of syn) {
    lo = Math.min(lo, -v);
    hi = Math.max(hi, -v);
  }
  const real = Float64Array.from(syn, (v) => (-v - lo) / (hi - lo));
  const t = wellTie(real, z, 20, 0.004, { maxLag: 2 });
  close(t.correlation, -1, 1e-6);
  const back = scaleAmplitude([real], t.offset, t.gain)[0];
  let m = 0;
  for (const v of syn) m += v / syn.length;
  for (let i = 0; i < syn.length; i++) close(back[i], syn[i] - m, 1e-6);
  assert.equal(t.lagCorrelation.length, 5);
  assert.ok(Math.abs(t.lagCorrelation[2].r) > Math.abs(t.lagCorrelation[0].r));
  // with a perfect tie the least-squares gain equals the RMS gain
  close(t.lsGain, t.gain, 1e-6 * Math.abs(t.gain));
  // reflectivity is the synthetic's input: sanity of the convention (increase -> positive)
  assert.ok(reflectivity([1, 2])[0] > 0);
});

test("windowStarts keeps windows inside the labelled ranges", () => {
  assert.deepEqual(windowStarts([[0, 10]], 4, 3), [0, 3, 6]);
  assert.deepEqual(
    windowStarts(
      [
        [0, 3],
        [5, 12],
      ],
      4,
      2,
    ),
    [5, 7],
  );
  assert.throws(() => windowStarts([[0, 10]], 0), /length = 0/);
});

test("spread: mean, sample std, min, max; NaN ignored", () => {
  const s = spread([1, 2, 3, NaN]);
  assert.equal(s.n, 3);
  close(s.mean, 2, 1e-12);
  close(s.std, 1, 1e-12);
  assert.equal(s.min, 1);
  assert.equal(s.max, 3);
  assert.equal(spread([5]).std, 0);
});

// ---- the Volve target ---------------------------------------------------------------------------

test("Volve target: the well at 4 ms has 96 samples 2340-2720 ms, impedance in (m/s)(g/cm3), lower third held back", () => {
  const t = loadWellTarget(VOLVE_TARGET);
  const v = loadVolve();
  assert.equal(t.timeMs.length, 96);
  assert.equal(t.timeMs[0], 2340);
  assert.equal(t.timeMs[95], 2720);
  // sample 10 (2380 ms) is the trapezoid average of the 1 ms log at 2378..2382 ms, times 1000
  const i = 40; // 1 ms index of 2380 ms
  const ref =
    ((0.5 * v.well.ip[i - 2] + v.well.ip[i - 1] + v.well.ip[i] + v.well.ip[i + 1] + 0.5 * v.well.ip[i + 2]) / 4) * 1000;
  close(t.impedance[10], ref, 1e-6 * ref);
  assert.ok(rowStats([t.impedance]).mean > 5000 && rowStats([t.impedance]).mean < 16000);
  assert.deepEqual([t.heldOut[0], t.heldOut[t.heldOut.length - 1], t.heldOut.length], [64, 95, 32]);
  assert.equal(t.labelled.length, 64);
  assert.equal(t.apply.length, 2);
  assert.equal(t.apply[0].traces.length, 145);
  assert.equal(t.apply[1].traces.length, 21 * 73);
});

test("Volve amplitude matching: every data set ends with the reference RMS and the tie's polarity, from labelled samples only", () => {
  const t = loadWellTarget(VOLVE_TARGET);
  const m = matchAmplitudes(t, 18, t.labelled, 0.08);
  assert.deepEqual(m.tieSamples, [0, 64]);
  assert.equal(m.polarity, m.tie.correlation < 0 ? -1 : 1);
  close(rowStats([m.well.subarray(0, 64)]).std, m.refRms, 1e-5 * m.refRms);
  close(rowStats([m.well.subarray(0, 64)]).mean, 0, 1e-6);
  for (const s of m.apply) close(rowStats(s).std, m.refRms, 1e-5 * m.refRms);
  // changing the held-back log does not change the matching (no leak of held-back impedance)
  const t2 = { ...t, impedance: Float64Array.from(t.impedance, (v, k) => (k >= 64 ? v * 1.7 : v)) };
  const m2 = matchAmplitudes(t2, 18, t.labelled, 0.08);
  assert.equal(m2.wellGain, m.wellGain);
  assert.equal(m2.refRms, m.refRms);
});

test("dominant frequency of the Volve seismic lies in the usual 10-30 Hz and the median is used", () => {
  const f = dominantFrequency(loadWellTarget(VOLVE_TARGET));
  assert.equal(f.peaks.length, 3);
  for (const p of f.peaks) assert.ok(p.peakHz > 8 && p.peakHz < 35, `${p.name} ${p.peakHz}`);
  const sorted = f.peaks.map((p) => p.peakHz).sort((a, b) => a - b);
  close(f.freqHz, Math.round(sorted[1] * 2) / 2, 1e-12);
});

test("target config: errors name the field; paths resolve against the data directory or the current one", () => {
  assert.throws(() => wellTargetSpec({ ...VOLVE_TARGET, kind: "npy" }), /target\.kind/);
  assert.throws(
    () => wellTargetSpec({ ...VOLVE_TARGET, well: { ...VOLVE_TARGET.well, impedanceUnit: "km/s" } }),
    /impedanceUnit.*use one of/,
  );
  assert.throws(() => wellTargetSpec({ ...VOLVE_TARGET, dtMs: 0 }), /dtMs/);
  assert.throws(() => wellTargetSpec({ ...VOLVE_TARGET, bogus: 1 }), /target\.bogus: unknown field/);
  assert.throws(
    () => wellTargetSpec({ ...VOLVE_TARGET, apply: [{ name: "x", seismic: "a.npy", time: "t.npy", grid: [0, 3] }] }),
    /grid/,
  );
  assert.throws(
    () => loadWellTarget({ ...VOLVE_TARGET, heldOut: { fromMs: 2716, toMs: null } }),
    /hold back at least 3/,
  );
  assert.throws(() => wellTransferConfig({ target: VOLVE_TARGET, seeds: 0 }), /seeds = 0/);
  assert.throws(
    () => wellTransferConfig({ target: VOLVE_TARGET, finetune: { epoch: 3 } }),
    /finetune\.epoch: unknown field/,
  );
  const cfg = wellTransferConfig({ target: VOLVE_TARGET, seeds: 2, finetune: { epochs: 5 } }, "quick");
  assert.equal(cfg.seeds, 2);
  assert.equal(cfg.finetune.epochs, 5);
  assert.equal(cfg.finetune.normalization, "source");
  assert.match(targetPath({ dir: "volve_well_seismic" }, "a.npy"), /data[\\/]volve_well_seismic[\\/]a\.npy$/);
  assert.equal(targetPath({ dir: "/x" }, "a.npy"), "/x/a.npy");
  assert.equal(targetPath({ dir: "./y" }, "a.npy"), `${process.cwd()}/y/a.npy`);
  assert.equal(targetPath({ dir: "/x" }, "/abs/b.npy"), "/abs/b.npy");
});

test("a new target with the same kind of files needs only a config: other units, 2 ms well and section, absolute dir", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-well-"));
  try {
    const n = 101; // 1000-1200 ms at 2 ms
    const t = Float32Array.from({ length: n }, (_, i) => 1000 + 2 * i);
    const zSi = Float32Array.from({ length: n }, (_, i) => 7.5e6 + 1e6 * Math.sin(i / 7)); // (m/s)(kg/m3)
    const s = syntheticTrace(zSi, { freqHz: 25, dt: 0.002 });
    const w = (f: string, a: Float32Array, shape: number[]) => fs.writeFileSync(path.join(tmp, f), toNpy(a, shape));
    w("t.npy", t, [n]);
    w("s.npy", s, [n]);
    w("z.npy", zSi, [n]);
    const sec = new Float32Array(3 * n);
    for (let k = 0; k < 3; k++) sec.set(s, k * n);
    w("sec.npy", sec, [3, n]);
    const spec = {
      kind: "well",
      name: "test well",
      dir: tmp,
      well: { time: "t.npy", seismic: "s.npy", impedance: "z.npy", impedanceUnit: "m/s*kg/m3" },
      dtMs: 4,
      apply: [{ name: "line", seismic: "sec.npy", time: "t.npy" }],
    };
    const tg = loadWellTarget(spec);
    assert.equal(tg.timeMs.length, 51);
    assert.equal(tg.timeMs[50], 1200);
    // 4 ms sample 10 (1040 ms): its cell [1038, 1042] holds half of the 2 ms cell of sample 19 (1038 ms),
    // all of sample 20 (1040 ms) and half of sample 21 (1042 ms); units (m/s)(kg/m3) -> (m/s)(g/cm3) is /1000
    const ref = (0.5 * zSi[19] + zSi[20] + 0.5 * zSi[21]) / 2 / 1000;
    close(tg.impedance[10], ref, 1e-6 * ref);
    assert.equal(tg.apply[0].traces.length, 3);
    assert.equal(tg.apply[0].traces[0].length, 51);
    close(tg.apply[0].traces[2][10], (0.5 * s[19] + s[20] + 0.5 * s[21]) / 2, 1e-6);
    assert.deepEqual([tg.heldOut[0], tg.heldOut.length], [34, 17]); // lower third: from sample round(2*51/3) = 34
    // a synthetic trace made from the log ties with correlation +1 at zero shift (same wavelet family)
    const m = matchAmplitudes(tg, 25, tg.labelled, 0.1);
    assert.equal(m.polarity, 1);
    assert.ok(m.tie.correlation > 0.8, `tie ${m.tie.correlation}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
