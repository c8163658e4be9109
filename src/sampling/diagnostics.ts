import { ValidationError } from "../optim";
/**
 * Convergence diagnostics for several Markov chains of one scalar quantity, knowing nothing of
 * the model: rank-normalised split-R-hat (bulk and folded/tail) and effective sample size.
 *
 * References (keys used in the comments):
 * - [Vehtari21] Vehtari, A., Gelman, A., Simpson, D., Carpenter, B., Buerkner, P.-C. (2021).
 *   Rank-normalization, folding, and localization: an improved R-hat for assessing convergence
 *   of MCMC. Bayesian Analysis 16(2), 667-718.
 * - [BDA3] Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A., Rubin, D. B.
 *   (2013). Bayesian Data Analysis, 3rd ed., ch. 11 (split-R-hat, ESS).
 * - [Geyer92] Geyer, C. J. (1992). Practical Markov chain Monte Carlo. Statistical Science 7(4),
 *   473-483 (initial positive / initial monotone sequence estimators).
 * - [Acklam] Acklam, P. J. (2003). An algorithm for computing the inverse normal cumulative
 *   distribution function (rational approximation, relative error < 1.15e-9), refined here by one
 *   Halley step on an accurate normal CDF.
 * - [Blom58] Blom, G. (1958). Statistical Estimates and Transformed Beta-Variables (the offset
 *   (r - 3/8) / (S + 1/4) used by [Vehtari21] for rank normalisation).
 *
 * A chain is any ArrayLike<number>; all chains passed together must have the same length.
 */

export type Chains = ArrayLike<ArrayLike<number>>;

// ---------------------------------------------------------------------------------------------
// normal distribution

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * erf(t) for 0 <= t < 1.5 by the everywhere-positive series
 * erf(t) = 2/sqrt(pi) exp(-t^2) sum_n (2t^2)^n t / (1*3*...*(2n+1))  (Abramowitz & Stegun 7.1.6),
 * which has no cancellation.
 */
function erfSeries(t: number): number {
  const t2 = 2 * t * t;
  let term = t;
  let sum = t;
  for (let n = 1; n < 200; n++) {
    term *= t2 / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (2 / SQRT_PI) * Math.exp(-t * t) * sum;
}

/**
 * erfc(t) for t >= 1.5 by the continued fraction (Abramowitz & Stegun 7.1.14)
 * erfc(t) = exp(-t^2)/sqrt(pi) * 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + ...)))),
 * evaluated with the modified Lentz method; relative accuracy, so tails are exact to rounding.
 */
function erfcFraction(t: number): number {
  const tiny = 1e-300;
  let f = t;
  let C = t;
  let D = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    D = t + a * D;
    if (Math.abs(D) < tiny) D = tiny;
    C = t + a / C;
    if (Math.abs(C) < tiny) C = tiny;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-t * t) / SQRT_PI / f;
}

/** Complementary error function for t >= 0. */
function erfcPos(t: number): number {
  return t < 1.5 ? 1 - erfSeries(t) : erfcFraction(t);
}

/**
 * Standard normal CDF Phi(x), relative error ~1e-15 everywhere (series for |x| < 1.5 sqrt 2,
 * continued fraction beyond).
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return x < 0 ? 0.5 * erfcPos(-x / SQRT2) : 1 - 0.5 * erfcPos(x / SQRT2);
}

// [Acklam] coefficients of the rational approximations (central region and tails).
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** [Acklam] rational approximation alone: relative error below 1.15e-9 for p in (0, 1). */
function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    return (
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
    );
  }
  const q = Math.sqrt(-2 * Math.log(1 - p));
  return (
    -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  );
}

