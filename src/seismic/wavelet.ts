import { ValidationError } from "./errors";
import { reflectivity } from "./synthetic";

/**
 * Wavelets beyond the zero-phase Ricker (issue 15, a real domain gap for transfer learning): a
 * constant phase rotation, a least-squares wavelet estimated from well traces (seismic and impedance
 * at the same traces, through the convolutional model s = r * w of synthetic.ts), and a linear
 * resampling of traces in depth for a target sampled differently from the source.
 */

/**
 * Constant phase rotation of a wavelet by `degrees`: w_theta = cos(theta) w - sin(theta) H[w], with
 * H the Hilbert transform, done in the discrete Fourier domain: every positive-frequency coefficient
 * is multiplied by exp(-i theta) and its negative-frequency partner by exp(+i theta), so the
 * amplitude spectrum is unchanged at every non-zero frequency and the DC term is scaled by
 * cos(theta) (a Ricker's DC term is close to 0). The wavelet is first zero-padded, centred, to an odd
 * length `n` (default 2 floor(1.5 len) + 1, about three times its length) because the rotated
 * wavelet has tails that decay only as 1/t; the result has that length, centred on the same sample.
 * Rotating by 90 degrees turns the symmetric Ricker into an antisymmetric one; 180 flips polarity.
 */
export function rotatePhase(w: ArrayLike<number>, degrees: number, n?: number): Float64Array {
  const len = w.length;
  if (len < 1) throw new ValidationError("rotatePhase: empty wavelet");
  if (!Number.isFinite(degrees))
    throw new ValidationError(`rotatePhase: degrees = ${degrees}; need a finite angle in degrees`);
  const N = n ?? 2 * Math.floor(1.5 * len) + 1;
  if (!Number.isInteger(N) || N < len || N % 2 !== 1) {
    throw new ValidationError(`rotatePhase: n = ${n}; need an odd integer >= the wavelet length ${len}`);
  }
  const x = new Float64Array(N);
  const shift = (N - 1) / 2 - Math.floor(len / 2);
  for (let k = 0; k < len; k++) x[k + shift] = w[k];
  const th = (degrees * Math.PI) / 180;
  const c = Math.cos(th);
  const s = Math.sin(th);
  const X = dft(x);
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  for (let f = 0; f < N; f++) {
    const a = X.re[f];
    const b = X.im[f];
    // positive frequencies (1..(N-1)/2) times exp(-i th), negative ones times exp(+i th), DC times cos(th)
    const sg = f === 0 ? 0 : f <= (N - 1) / 2 ? -1 : 1;
    re[f] = a * c - b * s * sg;
    im[f] = b * c + a * s * sg;
  }
  const out = new Float64Array(N);
  for (let t = 0; t < N; t++) {
    let a = 0;
    for (let f = 0; f < N; f++) {
      const ph = (2 * Math.PI * f * t) / N;
      a += re[f] * Math.cos(ph) - im[f] * Math.sin(ph);
    }
    out[t] = a / N;
  }
  return out;
}

/** The N-point DFT W_f = sum_t x_t exp(-2 pi i f t / N) of a real series, f = 0..N-1, by the direct sum. */
function dft(x: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const N = x.length;
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  for (let f = 0; f < N; f++) {
    let a = 0;
    let b = 0;
    for (let t = 0; t < N; t++) {
      const ph = (-2 * Math.PI * f * t) / N;
      a += x[t] * Math.cos(ph);
      b += x[t] * Math.sin(ph);
    }
    re[f] = a;
    im[f] = b;
  }
  return { re, im };
}

/** Amplitudes |W_k| of the N-point DFT of a real series, k = 0..N-1 (a direct DFT; for tests and checks). */
export function dftAmplitude(x: ArrayLike<number>): Float64Array {
  const { re, im } = dft(x);
  return re.map((a, f) => Math.hypot(a, im[f]));
}

/** Solve the symmetric positive definite system G x = b (Cholesky; G is n x n row-major). */
function solveSpd(G: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0))
          throw new ValidationError(
            "estimateWavelet: the normal equations are singular (reflectivity too sparse for this wavelet length); raise damping or shorten the wavelet",
          );
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

export interface WaveletEstimate {
  /** The wavelet, odd length, centred: seismic ~ convolveSame(reflectivity(z, true), wavelet). */
  wavelet: Float64Array;
  /** Correlation of the seismic with the synthetic of the estimate over the well traces. */
  correlation: number;
  /** RMS of seismic - synthetic over the well traces, relative to the RMS of the seismic. */
  relativeResidual: number;
}

