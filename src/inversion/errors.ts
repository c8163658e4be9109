/**
 * Bad inversion input (configs, parameterisations, data). Named "ValidationError" so the CLI
 * reports the message alone with exit code 2; `field` is the dotted path of what is wrong.
 */
export class ValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "ValidationError";
    this.field = field;
  }
}

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

export function finite(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValidationError(field, `expected a finite number, got ${show(v)}`);
  return v;
}

export function finiteArray(v: unknown, field: string): number[] {
  if (!Array.isArray(v)) throw new ValidationError(field, `expected an array of numbers, got ${show(v)}`);
  return v.map((x, i) => finite(x, `${field}[${i}]`));
}
