import * as tf from "@tensorflow/tfjs";
import { Worker } from "worker_threads";
import { integerInRange } from "../core";
import { loadDataset, SeismicDataset } from "../seismic";
import { BackendName, initBackend, requireBackend } from "./backend";
import { PretrainConfig, PretrainResult, runPretrain } from "./experiment";
import { TcnBundle } from "./io";
import "./layers"; // registers the custom layer classes before a model is rebuilt here
import { modelArtifacts, ModelArtifactsData, workerCode, workerReady } from "./parallel";
import { EpochLog } from "./train";
import { finetuneTcn, FinetuneOptions, FitOptions, FitResult, fitTcn } from "./workflow";

/**
 * Independent trainings run side by side, each worker thread with its own TensorFlow.js backend
 * (the main thread's, wasm normally).
 *
 * Why: a training on tfjs-backend-wasm uses one thread in Node (see parallel.ts), so a notebook
 * that trains several models one after another (a noise sweep, several split seeds, fine-tunings
 * over seeds) leaves the second core idle. A worker runs exactly the function the calling thread
 * would (`runPretrain`, `fitTcn`, `finetuneTcn`: same code, backend and seeds), so every result is
 * bit for bit the one-at-a-time result; only the wall time changes. Trained models come back as
 * their topology and weights and are rebuilt on the calling thread; a pre-training's dataset is
 * reloaded there from `cfg.data` (deterministic). Jobs are handed out in order, one per worker at
 * a time, to `threads` workers (a TcnTrainPool, for the call or kept by the caller). A failure in
 * any job stops all workers and rejects naming the job's index. `onEpoch` and `checkpoint` in a
 * job's options are not used (progress goes to the call's `onEpoch`).
 */

export interface TrainManyOptions {
  /** Worker threads (default 2, at most the number of jobs); 1 runs the jobs in turn on the calling thread. */
  threads?: number;
  /** Progress of job `index` (its own epochs). */
  onEpoch?: (index: number, log: EpochLog) => void;
}

/** A training of a new TCN (`fitTcn`) or a fine-tuning of a pre-trained one (`finetuneTcn`). */
export type FitJob =
  | { kind: "fit"; data: SeismicDataset; train: number[]; val?: number[]; opts: FitOptions }
  | {
      kind: "finetune";
      pretrained: TcnBundle;
      data: SeismicDataset;
      train: number[];
      val?: number[];
      opts: FinetuneOptions;
    };

type Job = { kind: "pretrain"; cfg: PretrainConfig } | FitJob;

/** A bundle as plain data: the model as its topology and weights. */
interface BundleData {
  artifacts: ModelArtifactsData;
  rest: Omit<TcnBundle, "model">;
}

/** A job as sent to a worker (pre-trained bundles as plain data, callbacks dropped). */
type WireJob =
  | { kind: "pretrain"; cfg: PretrainConfig }
  | (Omit<Extract<FitJob, { kind: "fit" }>, "opts"> & { opts: FitOptions })
  | (Omit<Extract<FitJob, { kind: "finetune" }>, "pretrained" | "opts"> & {
      pretrained: BundleData;
      opts: FinetuneOptions;
    });

/** What a worker sends back for a job. */
interface Payload {
  bundle: BundleData;
  history: FitResult["history"];
  split?: PretrainResult["split"];
  test?: PretrainResult["test"];
}

type FromTrainWorker =
  | { type: "ready" }
  | { type: "epoch"; id: number; log: EpochLog }
  | { type: "done"; id: number; payload: Payload }
  | { type: "error"; id?: number; message: string };

const WORKER_FLAG = "geoinv-tcn-train-worker";

interface TrainWorkerData {
  flag: typeof WORKER_FLAG;
  backend: BackendName;
}

/**
 * `runPretrain` on each config, up to `threads` at once in worker threads; the results in the
 * order of `cfgs`, each equal to what `runPretrain(cfg)` returns on the calling thread.
 */
export async function runPretrainMany(cfgs: PretrainConfig[], opts: TrainManyOptions = {}): Promise<PretrainResult[]> {
  const jobs = cfgs.map((cfg): Job => ({ kind: "pretrain", cfg }));
  return (await runMany(jobs, opts)) as PretrainResult[];
}

