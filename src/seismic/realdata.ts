import { ValidationError, checkSection } from "./errors";
import { ricker, syntheticTrace } from "./synthetic";

/**
 * Putting real seismic and a well log on the footing of the synthetic training data (issue 8):
 * resampling a finely sampled log or trace to the seismic sample interval with an anti-alias box
 * average, impedance unit conversion, the dominant frequency of real seismic, and the amplitude
 * scaling that takes min-max-normalised (or raw) real seismic to the scale of a convolutional
 * synthetic r * w made with a unit-peak Ricker wavelet. Each step is an explicit function so that a
 * notebook or config can say which scaling was used.
 */

function finite(x: ArrayLike<number>, what: string): void {
  if (x.length === 0) throw new ValidationError(`${what}: empty input`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]))
      throw new ValidationError(`${what}: sample ${i} is ${x[i]}; remove or interpolate non-finite values first`);
  }
}

export interface Resampled {
  values: Float64Array;
  /** Time of the first output sample (same unit as the input times). */
  t0: number;
  dt: number;
}

/**
 * Resample a regularly sampled series (first sample at `t0`, interval `dtIn`) to the interval
 * `dtOut` >= dtIn with a box average of width dtOut centred on each output time ("cell-overlap
 * averaging"): input sample i stands for the cell [t_i - dtIn/2, t_i + dtIn/2] and contributes in
 * proportion to the overlap of its cell with the output cell [t_k - dtOut/2, t_k + dtOut/2].
 *
 * For 1 ms -> 4 ms with aligned grids the weights are (0.5, 1, 1, 1, 0.5)/4 over the samples at
 * t_k-2 .. t_k+2 ms: a zero-phase filter with response H(f) = [1 + 2 cos(2 pi f dt) + cos(4 pi f dt)]/4
 * (dt = 1 ms), which passes the seismic band (H(30 Hz) = 0.974), is 0.60 at the new Nyquist
 * frequency (125 Hz) and removes 250 Hz (which would alias to 0 Hz) entirely. It is a mild
 * anti-alias filter: it is what "averaging the log over the seismic sample" means, and an impedance
 * average is what a 4 ms seismic sample can resolve. At the two ends the output cell is cut to the
 * data and the average is over what is there.
 *
 * Output times: t0Out (default the first input time) + k * dtOut while inside the input span.
 */
export function resampleAverage(
  x: ArrayLike<number>,
  t0: number,
  dtIn: number,
  dtOut: number,
  o: { t0Out?: number; n?: number } = {},
): Resampled {
  finite(x, "resampleAverage");
  if (!(dtIn > 0) || !(dtOut > 0) || !Number.isFinite(dtIn) || !Number.isFinite(dtOut)) {
    throw new ValidationError(
      `resampleAverage: dtIn = ${dtIn}, dtOut = ${dtOut}; both must be positive sample intervals`,
    );
  }
  if (dtOut < dtIn * (1 - 1e-9)) {
    throw new ValidationError(
      `resampleAverage: dtOut = ${dtOut} is finer than dtIn = ${dtIn}; this function only coarsens (average), interpolate instead`,
    );
  }
  const n = x.length;
  const tEnd = t0 + (n - 1) * dtIn;
  const t0Out = o.t0Out ?? t0;
  if (t0Out < t0 - 1e-9 * dtIn || t0Out > tEnd + 1e-9 * dtIn) {
    throw new ValidationError(`resampleAverage: t0Out = ${t0Out} is outside the input span [${t0}, ${tEnd}]`);
  }
  const maxN = Math.floor((tEnd - t0Out) / dtOut + 1e-9) + 1;
  const nOut = o.n ?? maxN;
  if (!Number.isInteger(nOut) || nOut < 1 || nOut > maxN)
    throw new ValidationError(`resampleAverage: n = ${o.n}; need an integer in [1, ${maxN}] for this span`);
  const out = new Float64Array(nOut);
  const lo = t0 - dtIn / 2;
  const hi = tEnd + dtIn / 2;
  for (let k = 0; k < nOut; k++) {
    const tk = t0Out + k * dtOut;
    const a = Math.max(lo, tk - dtOut / 2);
    const b = Math.min(hi, tk + dtOut / 2);
    const i0 = Math.max(0, Math.floor((a - lo) / dtIn));
    const i1 = Math.min(n - 1, Math.ceil((b - lo) / dtIn) - 1);
    let s = 0;
    let w = 0;
    for (let i = i0; i <= i1; i++) {
      const c0 = lo + i * dtIn;
      const ov = Math.min(b, c0 + dtIn) - Math.max(a, c0);
      if (ov > 0) {
        s += ov * x[i];
        w += ov;
      }
    }
    out[k] = s / w;
  }
  return { values: out, t0: t0Out, dt: dtOut };
}

