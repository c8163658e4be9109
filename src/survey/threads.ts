import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { ValidationError } from "./errors";
import { LciExecutor, LciForwardResult } from "./lci";
import { SurveyTask, SurveyTaskResult, runTask } from "./tasks";

interface Job {
  task: SurveyTask;
  resolve: (v: SurveyTaskResult) => void;
  reject: (e: Error) => void;
}

/**
 * A pool of worker threads running survey tasks (a sounding's DE inversion, an LCI forward), one
 * task per thread at a time, in submission order. `size` 1 (or 0) runs tasks in this thread. The
 * result of a task does not depend on the thread that ran it.
 */
export class SurveyThreads {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly idle: number[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, Job>();
  private closed = false;

  /** `alwaysThreads`: use worker threads even for one (keeps this thread's event loop free). */
  constructor(threads: number | "all" = "all", opts: { alwaysThreads?: boolean } = {}) {
    const n = threads === "all" ? Math.max(1, os.cpus().length) : threads;
    if (!Number.isInteger(n) || n < 0)
      throw new ValidationError("threads", `${threads}; allowed a non-negative whole number or "all"`);
    this.size = n <= 1 ? 1 : n;
    if (n <= 1 && !(opts.alwaysThreads && n === 1)) return;
    for (let w = 0; w < n; w++) {
      const worker = new Worker(path.join(__dirname, "thread.js"), { execArgv: [] });
      worker.unref();
      worker.on(
        "message",
        (m: {
          ready?: boolean;
          id?: number;
          value?: SurveyTaskResult;
          error?: string;
          name?: string;
          field?: string;
        }) => {
          if (m.ready) {
            this.idle.push(w);
            this.pump();
            return;
          }
          const job = this.running.get(w);
          this.running.delete(w);
          this.idle.push(w);
          if (job) {
            if (m.error !== undefined) {
              const e = new Error(m.error) as Error & { field?: string };
              if (m.name) e.name = m.name;
              if (m.field) e.field = m.field;
              job.reject(e);
            } else job.resolve(m.value!);
          }
          this.pump();
        },
      );
      worker.on("error", (e) => {
        const job = this.running.get(w);
        this.running.delete(w);
        job?.reject(e);
      });
      this.workers.push(worker);
    }
  }

  private pump(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const w = this.idle.shift()!;
      const job = this.queue.shift()!;
      this.running.set(w, job);
      this.workers[w].postMessage({ id: 0, task: job.task });
    }
    // keep the process alive while work is queued or running (threads still starting included)
    const busy = this.queue.length > 0 || this.running.size > 0;
    for (const w of this.workers) {
      if (busy) w.ref();
      else w.unref();
    }
  }

  /** Whether tasks run on worker threads (false: in this thread). */
  get threaded(): boolean {
    return this.workers.length > 0;
  }

  run(task: SurveyTask): Promise<SurveyTaskResult> {
    if (this.closed) return Promise.reject(new Error("SurveyThreads.run after close()"));
    if (this.workers.length === 0) return runTask(task);
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  /** The LCI's forward tasks on these threads. */
  get lciExecutor(): LciExecutor {
    return (tasks) => Promise.all(tasks.map((t) => this.run(t) as Promise<LciForwardResult>));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const j of this.queue) j.reject(new Error("SurveyThreads closed"));
    this.queue.length = 0;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
