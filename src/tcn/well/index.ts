/**
 * Transfer learning to a real target with one well (issue 8; the seed paper's "practical
 * application"): a TCN pre-trained on Marmousi-2 synthetics sampled like the real seismic is
 * fine-tuned on the seismic trace at the well -> impedance log, compared with a TCN trained on the
 * well alone and with the pre-trained model applied directly; an honest blind test holds back part
 * of the log, repeated over seeds, plus a leave-window-out curve; the final models invert the
 * target's seismic line / cube. Everything is driven by a plain JSON config whose `target` names
 * the files, so a new well with the same kind of files needs no code change.
 *
 * One file per concern: spec (the target's files), target (reading and resampling), match
 * (frequency and amplitudes, by the seismic domain), config (preset and reader), pretrain
 * (synthetic windows), fold (one train/score split), summary (scores over seeds), run (the
 * workflow), report (metrics.json).
 */
export { targetPath, VOLVE_TARGET, wellTargetSpec } from "./spec";
export type { ApplySpec, WellTargetSpec } from "./spec";
export { loadWellTarget } from "./target";
export type { AppliedSection, WellTarget } from "./target";
export { dominantFrequency, matchAmplitudes } from "./match";
export { wellTransferConfig, wellTransferPreset } from "./config";
export type { SourceConfig, WellTransferConfig } from "./config";
export { pretrainWindows, randomWindows } from "./pretrain";
export type { WindowPretrain } from "./pretrain";
export { contiguousRuns, MODEL_NAMES, runFold } from "./fold";
export type { FoldOptions, FoldRun, ModelName, Score } from "./fold";
export { spread, summarise } from "./summary";
export type { ScoreSummary, Spread } from "./summary";
export { disposeWellTransfer, runWellTransfer, wellTransferStages } from "./run";
export type { LeaveOutBlock, WellStage, WellTransferHooks, WellTransferResult } from "./run";
export { wellMetricsJson } from "./report";