/** Impedance units understood by convertImpedance (velocity unit * density unit). */
export type ImpedanceUnit = "km/s*g/cm3" | "m/s*g/cm3" | "m/s*kg/m3" | "ft/s*g/cm3";

/** Each unit in (m/s)(g/cm3), the unit of the bundled Marmousi-2 and Overthrust models. */
const IMPEDANCE_IN_MS_GCC: Record<ImpedanceUnit, number> = {
  // 1 km/s = 1000 m/s
  "km/s*g/cm3": 1000,
  "m/s*g/cm3": 1,
  // 1 g/cm3 = 1000 kg/m3, so 1 (m/s)(kg/m3) = 1e-3 (m/s)(g/cm3)
  "m/s*kg/m3": 1e-3,
  // 1 ft = 0.3048 m
  "ft/s*g/cm3": 0.3048,
};

export const IMPEDANCE_UNITS = Object.keys(IMPEDANCE_IN_MS_GCC) as ImpedanceUnit[];

/**
 * Convert impedance values between units: multiply by (size of `from` in (m/s)(g/cm3)) / (size of
 * `to`). The Volve log is in (km/s)(g/cm3) (5.7-15.5); the synthetic training models are in
 * (m/s)(g/cm3), so the log is multiplied by 1000. Impedance is a product of velocity and density,
 * so the factor is the product of the two unit factors; no offset is involved.
 */
export function convertImpedance(values: ArrayLike<number>, from: string, to: string = "m/s*g/cm3"): Float64Array {
  const f = IMPEDANCE_IN_MS_GCC[from as ImpedanceUnit];
  const t = IMPEDANCE_IN_MS_GCC[to as ImpedanceUnit];
  if (f === undefined)
    throw new ValidationError(`convertImpedance: unit '${from}' unknown; use one of ${IMPEDANCE_UNITS.join(", ")}`);
  if (t === undefined)
    throw new ValidationError(`convertImpedance: unit '${to}' unknown; use one of ${IMPEDANCE_UNITS.join(", ")}`);
  const k = f / t;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * k;
  return out;
}

export interface Spectrum {
  /** Frequencies (Hz). */
  freqs: Float64Array;
  /** Mean amplitude spectrum over the traces (arbitrary units). */
  amp: Float64Array;
  /** Frequency of the maximum of `amp` (Hz), refined by a parabola through the peak and its neighbours. */
  peakHz: number;
  /** Amplitude-weighted mean frequency (Hz). */
  centroidHz: number;
}

/**
 * Mean amplitude spectrum of traces sampled at `dt` seconds: each trace demeaned, Hann-tapered and
 * Fourier-transformed on a grid of `df` Hz (a direct DFT, so any grid), amplitudes averaged over
 * traces. The peak of a Ricker wavelet's amplitude spectrum f^2 exp(-f^2/fM^2) is its dominant
 * frequency fM, so the peak of a trace spectrum estimates the Ricker frequency that best matches the
 * data's wavelet (biased by the colour of the reflectivity and, for short traces, smeared over about
 * 2 / (n dt) Hz by the taper).
 */
export function amplitudeSpectrum(
  rows: ArrayLike<number>[],
  dt: number,
  o: { fmax?: number; df?: number } = {},
): Spectrum {
  const [, ns] = checkSection(rows, "amplitudeSpectrum");
  if (!(dt > 0)) throw new ValidationError(`amplitudeSpectrum: dt = ${dt}; need a positive sample interval in seconds`);
  const fny = 0.5 / dt;
  const fmax = Math.min(o.fmax ?? fny, fny);
  const df = o.df ?? 0.5;
  if (!(df > 0)) throw new ValidationError(`amplitudeSpectrum: df = ${df}; need a positive frequency step`);
  const nf = Math.floor(fmax / df) + 1;
  const freqs = new Float64Array(nf);
  const amp = new Float64Array(nf);
  const taper = new Float64Array(ns);
  for (let i = 0; i < ns; i++) taper[i] = ns > 1 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (ns - 1)) : 1;
  const y = new Float64Array(ns);
  for (const r of rows) {
    let m = 0;
    for (let i = 0; i < ns; i++) m += r[i];
    m /= ns;
    for (let i = 0; i < ns; i++) y[i] = (r[i] - m) * taper[i];
    for (let k = 0; k < nf; k++) {
      const w = 2 * Math.PI * k * df * dt;
      let re = 0;
      let im = 0;
      for (let i = 0; i < ns; i++) {
        re += y[i] * Math.cos(w * i);
        im -= y[i] * Math.sin(w * i);
      }
      amp[k] += Math.hypot(re, im) / rows.length;
    }
  }
  let kmax = 0;
  let sw = 0;
  let swf = 0;
  for (let k = 0; k < nf; k++) {
    freqs[k] = k * df;
    if (amp[k] > amp[kmax]) kmax = k;
    sw += amp[k];
    swf += amp[k] * freqs[k];
  }
  let peakHz = freqs[kmax];
  if (kmax > 0 && kmax < nf - 1) {
    const a = amp[kmax - 1],
      b = amp[kmax],
      c = amp[kmax + 1];
    const den = a - 2 * b + c;
    if (den < 0) peakHz += ((0.5 * (a - c)) / den) * df;
  }
  return { freqs, amp, peakHz, centroidHz: swf / sw };
}

