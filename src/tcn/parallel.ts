import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import { Worker } from "worker_threads";
import { integerInRange } from "../core";
import { requireBackend } from "./backend";
import { checkPredictMemory, fitPredictBatch } from "./resources";
import { checkBatchLengths, predictRows } from "./train";

/**
 * Batched TCN inference split over worker_threads, each with its own TensorFlow.js backend (the
 * main thread's: wasm normally) and its own copy of the model, loaded once per worker.
 *
 * Why workers: `predictRows` runs a geoinv TCN on the wasm inference kernel (kernel/engine.ts), one
 * thread, and any other model on tfjs-backend-wasm, whose XNNPACK also runs on one thread in Node
 * (with 450 traces of 500 samples a pass takes ~30 ms, and two workers gain nothing; with 2000 they
 * give 1.6x: bench/README.md, "Inference on our own wasm kernel"). tfjs's threaded SIMD build does
 * not work there (tfjs issue 3830: the flag WASM_HAS_MULTITHREAD_SUPPORT is false under Node;
 * forced on, emscripten's pthread workers are given blob: URLs that worker_threads refuses, and
 * with those patched to files it loads but reports 1 thread; bench/README.md, TCN section). So
 * the parallelism is over batches instead: inference is per trace, and each batch is exactly the
 * batch `predictRows` would form (traces [k b, (k+1) b) for batch size b), run by `predictRows` in
 * a worker on the same backend, so the output is bit for bit the single-thread output, whatever
 * worker runs which batch. Batches are handed out on demand (two in flight per worker), so a worker
 * slowed by the machine's other load takes fewer.
 *
 * Starting a worker costs its module load, backend initialisation and model load (about a second,
 * more under load): keep a TcnPredictPool for repeated predictions; `predictParallel` is a pool
 * for one call. With threads 1 `predictParallel` is `predictRows` on the calling thread.
 */

/** Options of predictParallel and TcnPredictPool.create. */
export interface ParallelOptions {
  /** Worker threads (default 2). */
  threads?: number;
}

/** A model's topology and weights as plain data (structured-cloneable, the weights in one buffer). */
export interface ModelArtifactsData {
  topology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

interface WorkerInit extends ModelArtifactsData {
  backend: string;
}

type FromWorker =
  | { type: "ready" }
  | { type: "result"; run: number; id: number; rows: Float32Array[] }
  | { type: "error"; run?: number; id?: number; message: string };

/** The model's topology and weights as plain data (the weights copied into one buffer). */
export async function modelArtifacts(model: tf.LayersModel): Promise<ModelArtifactsData> {
  let art: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      art = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (!art || !art.modelTopology || !art.weightSpecs || art.weightData === undefined)
    throw new Error("modelArtifacts: the model did not serialise its topology and weights");
  return {
    topology: art.modelTopology as object,
    weightSpecs: art.weightSpecs,
    weightData: tf.io.CompositeArrayBuffer.join(art.weightData),
  };
}

/** The worker entry (parallel-worker): the TypeScript source through tsx (a dependency), or the compiled file. */
export function workerCode(): string {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `parallel-worker${ext}`);
  return `${ext === ".ts" ? 'require("tsx/cjs");\n' : ""}require(${JSON.stringify(file)});\n`;
}

interface Job {
  id: number;
  start: number;
  rows: Float32Array[];
}

interface Slot {
  worker: Worker;
  inFlight: number;
  /** Why the worker stopped, once it did. */
  exited?: string;
}

/** A set of workers holding one model, for repeated batched predictions (see the file comment). */
export class TcnPredictPool {
  private readonly slots: Slot[];
  private closed = false;
  private busy = false;
  /** Counter of predict calls: a late answer of an earlier (failed) call is ignored. */
  private runs = 0;

  private constructor(
    slots: Slot[],
    private readonly model: tf.LayersModel,
  ) {
    this.slots = slots;
  }

