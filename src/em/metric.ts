import { ValidationError } from "./errors";

/**
 * The error metric of the TEM reference cases (docs/METHODS.md, "Conventions and error metric of
 * the TEM cases"), by which the engine is held to the
 * reference cases: err_i = |test_i - ref_i| / max(|ref_{i-1}|, |ref_i|, |ref_{i+1}|, 1e-6 max_j |ref_j|),
 * the neighbours keeping the denominator honest near a sign change.
 */
export function referenceError(test: ArrayLike<number>, ref: ArrayLike<number>): { err: number; at: number } {
  if (test.length !== ref.length)
    throw new ValidationError(
      "test",
      `referenceError: ${test.length} test values against ${ref.length} reference values; give one test value per reference value`,
    );
  let mx = 0;
  for (let i = 0; i < ref.length; i++) mx = Math.max(mx, Math.abs(ref[i]));
  let err = 0;
  let at = -1;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.max(
      i > 0 ? Math.abs(ref[i - 1]) : 0,
      Math.abs(ref[i]),
      i + 1 < ref.length ? Math.abs(ref[i + 1]) : 0,
      1e-6 * mx,
    );
    const e = Math.abs(test[i] - ref[i]) / d;
    if (!(e <= err)) {
      err = e;
      at = i;
    }
  }
  return { err, at };
}
