import * as tf from "@tensorflow/tfjs";
import { Worker } from "worker_threads";
import { integerInRange } from "../core";
import { loadDataset } from "../seismic";
import { BackendName, initBackend, requireBackend } from "./backend";
import { PretrainConfig, PretrainResult, runPretrain } from "./experiment";
import { TcnBundle } from "./io";
import "./layers"; // registers the custom layer classes before a model is rebuilt here
import { modelArtifacts, ModelArtifactsData, workerCode } from "./parallel";
import { EpochLog } from "./train";

/**
 * Independent pre-trainings run side by side, each in its own worker thread with its own
 * TensorFlow.js backend (the main thread's, wasm normally).
 *
 * Why: a training on tfjs-backend-wasm uses one thread in Node (see parallel.ts), so a notebook
 * that trains several models one after another (a noise sweep, several split seeds) leaves the
 * second core idle. Each worker runs exactly `runPretrain(cfg)` (same code, backend and seeds), so
 * every result is bit for bit what the calling thread would compute; only the wall time changes.
 * The trained model comes back as its topology and weights and is rebuilt on the calling thread;
 * the dataset is reloaded there from `cfg.data` (deterministic). Jobs are handed out in order, one
 * per worker at a time. A failure in any job stops all workers and rejects with the job's index.
 */

export interface PretrainManyOptions {
  /** Worker threads (default 2, at most the number of jobs); 1 runs the jobs in turn on the calling thread. */
  threads?: number;
  /** Progress of job `index` (its own epochs). */
  onEpoch?: (index: number, log: EpochLog) => void;
}

/** What a worker sends back: the result without the dataset, the model as plain data. */
interface PretrainPayload {
  artifacts: ModelArtifactsData;
  bundle: Omit<TcnBundle, "model">;
  history: PretrainResult["history"];
  split: PretrainResult["split"];
  test: PretrainResult["test"];
}

type FromTrainWorker =
  { type: "epoch"; log: EpochLog } | { type: "done"; payload: PretrainPayload } | { type: "error"; message: string };

const WORKER_FLAG = "geoinv-tcn-pretrain-worker";

interface PretrainWorkerData {
  flag: typeof WORKER_FLAG;
  backend: BackendName;
  cfg: PretrainConfig;
}

/**
 * `runPretrain` on each config, up to `threads` at once in worker threads; the results in the
 * order of `cfgs`, each equal to what `runPretrain(cfg)` returns on the calling thread.
 */
export async function runPretrainMany(
  cfgs: PretrainConfig[],
  opts: PretrainManyOptions = {},
): Promise<PretrainResult[]> {
  const threads = Math.min(integerInRange(opts.threads ?? 2, "threads", 1, 64), Math.max(cfgs.length, 1));
  if (threads === 1) {
    const out: PretrainResult[] = [];
    for (let i = 0; i < cfgs.length; i++)
      out.push(await runPretrain(cfgs[i], { onEpoch: opts.onEpoch && ((l) => opts.onEpoch!(i, l)) }));
    return out;
  }
  const backend = requireBackend().name;
  const out: PretrainResult[] = new Array(cfgs.length);
  const running = new Set<Worker>();
  let next = 0;
  let failed = false;
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const w of running) void w.terminate();
      reject(e);
    };
    const start = () => {
      if (failed || next >= cfgs.length) return;
      const index = next++;
      const w = new Worker(workerCode(), {
        eval: true,
        workerData: { flag: WORKER_FLAG, backend, cfg: cfgs[index] } satisfies PretrainWorkerData,
        execArgv: [],
      });
      running.add(w);
      w.on("message", (m: FromTrainWorker) => {
        if (m.type === "epoch") opts.onEpoch?.(index, m.log);
        else if (m.type === "error") fail(new Error(`runPretrainMany: job ${index}: ${m.message}`));
        else
          rebuild(cfgs[index], m.payload).then((r) => {
            out[index] = r;
            running.delete(w);
            void w.terminate();
            if (++done === cfgs.length) resolve();
            else start();
          }, fail);
      });
      w.on("error", (e) => fail(new Error(`runPretrainMany: job ${index}: ${e.message}`)));
      w.on("exit", (code) => {
        if (running.has(w) && out[index] === undefined)
          fail(new Error(`runPretrainMany: the worker of job ${index} exited (code ${code}) before its result`));
      });
    };
    for (let i = 0; i < threads; i++) start();
  });
  return out;
}

/** The calling thread's PretrainResult from a worker's payload. */
async function rebuild(cfg: PretrainConfig, p: PretrainPayload): Promise<PretrainResult> {
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: p.artifacts.topology,
      weightSpecs: p.artifacts.weightSpecs,
      weightData: p.artifacts.weightData,
    }),
  );
  return {
    bundle: { ...p.bundle, model },
    history: p.history,
    data: loadDataset(cfg.data),
    split: p.split,
    test: p.test,
  };
}

/** The worker side (run by parallel-worker.ts when its workerData carries WORKER_FLAG). */
export async function pretrainWorker(
  data: PretrainWorkerData,
  post: (m: FromTrainWorker, transfer?: ArrayBuffer[]) => void,
): Promise<void> {
  try {
    await initBackend({ prefer: data.backend, quiet: true });
    const r = await runPretrain(data.cfg, { onEpoch: (log) => post({ type: "epoch", log }) });
    const artifacts = await modelArtifacts(r.bundle.model);
    const { model, ...bundle } = r.bundle;
    model.dispose();
    post({ type: "done", payload: { artifacts, bundle, history: r.history, split: r.split, test: r.test } }, [
      artifacts.weightData,
    ]);
  } catch (e) {
    post({ type: "error", message: String((e as Error)?.stack ?? e) });
  }
}

export function isPretrainWorker(data: unknown): data is PretrainWorkerData {
  return typeof data === "object" && data !== null && (data as { flag?: unknown }).flag === WORKER_FLAG;
}
