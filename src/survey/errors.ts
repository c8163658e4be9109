/**
 * Bad survey input: the project's one ValidationError (src/core: field + message; the CLI prints the
 * message alone and exits 2). `field` is the dotted path of what is wrong, e.g.
 * "soundings[3].surveys[0].data.error[2]".
 */
import { ValidationError } from "../core";

export { ValidationError };

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
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

export function finite(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValidationError(field, `expected a finite number, got ${show(v)}`);
  return v;
}

export function rejectUnknown(o: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ValidationError(field ? `${field}.${k}` : k, `unknown key; allowed: ${allowed.join(", ")}`);
  }
}
