/**
 * TEM inversion: model parameterisation, the regularised objective with the adaptive lambda rule,
 * DE inversion (serial or worker threads), the two-step field workflow, Occam's inversion, the
 * Bayesian posterior (DREAM(ZS) sampling and the linearised estimate), the search spread of a
 * final population (not uncertainty), and the seeded synthetic benchmark problems.
 */
export { ValidationError } from "./errors";
export type { EarthModel, Survey } from "../em";
export { cloneEarthModel, layerTops, valuesAtDepths } from "./model";
export { compileParameterisation, LOG_KINDS, PARAM_KINDS, toModel, toVector } from "./parameterisation";
export type { FreeParameter, KindSpec, ParamKind, Parameterisation, ParameterisationSpec } from "./parameterisation";
export {
  adaptiveLambda,
  createObjective,
  dataMisfit,
  makeForward,
  MISFIT_KINDS,
  rmsMisfit,
  roughness,
  validateProblem,
} from "./objective";
export type { DataSet, ForwardFn, ForwardProviderSpec, InversionProblem, MisfitKind } from "./objective";
export {
  DEFAULT_CR,
  DEFAULT_P,
  DEFAULT_POLISH_EVERY,
  invert,
  inversionPool,
  invertSync,
  OBJECTIVE_MODULE,
  objectiveResiduals,
} from "./invert";
export type { InversionCheckpoint, InversionPolish, InversionRecord, InversionResult, InvertOptions } from "./invert";
export { stepOneProblem, stepTwoProblem, twoStepInversion } from "./twostep";
export type { TwoStepOptions, TwoStepResult } from "./twostep";
export { geometricThicknesses, occam } from "./occam";
export type { OccamIteration, OccamOptions, OccamResult } from "./occam";
export { depthBand, depthGrid, parameterStats, quantile } from "./uncertainty";
export { median, medianRmsCurve, summarizeRuns } from "./compare";
export type { RunsSummary } from "./compare";
export type { DepthBand, ParameterStats } from "./uncertainty";
export { addDataNoise } from "./synthetic";
export type { NoiseSpec } from "./synthetic";
export { toyForward } from "./toy";
export { emForward } from "./forward";
export { checkModel, checkSurvey, FORWARD_CASE_KEYS, parseInvertConfig } from "./config";
export type { InvertConfig } from "./config";
export { checkpointFiles, runInvertConfig, truthCheck, withSyntheticData } from "./run";
export type { RunHooks } from "./run";
export { convergenceWarning, parsePosteriorOptions, poolPredictor, samplePosterior } from "./posterior";
export type {
  LinearisedParameter,
  ParameterPosterior,
  PosteriorOptions,
  PosteriorRun,
  PosteriorSummary,
} from "./posterior";
export { benchmarkSurvey, SURVEY_KINDS, syntheticProblem, syntheticProblems } from "./problems";
export type { SyntheticProblem } from "./problems";
export { rankinDatasets, RANKIN_DEFAULT_BLOCKS, truncateAtSignReversal } from "./field";
export type { RankinOptions } from "./field";
