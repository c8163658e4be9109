/**
 * survey internals that tests check directly (by path, `../src/survey/internal`). Not
 * part of the public surface (./index.ts); they may change without notice.
 */
export { soundingSeed, withTopLayers } from "./format";
export { FORWARDS_MODULE, forwardSpec } from "./forwards";
export { posteriorSeed, taskHash, taskProblem } from "./sounding";
export {
  detectabilityDepth,
  gridModel,
  parseLciOptions,
  profileDistances,
  runLciForward,
  serialLciExecutor,
} from "./lci";
export { runTask } from "./tasks";
export {
  finishedResult,
  finishSection,
  lciStart,
  resultText,
  sectionPosterior,
  soundingFile,
  soundingNote,
  SurveyProgress,
} from "./run";
export { QUEUE_NAME } from "./queue";
export { profileOrder } from "./rankin";
export { syntheticTruth } from "./synthetic";
