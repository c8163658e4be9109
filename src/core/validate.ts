/**
 * Validation primitives shared by every domain. Each takes the value and the user's path of the
 * field ("optimizer.c", "surveys[0].times") and returns the checked value or throws a
 * ValidationError naming the field, the value given and what is allowed. No coercion: "false"
 * is not a boolean, "3" is not a number.
 */
import { NonFiniteError, ValidationError } from "./errors";

/** Describe a value for an error message (numbers in full, others as JSON, truncated). */
export function show(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (v === undefined) return "undefined";
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    // too deep to stringify (String() of a 20000-deep array overflows the stack as well) or cyclic
    s = Array.isArray(v) ? "[[[... (nested too deeply to show)" : Object.prototype.toString.call(v);
  }
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Levenshtein edit distance (insertions, deletions, substitutions; transpositions count 2). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n];
}

/**
 * The candidate closest to `word` when it is a near miss (a typo, another case, a spelling with
 * '-' for '_'), else undefined: distance at most 1 for words up to 4 letters, 2 up to 8, else 3.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, "");
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = norm(c) === norm(word) ? 0 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  return best !== undefined && bestD <= limit ? best : undefined;
}

/** Join a parent path and a key: ("", "c") -> "c"; ("optimizer", "c") -> "optimizer.c". */
export function join(field: string, key: string | number): string {
  if (typeof key === "number") return `${field}[${key}]`;
  return field ? `${field}.${key}` : key;
}

/** Throw on any key of `o` not in `allowed`, suggesting the nearest allowed key. */
export function checkKeys(o: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (allowed.includes(k)) continue;
    const near = didYouMean(k, allowed);
    throw new ValidationError(
      join(field, k),
      `unknown key${near ? `; did you mean '${near}'?` : "."} Allowed in ${field || "the config"}: ${allowed.join(", ")}`,
    );
  }
}

/** An object with only the `allowed` keys (when given), or throw. */
export function object(
  x: unknown,
  field: string,
  allowed?: readonly string[],
  what = "an object",
): Record<string, unknown> {
  if (!isObject(x)) throw new ValidationError(field, `expected ${what}, got ${show(x)}`);
  if (allowed) checkKeys(x, field, allowed);
  return x;
}

/** A finite number (not a string, not NaN or Infinity). */
export function finite(v: unknown, field: string, what = "a finite number"): number {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new ValidationError(field, `expected ${what}, got ${show(v)}`);
  return v;
}

export interface RangeOptions {
  /** Exclude the lower end (lo < v). */
  loOpen?: boolean;
  /** Exclude the upper end (v < hi). */
  hiOpen?: boolean;
}

function rangeText(lo: number, hi: number, o: RangeOptions): string {
  if (hi === Infinity) return `${o.loOpen ? ">" : ">="} ${lo}`;
  if (lo === -Infinity) return `${o.hiOpen ? "<" : "<="} ${hi}`;
  return `${o.loOpen ? "(" : "["}${lo}, ${hi}${o.hiOpen ? ")" : "]"}`;
}

/** A finite number in [lo, hi] (ends open as asked). */
export function numberInRange(v: unknown, field: string, lo: number, hi: number, o: RangeOptions = {}): number {
  const range = rangeText(lo, hi, o);
  const x = finite(v, field, `a number ${hi === Infinity || lo === -Infinity ? range : `in ${range}`}`);
  if (x < lo || x > hi || (o.loOpen && x === lo) || (o.hiOpen && x === hi)) {
    throw new ValidationError(field, `${x} is out of range; allowed ${range}`);
  }
  return x;
}

/** An integer in [lo, hi]. */
export function integerInRange(v: unknown, field: string, lo: number, hi = Infinity): number {
  const range = rangeText(lo, hi, {});
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new ValidationError(field, `expected an integer ${hi === Infinity ? range : `in ${range}`}, got ${show(v)}`);
  if (v < lo || v > hi) throw new ValidationError(field, `${v} is out of range; allowed integers ${range}`);
  return v;
}

/** true or false, exactly (no "false", 0 or 1). */
export function boolean(v: unknown, field: string): boolean {
  if (typeof v !== "boolean") throw new ValidationError(field, `expected true or false, got ${show(v)}`);
  return v;
}

/** One of the allowed strings. */
export function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  const near = typeof v === "string" ? didYouMean(v, allowed) : undefined;
  throw new ValidationError(
    field,
    `unknown ${show(v)}${near ? `; did you mean '${near}'?` : "."} Use one of: ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
  );
}

/** A string (non-empty unless allowEmpty). */
export function string(v: unknown, field: string, allowEmpty = false): string {
  if (typeof v !== "string" || (!allowEmpty && v === ""))
    throw new ValidationError(field, `expected ${allowEmpty ? "a string" : "a non-empty string"}, got ${show(v)}`);
  return v;
}

/** An array of finite numbers, naming the bad index. */
export function finiteArray(v: unknown, field: string, opts: { minLength?: number } = {}): number[] {
  if (!Array.isArray(v)) throw new ValidationError(field, `expected an array of numbers, got ${show(v)}`);
  if (opts.minLength !== undefined && v.length < opts.minLength)
    throw new ValidationError(field, `has ${v.length} values; need at least ${opts.minLength}`);
  return v.map((x, i) => finite(x, `${field}[${i}]`));
}

/**
 * Parse a comma-separated list of numbers strictly: no empty items ("80,,240"), no spaces-only
 * items, every item a finite number (an integer >= min when `integer`).
 */
export function parseNumberList(
  s: string,
  field: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number[] {
  const items = s.split(",");
  return items.map((raw, i) => {
    const t = raw.trim();
    const bad = (why: string) =>
      new ValidationError(
        field,
        `${show(s)}: item ${i + 1} ${why}; give comma-separated ${opts.integer ? "integers" : "numbers"}, e.g. 80,240,400`,
      );
    if (t === "") throw bad("is empty");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) throw bad(`${show(t)} is not a number`);
    const x = Number(t);
    if (!Number.isFinite(x)) throw bad(`${show(t)} is not finite`);
    if (opts.integer && !Number.isInteger(x)) throw bad(`${t} is not an integer`);
    if (opts.min !== undefined && x < opts.min) throw bad(`${t} is below ${opts.min}`);
    if (opts.max !== undefined && x > opts.max) throw bad(`${t} is above ${opts.max}`);
    return x;
  });
}

/** Strip a leading UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Check that every number in a result (numbers, arrays, typed arrays, nested objects) is finite.
 * Throws a NonFiniteError naming `stage`, the path of the first bad value and `hint` (the likely
 * cause). `null` is allowed only where the result itself holds null (a deliberate "no value").
 * `allow(where)` may exempt paths where NaN is a documented "undefined" (e.g. the correlation of a
 * constant baseline); nothing else is exempt.
 */
export function assertFinite<T>(value: T, stage: string, hint = "", allow?: (where: string) => boolean): T {
  const seen = new Set<unknown>();
  const walk = (v: unknown, where: string): void => {
    if (typeof v === "number") {
      if (!Number.isFinite(v) && !allow?.(where)) throw new NonFiniteError(stage, where || "the result", v, hint);
      return;
    }
    if (v === null || typeof v !== "object") return;
    if (seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const a = v as unknown as ArrayLike<number>;
      for (let i = 0; i < a.length; i++)
        if (typeof a[i] === "number" && !Number.isFinite(a[i]) && !allow?.(`${where}[${i}]`))
          throw new NonFiniteError(stage, `${where}[${i}]`, a[i], hint);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${where}[${i}]`));
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, where ? `${where}.${k}` : k);
  };
  walk(value, "");
  return value;
}
