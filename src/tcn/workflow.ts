import * as tf from "@tensorflow/tfjs";
import {
  checkDataset,
  checkIndices,
  checkSection,
  destandardize,
  estimateWavelet,
  fitStandardizer,
  meanTraceMetrics,
  Metrics,
  SeismicDataset,
  sectionMetrics,
  standardize,
  Standardizer,
  traceMetrics,
  ValidationError,
} from "../seismic";
import { initBackend } from "./backend";
import { cloneModel, TcnBundle } from "./io";
import { buildTcn, configOf, TcnConfig, tcnConfig } from "./model";
import { TemporalBlock } from "./layers";
import { checkPhysics, PhysicsOptions, physicsTerm } from "./physics";
import { checkTrainMemory } from "./resources";
import { predictRows, trainModel, TrainHistory, TrainOptions } from "./train";

/**
 * The seismic-to-impedance workflow on plain data (any SeismicDataset: Marmousi-2, Overthrust, or
 * real traces with impedance at wells): fit a TCN on chosen training traces, invert a section,
 * evaluate, fine-tune a pre-trained model on a few labelled traces (transfer learning), and the
 * whole Table-1 experiment of the seed paper with its two baselines.
 */

export interface FitOptions extends TrainOptions {
  /** Architecture (defaults: DEFAULT_TCN). */
  config?: Partial<TcnConfig>;
  /** Metadata stored with the model. */
  meta?: Record<string, unknown>;
}

export interface FitResult {
  bundle: TcnBundle;
  history: TrainHistory;
}

function pick(rows: Float32Array[], idx: number[]): Float32Array[] {
  return idx.map((i) => rows[i]);
}

/**
 * Train a new TCN on the traces `trainIdx` of `data` (validation on `valIdx` when given, with early
 * stopping and best-weight restore). Seismic and impedance are standardised with statistics of the
 * training traces only.
 */
export async function fitTcn(
  data: SeismicDataset,
  trainIdx: number[],
  valIdx: number[] | undefined,
  opts: FitOptions,
): Promise<FitResult> {
  await initBackend();
  const [n] = checkDataset(data);
  checkIndices(trainIdx, n, "training traces");
  if (valIdx) checkIndices(valIdx, n, "validation traces");
  const xStats = fitStandardizer(data.seismic, trainIdx, "seismic");
  const yStats = fitStandardizer(data.impedance, trainIdx, "impedance");
  const xs = standardize(data.seismic, xStats);
  const ys = standardize(data.impedance, yStats);
  const config = tcnConfig({ ...(opts.config ?? {}), seed: opts.config?.seed ?? opts.seed ?? 0 });
  const model = buildTcn(config);
  const history = await trainModel(
    model,
    { x: pick(xs, trainIdx), y: pick(ys, trainIdx) },
    valIdx && valIdx.length ? { x: pick(xs, valIdx), y: pick(ys, valIdx) } : undefined,
    opts,
  );
  const meta = {
    ...(opts.meta ?? {}),
    dataset: data.description,
    trainTraces: trainIdx.length,
    valTraces: valIdx?.length ?? 0,
    history: summary(history),
  };
  return { bundle: { model, config, xStats, yStats, meta }, history };
}

function summary(h: TrainHistory): Record<string, unknown> {
  return {
    epochsRun: h.epochsRun,
    bestEpoch: h.bestEpoch,
    bestValLoss: h.bestValLoss,
    finalTrainLoss: h.finalTrainLoss,
    stoppedEarly: h.stoppedEarly,
    seconds: h.seconds,
  };
}

