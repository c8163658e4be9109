/**
 * inversion internals that tests check directly (by path, `../src/inversion/internal`). Not
 * part of the public surface (./index.ts); they may change without notice.
 */
export { freeKinds, searchValues } from "./parameterisation";
export { createPredictor, dataCount, roughnessResiduals, splitByDataset, stackedData } from "./objective";
export { checkpointHash } from "./invert";
export { modelsOf } from "./uncertainty";
export { CASE_KEYS, checkDEOptions } from "./config";
export { modelErrors, modelErrorsAbsolute, SEARCH_SPREAD_NOTE, syntheticForward } from "./run";
export { choleskyLower, linearisedDraws, localPredictor, logLikelihood, whitenedResiduals } from "./posterior";