/**
 * Inverse of the standard normal CDF, Phi^{-1}(p). [Acklam] rational approximation, then one
 * Halley step x <- x - u / (1 + x u / 2), u = (Phi(x) - p) sqrt(2 pi) exp(x^2 / 2), which brings
 * the relative error from ~1e-9 to ~1e-15. p = 0 gives -Infinity, p = 1 gives +Infinity.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x = acklam(p);
  // Halley refinement; in the upper tail work with the complement to keep relative accuracy.
  // Phi(x) - p = (1 - p) - Phi(-x)
  const e = x > 0 ? 1 - p - normalCdf(-x) : normalCdf(x) - p;
  const u = e * SQRT_2PI * Math.exp((x * x) / 2);
  if (Number.isFinite(u)) x = x - u / (1 + (x * u) / 2);
  return x;
}

// ---------------------------------------------------------------------------------------------
// helpers

function toArrays(chains: Chains, what: string): Float64Array[] {
  const m = chains.length;
  if (m === 0) throw new ValidationError("chains", `${what}: no chains; give at least one`);
  const n = chains[0].length;
  const out: Float64Array[] = [];
  for (let c = 0; c < m; c++) {
    if (chains[c].length !== n)
      throw new ValidationError(
        `chains[${c}]`,
        `${what}: chain ${c} has ${chains[c].length} draws, chain 0 has ${n}; all chains must have the same length`,
      );
    out.push(Float64Array.from(chains[c]));
  }
  return out;
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

function variance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) * (x[i] - m);
  return s / (x.length - 1);
}

/**
 * Split every chain into its first and second half [Vehtari21; BDA3, split-R-hat]; with an
 * odd length the middle draw is dropped. M chains of N give 2M chains of floor(N/2).
 */
export function splitChains(chains: Chains): Float64Array[] {
  const cs = toArrays(chains, "splitChains");
  const n = cs[0].length;
  const h = Math.floor(n / 2);
  const out: Float64Array[] = [];
  for (const c of cs) {
    out.push(c.slice(0, h));
    out.push(c.slice(n - h));
  }
  return out;
}

/**
 * Rank normalisation [Vehtari21]: pool all draws, replace each by its rank r (average rank for
 * ties) and then by z = Phi^{-1}((r - 3/8) / (S + 1/4)), S the total number of draws [Blom58].
 * Ranks by binary search in a sorted copy; Phi^{-1} by the [Acklam] approximation alone (relative error
 * < 1.15e-9, far below what the diagnostics resolve).
 */
export function rankNormalize(chains: Chains): Float64Array[] {
  const cs = toArrays(chains, "rankNormalize");
  const n = cs[0].length;
  const pooled = new Float64Array(cs.length * n);
  for (let c = 0; c < cs.length; c++) pooled.set(cs[c], c * n);
  const z = rankPooled(pooled, pooled.slice().sort());
  return cs.map((_, c) => z.slice(c * n, (c + 1) * n));
}

/**
 * Rank-normalised values of `pooled` given the same values sorted: the rank range of each value
 * by binary search (lb values below it, ub at or below it; average rank (lb + 1 + ub) / 2).
 */
function rankPooled(pooled: Float64Array, sorted: Float64Array): Float64Array {
  const S = pooled.length;
  const z = new Float64Array(S);
  for (let i = 0; i < S; i++) {
    const v = pooled[i];
    let lo = 0;
    let hi = S;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    const lb = lo;
    let ub = lb + 1;
    if (ub < S && sorted[ub] === v) {
      hi = S;
      lo = ub;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] <= v) lo = mid + 1;
        else hi = mid;
      }
      ub = lo;
    }
    z[i] = acklam(((lb + 1 + ub) / 2 - 0.375) / (S + 0.25));
  }
  return z;
}

/** Fold about the pooled median: zeta = |theta - median(theta)| [Vehtari21, folding]. */
export function foldChains(chains: Chains): Float64Array[] {
  const cs = toArrays(chains, "foldChains");
  const all = new Float64Array(cs.length * cs[0].length);
  cs.forEach((c, k) => all.set(c, k * c.length));
  all.sort();
  const h = all.length >> 1;
  const med = all.length % 2 ? all[h] : 0.5 * (all[h - 1] + all[h]);
  return cs.map((c) => c.map((v) => Math.abs(v - med)));
}

