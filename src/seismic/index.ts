/**
 * Seismic domain: convolutional synthetics (reflectivity, Ricker, "same" convolution), noise at a
 * stated level, train/validation/test splits, well-trace selection, standardisation with training
 * statistics, and the evaluation metrics of the seed paper (PCC eq. 5, r^2 eq. 6, MSE, MAE).
 * Sections are trace-major arrays of Float32Array (rows[i] = trace i).
 */
export { ValidationError, checkIndices, checkPair, checkSection } from "./errors";
export type { Section } from "./errors";
export { convolveSame, reflectivity, ricker, syntheticSection, syntheticTrace } from "./synthetic";
export type { SyntheticOptions } from "./synthetic";
export { addNoise, addNoiseSnr, fractionToSnrDb, sectionRms, snrDbToFraction } from "./noise";
export {
  blockedSplit,
  minTraceDistance,
  permutation,
  randomTraces,
  SPLIT_MODES,
  splitTraces,
  wellTraces,
} from "./split";
export type { SplitMode, SplitOptions, TraceSplit } from "./split";
export { dftAmplitude, estimateWavelet, resampleLinear, rotatePhase } from "./wavelet";
export type { WaveletEstimate } from "./wavelet";
export { destandardize, fitStandardizer, standardize } from "./standardize";
export type { Standardizer } from "./standardize";
export { mae, meanTraceMetrics, metrics, mse, pearson, rSquared, sectionMetrics, traceMetrics } from "./metrics";
export type { Metrics } from "./metrics";
export { checkDataset, loadDataset, makeDataset, marmousi2, overthrust, OVERTHRUST_MISMATCHED } from "./datasets";
export type { DatasetSpec, SeismicDataset, SyntheticDatasetOptions } from "./datasets";
export {
  amplitudeSpectrum,
  convertImpedance,
  IMPEDANCE_UNITS,
  resampleAverage,
  rmsMatch,
  rowStats,
  scaleAmplitude,
  wellTie,
  windowStarts,
} from "./realdata";
export type { ImpedanceUnit, Resampled, Spectrum, WellTie } from "./realdata";
export { medianPeakFrequency } from "./frequency";
export type { FrequencyEstimate, SpectrumSet } from "./frequency";
export { longestRun, matchWellAmplitudes } from "./amplitude";
export type { AmplitudeOptions, Matched } from "./amplitude";
