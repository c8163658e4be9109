/**
 * Survey scale: many TEM soundings as a section. The survey format and its strict reader, the
 * Rankin Inlet survey (all 22 sites), each sounding's 1-D DE inversion as a self-contained task
 * (worker threads on one machine, or a BullMQ queue in Redis over many), the laterally constrained
 * inversion (LCI) with its depth of investigation, and the section figures.
 */
export { ValidationError } from "./errors";
export { canonicalJson, fnv1a, parseSurveySpec, SURVEY_FORMAT_VERSION } from "./format";
export type { ForwardKind, SoundingSpec, SurveySpec, SurveyWorkflow, TopLayers } from "./format";
export { invertSounding, soundingTasks, step1Datasets } from "./sounding";
export type { DeSummary, SoundingPosterior, SoundingResult, SoundingRun, SoundingTask } from "./sounding";
export { depthOfInvestigation, lci, LCI_DEFAULTS } from "./lci";
export type {
  LciExecutor,
  LciForwardResult,
  LciForwardTask,
  LciIteration,
  LciOptions,
  LciResult,
  LciSounding,
  LciSoundingResult,
} from "./lci";
export { SurveyThreads } from "./threads";
export type { SurveyTask, SurveyTaskResult } from "./tasks";
export { runSurvey, writeAtomic } from "./run";
export type { RunSurveyOptions, SectionPosterior, SectionSounding, SectionSummary } from "./run";
export { jobId, parseRedisUrl, startWorker, submitSurvey } from "./queue";
export type { JobReturn, RedisConnectionOptions, SubmitOptions, WorkerOptions } from "./queue";
export { rankinSurvey, RANKIN_SURVEY_DEFAULTS } from "./rankin";
export type { RankinSurveyOptions } from "./rankin";
export { sectionFigures } from "./figures";
export type { SectionColumn, SectionFigureOptions } from "./figures";
export { syntheticLine } from "./synthetic";
export type { SyntheticLineOptions } from "./synthetic";
