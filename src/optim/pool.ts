import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { ValidationError } from "./errors";

/**
 * How a worker builds the objective: `require(module)[factory](args)` must return a synchronous
 * batch objective `(xs: Float64Array[]) => number[] | number[][]`. `module` is an absolute path
 * (a .ts file is fine: workers load it through tsx); `args` must survive structured cloning.
 */
export interface WorkerObjectiveSpec {
  module: string;
  factory: string;
  args?: unknown;
}

/** Number of workers for "all" or a count (at least 1). */
export function workerCount(workers: number | "all" | undefined): number {
  if (workers === undefined || workers === "all") return Math.max(1, os.cpus().length);
  if (!Number.isInteger(workers) || workers < 1)
    throw new ValidationError("workers", `must be a positive integer or "all", got ${workers}`);
  return workers;
}

interface Pending {
  resolve: (v: number[] | number[][]) => void;
  reject: (e: Error) => void;
}

/**
 * A pool of worker threads that evaluate a batch objective in parallel. A batch is cut into one
 * contiguous chunk per worker and the values come back in input order, so a run with the pool
 * gives exactly the serial run's numbers (each point is evaluated by the same code either way).
 */
export class WorkerPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private ready: Promise<void>[] = [];
  private spec: WorkerObjectiveSpec;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(spec: WorkerObjectiveSpec, workers: number | "all" = "all") {
    if (!path.isAbsolute(spec.module))
      throw new ValidationError("module", `must be an absolute path, got '${spec.module}'`);
    this.size = workerCount(workers);
    this.spec = spec;
    const entry = path.join(__dirname, "worker.js");
    for (let w = 0; w < this.size; w++) {
      // execArgv [] : the entry installs tsx itself, whatever the host was started with
      const worker = new Worker(entry, { workerData: spec, execArgv: [] });
      worker.unref();
      worker.on("message", (r) => this.onMessage(w, r));
      worker.on("error", (e) => {
        this.readyWaiters[w]?.reject(e);
        this.failAll(e);
      });
      this.workers.push(worker);
    }
    this.ready = this.expectReady();
  }

  private readyWaiters: ({ resolve: () => void; reject: (e: Error) => void } | undefined)[] = [];

  private expectReady(): Promise<void>[] {
    return this.workers.map((_, w) => {
      const p = new Promise<void>((resolve, reject) => {
        this.readyWaiters[w] = { resolve, reject };
      });
      p.catch(() => undefined); // reported when evaluate() or configure() awaits it
      return p;
    });
  }

  /** Resolves when every worker has built its objective (thread start-up and module loading). */
  async whenReady(): Promise<void> {
    this.workers.forEach((w) => w.ref());
    try {
      await Promise.all(this.ready);
    } finally {
      this.workers.forEach((w) => w.unref());
    }
  }

  /** The objective spec the workers hold now. */
  get current(): WorkerObjectiveSpec {
    return this.spec;
  }

  /**
   * Rebuild the objective in every worker (another problem, or another factory of the same
   * module) without restarting the threads.
   */
  async configure(spec: WorkerObjectiveSpec): Promise<void> {
    if (this.closed) throw new Error("WorkerPool.configure after close()");
    await Promise.allSettled(this.ready);
    this.spec = spec;
    this.ready = this.expectReady();
    this.workers.forEach((w) => {
      w.ref();
      w.postMessage({ type: "configure", spec });
    });
    try {
      await Promise.all(this.ready);
    } finally {
      this.workers.forEach((w) => w.unref());
    }
  }

  private onMessage(w: number, m: { type: string; id: number; values?: number[] | number[][]; error?: string }): void {
    if (m.type === "ready" || (m.type === "error" && m.id === -1)) {
      const waiter = this.readyWaiters[w];
      this.readyWaiters[w] = undefined;
      if (m.type === "ready") waiter?.resolve();
      else waiter?.reject(new Error(`worker could not build the objective: ${m.error}`));
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === "result") p.resolve(m.values as number[] | number[][]);
    else p.reject(new Error(`objective failed in a worker: ${m.error}`));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private call(w: number, xs: Float64Array[]): Promise<number[] | number[][]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[w].postMessage({ type: "evaluate", id, xs });
    });
  }

  /** Evaluate a batch: one value (or component row) per point, in input order. */
  async evaluate(xs: Float64Array[]): Promise<number[] | number[][]> {
    if (this.closed) throw new Error("WorkerPool.evaluate after close()");
    await this.whenReady();
    const n = xs.length;
    const k = Math.min(this.size, Math.max(1, n));
    const chunk = Math.ceil(n / k);
    this.workers.forEach((w) => w.ref());
    try {
      const parts = await Promise.all(
        Array.from({ length: k }, (_, w) => this.call(w, xs.slice(w * chunk, Math.min(n, (w + 1) * chunk)))),
      );
      return ([] as (number | number[])[]).concat(...parts) as number[] | number[][];
    } finally {
      this.workers.forEach((w) => w.unref());
    }
  }

  /** A bound evaluate function, to pass to minimizeAsync. */
  get objective(): (xs: Float64Array[]) => Promise<number[] | number[][]> {
    return (xs) => this.evaluate(xs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
