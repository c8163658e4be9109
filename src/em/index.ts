/**
 * EM domain: 1-D transient electromagnetic forward modelling of a layered Cole-Cole earth for
 * grounded-wire and loop sources (docs/METHODS.md part B; [TEM24] eqs. 1-2).
 */
export { ValidationError } from "./errors";
export {
  coleCole,
  coleColeSigma,
  modelFromSigma,
  modelToSigma,
  parseEarthModel,
  peltonToSigma,
  sigmaToPelton,
} from "./model";
export type { Complex, EarthModel, EarthModelSigma } from "./model";
export { parseSurvey, POINT_COMPONENTS, sourceSegments } from "./survey";
export { broadsideWireSurvey, centralLoopSurvey, squareLoopPoints } from "./layouts";
export type {
  DipoleReceiver,
  Point2,
  PointComponent,
  PointReceiver,
  Receiver,
  Repetition,
  Source,
  Survey,
  Waveform,
} from "./survey";
export {
  batchBytes,
  checkBatchMemory,
  compileSurvey,
  DEFAULT_OPTIONS,
  estimateSurvey,
  FAST_OPTIONS,
  forward,
  forwardMany,
  CONVERGED_OPTIONS,
  MAX_LAYERS,
} from "./plan";
export type { FieldKind, ForwardOptions, Response, SurveyEstimate, SurveyPlan } from "./plan";
export { referenceError } from "./metric";
export { FOURIER_FILTERS, HANKEL_FILTERS } from "./filters";
export type { FourierFilter, FourierFilterName, HankelFilter, HankelFilterName } from "./filters";