/** Check that a model can take these traces (channels and, for fixed-length models, length). */
export function checkFits(bundle: TcnBundle, seismic: ArrayLike<number>[], what = "seismic"): void {
  const [, ns] = checkSection(seismic, what);
  const c = bundle.config;
  if (c.inputChannels !== 1) {
    throw new ValidationError(
      `the model takes ${c.inputChannels} input channels per sample but ${what} has 1 (one trace per row); use a model trained on single-channel traces`,
    );
  }
  if (c.inputLength !== null && c.inputLength !== ns) {
    throw new ValidationError(
      `the model was built for traces of ${c.inputLength} samples but ${what} has ${ns}; resample the traces or train a model with inputLength null (any length)`,
    );
  }
  const inShape = bundle.model.inputs[0].shape;
  if (inShape[2] !== 1) throw new ValidationError(`the model's input has ${inShape[2]} channels, ${what} has 1`);
}

/** Invert seismic traces to impedance (physical units) with a trained bundle. */
export function predictImpedance(bundle: TcnBundle, seismic: ArrayLike<number>[], batchSize?: number): Float32Array[] {
  checkFits(bundle, seismic);
  const xs = standardize(seismic, bundle.xStats);
  return destandardize(predictRows(bundle.model, xs, batchSize), bundle.yStats);
}

export interface Evaluation {
  /** All samples of the evaluated traces pooled (eqs. 5-6 with N = traces x samples). */
  section: Metrics;
  /** Mean of the per-trace metrics. */
  meanTrace: Metrics;
  /** Per trace, in the order of `traces`. */
  perTrace: Metrics[];
  traces: number[];
  /** Traces left out of the scores (e.g. the labelled training traces), sorted. */
  excluded: number[];
  /** Predicted impedance of every trace of the dataset (physical units). */
  prediction: Float32Array[];
}

/**
 * Invert the whole dataset and score the traces `idx` (default: all) less the traces `exclude`
 * (e.g. the wells a model was trained on, which a score of how well it generalises must leave out).
 */
export function evaluateTcn(
  bundle: TcnBundle,
  data: SeismicDataset,
  idx?: number[],
  exclude: number[] = [],
): Evaluation {
  const [n] = checkDataset(data);
  checkIndices(exclude, n, "excluded traces");
  const out = new Set(exclude);
  const traces = (idx ?? Array.from({ length: n }, (_, i) => i)).filter((i) => !out.has(i));
  checkIndices(traces, n, "evaluation traces");
  if (traces.length === 0)
    throw new ValidationError("evaluation traces", "none left to score once the excluded traces are removed");
  const prediction = predictImpedance(bundle, data.seismic);
  return {
    excluded: [...exclude].sort((a, b) => a - b),
    section: sectionMetrics(data.impedance, prediction, traces),
    meanTrace: meanTraceMetrics(data.impedance, prediction, traces),
    perTrace: traceMetrics(data.impedance, prediction, traces),
    traces,
    prediction,
  };
}

export interface FinetuneOptions extends TrainOptions {
  /** Freeze the first k residual blocks (0 = all layers trainable). */
  freezeBlocks?: number;
  /**
   * Normalisation of the fine-tuned model: 'target' (default) refits seismic and impedance
   * statistics on the labelled target traces; 'source' keeps the pre-trained model's.
   */
  normalization?: "target" | "source";
  /**
   * Physics-guided (semi-supervised) fine-tuning: add weight * (seismic misfit of the synthetic of the
   * predicted impedance) on unlabelled target traces to the loss (src/tcn/physics.ts). Absent or
   * weight 0: plain fine-tuning.
   */
  physics?: PhysicsOptions;
  meta?: Record<string, unknown>;
}

/** Set the first k blocks of a TCN untrainable (and the rest trainable). */
export function freezeBlocks(model: tf.LayersModel, k: number): void {
  const n = configOf(model).channels.length;
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new ValidationError("freezeBlocks", `${k}: the model has ${n} blocks, so use an integer in [0, ${n}]`);
  for (const layer of model.layers) {
    const m = /^block(\d+)$/.exec(layer.name);
    layer.trainable = !(m && Number(m[1]) < k);
  }
}

