import { Matched, metrics, Metrics, makeDataset, ValidationError, windowStarts } from "../../seismic";
import { TrainSettings } from "../experiment";
import { TcnBundle } from "../io";
import { EpochLog, stageCheckpoint, TrainCheckpoint, TrainHistory } from "../train";
import { TcnTrainPool } from "../parallel-train";
import { FinetuneOptions, finetuneTcn, FitOptions, FitResult, fitTcn, predictImpedance } from "../workflow";
import { WellTransferConfig } from "./config";
import { matchAmplitudes } from "./match";
import { WellTarget } from "./target";

/** One train/score split of the log: the three models (pre-trained, direct, transfer) and their scores. */

export type ModelName = "pretrained_direct" | "direct" | "transfer";
export const MODEL_NAMES: ModelName[] = ["pretrained_direct", "direct", "transfer"];

export interface Score {
  pcc: number;
  r2: number;
  mae: number;
}

export interface FoldRun {
  /** Labelled samples (training) and scored samples. */
  labelled: number[];
  scored: number[];
  seed: number;
  windows: number;
  scores: Record<ModelName, Score> & { labelled_mean: Score };
  /** Predicted impedance along the whole well trace, (m/s)(g/cm3). */
  prediction: Record<ModelName, Float32Array>;
  history: { direct: TrainHistory; transfer: TrainHistory };
  matched: Matched;
}

function score(trueZ: ArrayLike<number>, pred: ArrayLike<number>, idx: number[]): Score {
  const a = idx.map((i) => trueZ[i]);
  const b = idx.map((i) => pred[i]);
  const m: Metrics = metrics(a, b);
  return { pcc: m.pcc, r2: m.r2, mae: m.mae };
}

/** Sample indices (any order) as their contiguous runs [start, end), in increasing order. */
export function contiguousRuns(idx: number[]): [number, number][] {
  const s = [...idx].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let a = s[0];
  for (let k = 1; k <= s.length; k++) {
    if (k === s.length || s[k] !== s[k - 1] + 1) {
      out.push([a, s[k - 1] + 1]);
      if (k < s.length) a = s[k];
    }
  }
  return out;
}

export interface FoldOptions {
  pretrained: TcnBundle;
  target: WellTarget;
  freqHz: number;
  /** Labelled samples (train on these) and samples to score. */
  labelled: number[];
  scored: number[];
  seed: number;
  window: { length: number; stride: number };
  finetune: WellTransferConfig["finetune"];
  direct: TrainSettings;
  onEpoch?: (stage: string, l: EpochLog) => void;
  /** Keep the two trained bundles (else they are disposed). */
  keep?: boolean;
  /** Checkpoints of the two trainings (stageCheckpoint names FILE.<stage>-direct and FILE.<stage>-transfer). */
  checkpoint?: { base: TrainCheckpoint; stage: string };
  /**
   * Worker threads that train the two models side by side (the same models as one after the other);
   * not used with `checkpoint`, whose saves happen on the calling thread.
   */
  pool?: TcnTrainPool;
}

/**
 * One train/score split of the log: match amplitudes on the labelled samples, cut training windows
 * from the labelled runs, train the TCN from scratch and fine-tune the pre-trained one on them, then
 * invert the whole well trace with the three models and score the `scored` samples.
 */
export async function runFold(
  o: FoldOptions,
): Promise<FoldRun & { bundles?: { direct: TcnBundle; transfer: TcnBundle } }> {
  const t = o.target;
  const matched = matchAmplitudes(t, o.freqHz, o.labelled, o.pretrained.xStats.std);
  const starts = windowStarts(contiguousRuns(o.labelled), o.window.length, o.window.stride);
  if (starts.length === 0)
    throw new ValidationError(
      `no training window of ${o.window.length} samples fits in the labelled samples (runs ${JSON.stringify(contiguousRuns(o.labelled))}); shorten window.length`,
    );
  const ds = makeDataset(
    `${t.spec.name} windows`,
    starts.map((s) => matched.well.subarray(s, s + o.window.length)),
    starts.map((s) => t.impedance.subarray(s, s + o.window.length)),
    {
      description: `${t.spec.name}: ${starts.length} windows of ${o.window.length} samples at ${t.dtMs} ms from the labelled log`,
    },
  );
  const all = starts.map((_, i) => i);
  const ft = o.finetune;
  const dr = o.direct;
  const dopts: FitOptions = {
    epochs: dr.epochs,
    batchSize: dr.batchSize,
    lr: dr.lr,
    weightDecay: dr.weightDecay,
    patience: null,
    seed: o.seed,
    config: { ...o.pretrained.config, seed: o.seed },
    onEpoch: (l) => o.onEpoch?.("direct", l),
    checkpoint: o.checkpoint && stageCheckpoint(o.checkpoint.base, `${o.checkpoint.stage}-direct`),
  };
  const fopts: FinetuneOptions = {
    epochs: ft.epochs,
    batchSize: ft.batchSize,
    lr: ft.lr,
    weightDecay: ft.weightDecay,
    patience: null,
    seed: o.seed,
    freezeBlocks: ft.freezeBlocks,
    normalization: ft.normalization,
    onEpoch: (l) => o.onEpoch?.("transfer", l),
    checkpoint: o.checkpoint && stageCheckpoint(o.checkpoint.base, `${o.checkpoint.stage}-transfer`),
  };
  let direct: FitResult, transfer: FitResult;
  if (o.pool && !o.checkpoint) {
    const stages = ["direct", "transfer"];
    [direct, transfer] = await o.pool.runFits(
      [
        { kind: "fit", data: ds, train: all, opts: dopts },
        { kind: "finetune", pretrained: o.pretrained, data: ds, train: all, opts: fopts },
      ],
      (i, l) => o.onEpoch?.(stages[i], l),
    );
  } else {
    direct = await fitTcn(ds, all, undefined, dopts);
    transfer = await finetuneTcn(o.pretrained, ds, all, undefined, fopts);
  }
  const x = [matched.well];
  const prediction: Record<ModelName, Float32Array> = {
    pretrained_direct: predictImpedance(o.pretrained, x)[0],
    direct: predictImpedance(direct.bundle, x)[0],
    transfer: predictImpedance(transfer.bundle, x)[0],
  };
  let lm = 0;
  for (const i of o.labelled) lm += t.impedance[i];
  lm /= o.labelled.length;
  const scores = {
    pretrained_direct: score(t.impedance, prediction.pretrained_direct, o.scored),
    direct: score(t.impedance, prediction.direct, o.scored),
    transfer: score(t.impedance, prediction.transfer, o.scored),
    // a constant has no correlation: PCC is undefined (NaN), r2 and MAE say how far the level is off
    labelled_mean: { ...score(t.impedance, new Float64Array(t.impedance.length).fill(lm), o.scored), pcc: NaN },
  };
  const out: FoldRun & { bundles?: { direct: TcnBundle; transfer: TcnBundle } } = {
    labelled: o.labelled,
    scored: o.scored,
    seed: o.seed,
    windows: starts.length,
    scores,
    prediction,
    history: { direct: direct.history, transfer: transfer.history },
    matched,
  };
  if (o.keep) out.bundles = { direct: direct.bundle, transfer: transfer.bundle };
  else {
    direct.bundle.model.dispose();
    transfer.bundle.model.dispose();
  }
  return out;
}
