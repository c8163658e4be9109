import * as tf from "@tensorflow/tfjs";
import { createHash } from "crypto";
import * as fs from "fs";
import { atomicWriteFile, FileError } from "../core";
import { permutation, ValidationError } from "../seismic";
import { FlatAdam } from "./adam";
import { initBackend } from "./backend";
import { checkPredictMemory, checkTrainMemory, fitPredictBatch } from "./resources";
import { TemporalBlock } from "./layers";
import { TcnKernel } from "./kernel";

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
  /** Save the training state every K epochs (and on signals) and resume from it (TrainCheckpoint). */
  checkpoint?: TrainCheckpoint;
  /**
   * An extra term added to every batch's MSE inside the gradient (physics-guided fine-tuning,
   * src/tcn/physics.ts): `term(epoch, step)` for batch `step` (0-based) of `epoch` (1-based) must be
   * a function of those two only, so that a resumed run is the same; `key` enters the checkpoint
   * hash. The epoch's training loss then includes the term.
   */
  extraLoss?: { term: (epoch: number, step: number) => tf.Scalar; key: string };
}

/**
 * A training checkpoint (TrainOptions.checkpoint): after every `every` epochs, after the last and
 * on SIGINT/SIGTERM, `file` gets (JSON, written atomically) everything the next epochs depend on:
 * all weights, Adam's moments and step count, the dropout streams (each block's call counter),
 * the epoch, the history, the best epoch, its loss and weights and the patience counter. The
 * shuffle needs no state: epoch e's order is permutation(n, seed * 7919 + e). With `resume` the
 * training continues from `file` and ends with the same weights, losses and history as the
 * uninterrupted run (bit-identical on the same backend; see docs/CONTRIBUTING.md). The file holds
 * a SHA-256 of the initial weights, the architecture and frozen layers, the traces and the
 * settings (epochs, batch size, lr, weight decay, patience, min delta, restore, seed): a
 * checkpoint of another training is refused with a ValidationError naming `field`.
 */
export interface TrainCheckpoint {
  file: string;
  /** Save every this many epochs (default 1). */
  every?: number;
  /** Continue from `file` (which must exist); without it an existing `file` is refused. */
  resume?: boolean;
  /**
   * Called on SIGINT or SIGTERM once the state at the end of the current epoch is written
   * (listeners are installed only when this is given; the CLI exits 130/143 here). If it returns,
   * training stops with an error.
   */
  onSignal?: (signal: "SIGINT" | "SIGTERM", file: string) => void;
  /** The name errors give the checkpoint (default "checkpoint"; the CLI's "--checkpoint"). */
  field?: string;
}

const TRAIN_CHECKPOINT_FORMAT = "geoinv.tcn.train-checkpoint/1";

/** The file of one training of a multi-training run: `FILE.<stage>` (as `tem invert`'s FILE.step1). */
export function stageCheckpointFile(file: string, stage: string): string {
  return `${file}.${stage}`;
}

/**
 * The checkpoint of the training `stage` of a run made of several trainings (`tcn transfer`: the
 * pre-training, the TCN on the wells, the fine-tuning, and per seed/fold for a well target). Each
 * training has its own file FILE.<stage>, written after its last epoch too, so a finished training
 * is replayed from its file without running an epoch. Resuming, a stage whose file is missing had
 * not started (the run stopped before it) and starts afresh; the file's hash still refuses the
 * state of another training.
 */
export function stageCheckpoint(ck: TrainCheckpoint | undefined, stage: string): TrainCheckpoint | undefined {
  if (!ck) return undefined;
  const file = stageCheckpointFile(ck.file, stage);
  return { ...ck, file, resume: ck.resume === true && fs.existsSync(file) };
}

