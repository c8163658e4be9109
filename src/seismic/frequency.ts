import { amplitudeSpectrum } from "./realdata";

/** One data set whose spectrum enters the estimate: trace-major rows at `dtMs`. */
export interface SpectrumSet {
  name: string;
  rows: ArrayLike<number>[];
  /** Sample interval, ms. */
  dtMs: number;
}

export interface FrequencyEstimate {
  /** Peak of the mean amplitude spectrum of each data set (Hz). */
  peaks: { name: string; peakHz: number; centroidHz: number; traces: number; samples: number; dtMs: number }[];
  /** Median of the peaks, rounded to 0.5 Hz: the Ricker frequency of the training synthetics. */
  freqHz: number;
}

/**
 * Dominant frequency of several data sets: the peak of each set's mean amplitude spectrum
 * (amplitudeSpectrum, up to min(100 Hz, Nyquist)) and their median, rounded to 0.5 Hz. A Ricker's
 * amplitude spectrum peaks at its dominant frequency, so the median is the Ricker frequency for
 * synthetic training data that look like the sets.
 */
export function medianPeakFrequency(sets: SpectrumSet[]): FrequencyEstimate {
  const peaks: FrequencyEstimate["peaks"] = sets.map(({ name, rows, dtMs }) => {
    const sp = amplitudeSpectrum(rows, dtMs / 1000, { fmax: Math.min(100, 500 / dtMs) });
    return { name, peakHz: sp.peakHz, centroidHz: sp.centroidHz, traces: rows.length, samples: rows[0].length, dtMs };
  });
  const p = peaks.map((x) => x.peakHz).sort((a, b) => a - b);
  const med = p.length % 2 ? p[(p.length - 1) / 2] : (p[p.length / 2 - 1] + p[p.length / 2]) / 2;
  return { peaks, freqHz: Math.round(med * 2) / 2 };
}
