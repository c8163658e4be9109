import { mulberry32 } from "../config";
import { checkKeys, integerInRange, oneOf } from "../core";
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
  /**
   * 'random' (default; a seeded permutation, the paper's "random allocation"), 'interleaved'
   * (evenly spread) or 'blocked' (contiguous blocks of `blockSize` traces, whole blocks allocated
   * at random, with `gap` traces left unused beside every test block: see blockedSplit).
   */
  mode?: SplitMode;
  /** 'blocked' only: traces per block (default 100). */
  blockSize?: number;
  /** 'blocked' only: no training or validation trace lies within `gap` traces of a test trace (default 10). */
  gap?: number;
  seed?: number;
}

export type SplitMode = "random" | "interleaved" | "blocked";
export const SPLIT_MODES: readonly SplitMode[] = ["random", "interleaved", "blocked"];
const SPLIT_KEYS = ["ratio", "counts", "mode", "blockSize", "gap", "seed"];

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
  checkKeys(opts as Record<string, unknown>, "split", SPLIT_KEYS);
  const mode = oneOf(opts.mode ?? "random", "split.mode", SPLIT_MODES);
  if (mode !== "blocked" && (opts.blockSize !== undefined || opts.gap !== undefined)) {
    throw new ValidationError(
      "split.blockSize",
      `blockSize and gap apply to mode "blocked" only (mode is "${mode}"); remove them or set mode: "blocked"`,
    );
  }
  if (mode === "blocked") return blockedSplit(n, opts);
  let sizes: [number, number, number];
  if (opts.counts) {
    const c = opts.counts;
    if (c.some((v) => !Number.isInteger(v) || v < 0) || c[0] < 1 || c[0] + c[1] + c[2] > n) {
      throw new ValidationError(
        `splitTraces: counts = [${c.join(", ")}]; need non-negative integers, train >= 1, sum <= ${n}`,
      );
    }
    sizes = [c[0], c[1], c[2]];
  } else {
    const r = opts.ratio ?? [1, 1, 4];
    const s = r[0] + r[1] + r[2];
    if (r.some((v) => !(v >= 0)) || !(s > 0) || !(r[0] > 0)) {
      throw new ValidationError(
        `splitTraces: ratio = [${r.join(", ")}]; need three non-negative numbers with train > 0`,
      );
    }
    const a = Math.max(1, Math.round((n * r[0]) / s));
    const b = Math.round((n * r[1]) / s);
    sizes = [a, b, n - a - b];
  }
  const [a, b, c] = sizes;
  let order: number[];
  if (mode === "random") {
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
  return {
    train: sort(order.slice(0, a)),
    val: sort(order.slice(a, a + b)),
    test: sort(order.slice(a + b, a + b + c)),
  };
}

/**
 * A spatially blocked split (mode 'blocked'): the line is cut into ceil(n / blockSize) contiguous
 * blocks; a seeded permutation of the blocks gives the first round(B a/sum) blocks (at least one)
 * to training, the next round(B b/sum) to validation and the rest to testing, with a:b:c the ratio
 * (or the counts, when given). Test blocks are kept whole; a validation trace within `gap` traces of
 * a test trace, and a training trace within `gap` of a test or validation trace, is left unused, so
 * every test trace is more than `gap` traces from any training trace (unlike the random split, where
 * a test trace's neighbour is usually a training trace and the test score measures interpolation).
 * With `counts`, each subset is then cut to its count by a seeded draw, and a subset with fewer
 * traces than its count is refused.
 */
