import { ValidationError } from "../core";

/**
 * Bad seismic / impedance input (shape mismatch, NaN, an out-of-range parameter): the one
 * ValidationError of geoinv (src/core). The message names the field, the value, what is allowed
 * and how to fix it; the CLI reports it with exit code 2.
 */
export { ValidationError };

/** A 2-D section stored trace-major: `rows[i]` is trace i, all traces the same length. */
export type Section = Float32Array[];

/** Check that a section is non-empty, rectangular and finite; returns [traces, samples]. */
export function checkSection(rows: ArrayLike<number>[], name: string): [number, number] {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new ValidationError(
      `${name}: expected a non-empty array of traces (rows), got ${Array.isArray(rows) ? "0 traces" : typeof rows}`,
    );
  }
  const ns = rows[0].length;
  if (ns === 0) throw new ValidationError(`${name}: trace 0 has no samples`);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.length !== ns) {
      throw new ValidationError(
        `${name}: trace ${i} has ${r.length} samples but trace 0 has ${ns}; all traces must have the same length`,
      );
    }
    for (let j = 0; j < ns; j++) {
      if (!Number.isFinite(r[j])) {
        throw new ValidationError(
          `${name}: trace ${i} sample ${j} is ${r[j]}; remove or interpolate non-finite values before inversion`,
        );
      }
    }
  }
  return [rows.length, ns];
}

/** Check that seismic and impedance sections have the same shape (and are finite). */
export function checkPair(seismic: ArrayLike<number>[], impedance: ArrayLike<number>[]): [number, number] {
  const a = checkSection(seismic, "seismic");
  const b = checkSection(impedance, "impedance");
  if (a[0] !== b[0] || a[1] !== b[1]) {
    throw new ValidationError(
      `shape mismatch: seismic is (${a[0]} traces, ${a[1]} samples) but impedance is (${b[0]}, ${b[1]}); ` +
        `both must be trace-major on the same sample grid (synthesise seismic with sameLength: true, or crop/resample one of them)`,
    );
  }
  return a;
}

/** Check trace indices lie in [0, n) and are distinct integers. */
export function checkIndices(idx: number[], n: number, name: string): void {
  const seen = new Set<number>();
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new ValidationError(`${name}: trace index ${i} is outside [0, ${n - 1}] (the section has ${n} traces)`);
    }
    if (seen.has(i)) throw new ValidationError(`${name}: trace index ${i} appears twice`);
    seen.add(i);
  }
}