/**
 * Transfer learning (the seed's Fig. 3, step 2): copy a pre-trained bundle and fine-tune it on the
 * labelled traces `trainIdx` of the target data, with all layers trainable or the first
 * `freezeBlocks` blocks frozen, at the learning rate `lr`. The input bundle is not modified.
 */
export async function finetuneTcn(
  pre: TcnBundle,
  data: SeismicDataset,
  trainIdx: number[],
  valIdx: number[] | undefined,
  opts: FinetuneOptions,
): Promise<FitResult> {
  await initBackend();
  const [n] = checkDataset(data);
  checkIndices(trainIdx, n, "fine-tuning traces");
  if (valIdx) checkIndices(valIdx, n, "validation traces");
  checkFits(pre, data.seismic, `${data.name} seismic`);
  const model = await cloneModel(pre.model);
  // the run's own dropout masks: block i gets the seed buildTcn would give it for opts.seed
  if (opts.seed !== undefined) {
    let i = 0;
    for (const layer of model.layers) if (layer instanceof TemporalBlock) layer.reseedDropout(opts.seed * 1000 + ++i);
  }
  freezeBlocks(model, opts.freezeBlocks ?? 0);
  const norm = opts.normalization ?? "target";
  const xStats: Standardizer = norm === "target" ? fitStandardizer(data.seismic, trainIdx, "seismic") : pre.xStats;
  const yStats: Standardizer = norm === "target" ? fitStandardizer(data.impedance, trainIdx, "impedance") : pre.yStats;
  const xs = standardize(data.seismic, xStats);
  const ys = standardize(data.impedance, yStats);
  const ph = opts.physics;
  let physicsInfo: Record<string, unknown> | undefined;
  let extra: ReturnType<typeof physicsTerm> | undefined;
  if (ph) {
    const ns = data.seismic[0].length;
    checkPhysics(ph, ns);
    if (ph.weight > 0) {
      const labelled = new Set([...trainIdx, ...(valIdx ?? [])]);
      const unl = ph.traces ?? Array.from({ length: n }, (_, i) => i).filter((i) => !labelled.has(i));
      checkIndices(unl, n, "physics.traces");
      const batch = ph.batchSize ?? 10;
      checkTrainMemory(model, unl.length, ns, Math.min(batch, Math.max(1, unl.length)), "physics.traces");
      let wavelet: ArrayLike<number>;
      let fit: { correlation: number; relativeResidual: number } | undefined;
      if (ph.wavelet) wavelet = ph.wavelet;
      else {
        const est = estimateWavelet(pick(data.seismic, trainIdx), pick(data.impedance, trainIdx), {
          length: ph.waveletLength ?? Math.min(41, ns % 2 ? ns : ns - 1),
        });
        wavelet = est.wavelet;
        fit = { correlation: est.correlation, relativeResidual: est.relativeResidual };
      }
      extra = physicsTerm(model, pick(xs, unl), {
        weight: ph.weight,
        batchSize: batch,
        seed: opts.seed ?? 0,
        wavelet,
        xStats,
        yStats,
      });
      physicsInfo = {
        weight: ph.weight,
        traces: unl.length,
        batchSize: batch,
        waveletLength: wavelet.length,
        waveletEstimated: !ph.wavelet,
        ...(fit ? { waveletFit: fit } : {}),
      };
    }
  }
  let history: TrainHistory;
  try {
    history = await trainModel(
      model,
      { x: pick(xs, trainIdx), y: pick(ys, trainIdx) },
      valIdx && valIdx.length ? { x: pick(xs, valIdx), y: pick(ys, valIdx) } : undefined,
      extra ? { ...opts, extraLoss: { term: extra.term, key: extra.key } } : opts,
    );
  } finally {
    extra?.dispose();
  }
  // leave every layer trainable in the returned model (freezing is a property of this run)
  freezeBlocks(model, 0);
  const meta = {
    ...(opts.meta ?? {}),
    finetunedFrom: pre.meta,
    dataset: data.description,
    trainTraces: trainIdx,
    freezeBlocks: opts.freezeBlocks ?? 0,
    normalization: norm,
    ...(physicsInfo ? { physics: physicsInfo } : {}),
    history: summary(history),
  };
  return { bundle: { model, config: { ...pre.config }, xStats, yStats, meta }, history };
}

