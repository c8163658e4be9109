import { FoldRun, MODEL_NAMES, ModelName } from "./fold";

/** Scores over seeds and folds: mean, spread and range per model. */

export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
}

/** Mean, sample standard deviation (n-1; 0 for one value), min and max, ignoring NaN. */
export function spread(v: number[]): Spread {
  const x = v.filter((a) => Number.isFinite(a));
  const n = x.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN, n: 0 };
  const mean = x.reduce((s, a) => s + a, 0) / n;
  const std = n > 1 ? Math.sqrt(x.reduce((s, a) => s + (a - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...x), max: Math.max(...x), n };
}

export type ScoreSummary = Record<ModelName | "labelled_mean", { pcc: Spread; r2: Spread; mae: Spread }>;

export function summarise(folds: FoldRun[]): ScoreSummary {
  const out = {} as ScoreSummary;
  for (const m of [...MODEL_NAMES, "labelled_mean" as const]) {
    out[m] = {
      pcc: spread(folds.map((f) => f.scores[m].pcc)),
      r2: spread(folds.map((f) => f.scores[m].r2)),
      mae: spread(folds.map((f) => f.scores[m].mae)),
    };
  }
  return out;
}