/**
 * `fitTcn` or `finetuneTcn` for each job, up to `threads` at once in worker threads; the results
 * in the order of `jobs`, each equal to the calling thread's.
 */
export async function runFitsMany(jobs: FitJob[], opts: TrainManyOptions = {}): Promise<FitResult[]> {
  return (await runMany(jobs, opts)) as FitResult[];
}

/** One job on the calling thread (threads 1, and the worker's side). */
function runHere(job: Job, onEpoch?: (l: EpochLog) => void): Promise<PretrainResult | FitResult> {
  if (job.kind === "pretrain") return runPretrain(job.cfg, { onEpoch });
  const opts = { ...job.opts, onEpoch, checkpoint: undefined };
  if (job.kind === "fit") return fitTcn(job.data, job.train, job.val, opts);
  return finetuneTcn(job.pretrained, job.data, job.train, job.val, opts);
}

async function runMany(jobs: Job[], opts: TrainManyOptions): Promise<(PretrainResult | FitResult)[]> {
  const threads = Math.min(integerInRange(opts.threads ?? 2, "threads", 1, 64), Math.max(jobs.length, 1));
  if (threads === 1) {
    const out: (PretrainResult | FitResult)[] = [];
    for (let i = 0; i < jobs.length; i++)
      out.push(await runHere(jobs[i], opts.onEpoch && ((l) => opts.onEpoch!(i, l))));
    return out;
  }
  const pool = await TcnTrainPool.create({ threads });
  try {
    return await pool.run(jobs, opts.onEpoch);
  } finally {
    await pool.close();
  }
}

/**
 * Worker threads for repeated batches of training jobs (runPretrainMany and runFitsMany start one
 * per call; a workflow with many small batches, such as the well transfer's folds, keeps one).
 */
export class TcnTrainPool {
  private closed = false;
  private busy = false;
  private dead: string | undefined;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on("exit", (code) => (this.dead ??= `exited with code ${code}`));
      w.on("error", (e) => (this.dead ??= e.message));
      w.unref();
    }
  }

  /** Start `threads` workers (default 2) on the calling thread's backend. */
  static async create(opts: { threads?: number } = {}): Promise<TcnTrainPool> {
    const threads = integerInRange(opts.threads ?? 2, "threads", 1, 64);
    const workerData: TrainWorkerData = { flag: WORKER_FLAG, backend: requireBackend().name };
    const workers: Worker[] = [];
    try {
      for (let t = 0; t < threads; t++)
        workers.push(new Worker(workerCode(), { eval: true, workerData, execArgv: [] }));
      await Promise.all(workers.map((w) => workerReady(w, "a training worker")));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new TcnTrainPool(workers);
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Pre-trainings, as runPretrainMany. */
  async runPretrain(cfgs: PretrainConfig[], onEpoch?: TrainManyOptions["onEpoch"]): Promise<PretrainResult[]> {
    return (await this.run(
      cfgs.map((cfg): Job => ({ kind: "pretrain", cfg })),
      onEpoch,
    )) as PretrainResult[];
  }

  /** Trainings and fine-tunings, as runFitsMany. */
  async runFits(jobs: FitJob[], onEpoch?: TrainManyOptions["onEpoch"]): Promise<FitResult[]> {
    return (await this.run(jobs, onEpoch)) as FitResult[];
  }

  /** Run the jobs, each on the next free worker; results in the order of `jobs`. */
  async run(jobs: Job[], onEpoch?: TrainManyOptions["onEpoch"]): Promise<(PretrainResult | FitResult)[]> {
    if (this.closed) throw new Error("TcnTrainPool: run after close()");
    if (this.busy) throw new Error("TcnTrainPool: one run at a time (await the previous call)");
    if (this.dead) throw new Error(`TcnTrainPool: a worker stopped (${this.dead}); close this pool and create another`);
    const out: (PretrainResult | FitResult)[] = new Array(jobs.length);
    if (jobs.length === 0) return out;
    const wire = await Promise.all(jobs.map(toWire));
    this.busy = true;
    const detach: (() => void)[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let done = 0;
        let failed = false;
        const fail = (e: Error) => {
          if (failed) return;
          failed = true;
          reject(e);
        };
        const give = (w: Worker) => {
          if (failed || next >= jobs.length) return;
          const id = next++;
          w.postMessage({ type: "job", id, job: wire[id] });
        };
        for (const w of this.workers) {
          const onMessage = (m: FromTrainWorker) => {
            if (m.type === "ready") return;
            if (m.type === "epoch") return onEpoch?.(m.id, m.log);
            if (m.type === "error") return fail(new Error(`training job ${m.id ?? "(worker start)"}: ${m.message}`));
            fromWire(jobs[m.id], m.payload).then((r) => {
              out[m.id] = r;
              if (++done === jobs.length) resolve();
              else give(w);
            }, fail);
          };
          const onError = (e: Error) => fail(new Error(`a training worker failed: ${e.message}`));
          const onExit = (code: number) =>
            fail(new Error(`a training worker exited (code ${code}) before its jobs were done`));
          w.on("message", onMessage);
          w.on("error", onError);
          w.on("exit", onExit);
          w.ref();
          detach.push(() => {
            w.off("message", onMessage);
            w.off("error", onError);
            w.off("exit", onExit);
            w.unref();
          });
          give(w);
        }
      });
    } catch (e) {
      // a failed run leaves jobs running in the workers: this pool cannot be used again
      this.dead ??= "a job failed";
      await this.close();
      throw e;
    } finally {
      detach.forEach((f) => f());
      this.busy = false;
    }
    return out;
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

async function bundleData(b: TcnBundle): Promise<BundleData> {
  const { model, ...rest } = b;
  return { artifacts: await modelArtifacts(model), rest };
}

async function bundleOf(d: BundleData): Promise<TcnBundle> {
  const { topology, weightSpecs, weightData } = d.artifacts;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData }));
  return { ...d.rest, model };
}

