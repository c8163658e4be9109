/**
 * Optimisers over box bounds, knowing nothing of physics: differential evolution with the classic
 * strategies, JADE adaptation with archive, opposition-based initialisation, and a worker-thread
 * pool for parallel evaluation of a population.
 */
export { ValidationError } from "./errors";
export { BOUND_RULES, makeBounds, repairBounds } from "./bounds";
export type { BoundRule, Bounds } from "./bounds";
export { oppositionInit, opposite, selectFittest, uniformInit } from "./init";
export {
  binomialCrossover,
  mutateBest1,
  mutateBest2,
  mutateCurrentToBest1,
  mutateCurrentToPBest,
  mutateRand1,
  mutateRand2,
  mutateRandToBest1,
  MUTATIONS,
  STRATEGIES,
} from "./mutation";
export type { MutationContext, Strategy } from "./mutation";
export { lehmerMean, sampleCR, sampleF, updateMeans } from "./adapt";
export {
  DEFAULT_RESTART,
  defaultPopulation,
  decodeState,
  DifferentialEvolution,
  diversity,
  encodeState,
  MAX_POPULATION,
  minimize,
  minimizeAsync,
  parseStrategy,
  populationAdvice,
  resolveOptions,
} from "./de";
export type {
  AsyncObjective,
  DEOptions,
  DEResult,
  DESnapshot,
  GenerationRecord,
  InitMethod,
  Objective,
  PolishOptions,
  PolishRun,
  RestartOptions,
  RestartRecord,
  Scalarisation,
  StopReason,
} from "./de";
export { ResumableRun } from "./resumable";
export type { RunState } from "./resumable";
export { choleskySolve, levenbergMarquardt, levenbergMarquardtSync } from "./polish";
export type { BatchResiduals, LMOptions, LMResult, LMStopReason, SyncBatchResiduals } from "./polish";
export { SeededRandom } from "./rng";
export type { RandomState } from "./rng";
export { WorkerPool, workerCount } from "./pool";
export type { WorkerObjectiveSpec } from "./pool";
export { ackley, rastrigin, rosenbrock, sphere, testBounds, testObjective, TEST_FUNCTIONS } from "./testfunctions";
export type { TestFunctionName } from "./testfunctions";
export {
  asymmetricBox,
  randomRotation,
  rotate,
  SHIFT_ROTATE_SCALE,
  shiftedRotated,
  testProblem,
} from "./testfunctions";
export type { ProblemFamily, ShiftedRotatedOptions, TestProblem } from "./testfunctions";