/**
 * Least-squares wavelet from well traces: the odd-length wavelet w minimising
 * sum over wells and samples of (s_i - (r * w)_i)^2 + damping * (trace(G)/length) * |w|^2,
 * where r = reflectivity(z, true) of each well's impedance and (r * w) is convolveSame, the project's
 * convolutional model (synthetic.ts), so the estimate makes synthetics on the scale and polarity of
 * the observed traces. This is the deterministic ("well-tie") wavelet estimate; unlike the Ricker of
 * a dominant frequency (amplitudeSpectrum, wellTie) it recovers phase as well as frequency.
 * `length` (odd, default 41) must not exceed the trace length; `damping` (default 1e-4) is relative
 * to the mean diagonal of the normal matrix G = A'A.
 */
export function estimateWavelet(
  seismic: ArrayLike<number>[],
  impedance: ArrayLike<number>[],
  o: { length?: number; damping?: number } = {},
): WaveletEstimate {
  if (seismic.length === 0 || seismic.length !== impedance.length) {
    throw new ValidationError(
      `estimateWavelet: ${seismic.length} seismic and ${impedance.length} impedance traces; need the same non-zero number (the wells)`,
    );
  }
  const m = o.length ?? 41;
  const damping = o.damping ?? 1e-4;
  const ns = seismic[0].length;
  if (!Number.isInteger(m) || m < 1 || m % 2 !== 1 || m > ns) {
    throw new ValidationError(`estimateWavelet: length = ${m}; need an odd integer in [1, ${ns}] (the trace length)`);
  }
  if (!(damping >= 0) || !Number.isFinite(damping))
    throw new ValidationError(`estimateWavelet: damping = ${damping}; need a finite number >= 0`);
  const off = (m - 1) / 2;
  const G = new Float64Array(m * m);
  const b = new Float64Array(m);
  const refl: Float64Array[] = [];
  seismic.forEach((s, t) => {
    const z = impedance[t];
    if (s.length !== ns || z.length !== ns)
      throw new ValidationError(
        `estimateWavelet: well ${t} has ${s.length} seismic and ${z.length} impedance samples; need ${ns} each`,
      );
    const r = reflectivity(z, true);
    refl.push(r);
    // row i of A: A[i][k] = r[i + off - k]
    for (let i = 0; i < ns; i++) {
      for (let k = 0; k < m; k++) {
        const j = i + off - k;
        if (j < 0 || j >= ns) continue;
        const a = r[j];
        b[k] += a * s[i];
        for (let l = 0; l <= k; l++) {
          const jl = i + off - l;
          if (jl >= 0 && jl < ns) G[k * m + l] += a * r[jl];
        }
      }
    }
  });
  let tr = 0;
  for (let k = 0; k < m; k++) {
    for (let l = 0; l < k; l++) G[l * m + k] = G[k * m + l];
    tr += G[k * m + k];
  }
  const eps = (damping * tr) / m;
  for (let k = 0; k < m; k++) G[k * m + k] += eps;
  const w = solveSpd(G, b, m);
  let sxy = 0,
    sxx = 0,
    syy = 0,
    sx = 0,
    sy = 0,
    res = 0,
    cnt = 0;
  seismic.forEach((s, t) => {
    const r = refl[t];
    for (let i = 0; i < ns; i++) {
      let y = 0;
      for (let k = 0; k < m; k++) {
        const j = i + off - k;
        if (j >= 0 && j < ns) y += w[k] * r[j];
      }
      const x = s[i];
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      res += (x - y) ** 2;
      cnt++;
    }
  });
  const cov = sxy - (sx * sy) / cnt;
  const correlation = cov / Math.sqrt((sxx - (sx * sx) / cnt) * (syy - (sy * sy) / cnt));
  return { wavelet: w, correlation, relativeResidual: Math.sqrt(res / sxx) };
}

/**
 * Linear resampling of each trace in depth: sample k of the output is the input at fractional
 * position k * step (k = 0, 1, ... while k * step <= n - 1). step < 1 samples more finely (0.75: the
 * 25 m Overthrust grid becomes 18.75 m, 4/3 as many samples), step > 1 more coarsely (without an
 * anti-alias filter; use resampleAverage for that).
 */
export function resampleLinear(rows: ArrayLike<number>[], step: number): Float32Array[] {
  if (!(step > 0) || !Number.isFinite(step))
    throw new ValidationError(
      `resampleLinear: step = ${step}; need a positive number of input samples per output sample`,
    );
  return rows.map((x) => {
    const n = x.length;
    const m = Math.floor((n - 1) / step + 1e-9) + 1;
    const out = new Float32Array(m);
    for (let k = 0; k < m; k++) {
      const p = k * step;
      const i = Math.min(n - 1, Math.floor(p + 1e-9));
      const f = p - i;
      out[k] = i + 1 < n && f > 1e-12 ? x[i] * (1 - f) + x[i + 1] * f : x[i];
    }
    return out;
  });
}
