import { ValidationError } from "./errors";

/**
 * Evaluation metrics of the seed paper (Wang et al. 2022, J. Seismic Exploration 31, eqs. 5-6) plus
 * MSE and MAE. p is the true impedance, p_hat the prediction.
 */

function check(p: ArrayLike<number>, q: ArrayLike<number>, fn: string): void {
  if (p.length !== q.length)
    throw new ValidationError(`${fn}: true has ${p.length} samples, predicted has ${q.length}; they must match`);
  if (p.length === 0) throw new ValidationError(`${fn}: empty input`);
}

/**
 * Pearson correlation coefficient, paper eq. (5):
 * PCC = 1/N * 1/(sigma_p sigma_p_hat) * sum_n (p(n) - mu_p)(p_hat(n) - mu_p_hat),
 * with population standard deviations. NaN when either input is constant.
 */
export function pearson(p: ArrayLike<number>, pHat: ArrayLike<number>): number {
  check(p, pHat, "pearson");
  const n = p.length;
  let mp = 0;
  let mq = 0;
  for (let i = 0; i < n; i++) {
    mp += p[i];
    mq += pHat[i];
  }
  mp /= n;
  mq /= n;
  let cov = 0;
  let vp = 0;
  let vq = 0;
  for (let i = 0; i < n; i++) {
    const a = p[i] - mp;
    const b = pHat[i] - mq;
    cov += a * b;
    vp += a * a;
    vq += b * b;
  }
  // (1/N) sum / (sqrt(vp/N) sqrt(vq/N)) = sum / sqrt(vp vq)
  return cov / Math.sqrt(vp * vq);
}

/**
 * Coefficient of determination, paper eq. (6): r^2 = 1 - sum (p - p_hat)^2 / sum (p - mu_p)^2.
 * Can be negative when the prediction is worse than the mean of p.
 */
export function rSquared(p: ArrayLike<number>, pHat: ArrayLike<number>): number {
  check(p, pHat, "rSquared");
  const n = p.length;
  let mp = 0;
  for (let i = 0; i < n; i++) mp += p[i];
  mp /= n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += (p[i] - pHat[i]) ** 2;
    tot += (p[i] - mp) ** 2;
  }
  return 1 - res / tot;
}

/** Mean squared error, (1/N) sum (p - p_hat)^2 (the paper's eq. 3 loss). */
export function mse(p: ArrayLike<number>, pHat: ArrayLike<number>): number {
  check(p, pHat, "mse");
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - pHat[i]) ** 2;
  return s / p.length;
}

/** Mean absolute error, (1/N) sum |p - p_hat|. */
export function mae(p: ArrayLike<number>, pHat: ArrayLike<number>): number {
  check(p, pHat, "mae");
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - pHat[i]);
  return s / p.length;
}

export interface Metrics {
  pcc: number;
  r2: number;
  mse: number;
  mae: number;
}

/** All four metrics of one trace (or any pair of equal-length vectors). */
export function metrics(p: ArrayLike<number>, pHat: ArrayLike<number>): Metrics {
  return { pcc: pearson(p, pHat), r2: rSquared(p, pHat), mse: mse(p, pHat), mae: mae(p, pHat) };
}

function pickRows(rows: ArrayLike<number>[], idx?: number[]): ArrayLike<number>[] {
  return idx ? idx.map((i) => rows[i]) : rows;
}

function checkSections(t: ArrayLike<number>[], q: ArrayLike<number>[]): void {
  if (t.length !== q.length)
    throw new ValidationError(`metrics: true section has ${t.length} traces, predicted has ${q.length}`);
  if (t.length === 0) throw new ValidationError("metrics: no traces");
}

/** Metrics of every trace (optionally only the traces `idx`). */
export function traceMetrics(trueRows: ArrayLike<number>[], predRows: ArrayLike<number>[], idx?: number[]): Metrics[] {
  checkSections(trueRows, predRows);
  const t = pickRows(trueRows, idx);
  const q = pickRows(predRows, idx);
  return t.map((r, i) => metrics(r, q[i]));
}

/**
 * Metrics over a whole section: every sample of the selected traces pooled into one vector
 * (N = traces x samples in eqs. 5-6). This is what `metrics.json` reports.
 */
export function sectionMetrics(trueRows: ArrayLike<number>[], predRows: ArrayLike<number>[], idx?: number[]): Metrics {
  checkSections(trueRows, predRows);
  const t = pickRows(trueRows, idx);
  const q = pickRows(predRows, idx);
  const len = t.reduce((s, r) => s + r.length, 0);
  const a = new Float64Array(len);
  const b = new Float64Array(len);
  let o = 0;
  t.forEach((r, i) => {
    const s = q[i];
    if (s.length !== r.length)
      throw new ValidationError(
        `metrics: trace ${idx ? idx[i] : i} has ${r.length} true and ${s.length} predicted samples`,
      );
    for (let j = 0; j < r.length; j++) {
      a[o] = r[j];
      b[o] = s[j];
      o++;
    }
  });
  return metrics(a, b);
}

/** Mean of per-trace metrics (the other common convention; reported beside sectionMetrics). */
export function meanTraceMetrics(
  trueRows: ArrayLike<number>[],
  predRows: ArrayLike<number>[],
  idx?: number[],
): Metrics {
  const m = traceMetrics(trueRows, predRows, idx);
  const avg = (k: keyof Metrics) => m.reduce((s, x) => s + x[k], 0) / m.length;
  return { pcc: avg("pcc"), r2: avg("r2"), mse: avg("mse"), mae: avg("mae") };
}