// ---------------------------------------------------------------------------------------------
// R-hat

/**
 * Potential scale reduction of M chains of N as given (no splitting, no ranks) [BDA3;
 * Vehtari21, basic R-hat]: B = N/(M-1) sum_m (mean_m - mean)^2, W = mean_m s_m^2,
 * var+ = (N-1)/N W + B/N, R = sqrt(var+ / W). NaN when fewer than 2 chains or 2 draws, or W = 0.
 */
export function rhatBasic(chains: Chains): number {
  const cs = toArrays(chains, "rhatBasic");
  const m = cs.length;
  const n = cs[0].length;
  if (m < 2 || n < 2) return NaN;
  const means = cs.map(mean);
  const grand = mean(means);
  let B = 0;
  for (const mu of means) B += (mu - grand) * (mu - grand);
  B *= n / (m - 1);
  let W = 0;
  for (const c of cs) W += variance(c);
  W /= m;
  if (!(W > 0)) return NaN;
  const varPlus = ((n - 1) / n) * W + B / n;
  return Math.sqrt(varPlus / W);
}

/** Split-R-hat on the values as given [BDA3, split-R-hat]. */
export function splitRhat(chains: Chains): number {
  return rhatBasic(splitChains(chains));
}

/** Bulk R-hat: split-R-hat of the rank-normalised split chains [Vehtari21, rank-normalised R-hat]. */
export function rhatBulk(chains: Chains): number {
  return rhatBasic(rankNormalize(splitChains(chains)));
}

/** Tail (folded) R-hat: split-R-hat of the rank-normalised folded split chains [Vehtari21, rank-normalised R-hat]. */
export function rhatTail(chains: Chains): number {
  return rhatBasic(rankNormalize(foldChains(splitChains(chains))));
}

/**
 * Rank-normalised split-R-hat [Vehtari21, rank-normalised R-hat]: the larger of the bulk and the folded (tail)
 * R-hat. The paper recommends R-hat < 1.01; NaN when undefined (e.g. constant draws).
 */
export function rhat(chains: Chains): number {
  const b = rhatBulk(chains);
  const t = rhatTail(chains);
  if (Number.isNaN(b) || Number.isNaN(t)) return NaN;
  return Math.max(b, t);
}

// ---------------------------------------------------------------------------------------------
// ESS

const TWIDDLES = new Map<number, { cos: Float64Array; sin: Float64Array }>();

