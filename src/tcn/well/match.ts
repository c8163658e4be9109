import { FrequencyEstimate, matchWellAmplitudes, Matched, medianPeakFrequency } from "../../seismic";
import { WellTarget } from "./target";

/**
 * A well target's spectrum and amplitudes, through the seismic domain's estimators
 * (medianPeakFrequency, matchWellAmplitudes).
 */

/**
 * Dominant frequency of a target's seismic: the peak of the mean amplitude spectrum of the well
 * trace (at its own interval) and of each section to invert; their median (rounded to 0.5 Hz) is the
 * Ricker frequency used for the synthetic training data (a Ricker's amplitude spectrum peaks at its
 * dominant frequency).
 */
export function dominantFrequency(t: WellTarget): FrequencyEstimate {
  return medianPeakFrequency([
    { name: `${t.spec.name} trace at the well`, rows: [t.raw.seismic], dtMs: t.raw.dtMs },
    ...t.apply.map((a) => ({ name: a.name, rows: a.traces, dtMs: t.dtMs })),
  ]);
}

/**
 * Bring the target's well trace and sections onto the scale of the synthetic training data, fitted
 * on the labelled samples only, by the target's amplitude method and polarity (matchWellAmplitudes).
 */
export function matchAmplitudes(t: WellTarget, freqHz: number, labelled: number[], sourceRms: number): Matched {
  return matchWellAmplitudes(
    { seismic: t.seismic, impedance: t.impedance },
    t.apply.map((s) => s.traces),
    { freqHz, dtMs: t.dtMs, labelled, sourceRms, method: t.spec.amplitude.method, polarity: t.spec.amplitude.polarity },
  );
}