/** Mean and population standard deviation over all samples of the rows. */
export function rowStats(rows: ArrayLike<number>[]): { mean: number; std: number; n: number } {
  let s = 0;
  let n = 0;
  for (const r of rows) {
    for (let j = 0; j < r.length; j++) s += r[j];
    n += r.length;
  }
  if (n === 0) throw new ValidationError("rowStats: no samples");
  const mean = s / n;
  let v = 0;
  for (const r of rows) for (let j = 0; j < r.length; j++) v += (r[j] - mean) ** 2;
  return { mean, std: Math.sqrt(v / n), n };
}

/**
 * Linear amplitude map x' = (x - offset) * gain, applied to every sample. This is the whole
 * amplitude matching between real and synthetic seismic: `offset` removes the DC level that a
 * min-max normalisation to 0..1 introduces (the true zero of the trace is unknown after it; the
 * data's mean over the window is the estimate, since band-limited seismic has no 0 Hz content),
 * `gain` sets the scale (and, when negative, flips the polarity).
 */
export function scaleAmplitude(rows: ArrayLike<number>[], offset: number, gain: number): Float32Array[] {
  if (!Number.isFinite(offset) || !Number.isFinite(gain) || gain === 0) {
    throw new ValidationError(
      `scaleAmplitude: offset = ${offset}, gain = ${gain}; need finite numbers and a non-zero gain`,
    );
  }
  return rows.map((r) => {
    const o = new Float32Array(r.length);
    for (let j = 0; j < r.length; j++) o[j] = (r[j] - offset) * gain;
    return o;
  });
}

/**
 * RMS matching: the offset and gain that give the rows (all samples pooled) zero mean and standard
 * deviation `targetRms`, times `polarity` (+1 or -1). Assumes the data's reflectivity has the same
 * RMS over its window as the reference (the synthetic training traces, or an already matched well
 * trace); it needs no well, so it is the way to bring a seismic line or cube onto the scale of a
 * well trace that was tied.
 */
export function rmsMatch(
  rows: ArrayLike<number>[],
  targetRms: number,
  polarity: 1 | -1 = 1,
): { offset: number; gain: number } {
  if (!(targetRms > 0)) throw new ValidationError(`rmsMatch: targetRms = ${targetRms}; need a positive RMS`);
  if (polarity !== 1 && polarity !== -1) throw new ValidationError(`rmsMatch: polarity = ${polarity}; use 1 or -1`);
  const st = rowStats(rows);
  if (!(st.std > 0)) throw new ValidationError("rmsMatch: the data are constant; nothing to scale");
  return { offset: st.mean, gain: (polarity * targetRms) / st.std };
}

export interface WellTie {
  /**
   * Gain that gives the demeaned real trace the RMS of the log's synthetic, with the sign of the
   * correlation: sign(r) * std(synthetic) / rms(s - offset). Applied as (s - offset) * gain.
   */
  gain: number;
  /** Least-squares gain sum(s' y) / sum(s' s') = r * rms(y) / rms(s'); shrunk by |r| (see wellTie). */
  lsGain: number;
  offset: number;
  /** Correlation of the demeaned real trace with the synthetic of the log (the tie quality). */
  correlation: number;
  /** The synthetic of the log (reflectivity of the impedance convolved with the wavelet). */
  synthetic: Float32Array;
  /** Correlation at lags -maxLag..maxLag samples (positive lag: the real trace is later than the synthetic). */
  lagCorrelation: { lag: number; r: number }[];
}