export interface TransferOptions {
  /** The pre-trained (source) model. */
  pretrained: TcnBundle;
  /** Target section with impedance (for the labelled traces, and all traces for scoring). */
  target: SeismicDataset;
  /** Labelled target traces (e.g. wellTraces(n, 5)). */
  wells: number[];
  /** Traces scored (default: the whole target section) ... */
  evalTraces?: number[];
  /**
   * ... less these (default: the wells, so that no score includes a trace a model was trained on;
   * [] scores them too).
   */
  exclude?: number[];
  /** Fine-tuning run (transfer model). */
  finetune: FinetuneOptions;
  /** Training from scratch on the same wells ("TCN direct inversion"); config defaults to the pre-trained one. */
  direct: FitOptions;
  /** Called with the name of each stage as it starts. */
  onStage?: (stage: "pretrained_direct" | "direct" | "transfer") => void;
}

export interface MethodResult {
  metrics: Metrics;
  meanTrace: Metrics;
  /**
   * Final training MSE on the labelled traces, standardised units (the paper's "convergence loss");
   * null for the pre-trained model applied directly.
   */
  loss: number | null;
  prediction: Float32Array[];
  history?: TrainHistory;
  bundle?: TcnBundle;
}

export interface TransferResult {
  pretrained_direct: MethodResult;
  direct: MethodResult;
  transfer: MethodResult;
  wells: number[];
  /** Number of traces scored and the traces left out of the scores. */
  scored: number;
  excluded: number[];
}

/**
 * The seed paper's Table 1 on any target: (a) the pre-trained model applied directly, (b) a TCN
 * trained from scratch on the wells, (c) the pre-trained model fine-tuned on the wells; each scored
 * over the target section less the wells (PCC, r^2, MSE, MAE in impedance units).
 */
export async function transferExperiment(o: TransferOptions): Promise<TransferResult> {
  await initBackend();
  const [n] = checkDataset(o.target);
  checkIndices(o.wells, n, "wells");
  const evalIdx = o.evalTraces ?? Array.from({ length: n }, (_, i) => i);
  const exclude = o.exclude ?? o.wells;
  let scored = 0;
  const score = (bundle: TcnBundle, loss: number | null, history?: TrainHistory, keep?: boolean): MethodResult => {
    const e = evaluateTcn(bundle, o.target, evalIdx, exclude);
    scored = e.traces.length;
    return {
      metrics: e.section,
      meanTrace: e.meanTrace,
      loss,
      prediction: e.prediction,
      history,
      bundle: keep ? bundle : undefined,
    };
  };
  o.onStage?.("pretrained_direct");
  const pretrained_direct = score(o.pretrained, null);
  o.onStage?.("direct");
  const direct = await fitTcn(o.target, o.wells, undefined, {
    ...o.direct,
    config: o.direct.config ?? o.pretrained.config,
  });
  const directRes = score(direct.bundle, direct.history.finalTrainLoss, direct.history, true);
  o.onStage?.("transfer");
  const tr = await finetuneTcn(o.pretrained, o.target, o.wells, undefined, o.finetune);
  const transferRes = score(tr.bundle, tr.history.finalTrainLoss, tr.history, true);
  return {
    pretrained_direct,
    direct: directRes,
    transfer: transferRes,
    wells: [...o.wells],
    scored,
    excluded: [...exclude].sort((a, b) => a - b),
  };
}

/** Dispose the models held by a transfer result (not the pre-trained one). */
export function disposeTransfer(r: TransferResult): void {
  r.direct.bundle?.model.dispose();
  r.transfer.bundle?.model.dispose();
}
