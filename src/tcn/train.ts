import * as tf from "@tensorflow/tfjs";
import { permutation, ValidationError } from "../seismic";
import { FlatAdam } from "./adam";
import { initBackend } from "./backend";

/** Traces as network input or target: trace-major rows, one channel (standardised values). */
export interface TraceSet {
  x: Float32Array[];
  y: Float32Array[];
}

export interface TrainOptions {
  /** Maximum number of epochs. */
  epochs: number;
  /** Traces per batch (10 in Mustafa et al.). */
  batchSize?: number;
  /** Adam learning rate (1e-3). */
  lr?: number;
  /** L2 weight decay added to the gradient, as PyTorch's Adam(weight_decay) (1e-4). */
  weightDecay?: number;
  /** Stop after this many epochs without a validation improvement (needs validation data); null = never. */
  patience?: number | null;
  /** Improvement smaller than this does not count (default 0). */
  minDelta?: number;
  /** Restore the weights of the best validation epoch at the end (default true with validation). */
  restoreBest?: boolean;
  /** Seed of the batch shuffling. */
  seed?: number;
  /** Called after every epoch; return false to stop training. */
  onEpoch?: (log: EpochLog) => void | boolean;
}

export interface EpochLog {
  epoch: number;
  epochs: number;
  /** Mean training-batch MSE of this epoch (dropout active). */
  trainLoss: number;
  /** Validation MSE (inference mode), NaN without validation data. */
  valLoss: number;
  seconds: number;
}

export interface TrainHistory {
  trainLoss: number[];
  valLoss: number[];
  /** Epoch (1-based) whose weights the model holds at the end. */
  bestEpoch: number;
  bestValLoss: number;
  epochsRun: number;
  stoppedEarly: boolean;
  /** MSE of the final model on the training traces in inference mode: the paper's "convergence loss". */
  finalTrainLoss: number;
  seconds: number;
  secondsPerEpoch: number;
}

/** Pack rows [n][L] (selected by idx) into one [n, L, 1] tensor. */
export function rowsToTensor(rows: Float32Array[], idx?: number[]): tf.Tensor3D {
  const use = idx ?? rows.map((_, i) => i);
  if (use.length === 0) throw new ValidationError("no traces to pack into a tensor");
  const L = rows[use[0]].length;
  const buf = new Float32Array(use.length * L);
  use.forEach((i, k) => {
    const r = rows[i];
    if (r.length !== L) throw new ValidationError(`trace ${i} has ${r.length} samples, trace ${use[0]} has ${L}; a batch needs equal lengths`);
    buf.set(r, k * L);
  });
  return tf.tensor3d(buf, [use.length, L, 1]);
}

/** Model output for rows in inference mode, batched; returns trace-major rows. */
export function predictRows(model: tf.LayersModel, rows: Float32Array[], batchSize = 128): Float32Array[] {
  const out: Float32Array[] = [];
  for (let s = 0; s < rows.length; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, rows.length - s) }, (_, k) => s + k);
    const y = tf.tidy(() => {
      const x = rowsToTensor(rows, idx);
      return model.apply(x, { training: false }) as tf.Tensor3D;
    });
    const [n, L] = y.shape;
    const d = y.dataSync() as Float32Array;
    y.dispose();
    for (let k = 0; k < n; k++) out.push(d.slice(k * L, (k + 1) * L));
  }
  return out;
}

/** MSE of the model on a trace set in inference mode. */
export function evaluateLoss(model: tf.LayersModel, set: TraceSet, batchSize = 128): number {
  const pred = predictRows(model, set.x, batchSize);
  let s = 0;
  let n = 0;
  pred.forEach((p, i) => {
    const t = set.y[i];
    for (let j = 0; j < p.length; j++) s += (p[j] - t[j]) ** 2;
    n += p.length;
  });
  return s / n;
}

function checkSet(set: TraceSet, name: string): void {
  if (set.x.length === 0) throw new ValidationError(`${name}: no traces`);
  if (set.x.length !== set.y.length) throw new ValidationError(`${name}: ${set.x.length} input traces but ${set.y.length} targets`);
  set.x.forEach((r, i) => {
    if (r.length !== set.y[i].length) throw new ValidationError(`${name}: trace ${i} has ${r.length} input and ${set.y[i].length} target samples`);
  });
}