function f32(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

function fromF32(s: string): Float32Array {
  const b = Buffer.from(s, "base64");
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Finite numbers as they are, NaN and the infinities as strings (JSON has neither). */
const num = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const unnum = (v: number | string): number => (typeof v === "number" ? v : Number(v));

/** SHA-256 of what decides a training run (see TrainCheckpoint). */
function trainingHash(
  model: tf.LayersModel,
  train: TraceSet,
  val: TraceSet | undefined,
  settings: Record<string, unknown>,
): string {
  const h = createHash("sha256");
  h.update(TRAIN_CHECKPOINT_FORMAT);
  h.update(JSON.stringify(model.layers.map((l) => [l.getClassName(), l.trainable, l.getConfig()])));
  for (const w of model.getWeights()) h.update(Buffer.from((w.dataSync() as Float32Array).buffer));
  const rows = (rs: Float32Array[]) => {
    h.update(String(rs.length));
    for (const r of rs) h.update(Buffer.from(r.buffer, r.byteOffset, r.byteLength));
  };
  rows(train.x);
  rows(train.y);
  if (val) {
    rows(val.x);
    rows(val.y);
  }
  h.update(JSON.stringify(settings));
  return h.digest("hex");
}

interface TrainState {
  epoch: number;
  weights: Float32Array[];
  adam: { t: number; m: Float32Array; v: Float32Array };
  dropoutCalls: number[];
  trainLoss: number[];
  valLoss: number[];
  bestEpoch: number;
  bestValLoss: number;
  sinceBest: number;
  best: Float32Array[] | null;
  stop: boolean;
  stoppedEarly: boolean;
  seconds: number;
}

function readTrainCheckpoint(ck: TrainCheckpoint, hash: string, field: string): TrainState | null {
  let text: string;
  try {
    text = fs.readFileSync(ck.file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new FileError(ck.file, "cannot read the checkpoint", (e as Error).message);
    if (ck.resume)
      throw new ValidationError(
        field,
        `${ck.file} does not exist: nothing to resume from (run without --resume to start)`,
      );
    return null;
  }
  if (!ck.resume)
    throw new ValidationError(
      field,
      `${ck.file} exists; pass --resume to continue from it, or delete it (or choose another file) to start afresh`,
    );
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked field by field below
  let j: Record<string, any>;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(field, `${ck.file} is not a checkpoint (not JSON: ${(e as Error).message})`);
  }
  if (!j || j.format !== TRAIN_CHECKPOINT_FORMAT)
    throw new ValidationError(
      field,
      `${ck.file} is not a TCN training checkpoint (format '${j && j.format}', expected '${TRAIN_CHECKPOINT_FORMAT}')`,
    );
  if (j.hash !== hash) {
    throw new ValidationError(
      field,
      `${ck.file} was written by another training (other initial weights, architecture, traces or settings: hash ${String(j.hash).slice(0, 12)}, this run's ${hash.slice(0, 12)}); ` +
        "resume with the command it was written for, or delete it to start afresh",
    );
  }
  const s = j.state;
  return {
    epoch: s.epoch,
    weights: s.weights.map(fromF32),
    adam: { t: s.adam.t, m: fromF32(s.adam.m), v: fromF32(s.adam.v) },
    dropoutCalls: s.dropoutCalls,
    trainLoss: s.trainLoss.map(unnum),
    valLoss: s.valLoss.map(unnum),
    bestEpoch: s.bestEpoch,
    bestValLoss: unnum(s.bestValLoss),
    sinceBest: s.sinceBest,
    best: s.best ? s.best.map(fromF32) : null,
    stop: s.stop,
    stoppedEarly: s.stoppedEarly,
    seconds: s.seconds,
  };
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
    if (r.length !== L)
      throw new ValidationError(
        `trace ${i} has ${r.length} samples, trace ${use[0]} has ${L}; a batch needs equal lengths`,
      );
    buf.set(r, k * L);
  });
  return tf.tensor3d(buf, [use.length, L, 1]);
}

/**
 * Model output for rows in inference mode; returns trace-major rows. A geoinv TCN runs on the wasm
 * inference kernel (kernel/engine.ts), trace by trace; any other model on tfjs (predictRowsTfjs),
 * in batches. Without `batchSize` the batch is the largest up to 128 traces that fits the memory
 * limit (inference is per trace, so the batch does not change the result); a given `batchSize`
 * that cannot fit is refused, and a batch's traces must have equal lengths, on either engine.
 */
export function predictRows(model: tf.LayersModel, rows: Float32Array[], batchSize?: number): Float32Array[] {
  const samples = rows.reduce((m, r) => Math.max(m, r.length), 0);
  if (batchSize === undefined) batchSize = fitPredictBatch(model, rows.length, samples, 128);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ValidationError("batchSize", `${batchSize}; need a positive integer`);
  checkPredictMemory(model, rows.length, samples, batchSize);
  const kernel = TcnKernel.fromModel(model);
  if (kernel) {
    // the kernel runs trace by trace; the batches are checked as the tfjs path packs them
    checkBatchLengths(rows, batchSize);
    return kernel.predict(rows);
  }
  return predictRowsTfjs(model, rows, batchSize);
}

