/**
 * TCN domain: TensorFlow.js backend selection, the weight-normalised dilated convolution with its
 * own gradient, the TCN model, training, save/load, and the transfer-learning workflow.
 */
export { backendInfo, initBackend, requireBackend } from "./backend";
export type { BackendInfo, BackendName } from "./backend";
export { addRelu, convPadding, dilatedConv1d, weightNormConv1d } from "./conv";
export { FlatAdam } from "./adam";
export { pointwise, seededDropout, TemporalBlock, WeightNormConv1D, weightNorm } from "./layers";
export type { Padding, TemporalBlockArgs, WeightNormConv1DArgs } from "./layers";
export { blockName, buildTcn, configOf, countParams, DEFAULT_TCN, initTcnWeights, receptiveField, tcnConfig } from "./model";
export type { TcnConfig } from "./model";
export { evaluateLoss, predictRows, rowsToTensor, stageCheckpoint, stageCheckpointFile, trainModel } from "./train";
export { predictParallel, TcnPredictPool } from "./parallel";
export type { ParallelOptions } from "./parallel";
export { checkPredictMemory, checkTrainMemory, fitPredictBatch, tcnBatchBytes, tcnMemoryLimit, tcnShape, WASM_MEMORY_BYTES } from "./resources";
export type { ConvShape } from "./resources";
export type { EpochLog, TraceSet, TrainCheckpoint, TrainHistory, TrainOptions } from "./train";
export { BUNDLE_JSON, checkPredictInput, cloneModel, descriptionDigest, fileHandler, loadTcn, MODEL_JSON, recordTraining, saveTcn, trainingShape, WEIGHTS_BIN } from "./io";
export type { BundleIntegrity, TcnBundle, TrainingShape } from "./io";
export { checkFits, disposeTransfer, evaluateTcn, finetuneTcn, fitTcn, freezeBlocks, predictImpedance, transferExperiment } from "./workflow";
export type { Evaluation, FinetuneOptions, FitOptions, FitResult, MethodResult, TransferOptions, TransferResult } from "./workflow";
export { checkPhysics, physicsMisfit, physicsTerm, synthesizeStandardized } from "./physics";
export type { PhysicsOptions } from "./physics";
export { mergeConfig, pretrainPreset, resolveWells, runPretrain, runTransfer, transferPreset, transferStages } from "./experiment";
export type { PretrainConfig, PretrainResult, TrainSettings, TransferConfig, TransferRun, WellsSpec } from "./experiment";
export {
  disposeWellTransfer,
  dominantFrequency,
  loadWellTarget,
  matchAmplitudes,
  MODEL_NAMES,
  pretrainWindows,
  randomWindows,
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
