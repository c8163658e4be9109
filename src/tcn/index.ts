/**
 * TCN domain: TensorFlow.js backend selection, the weight-normalised dilated convolution with its
 * own gradient, the TCN model, training, save/load, and the transfer-learning workflow.
 */
export { backendInfo, initBackend, requireBackend } from "./backend";
export type { BackendInfo, BackendName } from "./backend";
export { FlatAdam } from "./adam";
export { pointwise, seededDropout, TemporalBlock, WeightNormConv1D, weightNorm } from "./layers";
export type { Padding, TemporalBlockArgs, WeightNormConv1DArgs } from "./layers";
export { buildTcn, countParams, DEFAULT_TCN, initTcnWeights, receptiveField } from "./model";
export type { TcnConfig } from "./model";
export { predictRows, stageCheckpoint, stageCheckpointFile, trainModel } from "./train";
export { predictParallel, TcnPredictPool } from "./parallel";
export { runFitsMany, runPretrainMany, TcnTrainPool } from "./parallel-train";
export type { FitJob, TrainManyOptions } from "./parallel-train";
export type { ParallelOptions } from "./parallel";
export { checkPredictMemory, checkTrainMemory, tcnMemoryLimit } from "./resources";
export type { ConvShape } from "./resources";
export type { EpochLog, TraceSet, TrainCheckpoint, TrainHistory, TrainOptions } from "./train";
export { BUNDLE_JSON, checkPredictInput, loadTcn, recordTraining, saveTcn } from "./io";
export type { BundleIntegrity, TcnBundle, TrainingShape } from "./io";
export {
  disposeTransfer,
  evaluateTcn,
  finetuneTcn,
  fitTcn,
  freezeBlocks,
  predictImpedance,
  transferExperiment,
} from "./workflow";
export type {
  Evaluation,
  FinetuneOptions,
  FitOptions,
  FitResult,
  MethodResult,
  TransferOptions,
  TransferResult,
} from "./workflow";
export { checkPhysics, physicsMisfit, physicsTerm, synthesizeStandardized } from "./physics";
export type { PhysicsOptions } from "./physics";
export {
  mergeConfig,
  pretrainPreset,
  resolveWells,
  runPretrain,
  runTransfer,
  transferPreset,
  transferStages,
} from "./experiment";
export type {
  PretrainConfig,
  PretrainResult,
  TrainSettings,
  TransferConfig,
  TransferRun,
  WellsSpec,
} from "./experiment";
export {
  disposeWellTransfer,
  dominantFrequency,
  loadWellTarget,
  matchAmplitudes,
  MODEL_NAMES,
  pretrainWindows,
  runFold,
  runWellTransfer,
  spread,
  summarise,
  targetPath,
  VOLVE_TARGET,
  wellMetricsJson,
  wellTargetSpec,
  wellTransferConfig,
  wellTransferPreset,
  wellTransferStages,
} from "./well";
export type {
  AppliedSection,
  ApplySpec,
  FoldRun,
  LeaveOutBlock,
  ModelName,
  Score,
  ScoreSummary,
  SourceConfig,
  Spread,
  WellStage,
  WellTarget,
  WellTargetSpec,
  WellTransferConfig,
  WellTransferResult,
  WindowPretrain,
} from "./well";
