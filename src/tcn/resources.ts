/**
 * Memory estimates of TCN training and prediction (docs/CONTRIBUTING.md, "Resources"): the
 * activations of one batch and the packed trace set, refused with a ValidationError naming
 * `batchSize` (CLI `--batch`) or the traces before tfjs allocates them.
 */
import * as tf from "@tensorflow/tfjs";
import { checkMemory, formatBytes, MEMORY_FRACTION, memoryLimit } from "../core";
import { backendInfo } from "./backend";
import { TemporalBlock, WeightNormConv1D } from "./layers";

/** wasm32 addresses at most 4 GiB: the tfjs wasm backend's tensors all live in that one memory. */
export const WASM_MEMORY_BYTES = 4 * 1024 ** 3;

/**
 * The TCN's memory limit: memoryLimit() (half of min(RAM, V8 heap limit)), and on the wasm
 * backend (or before a backend is chosen) at most MEMORY_FRACTION of the 4 GiB wasm memory.
 */
export function tcnMemoryLimit(): number {
  const b = backendInfo();
  const wasm = b === undefined || b.name === "wasm";
  return wasm ? Math.min(memoryLimit(), MEMORY_FRACTION * WASM_MEMORY_BYTES) : memoryLimit();
}

/** One convolution layer of the network as the estimate sees it. */
export interface ConvShape {
  inChannels: number;
  filters: number;
  kernelSize: number;
  dilation: number;
  /** A residual TemporalBlock (two convolutions, dropout, 1x1 downsample) or a single convolution. */
  block: boolean;
}

/**
 * The layers of a TCN (TemporalBlock and WeightNormConv1D; any other layer as a 1x1 convolution to
 * its output channels).
 */
export function tcnShape(model: tf.LayersModel): ConvShape[] {
  let c = Number(model.inputs[0]?.shape[2] ?? 1) || 1;
  return model.layers.map((l) => {
    let s: ConvShape;
    if (l instanceof TemporalBlock)
      s = { inChannels: c, filters: l.filters, kernelSize: l.kernelSize, dilation: l.dilationRate, block: true };
    else if (l instanceof WeightNormConv1D)
      s = { inChannels: c, filters: l.filters, kernelSize: l.kernelSize, dilation: l.dilationRate, block: false };
    else {
      const out = l.outputShape as (number | null)[];
      s = { inChannels: c, filters: Number(out[out.length - 1]) || c, kernelSize: 1, dilation: 1, block: false };
    }
    c = s.filters;
    return s;
  });
}

/**
 * Bytes of one batch of `batch` traces x `samples` through the network, float32: per layer the
 * padded length Lp = samples + (K - 1) d, and per trace and padded sample K Cin (the taps the
 * convolution reads) + 2 Cin (input and padded copy) + 12 C for a residual block (two convolution
 * outputs, two dropout masks and outputs, downsample, sum, ReLU, with room for temporaries) or
 * 2 C for a single convolution. Training keeps every activation for the backward pass and makes
 * gradients of the same size: x3.
 */
export function tcnBatchBytes(shape: ConvShape[], batch: number, samples: number, training: boolean): number {
  let floats = 0;
  for (const s of shape) {
    const lp = samples + (s.kernelSize - 1) * s.dilation;
    floats += batch * lp * (s.kernelSize * s.inChannels + 2 * s.inChannels + (s.block ? 12 : 2) * s.filters);
  }
  return 4 * floats * (training ? 3 : 1);
}

/**
 * Refuse a training run that cannot fit: the training set packed twice (x and y, each as a JS
 * buffer and a tensor: 16 n L bytes), the gathered batch (8 B L) and one batch's activations
 * (tcnBatchBytes, training), B = min(batchSize, n). Field `batchSize` when the batch dominates,
 * else `traceField`.
 */
export function checkTrainMemory(
  model: tf.LayersModel,
  traces: number,
  samples: number,
  batchSize: number,
  traceField = "training set",
): void {
  const b = Math.min(batchSize, traces);
  const set = 16 * traces * samples;
  const shape = tcnShape(model);
  const batch = tcnBatchBytes(shape, b, samples, true) + 8 * b * samples;
  const limit = tcnMemoryLimit();
  if (set + batch <= limit) return;
  checkNetworkFits(shape, samples, limit);
  if (batch >= set) {
    const fit = Math.max(0, Math.floor(((limit - set) / batch) * b));
    checkMemory(
      "batchSize",
      set + batch,
      `training with batches of ${b} traces x ${samples} samples (${formatBytes(batch)} of activations and gradients per batch)`,
      `lower batchSize (--batch)${fit >= 1 ? ` to at most ${fit}` : ""}, or train on shorter traces`,
      limit,
    );
  }
  checkMemory(
    traceField,
    set + batch,
    `training on ${traces} traces x ${samples} samples (${formatBytes(set)} packed)`,
    "train on fewer or shorter traces (a subset of the file, a larger trace step)",
    limit,
  );
}

/**
 * When not even one trace fits through the network, the architecture is at fault, not the batch:
 * refuse naming kernelSize when the dilated padding outgrows the trace (the receptive field), else
 * channels.
 */
function checkNetworkFits(shape: ConvShape[], samples: number, limit: number): void {
  const one = tcnBatchBytes(shape, 1, samples, true) + 8 * samples;
  if (one <= limit) return;
  const pad = Math.max(...shape.map((s) => (s.kernelSize - 1) * s.dilation));
  const field = pad > samples ? "kernelSize" : "channels";
  checkMemory(
    field,
    one,
    `one trace of ${samples} samples through this network (dilated padding up to ${pad} samples per layer)`,
    field === "kernelSize" ? "use a smaller kernelSize (5 in the paper) or fewer blocks" : "use fewer channels",
    limit,
  );
}

/** The largest prediction batch up to `cap` traces whose estimate fits the limit (at least 1). */
export function fitPredictBatch(model: tf.LayersModel, traces: number, samples: number, cap: number): number {
  const one = tcnBatchBytes(tcnShape(model), 1, samples, false) + 4 * samples;
  const room = tcnMemoryLimit() - 8 * traces * samples;
  return Math.max(1, Math.min(cap, traces, Math.floor(room / one)));
}

/**
 * Refuse a prediction that cannot fit: one batch's activations in inference (tcnBatchBytes),
 * B = min(batchSize, n), and the outputs (8 n L: the batch's data and the rows). Field `batchSize`
 * when the batch dominates, else `traceField`.
 */
export function checkPredictMemory(
  model: tf.LayersModel,
  traces: number,
  samples: number,
  batchSize: number,
  traceField = "seismic",
): void {
  const b = Math.min(batchSize, traces);
  const rows = 8 * traces * samples;
  const batch = tcnBatchBytes(tcnShape(model), b, samples, false) + 4 * b * samples;
  const limit = tcnMemoryLimit();
  if (rows + batch <= limit) return;
  if (batch >= rows)
    checkMemory(
      "batchSize",
      rows + batch,
      `predicting batches of ${b} traces x ${samples} samples (${formatBytes(batch)} of activations per batch)`,
      "lower batchSize",
      limit,
    );
  checkMemory(
    traceField,
    rows + batch,
    `predicting ${traces} traces x ${samples} samples`,
    "predict fewer or shorter traces at a time",
    limit,
  );
}
