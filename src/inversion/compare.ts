import type { InversionResult } from "./invert";

/**
 * Median of a sample: the middle value, or the mean of the two middle values for an even count;
 * NaN for an empty sample. (NaNs are not filtered: use `quantile` for that.)
 */
export function median(values: ArrayLike<number>): number {
  const s = Array.from(values).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** What repeated runs of one method (over seeds) achieved. */
export interface RunsSummary {
  /** How many runs. */
  runs: number;
  /** How many reached the target RMS (evaluationsToTarget set). */
  reached: number;
  /** `reached/runs`, as a table shows it. */
  success: string;
  /** Median forward evaluations to the target over the runs that reached it; null if none did. */
  medianEvaluationsToTarget: number | null;
  /** Median final weighted RMS over all runs. */
  medianFinalRms: number;
  /** Median wall time per run (s). */
  medianSeconds: number;
}

/** Success count and medians of repeated inversions of one problem by one method. */
export function summarizeRuns(runs: InversionResult[]): RunsSummary {
  const ok = runs.filter((r) => r.evaluationsToTarget !== null);
  return {
    runs: runs.length,
    reached: ok.length,
    success: `${ok.length}/${runs.length}`,
    medianEvaluationsToTarget: ok.length ? median(ok.map((r) => r.evaluationsToTarget!)) : null,
    medianFinalRms: median(runs.map((r) => r.misfit.rms)),
    medianSeconds: median(runs.map((r) => r.seconds)),
  };
}

/**
 * The median over runs of the best weighted RMS at each generation (history.rms), as long as the
 * longest run; a run that stopped earlier counts with its last value.
 */
export function medianRmsCurve(runs: InversionResult[]): number[] {
  const n = Math.max(0, ...runs.map((r) => r.history.rms.length));
  return Array.from({ length: n }, (_, g) =>
    median(runs.map((r) => r.history.rms[Math.min(g, r.history.rms.length - 1)])),
  );
}