/** cos and sin of 2 pi k / size for k < size / 2, cached per size. */
function twiddles(size: number): { cos: Float64Array; sin: Float64Array } {
  let t = TWIDDLES.get(size);
  if (!t) {
    const h = size >> 1;
    t = { cos: new Float64Array(h), sin: new Float64Array(h) };
    for (let k = 0; k < h; k++) {
      t.cos[k] = Math.cos((2 * Math.PI * k) / size);
      t.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    if (TWIDDLES.size > 32) TWIDDLES.clear();
    TWIDDLES.set(size, t);
  }
  return t;
}

/** In-place iterative radix-2 complex FFT (length a power of two), unnormalised; inverse sign when `inv`. */
function fft(re: Float64Array, im: Float64Array, inv: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  const { cos, sin } = twiddles(n);
  const sgn = inv ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const cr = cos[k * step];
        const ci = sgn * sin[k * step];
        const a = i + k;
        const b = a + half;
        const xr = re[b] * cr - im[b] * ci;
        const xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/**
 * Autocovariances of two real series of equal length N with one complex FFT pair (Wiener-Khinchin):
 * z = x + i y, X_k = (Z_k + conj Z_{-k}) / 2, Y_k = (Z_k - conj Z_{-k}) / 2i; the inverse FFT of
 * |X|^2 + i |Y|^2 has the (zero-padded, hence non-circular) autocovariance sums of x in its real
 * part and of y in its imaginary part. Biased normalisation 1/N; the means are removed first.
 */
function autocovariancePair(x: ArrayLike<number>, y: ArrayLike<number> | null): [Float64Array, Float64Array | null] {
  const n = x.length;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const mx = mean(x);
  for (let i = 0; i < n; i++) re[i] = x[i] - mx;
  if (y) {
    const my = mean(y);
    for (let i = 0; i < n; i++) im[i] = y[i] - my;
  }
  fft(re, im, false);
  const P = new Float64Array(size);
  const Q = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const j = (size - k) & (size - 1);
    const ar = re[k];
    const ai = im[k];
    const br = re[j];
    const bi = -im[j];
    P[k] = ((ar + br) * (ar + br) + (ai + bi) * (ai + bi)) / 4;
    Q[k] = ((ar - br) * (ar - br) + (ai - bi) * (ai - bi)) / 4;
  }
  fft(P, Q, true);
  const ax = new Float64Array(n);
  for (let t = 0; t < n; t++) ax[t] = P[t] / size / n;
  if (!y) return [ax, null];
  const ay = new Float64Array(n);
  for (let t = 0; t < n; t++) ay[t] = Q[t] / size / n;
  return [ax, ay];
}

/**
 * Autocovariance of one chain at lags 0..N-1 with the biased normalisation
 * gamma_t = (1/N) sum_{i<N-t} (x_i - m)(x_{i+t} - m), computed by FFT on a zero-padded copy
 * (Wiener-Khinchin), O(N log N).
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  return autocovariancePair(x, null)[0];
}

/** Autocovariances of all chains, two chains per complex FFT. */
function autocovariances(cs: Float64Array[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 0; k < cs.length; k += 2) {
    const [a, b] = autocovariancePair(cs[k], k + 1 < cs.length ? cs[k + 1] : null);
    out.push(a);
    if (b) out.push(b);
  }
  return out;
}

const DIRECT_LAGS = 16;

/**
 * Effective sample size of M chains of N as given (no splitting, no ranks) [Vehtari21,
 * multi-chain ESS; BDA3, ESS]. Combined autocorrelation
 *   rho_t = 1 - (W - (1/M) sum_m s_m^2 rho_{t,m}) / var+
 * with W, var+ as in R-hat and s_m^2 rho_{t,m} the chains' autocovariances; the sum is truncated
 * by Geyer's initial positive sequence (pairs P_k = rho_{2k} + rho_{2k+1} summed while positive)
 * made monotone (initial monotone sequence) [Geyer92]; tau = -1 + 2 sum_k P_k and ESS = M N / tau.
 * As in [Vehtari21]'s reference code tau is kept >= 1 / log10(M N) (ESS at most M N log10(M N),
 * for antithetic chains). Returns NaN when undefined (fewer than 4 draws per chain or W = 0).
 */
export function essBasic(chains: Chains): number {
  const cs = toArrays(chains, "essBasic");
  const m = cs.length;
  const n = cs[0].length;
  if (n < 4) return NaN;
  const means = cs.map(mean);
  const centred = cs.map((c, k) => c.map((v) => v - means[k]));
  // Autocovariances summed over the chains, lag by lag: a direct sum for the first DIRECT_LAGS
  // lags (enough for well-mixing chains), all lags by FFT once more are needed (same values up to
  // rounding, O(N log N) instead of O(N^2)).
  let fftAcov: Float64Array[] | null = null;
  const acovSum = (t: number): number => {
    let s = 0;
    if (t < DIRECT_LAGS && !fftAcov) {
      for (const c of centred) {
        let a = 0;
        for (let i = 0; i + t < n; i++) a += c[i] * c[i + t];
        s += a / n;
      }
      return s;
    }
    if (!fftAcov) fftAcov = autocovariances(cs);
    for (const a of fftAcov) s += a[t];
    return s;
  };
  // within-chain variance with the unbiased per-chain estimator s_m^2 = gamma_0 N / (N-1)
  const W = (acovSum(0) * n) / (n - 1) / m;
  let varPlus = ((n - 1) / n) * W;
  if (m > 1) {
    const grand = mean(means);
    let B = 0;
    for (const mu of means) B += (mu - grand) * (mu - grand);
    varPlus += B / (m - 1); // B / N with B = N/(M-1) sum (mean_m - mean)^2
  }
  if (!(W > 0) || !(varPlus > 0)) return NaN;
  const rho = (t: number): number => 1 - (W - acovSum(t) / m) / varPlus;
  // Geyer's initial positive sequence over pairs (rho_{2k}, rho_{2k+1}), then monotone.
  const pairs: number[] = [];
  for (let k = 0; 2 * k + 1 < n; k++) {
    const p = (k === 0 ? 1 : rho(2 * k)) + rho(2 * k + 1);
    if (!(p > 0)) break;
    pairs.push(k > 0 && p > pairs[k - 1] ? pairs[k - 1] : p);
  }
  let sum = 0;
  for (const p of pairs) sum += p;
  let tau = -1 + 2 * sum;
  const total = m * n;
  tau = Math.max(tau, 1 / Math.log10(total));
  return total / tau;
}

/**
 * R-hat (bulk, tail and their max) and bulk ESS of one parameter in one pass, sharing the split
 * and the rank normalisation: the same numbers as `rhatBulk`, `rhatTail`, `rhat`, `essBulk`.
 */
export function diagnoseChains(chains: Chains): { rhat: number; rhatBulk: number; rhatTail: number; essBulk: number } {
  const sp = splitChains(chains);
  const m = sp.length;
  const n = sp[0].length;
  const S = m * n;
  const pooled = new Float64Array(S);
  for (let c = 0; c < m; c++) pooled.set(sp[c], c * n);
  const sorted = pooled.slice().sort();
  const unpool = (z: Float64Array) => sp.map((_, c) => z.subarray(c * n, (c + 1) * n));
  const z = unpool(rankPooled(pooled, sorted));
  // folding about the pooled median (read from the same sort), then ranks of the folded values
  const h = S >> 1;
  const med = S % 2 ? sorted[h] : 0.5 * (sorted[h - 1] + sorted[h]);
  const folded = pooled.map((v) => Math.abs(v - med));
  const zf = unpool(rankPooled(folded, folded.slice().sort()));
  const bulk = rhatBasic(z);
  const tail = rhatBasic(zf);
  return {
    rhat: Number.isNaN(bulk) || Number.isNaN(tail) ? NaN : Math.max(bulk, tail),
    rhatBulk: bulk,
    rhatTail: tail,
    essBulk: essBasic(z),
  };
}

/** Bulk ESS: ESS of the rank-normalised split chains [Vehtari21, bulk/tail ESS]. */
export function essBulk(chains: Chains): number {
  return essBasic(rankNormalize(splitChains(chains)));
}

/**
 * Tail ESS: the smaller ESS of the indicators I(theta <= q05) and I(theta >= q95) over the split
 * chains [Vehtari21, bulk/tail ESS].
 */
export function essTail(chains: Chains): number {
  const sp = splitChains(chains);
  const all: number[] = [];
  for (const c of sp) for (let i = 0; i < c.length; i++) all.push(c[i]);
  all.sort((a, b) => a - b);
  const q05 = quantileSorted(all, 0.05);
  const q95 = quantileSorted(all, 0.95);
  const lo = essBasic(sp.map((c) => c.map((v) => (v <= q05 ? 1 : 0))));
  const hi = essBasic(sp.map((c) => c.map((v) => (v >= q95 ? 1 : 0))));
  return Math.min(lo, hi);
}

/** Quantile of sorted values with linear interpolation between order statistics (Hyndman & Fan type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