export function blockedSplit(n: number, opts: SplitOptions = {}): TraceSplit {
  const blockSize = integerInRange(opts.blockSize ?? 100, "split.blockSize", 1, n);
  const gap = integerInRange(opts.gap ?? 10, "split.gap", 0, n);
  const seed = opts.seed ?? 0;
  const c = opts.counts;
  if (c && (c.some((v) => !Number.isInteger(v) || v < 0) || c[0] < 1)) {
    throw new ValidationError("split.counts", `[${c.join(", ")}]; need non-negative integers with train >= 1`);
  }
  const r = c ? [c[0], c[1], c[2]] : (opts.ratio ?? [1, 1, 4]);
  const sum = r[0] + r[1] + r[2];
  if (r.some((v) => !(v >= 0)) || !(sum > 0) || !(r[0] > 0)) {
    throw new ValidationError("split.ratio", `[${r.join(", ")}]; need three non-negative numbers with train > 0`);
  }
  const nb = Math.ceil(n / blockSize);
  const bTrain = Math.max(1, Math.round((nb * r[0]) / sum));
  const bVal = Math.min(nb - bTrain, Math.round((nb * r[1]) / sum));
  if (bTrain + bVal > nb || (r[2] > 0 && bTrain + bVal >= nb)) {
    throw new ValidationError(
      "split.blockSize",
      `${blockSize} gives ${nb} blocks of ${n} traces, too few for the ratio ${r.join(":")}; use a smaller blockSize`,
    );
  }
  const order = permutation(nb, seed);
  const label = new Int8Array(n); // 0 train, 1 val, 2 test
  order.forEach((b, k) => {
    const l = k < bTrain ? 0 : k < bTrain + bVal ? 1 : 2;
    for (let i = b * blockSize; i < Math.min(n, (b + 1) * blockSize); i++) label[i] = l;
  });
  // distance (in traces) from each trace to the nearest trace of a label
  const nearest = (l: number): Float64Array => {
    const d = new Float64Array(n).fill(Infinity);
    let last = -Infinity;
    for (let i = 0; i < n; i++) {
      if (label[i] === l) last = i;
      d[i] = i - last;
    }
    last = Infinity;
    for (let i = n - 1; i >= 0; i--) {
      if (label[i] === l) last = i;
      d[i] = Math.min(d[i], last - i);
    }
    return d;
  };
  const dTest = nearest(2);
  const dVal = nearest(1);
  const sets: number[][] = [[], [], []];
  for (let i = 0; i < n; i++) {
    const l = label[i];
    if (l === 1 && dTest[i] <= gap) continue;
    if (l === 0 && (dTest[i] <= gap || dVal[i] <= gap)) continue;
    sets[l].push(i);
  }
  if (c) {
    const names = ["train", "val", "test"];
    for (let k = 0; k < 3; k++) {
      if (sets[k].length < c[k]) {
        throw new ValidationError(
          "split.counts",
          `[${c.join(", ")}]: the blocked split (blockSize ${blockSize}, gap ${gap}) leaves ${sets[k].length} ${names[k]} traces, fewer than ${c[k]}; lower that count, the gap or the blockSize, or give a ratio instead`,
        );
      }
      const p = permutation(sets[k].length, seed * 31 + k + 1);
      sets[k] = p.slice(0, c[k]).map((j) => sets[k][j]);
    }
  }
  const sort = (x: number[]) => x.sort((p, q) => p - q);
  return { train: sort(sets[0]), val: sort(sets[1]), test: sort(sets[2]) };
}

/** Smallest distance in traces between any trace of `a` and any of `b` (Infinity if either is empty). */
export function minTraceDistance(a: number[], b: number[]): number {
  const sb = [...b].sort((p, q) => p - q);
  let best = Infinity;
  for (const x of a) {
    let lo = 0;
    let hi = sb.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (sb[m] < x) lo = m + 1;
      else hi = m;
    }
    if (lo < sb.length) best = Math.min(best, sb[lo] - x);
    if (lo > 0) best = Math.min(best, x - sb[lo - 1]);
  }
  return best;
}

/**
 * The labelled traces of a target survey, chosen as wells would be: `k` traces evenly spread along
 * the line. Rule 'centres' (default): the centre of each of k equal segments,
 * floor((j + 1/2) n / k), j = 0..k-1 — for the 801-trace Overthrust line and k = 5: 80, 240, 400,
 * 560, 720. Rule 'linspace': round(j (n-1)/(k-1)), which includes both ends of the line.
 */
export function wellTraces(n: number, k: number, rule: "centres" | "linspace" = "centres"): number[] {
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new ValidationError(`wellTraces: k = ${k}; need an integer in [1, ${n}]`);
  if (rule === "linspace") {
    if (k === 1) return [Math.floor((n - 1) / 2)];
    return Array.from({ length: k }, (_, j) => Math.round((j * (n - 1)) / (k - 1)));
  }
  return Array.from({ length: k }, (_, j) => Math.floor(((j + 0.5) * n) / k));
}

/** k distinct traces drawn at random (seeded), sorted — for sensitivity to the choice of wells. */
export function randomTraces(n: number, k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new ValidationError(`randomTraces: k = ${k}; need an integer in [1, ${n}]`);
  return permutation(n, seed)
    .slice(0, k)
    .sort((a, b) => a - b);
}
