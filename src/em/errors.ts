/**
 * Input errors of the EM domain. Every message names the parameter, the layer or point when there
 * is one, the value given, the allowed range and how to fix it. The CLI maps errors named
 * "ValidationError" to exit code 2.
 */
export class ValidationError extends Error {
  /** Dotted path of the offending field, e.g. "model.rho0[2]" or "receiver.component". */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "ValidationError";
    this.field = field;
  }
}

/** Describe a value for an error message (numbers in full, others as JSON, truncated). */
export function show(v: unknown): string {
  if (typeof v === "number") return String(v);
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A finite number or throw, naming the field. */
export function finiteNumber(v: unknown, field: string, what = "a finite number"): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ValidationError(field, `expected ${what}, got ${show(v)}`);
  }
  return v;
}

/** An array of finite numbers or throw, naming the field and the bad index. */
export function numberArray(v: unknown, field: string): number[] {
  if (!Array.isArray(v)) throw new ValidationError(field, `expected an array of numbers, got ${show(v)}`);
  return v.map((x, i) => finiteNumber(x, `${field}[${i}]`));
}