/**
 * Train with Adam (lr, L2 weight decay), MSE loss, shuffled mini-batches, validation loss per epoch,
 * early stopping on the validation loss and restore of the best weights. Only the model's trainable
 * weights are updated (layers with trainable = false stay frozen). Tensor count is flat across
 * epochs: every step runs in tf.tidy and the optimizer state is disposed at the end.
 */
export async function trainModel(model: tf.LayersModel, train: TraceSet, val: TraceSet | undefined, opts: TrainOptions): Promise<TrainHistory> {
  await initBackend();
  checkSet(train, "training set");
  if (val) checkSet(val, "validation set");
  const epochs = opts.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ValidationError(`epochs = ${epochs}; need a positive integer`);
  const batchSize = opts.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValidationError(`batchSize = ${batchSize}; need a positive integer`);
  const lr = opts.lr ?? 1e-3;
  if (!(lr > 0)) throw new ValidationError(`lr = ${lr}; need a positive learning rate`);
  const wd = opts.weightDecay ?? 1e-4;
  if (!(wd >= 0)) throw new ValidationError(`weightDecay = ${wd}; need >= 0`);
  const patience = opts.patience ?? null;
  const restoreBest = opts.restoreBest ?? val !== undefined;
  const minDelta = opts.minDelta ?? 0;

  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length === 0) throw new ValidationError("the model has no trainable weights (all blocks frozen?)");
  const optimizer = new FlatAdam(vars, lr, wd);
  const xAll = rowsToTensor(train.x);
  const yAll = rowsToTensor(train.y);
  const n = train.x.length;
  const history: TrainHistory = {
    trainLoss: [],
    valLoss: [],
    bestEpoch: 0,
    bestValLoss: Infinity,
    epochsRun: 0,
    stoppedEarly: false,
    finalTrainLoss: NaN,
    seconds: 0,
    secondsPerEpoch: 0,
  };
  let best: tf.Tensor[] | null = null;
  let sinceBest = 0;
  const t0 = Date.now();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const te = Date.now();
      const order = permutation(n, ((opts.seed ?? 0) * 7919 + epoch) | 0);
      const lossSum = tf.tidy(() => tf.zeros([]));
      let acc = lossSum;
      for (let s = 0; s < n; s += batchSize) {
        const idx = tf.tensor1d(order.slice(s, s + batchSize), "int32");
        const next = tf.tidy(() => {
          const xb = tf.gather(xAll, idx) as tf.Tensor3D;
          const yb = tf.gather(yAll, idx);
          const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(model.apply(xb, { training: true }) as tf.Tensor, yb)) as tf.Scalar, vars);
          optimizer.step(vars.map((v) => grads[v.name]));
          return tf.add(acc, tf.mul(value, idx.shape[0]));
        });
        idx.dispose();
        acc.dispose();
        acc = next;
      }
      const trainLoss = (await acc.data())[0] / n;
      acc.dispose();
      const valLoss = val ? evaluateLoss(model, val) : NaN;
      history.trainLoss.push(trainLoss);
      history.valLoss.push(valLoss);
      history.epochsRun = epoch;
      if (!Number.isFinite(trainLoss)) throw new Error(`training diverged at epoch ${epoch} (loss ${trainLoss}); lower the learning rate`);
      const score = val ? valLoss : trainLoss;
      if (score < history.bestValLoss - minDelta) {
        history.bestValLoss = score;
        history.bestEpoch = epoch;
        sinceBest = 0;
        if (restoreBest) {
          best?.forEach((t) => t.dispose());
          best = model.getWeights().map((t) => tf.clone(t));
        }
      } else sinceBest++;
      const r = opts.onEpoch?.({ epoch, epochs, trainLoss, valLoss, seconds: (Date.now() - te) / 1000 });
      await new Promise((res) => setImmediate(res));
      if (r === false) break;
      if (val && patience !== null && sinceBest >= patience) {
        history.stoppedEarly = true;
        break;
      }
    }
    if (restoreBest && best) model.setWeights(best);
    if (!val || !restoreBest) history.bestEpoch = restoreBest ? history.bestEpoch : history.epochsRun;
  } finally {
    best?.forEach((t) => t.dispose());
    xAll.dispose();
    yAll.dispose();
  }
  history.seconds = (Date.now() - t0) / 1000;
  history.secondsPerEpoch = history.seconds / Math.max(1, history.epochsRun);
  history.finalTrainLoss = evaluateLoss(model, train);
  return history;
}
