import { mulberry32 } from "../config";
import { ValidationError } from "./errors";

/** Trace indices of a train / validation / test split (each sorted ascending). */
export interface TraceSplit {
  train: number[];
  val: number[];
  test: number[];
}

export interface SplitOptions {
  /**
   * Relative sizes train:val:test. Default [1, 1, 4], the paper's ratio (450/450/1821 of 2721
   * Marmousi-2 traces). Sizes are round(n*a/sum), round(n*b/sum) and the rest.
   */
  ratio?: [number, number, number];
  /** Exact sizes instead of a ratio; their sum must not exceed n (left-over traces are unused). */
  counts?: [number, number, number];
  /** 'random' (default; a seeded permutation, the paper's "random allocation") or 'interleaved' (evenly spread). */
  mode?: "random" | "interleaved";
  seed?: number;
}

/** Seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Split n traces into train / validation / test. With ratio 1:1:4 and the 1701 traces of the bundled
 * Marmousi-2 this gives 284 / 284 / 1133.
 */
export function splitTraces(n: number, opts: SplitOptions = {}): TraceSplit {
  if (!Number.isInteger(n) || n < 3) throw new ValidationError(`splitTraces: n = ${n}; need at least 3 traces`);
  let sizes: [number, number, number];
  if (opts.counts) {
    const c = opts.counts;
    if (c.some((v) => !Number.isInteger(v) || v < 0) || c[0] < 1 || c[0] + c[1] + c[2] > n) {
      throw new ValidationError(`splitTraces: counts = [${c.join(", ")}]; need non-negative integers, train >= 1, sum <= ${n}`);
    }
    sizes = [c[0], c[1], c[2]];
  } else {
    const r = opts.ratio ?? [1, 1, 4];
    const s = r[0] + r[1] + r[2];
    if (r.some((v) => !(v >= 0)) || !(s > 0) || !(r[0] > 0)) {
      throw new ValidationError(`splitTraces: ratio = [${r.join(", ")}]; need three non-negative numbers with train > 0`);
    }
    const a = Math.max(1, Math.round((n * r[0]) / s));
    const b = Math.round((n * r[1]) / s);
    sizes = [a, b, n - a - b];
  }
  const [a, b, c] = sizes;
  let order: number[];
  if ((opts.mode ?? "random") === "random") {
    order = permutation(n, opts.seed ?? 0);
  } else {
    // interleaved: walk the section with a stride so each subset spans the whole line
    const used = a + b + c;
    const pick = Array.from({ length: used }, (_, i) => Math.min(n - 1, Math.floor(((i + 0.5) * n) / used)));
    // assign positions in the pattern train, val, test x (c/a) ... by cycling weights
    const labels: number[] = [];
    const quota = [a, b, c];
    const got = [0, 0, 0];
    for (let i = 0; i < used; i++) {
      // choose the subset furthest behind its share
      let best = 0;
      let bestLag = -Infinity;
      for (let s = 0; s < 3; s++) {
        if (got[s] >= quota[s]) continue;
        const lag = ((i + 1) * quota[s]) / used - got[s];
        if (lag > bestLag) {
          bestLag = lag;
          best = s;
        }
      }
      labels.push(best);
      got[best]++;
    }
    const sets: number[][] = [[], [], []];
    pick.forEach((p, i) => sets[labels[i]].push(p));
    order = [...sets[0], ...sets[1], ...sets[2]];
  }
  const sort = (x: number[]) => x.sort((p, q) => p - q);
  return { train: sort(order.slice(0, a)), val: sort(order.slice(a, a + b)), test: sort(order.slice(a + b, a + b + c)) };
}

/**
 * The labelled traces of a target survey, chosen as wells would be: `k` traces evenly spread along
 * the line. Rule 'centres' (default): the centre of each of k equal segments,
 * floor((j + 1/2) n / k), j = 0..k-1 — for the 801-trace Overthrust line and k = 5: 80, 240, 400,
 * 560, 720. Rule 'linspace': round(j (n-1)/(k-1)), which includes both ends of the line.
 */
export function wellTraces(n: number, k: number, rule: "centres" | "linspace" = "centres"): number[] {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ValidationError(`wellTraces: k = ${k}; need an integer in [1, ${n}]`);
  if (rule === "linspace") {
    if (k === 1) return [Math.floor((n - 1) / 2)];
    return Array.from({ length: k }, (_, j) => Math.round((j * (n - 1)) / (k - 1)));
  }
  return Array.from({ length: k }, (_, j) => Math.floor(((j + 0.5) * n) / k));
}

/** k distinct traces drawn at random (seeded), sorted — for sensitivity to the choice of wells. */
export function randomTraces(n: number, k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ValidationError(`randomTraces: k = ${k}; need an integer in [1, ${n}]`);
  return permutation(n, seed).slice(0, k).sort((a, b) => a - b);
}