/**
 * Each batch [k b, (k+1) b) of traces has equal lengths, as rowsToTensor needs; checked up front
 * with the caller's trace numbers (predictRows on either engine, TcnPredictPool).
 */
export function checkBatchLengths(rows: Float32Array[], batchSize: number): void {
  for (let from = 0; from < rows.length; from += batchSize)
    for (let i = from + 1; i < Math.min(rows.length, from + batchSize); i++)
      if (rows[i].length !== rows[from].length)
        throw new ValidationError(
          `trace ${i} has ${rows[i].length} samples, trace ${from} has ${rows[from].length}; a batch needs equal lengths`,
        );
}

/** predictRows on tfjs's own kernels (model.apply in batches), for models the wasm kernel does not take. */
export function predictRowsTfjs(model: tf.LayersModel, rows: Float32Array[], batchSize: number): Float32Array[] {
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
export function evaluateLoss(model: tf.LayersModel, set: TraceSet, batchSize?: number): number {
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
  if (set.x.length !== set.y.length)
    throw new ValidationError(`${name}: ${set.x.length} input traces but ${set.y.length} targets`);
  set.x.forEach((r, i) => {
    if (r.length !== set.y[i].length)
      throw new ValidationError(`${name}: trace ${i} has ${r.length} input and ${set.y[i].length} target samples`);
  });
}

/**
 * Train with Adam (lr, L2 weight decay), MSE loss, shuffled mini-batches, validation loss per epoch,
 * early stopping on the validation loss and restore of the best weights. Only the model's trainable
 * weights are updated (layers with trainable = false stay frozen). Tensor count is flat across
 * epochs: every step runs in tf.tidy and the optimizer state is disposed at the end.
 */
export async function trainModel(
  model: tf.LayersModel,
  train: TraceSet,
  val: TraceSet | undefined,
  opts: TrainOptions,
): Promise<TrainHistory> {
  await initBackend();
  checkSet(train, "training set");
  if (val) checkSet(val, "validation set");
  const epochs = opts.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ValidationError(`epochs = ${epochs}; need a positive integer`);
  const batchSize = opts.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ValidationError(`batchSize = ${batchSize}; need a positive integer`);
  const lr = opts.lr ?? 1e-3;
  if (!(lr > 0)) throw new ValidationError(`lr = ${lr}; need a positive learning rate`);
  const wd = opts.weightDecay ?? 1e-4;
  if (!(wd >= 0)) throw new ValidationError(`weightDecay = ${wd}; need >= 0`);
  const patience = opts.patience ?? null;
  const restoreBest = opts.restoreBest ?? val !== undefined;
  const minDelta = opts.minDelta ?? 0;

  // refuse before packing the traces when a batch or the set cannot fit (src/tcn/resources.ts)
  checkTrainMemory(
    model,
    train.x.length,
    train.x.reduce((m, r) => Math.max(m, r.length), 0),
    batchSize,
  );
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length === 0) throw new ValidationError("the model has no trainable weights (all blocks frozen?)");
  const ck = opts.checkpoint;
  const field = ck?.field ?? "checkpoint";
  const every = ck?.every ?? 1;
  if (ck && (!Number.isInteger(every) || every < 1))
    throw new ValidationError(
      `${field}-every`,
      `must be a positive integer (epochs between checkpoints), got ${every}`,
    );
  const blocks = model.layers.filter((l): l is TemporalBlock => l instanceof TemporalBlock);
  const hash = ck
    ? trainingHash(model, train, val, {
        epochs,
        batchSize,
        lr,
        wd,
        patience,
        minDelta,
        restoreBest,
        seed: opts.seed ?? 0,
        dropout: blocks.map((b) => [b.seed, b.calls]),
        ...(opts.extraLoss ? { extra: opts.extraLoss.key } : {}),
      })
    : "";
  const resumed = ck ? readTrainCheckpoint(ck, hash, field) : null;
  if (resumed) {
    const ws = model.getWeights();
    if (resumed.weights.length !== ws.length || resumed.dropoutCalls.length !== blocks.length)
      throw new ValidationError(field, `${ck!.file} does not fit this model`);
    const ts = resumed.weights.map((w, i) => tf.tensor(w, ws[i].shape, "float32"));
    model.setWeights(ts);
    ts.forEach((t) => t.dispose());
    blocks.forEach((b, i) => (b.calls = resumed.dropoutCalls[i]));
  }
  const optimizer = new FlatAdam(vars, lr, wd);
  if (resumed) optimizer.importState(resumed.adam);
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
  let first = 1;
  const extra = opts.extraLoss;
  let stopped = false;
  const t0 = Date.now();
  let before = 0;
  if (resumed) {
    history.trainLoss = resumed.trainLoss;
    history.valLoss = resumed.valLoss;
    history.epochsRun = resumed.epoch;
    history.bestEpoch = resumed.bestEpoch;
    history.bestValLoss = resumed.bestValLoss;
    history.stoppedEarly = resumed.stoppedEarly;
    sinceBest = resumed.sinceBest;
    const shapes = model.getWeights().map((w) => w.shape);
    best = resumed.best ? resumed.best.map((w, i) => tf.tensor(w, shapes[i], "float32")) : null;
    first = resumed.epoch + 1;
    stopped = resumed.stop;
    before = resumed.seconds;
  }
  const save = (epoch: number, stop: boolean) => {
    const state = {
      epoch,
      weights: model.getWeights().map((w) => f32(w.dataSync() as Float32Array)),
      adam: (({ t, m, v }) => ({ t, m: f32(m), v: f32(v) }))(optimizer.exportState()),
      dropoutCalls: blocks.map((b) => b.calls),
      trainLoss: history.trainLoss.map(num),
      valLoss: history.valLoss.map(num),
      bestEpoch: history.bestEpoch,
      bestValLoss: num(history.bestValLoss),
      sinceBest,
      best: best ? best.map((w) => f32(w.dataSync() as Float32Array)) : null,
      stop,
      stoppedEarly: history.stoppedEarly,
      seconds: before + (Date.now() - t0) / 1000,
    };
    atomicWriteFile(ck!.file, JSON.stringify({ format: TRAIN_CHECKPOINT_FORMAT, hash, epoch, state }));
  };
  let signalled: "SIGINT" | "SIGTERM" | null = null;
  const listeners: [string, () => void][] = [];
  if (ck?.onSignal) {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      // the state is consistent at the end of an epoch: it is written there
      const h = () => void (signalled ??= sig);
      process.on(sig, h);
      listeners.push([sig, h]);
    }
  }
  try {
    for (let epoch = first; epoch <= epochs && !stopped; epoch++) {
      const te = Date.now();
      const order = permutation(n, ((opts.seed ?? 0) * 7919 + epoch) | 0);
      const lossSum = tf.tidy(() => tf.zeros([]));
      let acc = lossSum;
      for (let s = 0; s < n; s += batchSize) {
        const idx = tf.tensor1d(order.slice(s, s + batchSize), "int32");
        const next = tf.tidy(() => {
          const xb = tf.gather(xAll, idx) as tf.Tensor3D;
          const yb = tf.gather(yAll, idx);
          const step = s / batchSize;
          const { value, grads } = tf.variableGrads(() => {
            const mse = tf.mean(
              tf.squaredDifference(model.apply(xb, { training: true }) as tf.Tensor, yb),
            ) as tf.Scalar;
            return extra ? (tf.add(mse, extra.term(epoch, step)) as tf.Scalar) : mse;
          }, vars);
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
      if (!Number.isFinite(trainLoss))
        throw new Error(`training diverged at epoch ${epoch} (loss ${trainLoss}); lower the learning rate`);
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
      if (r === false) stopped = true;
      else if (val && patience !== null && sinceBest >= patience) {
        history.stoppedEarly = true;
        stopped = true;
      }
      if (ck && (epoch % every === 0 || stopped || epoch === epochs || signalled)) save(epoch, stopped);
      if (signalled) {
        ck!.onSignal!(signalled, ck!.file);
        throw new Error(`training interrupted by ${signalled} after epoch ${epoch}; the checkpoint is in ${ck!.file}`);
      }
    }
    if (restoreBest && best) model.setWeights(best);
    if (!val || !restoreBest) history.bestEpoch = restoreBest ? history.bestEpoch : history.epochsRun;
  } finally {
    for (const [sig, h] of listeners) process.removeListener(sig, h);
    best?.forEach((t) => t.dispose());
    xAll.dispose();
    yAll.dispose();
  }
  history.seconds = before + (Date.now() - t0) / 1000;
  history.secondsPerEpoch = history.seconds / Math.max(1, history.epochsRun);
  history.finalTrainLoss = evaluateLoss(model, train);
  return history;
}
