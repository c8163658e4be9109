import { ValidationError, checkSection } from "./errors";

/**
 * Convolutional post-stack synthetics (METHODS.md part A, "Data"): reflectivity of the impedance
 * along each trace, convolved with a zero-phase Ricker wavelet, output the same length.
 */

/**
 * Zero-phase Ricker wavelet of dominant frequency `freqHz`, sampled at `dt` seconds:
 * w_k = (1 - 2a^2) exp(-a^2), a = (n//2 - k) * pi * f * dt, k = 0..n-1.
 * Default length n = 2*floor(2.2/(f*dt)/2) + 1 (odd, centred), the recipe of the bundled
 * Overthrust synthetic (data/overthrust/SOURCE.md: 30 Hz at 2 ms gives 37 samples).
 */
export function ricker(freqHz: number, dt: number, n?: number): Float64Array {
  if (!(freqHz > 0) || !Number.isFinite(freqHz))
    throw new ValidationError(`ricker: freqHz = ${freqHz}; must be a positive number of Hz (20-30 Hz is typical)`);
  if (!(dt > 0) || !Number.isFinite(dt))
    throw new ValidationError(`ricker: dt = ${dt}; must be a positive sample interval in seconds (e.g. 0.002)`);
  const len = n ?? 2 * Math.floor(2.2 / (freqHz * dt) / 2) + 1;
  if (!Number.isInteger(len) || len < 1) throw new ValidationError(`ricker: n = ${n}; must be a positive integer`);
  const w = new Float64Array(len);
  const c = Math.floor(len / 2);
  for (let k = 0; k < len; k++) {
    const a = (c - k) * Math.PI * freqHz * dt;
    const a2 = a * a;
    w[k] = (1 - 2 * a2) * Math.exp(-a2);
  }
  return w;
}

/**
 * Normal-incidence reflectivity of an impedance trace, r_k = (Z_{k+1} - Z_k) / (Z_{k+1} + Z_k),
 * k = 0..n-2 (length n-1). With `sameLength`, a zero reflection is appended so that r has the
 * impedance's length n and r_k sits on the interface below sample k.
 */
export function reflectivity(z: ArrayLike<number>, sameLength = false): Float64Array {
  const n = z.length;
  if (n < 2) throw new ValidationError(`reflectivity: the impedance trace has ${n} samples; need at least 2`);
  const r = new Float64Array(sameLength ? n : n - 1);
  for (let k = 0; k < n - 1; k++) {
    const a = z[k];
    const b = z[k + 1];
    const s = a + b;
    if (!(s !== 0) || !Number.isFinite(s)) {
      throw new ValidationError(`reflectivity: Z[${k}] + Z[${k + 1}] = ${s}; impedance must be finite and positive`);
    }
    r[k] = (b - a) / s;
  }
  return r;
}

/**
 * Discrete convolution returning the central part of the full convolution with the length of the
 * longer input — the same convention as NumPy's `np.convolve(a, v, 'same')`: output length
 * max(M, N), starting at index floor((min(M, N) - 1) / 2) of the full result.
 */
export function convolveSame(a: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  const m = a.length;
  const n = v.length;
  if (m === 0 || n === 0) throw new ValidationError("convolveSame: empty input");
  const outLen = Math.max(m, n);
  const off = (Math.min(m, n) - 1) >> 1;
  const out = new Float64Array(outLen);
  for (let i = 0; i < outLen; i++) {
    const k = i + off; // index into the full convolution (length m + n - 1)
    let s = 0;
    const jlo = Math.max(0, k - n + 1);
    const jhi = Math.min(m - 1, k);
    for (let j = jlo; j <= jhi; j++) s += a[j] * v[k - j];
    out[i] = s;
  }
  return out;
}

export interface SyntheticOptions {
  /** Ricker dominant frequency, Hz. Default 30 (the bundled Overthrust synthetic). */
  freqHz?: number;
  /** Time sample interval in s assigned to each depth sample (no depth-to-time conversion). Default 0.002. */
  dt?: number;
  /** Wavelet to use instead of the Ricker (overrides freqHz). */
  wavelet?: ArrayLike<number>;
  /**
   * true (default): seismic has the impedance's length (reflectivity padded with a final zero), so
   * seismic and impedance share one sample grid as the network needs. false: length n-1, the
   * ResKAN recipe of data/overthrust/seismic_ricker30_reskan.npy.
   */
  sameLength?: boolean;
}

/** Post-stack synthetic of one impedance trace: convolveSame(reflectivity(z), wavelet). */
export function syntheticTrace(z: ArrayLike<number>, opts: SyntheticOptions = {}): Float32Array {
  const w = opts.wavelet ?? ricker(opts.freqHz ?? 30, opts.dt ?? 0.002);
  const r = reflectivity(z, opts.sameLength ?? true);
  return Float32Array.from(convolveSame(r, w));
}

/** Post-stack synthetic section (trace-major rows) from an impedance section. */
export function syntheticSection(impedance: ArrayLike<number>[], opts: SyntheticOptions = {}): Float32Array[] {
  checkSection(impedance, "impedance");
  const w = opts.wavelet ?? ricker(opts.freqHz ?? 30, opts.dt ?? 0.002);
  return impedance.map((z) => syntheticTrace(z, { ...opts, wavelet: w }));
}