/**
 * Amplitude calibration by a well tie: the synthetic of the impedance log (normal-incidence
 * reflectivity convolved with a unit-peak Ricker of `freqHz` at the seismic interval `dt` seconds,
 * made exactly as the synthetic training data are) is compared with the real trace at the well
 * over the samples `idx` (default all; use only the labelled part of the log in a blind test).
 *
 * The real trace s is demeaned over those samples (s' = s - offset) and scaled so that its RMS
 * equals the RMS of the (demeaned) synthetic y: gain = sign(r) rms(y) / rms(s'). This puts the trace in the
 * units of r * w, the units of the synthetic training seismic, and fixes the polarity: a negative
 * correlation means the data have the opposite polarity to the synthetic convention (an impedance
 * increase giving a positive peak), and the gain flips them. The least-squares gain
 * sum(s' y)/sum(s' s') = r rms(y)/rms(s') is returned too but not used: with a weak tie (|r| well
 * below 1) it shrinks the amplitude by |r| (regression dilution), which would make the real
 * reflections look weaker than the log says they are.
 */
export function wellTie(
  seismic: ArrayLike<number>,
  impedance: ArrayLike<number>,
  freqHz: number,
  dt: number,
  o: { idx?: number[]; maxLag?: number; wavelet?: ArrayLike<number> } = {},
): WellTie {
  finite(seismic, "wellTie seismic");
  finite(impedance, "wellTie impedance");
  if (seismic.length !== impedance.length) {
    throw new ValidationError(
      `wellTie: seismic has ${seismic.length} samples, impedance ${impedance.length}; resample both to the seismic interval first`,
    );
  }
  const synthetic = syntheticTrace(impedance, { wavelet: o.wavelet ?? ricker(freqHz, dt), sameLength: true });
  const n = seismic.length;
  const idx = o.idx ?? Array.from({ length: n }, (_, i) => i);
  if (idx.length < 3) throw new ValidationError(`wellTie: ${idx.length} samples to tie on; need at least 3`);
  for (const i of idx)
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new ValidationError(`wellTie: sample index ${i} outside [0, ${n - 1}]`);
  let offset = 0;
  for (const i of idx) offset += seismic[i];
  offset /= idx.length;
  /** Pearson correlation of s(i) with y(i - lag) over the tie samples that have a partner. */
  const corrAt = (lag: number): number => {
    const a: number[] = [];
    const b: number[] = [];
    for (const i of idx) {
      const j = i - lag;
      if (j < 0 || j >= n) continue;
      a.push(seismic[i]);
      b.push(synthetic[j]);
    }
    const ma = a.reduce((s, v) => s + v, 0) / a.length;
    const mb = b.reduce((s, v) => s + v, 0) / b.length;
    let sab = 0,
      saa = 0,
      sbb = 0;
    for (let k = 0; k < a.length; k++) {
      sab += (a[k] - ma) * (b[k] - mb);
      saa += (a[k] - ma) ** 2;
      sbb += (b[k] - mb) ** 2;
    }
    return sab / Math.sqrt(saa * sbb);
  };
  let my = 0;
  for (const i of idx) my += synthetic[i];
  my /= idx.length;
  let sxx = 0,
    syy = 0,
    sxy = 0;
  for (const i of idx) {
    const x = seismic[i] - offset;
    const y = synthetic[i] - my;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  if (!(sxx > 0))
    throw new ValidationError("wellTie: the real trace is constant over the tie samples; no gain can be fitted");
  if (!(syy > 0))
    throw new ValidationError(
      "wellTie: the log is constant over the tie samples (zero synthetic); no gain can be fitted",
    );
  const correlation = corrAt(0);
  const maxLag = o.maxLag ?? 0;
  const lagCorrelation: { lag: number; r: number }[] = [];
  for (let l = -maxLag; l <= maxLag; l++) lagCorrelation.push({ lag: l, r: corrAt(l) });
  const gain = (correlation < 0 ? -1 : 1) * Math.sqrt(syy / sxx);
  return { gain, lsGain: sxy / sxx, offset, correlation, synthetic, lagCorrelation };
}

/**
 * Start indices of all windows of `length` samples, `stride` apart, that lie wholly inside one of
 * the half-open sample ranges [from, to) (e.g. the labelled parts of a log). Ranges shorter than
 * `length` give none.
 */
export function windowStarts(ranges: [number, number][], length: number, stride = 1): number[] {
  if (!Number.isInteger(length) || length < 1)
    throw new ValidationError(`windowStarts: length = ${length}; need a positive integer`);
  if (!Number.isInteger(stride) || stride < 1)
    throw new ValidationError(`windowStarts: stride = ${stride}; need a positive integer`);
  const out: number[] = [];
  for (const [a, b] of ranges) {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= a))
      throw new ValidationError(`windowStarts: range [${a}, ${b}) is not a valid sample range`);
    for (let s = a; s + length <= b; s += stride) out.push(s);
  }
  return out;
}