  /** Start `threads` workers, each loading the model on the main thread's backend. */
  static async create(model: tf.LayersModel, opts: ParallelOptions = {}): Promise<TcnPredictPool> {
    const threads = integerInRange(opts.threads ?? 2, "threads", 1, 64);
    const init: WorkerInit = { backend: requireBackend().name, ...(await modelArtifacts(model)) };
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < threads; i++)
        workers.push(new Worker(workerCode(), { eval: true, workerData: init, execArgv: [] }));
      await Promise.all(workers.map((w) => workerReady(w, "predictParallel worker")));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    const slots: Slot[] = workers.map((worker) => ({ worker, inFlight: 0 }));
    for (const s of slots) {
      s.worker.on("exit", (code) => (s.exited = `exited with code ${code}`));
      s.worker.on("error", (e) => (s.exited = e.message));
      s.worker.unref();
    }
    return new TcnPredictPool(slots, model);
  }

  /** Number of workers. */
  get threads(): number {
    return this.slots.length;
  }

  /**
   * The model's output for `rows`, equal to `predictRows(model, rows, batchSize)` on the calling
   * thread (same default batch size, same memory checks, same errors for unequal trace lengths).
   */
  async predict(rows: Float32Array[], batchSize?: number): Promise<Float32Array[]> {
    if (this.closed) throw new Error("TcnPredictPool: predict after close()");
    if (this.busy) throw new Error("TcnPredictPool: one predict at a time (await the previous call)");
    const dead = this.slots.find((s) => s.exited);
    if (dead) throw new Error(`TcnPredictPool: a worker stopped (${dead.exited}); close this pool and create another`);
    const samples = rows.reduce((m, r) => Math.max(m, r.length), 0);
    if (batchSize === undefined) batchSize = fitPredictBatch(this.model, rows.length, samples, 128);
    integerInRange(batchSize, "batchSize", 1);
    checkPredictMemory(this.model, rows.length, samples, batchSize);
    checkBatchLengths(rows, batchSize);
    const jobs: Job[] = [];
    for (let s = 0, id = 0; s < rows.length; s += batchSize, id++)
      jobs.push({ id, start: s, rows: rows.slice(s, s + batchSize) });
    const out: Float32Array[] = new Array(rows.length);
    if (jobs.length === 0) return out;
    this.busy = true;
    const detach: (() => void)[] = [];
    this.slots.forEach((s) => s.worker.ref());
    try {
      await this.run(++this.runs, jobs, out, detach);
    } finally {
      detach.forEach((f) => f());
      this.slots.forEach((s) => {
        s.inFlight = 0;
        s.worker.unref();
      });
      this.busy = false;
    }
    return out;
  }

  private run(run: number, jobs: Job[], out: Float32Array[], detach: (() => void)[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const send = (slot: Slot) => {
        while (!failed && slot.inFlight < 2 && next < jobs.length) {
          const job = jobs[next++];
          // one packed copy per batch, transferred (the caller's arrays stay attached)
          const lengths = job.rows.map((r) => r.length);
          const packed = new Float32Array(lengths.reduce((a, b) => a + b, 0));
          let o = 0;
          for (const r of job.rows) {
            packed.set(r, o);
            o += r.length;
          }
          slot.inFlight++;
          slot.worker.postMessage({ type: "batch", run, id: job.id, lengths, packed }, [packed.buffer]);
        }
      };
      for (const slot of this.slots) {
        const onMessage = (m: FromWorker) => {
          if (m.type === "ready" || m.run !== run) return;
          if (m.type === "error") return fail(new Error(`predictParallel worker: ${m.message}`));
          slot.inFlight--;
          const job = jobs[m.id];
          m.rows.forEach((r, k) => (out[job.start + k] = r));
          if (++done === jobs.length) return resolve();
          send(slot);
        };
        const onError = (e: Error) => fail(e);
        const onExit = (code: number) =>
          fail(new Error(`predictParallel worker exited (code ${code}) during a prediction`));
        slot.worker.on("message", onMessage);
        slot.worker.on("error", onError);
        slot.worker.on("exit", onExit);
        detach.push(() => {
          slot.worker.off("message", onMessage);
          slot.worker.off("error", onError);
          slot.worker.off("exit", onExit);
        });
      }
      this.slots.forEach(send);
    });
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/** Resolves when worker `w` says "ready"; rejects, naming `what`, when it fails or exits first. */
export function workerReady(w: Worker, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (m: { type: string; message?: string }) => {
      if (m.type === "ready") done(resolve);
      else if (m.type === "error") done(() => reject(new Error(`${what} failed to start: ${m.message}`)));
    };
    const onError = (e: Error) => done(() => reject(e));
    const onExit = (code: number) => done(() => reject(new Error(`${what} exited (code ${code}) while starting`)));
    const done = (f: () => void) => {
      w.off("message", onMessage);
      w.off("error", onError);
      w.off("exit", onExit);
      f();
    };
    w.on("message", onMessage);
    w.on("error", onError);
    w.on("exit", onExit);
  });
}

/**
 * `predictRows(model, rows, batchSize)` with the batches spread over `threads` worker threads
 * (default 2), bit-identical to it. Starts and stops the workers: for repeated calls use a
 * TcnPredictPool. With threads 1 it runs predictRows on the calling thread.
 */
export async function predictParallel(
  model: tf.LayersModel,
  rows: Float32Array[],
  opts: ParallelOptions & { batchSize?: number } = {},
): Promise<Float32Array[]> {
  const threads = integerInRange(opts.threads ?? 2, "threads", 1, 64);
  if (threads === 1) return predictRows(model, rows, opts.batchSize);
  const pool = await TcnPredictPool.create(model, { threads });
  try {
    return await pool.predict(rows, opts.batchSize);
  } finally {
    await pool.close();
  }
}
