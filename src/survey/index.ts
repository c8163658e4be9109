/**
 * Survey scale: many TEM soundings as a section. The survey format and its strict reader, the
 * Rankin Inlet survey (all 22 sites), each sounding's 1-D DE inversion as a self-contained task
 * (worker threads on one machine, or a BullMQ queue in Redis over many), the laterally constrained
 * inversion (LCI) with its depth of investigation, and the section figures.
 */
export { ValidationError } from "./errors";
export { canonicalJson, fnv1a, parseSurvey, soundingSeed, SURVEY_FORMAT_VERSION, withTopLayers } from "./format";
export type { ForwardKind, SoundingSpec, SurveySpec, SurveyWorkflow, TopLayers } from "./format";
export { FORWARDS_MODULE, forwardSpec } from "./forwards";
export { invertSounding, soundingTasks, step1Datasets, taskHash, taskProblem } from "./sounding";
export type { DeSummary, SoundingResult, SoundingTask } from "./sounding";
export { choleskySolve, depthOfInvestigation, detectabilityDepth, gridModel, lci, LCI_DEFAULTS, parseLciOptions, profileDistances, runLciForward, serialLciExecutor } from "./lci";
export type { LciExecutor, LciForwardResult, LciForwardTask, LciIteration, LciOptions, LciResult, LciSounding, LciSoundingResult } from "./lci";
export { SurveyThreads } from "./threads";
export { runTask } from "./tasks";
export type { SurveyTask, SurveyTaskResult } from "./tasks";
export { finishedResult, finishSection, lciStart, resultText, runSurvey, soundingFile, SurveyProgress, writeAtomic } from "./run";
export type { RunSurveyOptions, SectionSounding, SectionSummary } from "./run";
export { jobId, parseRedisUrl, QUEUE_NAME, startWorker, submitSurvey } from "./queue";
export type { JobReturn, RedisConnectionOptions, SubmitOptions, WorkerOptions } from "./queue";
export { profileOrder, rankinSurvey, RANKIN_SURVEY_DEFAULTS } from "./rankin";
export type { RankinSurveyOptions } from "./rankin";
export { sectionFigures } from "./figures";
export type { SectionColumn, SectionFigureOptions } from "./figures";
export { syntheticLine, syntheticTruth } from "./synthetic";
export type { SyntheticLineOptions } from "./synthetic";
