import { ValidationError } from "./errors";
import { rmsMatch, rowStats, scaleAmplitude, wellTie, WellTie } from "./realdata";

export interface Matched {
  /** The well trace on the synthetic scale (all samples; gain and offset from the labelled ones). */
  well: Float32Array;
  /** Each section on the synthetic scale (RMS matched to the same reference, same polarity). */
  apply: Float32Array[][];
  tie: WellTie;
  /** Samples the tie and the scale were fitted on. */
  tieSamples: [number, number];
  method: "tie" | "rms";
  polarity: 1 | -1;
  /** RMS every data set is matched to. */
  refRms: number;
  wellGain: number;
  wellOffset: number;
  applyGain: { offset: number; gain: number }[];
}

/** How matchWellAmplitudes scales: the reference RMS ('tie' or 'rms') and the polarity ('tie' or forced). */
export interface AmplitudeOptions {
  /** Ricker frequency of the synthetic of the log (Hz), made like the training data. */
  freqHz: number;
  /** Sample interval of the well and the sections, ms. */
  dtMs: number;
  /** Sample indices of the log that may be used (the labelled ones). */
  labelled: number[];
  /** RMS of the training seismic (the reference for method 'rms'). */
  sourceRms: number;
  method: "tie" | "rms";
  polarity: "tie" | 1 | -1;
}

/** The longest run of consecutive indices, as [start, end). */
export function longestRun(idx: number[]): [number, number] {
  const s = [...idx].sort((a, b) => a - b);
  let best: [number, number] = [s[0], s[0] + 1];
  let a = s[0];
  for (let k = 1; k <= s.length; k++) {
    if (k === s.length || s[k] !== s[k - 1] + 1) {
      if (s[k - 1] + 1 - a > best[1] - best[0]) best = [a, s[k - 1] + 1];
      if (k < s.length) a = s[k];
    }
  }
  return best;
}

/**
 * Bring real seismic onto the scale of synthetic training data, using only the labelled samples
 * of the log (their longest contiguous run, so that the synthetic of the log does not see
 * held-back impedance):
 * 1. tie: synthetic of the log (Ricker of freqHz, made like the training data) vs the well trace;
 * 2. polarity: the sign of the tie correlation (or forced);
 * 3. reference RMS: the RMS of that synthetic ('tie') or of the training seismic `sourceRms` ('rms');
 * 4. well trace: (s - mean) * polarity * refRms / std over the tie samples;
 *    each section: (x - its mean) * polarity * refRms / its std (its own min-max or raw scale is
 *    unrelated to the well's, so each data set gets its own offset and gain).
 */
export function matchWellAmplitudes(
  well: { seismic: Float64Array; impedance: Float64Array },
  sections: Float32Array[][],
  o: AmplitudeOptions,
): Matched {
  const [a, b] = longestRun(o.labelled);
  if (b - a < 8) {
    throw new ValidationError(
      `matchAmplitudes: the longest labelled run has ${b - a} samples; need at least 8 to tie the well`,
    );
  }
  const seg = well.seismic.subarray(a, b);
  const tie = wellTie(seg, well.impedance.subarray(a, b), o.freqHz, o.dtMs / 1000, { maxLag: 5 });
  const pol: 1 | -1 = o.polarity === "tie" ? (tie.correlation < 0 ? -1 : 1) : o.polarity;
  const refRms = o.method === "tie" ? rowStats([tie.synthetic]).std : o.sourceRms;
  const wm = rmsMatch([seg], refRms, pol);
  const matchedWell = scaleAmplitude([well.seismic], wm.offset, wm.gain)[0];
  const applyGain = sections.map((s) => rmsMatch(s, refRms, pol));
  const apply = sections.map((s, i) => scaleAmplitude(s, applyGain[i].offset, applyGain[i].gain));
  return {
    well: matchedWell,
    apply,
    tie,
    tieSamples: [a, b],
    method: o.method,
    polarity: pol,
    refRms,
    wellGain: wm.gain,
    wellOffset: wm.offset,
    applyGain,
  };
}
