import { ValidationError } from "./errors";

/** One mean and standard deviation for a whole quantity (all traces and samples pooled). */
export interface Standardizer {
  mean: number;
  std: number;
}

/**
 * Mean and (population) standard deviation over every sample of the traces `idx` of `rows` (all
 * traces when idx is omitted). Fit on the training traces only, then apply to every subset. `field`
 * names the data in errors (the CLI's `seismic` or `impedance`).
 */
export function fitStandardizer(rows: ArrayLike<number>[], idx?: number[], field = "traces"): Standardizer {
  const use = idx ?? rows.map((_, i) => i);
  if (use.length === 0) throw new ValidationError(field, "no traces to fit the standardisation on");
  let s = 0;
  let n = 0;
  for (const i of use) {
    const r = rows[i];
    for (let j = 0; j < r.length; j++) s += r[j];
    n += r.length;
  }
  const mean = s / n;
  let v = 0;
  for (const i of use) {
    const r = rows[i];
    for (let j = 0; j < r.length; j++) v += (r[j] - mean) * (r[j] - mean);
  }
  const std = Math.sqrt(v / n);
  if (!(std > 0))
    throw new ValidationError(
      field,
      `the ${use.length} traces the standardisation is fitted on are constant (std = ${std}); choose traces with signal`,
    );
  return { mean, std };
}

/** (x - mean) / std for every sample. */
export function standardize(rows: ArrayLike<number>[], st: Standardizer): Float32Array[] {
  return rows.map((r) => {
    const o = new Float32Array(r.length);
    for (let j = 0; j < r.length; j++) o[j] = (r[j] - st.mean) / st.std;
    return o;
  });
}

/** x * std + mean for every sample (inverse of standardize). */
export function destandardize(rows: ArrayLike<number>[], st: Standardizer): Float32Array[] {
  return rows.map((r) => {
    const o = new Float32Array(r.length);
    for (let j = 0; j < r.length; j++) o[j] = r[j] * st.std + st.mean;
    return o;
  });
}
