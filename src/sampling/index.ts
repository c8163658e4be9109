/**
 * Posterior sampling over box bounds, knowing nothing of physics: DREAM(ZS) MCMC with a uniform
 * prior in the box (ask/tell, seeded, batch log-likelihood), convergence diagnostics
 * (rank-normalised split-R-hat, bulk ESS), and a linearised covariance estimate with a batched
 * finite-difference Jacobian. See docs/SAMPLING.md.
 */
export {
  BLOCK_MAX,
  CROSSOVER_VALUES,
  DEFAULT_MAX_EVALUATIONS,
  DreamZS,
  flattenDraws,
  foldInto,
  MOVE_KINDS,
  quantiles,
  resolveSampleOptions,
  sample,
  sampleAsync,
  summarize,
} from "./dream";
export type {
  AsyncLogLikelihood,
  CheckInfo,
  DreamSnapshot,
  LogLikelihood,
  MoveKind,
  SampleOptions,
  SampleResult,
  SampleStopReason,
} from "./dream";
export { T_COMPONENTS, T_SCALE } from "./independence";
export { ChainStore } from "./chains";
export type { ChainStoreSnapshot, StopRule } from "./chains";
export {
  autocovariance,
  diagnoseChains,
  essBasic,
  essBulk,
  essTail,
  foldChains,
  normalCdf,
  normalQuantile,
  quantileSorted,
  rankNormalize,
  rhat,
  rhatBasic,
  rhatBulk,
  rhatTail,
  splitChains,
  splitRhat,
} from "./diagnostics";
export type { Chains } from "./diagnostics";
export {
  assembleJacobian,
  finiteDifferenceJacobian,
  linearisedCovariance,
  planJacobian,
  uniformPriorPrecision,
} from "./linearised";
export type { FiniteDifferenceScheme, JacobianResiduals, JacobianPlan, LinearisedEstimate } from "./linearised";