/** Options without callbacks (they cannot cross to a worker; progress goes through onEpoch). */
function plain<T extends FitOptions | FinetuneOptions>(o: T): T {
  return { ...o, onEpoch: undefined, checkpoint: undefined };
}

async function toWire(job: Job): Promise<WireJob> {
  if (job.kind === "pretrain") return job;
  if (job.kind === "fit") return { ...job, opts: plain(job.opts) };
  return { ...job, opts: plain(job.opts), pretrained: await bundleData(job.pretrained) };
}

async function fromWire(job: Job, p: Payload): Promise<PretrainResult | FitResult> {
  const bundle = await bundleOf(p.bundle);
  if (job.kind !== "pretrain") return { bundle, history: p.history };
  return { bundle, history: p.history, data: loadDataset(job.cfg.data), split: p.split!, test: p.test! };
}

/** The worker side (run by parallel-worker.ts when its workerData carries WORKER_FLAG). */
export async function trainWorker(
  data: TrainWorkerData,
  port: { on(e: "message", f: (m: { type: "job"; id: number; job: WireJob }) => void): void },
  post: (m: FromTrainWorker, transfer?: ArrayBuffer[]) => void,
): Promise<void> {
  try {
    await initBackend({ prefer: data.backend, quiet: true });
  } catch (e) {
    return post({ type: "error", message: String((e as Error)?.stack ?? e) });
  }
  port.on("message", (m) => {
    void (async () => {
      try {
        const w = m.job;
        const job: Job = w.kind === "finetune" ? { ...w, pretrained: await bundleOf(w.pretrained) } : w;
        const r = await runHere(job, (log) => post({ type: "epoch", id: m.id, log }));
        if (job.kind === "finetune") job.pretrained.model.dispose();
        const bundle = await bundleData(r.bundle);
        r.bundle.model.dispose();
        const extra = "split" in r ? { split: r.split, test: r.test } : {};
        post({ type: "done", id: m.id, payload: { bundle, history: r.history, ...extra } }, [
          bundle.artifacts.weightData,
        ]);
      } catch (e) {
        post({ type: "error", id: m.id, message: String((e as Error)?.message ?? e) });
      }
    })();
  });
  post({ type: "ready" });
}

export function isTrainWorker(data: unknown): data is TrainWorkerData {
  return typeof data === "object" && data !== null && (data as { flag?: unknown }).flag === WORKER_FLAG;
}
