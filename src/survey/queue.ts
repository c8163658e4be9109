import * as os from "os";
import { ValidationError } from "./errors";
import type { SurveySpec } from "./format";
import {
  finishedResult,
  finishSection,
  resultText,
  soundingFile,
  soundingNote,
  SurveyProgress,
  writeAtomic,
} from "./run";
import { SoundingResult, SoundingRun, soundingTasks, SoundingTask, taskHash } from "./sounding";
import { SurveyThreads } from "./threads";

/**
 * Many machines: one job per sounding on a BullMQ queue in Redis.
 *
 * - The submitter (`geoinv survey invert SURVEY.json --queue redis://HOST:PORT --out DIR`) enqueues
 *   every sounding without a finished result in DIR, job id `<survey>__<sounding>__<task hash>`
 *   (deterministic: enqueueing again adds nothing; a changed setting or datum is a new job), waits,
 *   and writes each result to DIR/soundings/<id>.json (atomically) as its job completes: results
 *   come back through the queue (the job's return value), so workers need no shared disk. Then it
 *   runs the LCI locally and writes DIR/section.json.
 * - Workers (`geoinv worker --queue redis://HOST:PORT`) run jobs in worker threads (the event loop
 *   stays free to renew the job lock). A worker that dies mid-job stops renewing its lock; after
 *   `lockDuration` another worker's stalled-job check (every `stalledInterval`) puts the job back
 *   and it runs again elsewhere (up to `maxStalledCount` times).
 * - The task carries no code or module path: a worker resolves the forward ("em" / "toy") itself
 *   and checks the task's hash before running it.
 */
export const QUEUE_NAME = "geoinv-survey";

/** The few BullMQ shapes used here (bullmq is loaded on first use, so the rest of the domain never needs it). */
interface Job {
  id?: string;
  data: unknown;
  opts: { attempts?: number };
  attemptsMade: number;
  finishedOn?: number;
  returnvalue: unknown;
  failedReason: string;
  getState(): Promise<string>;
  retry(state?: string): Promise<void>;
}
interface Queue {
  name: string;
  waitUntilReady(): Promise<unknown>;
  add(name: string, data: unknown, opts: Record<string, unknown>): Promise<Job>;
  addBulk(jobs: { name: string; data: unknown; opts: Record<string, unknown> }[]): Promise<Job[]>;
  getJob(id: string): Promise<Job | undefined>;
  on(ev: "error", f: (err: Error) => void): void;
  close(): Promise<void>;
}
interface Worker {
  name: string;
  on(ev: "failed", f: (job: Job | undefined, err: Error) => void): void;
  on(ev: "error", f: (err: Error) => void): void;
  waitUntilReady(): Promise<unknown>;
  /** force: end without waiting for the running jobs. */
  close(force?: boolean): Promise<void>;
}
interface BullMQ {
  Queue: new (name: string, opts: Record<string, unknown>) => Queue;
  Worker: new (name: string, processor: (job: Job) => Promise<unknown>, opts: Record<string, unknown>) => Worker;
}
function bullmq(): BullMQ {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("bullmq") as BullMQ;
}

export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, unknown>;
  maxRetriesPerRequest: null;
}

/**
 * Connection options of a redis:// or rediss:// (TLS) URL. The password may come from the URL or,
 * better (argv is visible to other users), from the environment variable GEOINV_REDIS_PASSWORD.
 */
export function parseRedisUrl(url: string, field = "--queue"): RedisConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValidationError(field, `'${url}' is not a URL; give redis://HOST:PORT or rediss://HOST:PORT (TLS)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new ValidationError(field, `scheme '${u.protocol}' is not supported; use redis:// or rediss:// (TLS)`);
  if (!u.hostname) throw new ValidationError(field, `no host in '${url}'`);
  const port = u.port ? Number(u.port) : 6379;
  const o: RedisConnectionOptions = { host: u.hostname.replace(/^\[|\]$/g, ""), port, maxRetriesPerRequest: null };
  if (u.username) o.username = decodeURIComponent(u.username);
  const pw = u.password ? decodeURIComponent(u.password) : process.env.GEOINV_REDIS_PASSWORD;
  if (pw) o.password = pw;
  const db = u.pathname.replace(/^\//, "");
  if (db) {
    if (!/^\d+$/.test(db)) throw new ValidationError(field, `database '${db}' in '${url}' must be a number`);
    o.db = Number(db);
  }
  if (u.protocol === "rediss:") o.tls = {};
  return o;
}

/** The job id of a sounding: deterministic from the survey name, the sounding id and the task's hash. */
export function jobId(t: SoundingTask): string {
  return `${t.survey}__${t.id}__${t.hash}`;
}

/** What a queue job returns: the result plus where and how long it ran (not written to the result file). */
export interface JobReturn {
  result: SoundingResult;
  /** Wall time of the task (sampler included) and of the posterior sampler alone. */
  seconds: number;
  posteriorSeconds?: number;
  worker: string;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(what)), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Wait until a BullMQ queue or worker has reached Redis, or refuse naming --queue (exit 2): the
 * client's connection errors are kept (the last one goes into the message) instead of being
 * printed by ioredis as unhandled error events with stack traces.
 */
async function connected(
  client: { waitUntilReady(): Promise<unknown>; on(ev: "error", f: (e: Error) => void): unknown },
  where: { host: string; port: number },
  log: (s: string) => void,
): Promise<void> {
  let last = "";
  client.on("error", (e: Error) => {
    if (e.message !== last) log(`redis ${where.host}:${where.port}: ${e.message}`);
    last = e.message;
  });
  try {
    await withTimeout(client.waitUntilReady(), 10000, `cannot reach Redis at ${where.host}:${where.port} within 10 s`);
  } catch (e) {
    throw new ValidationError(
      "--queue",
      `${(e as Error).message}${last ? ` (${last})` : ""}; start redis-server there, or check the host, port and password of the URL`,
    );
  }
}

export interface SubmitOptions {
  url: string;
  out: string;
  log?: (s: string) => void;
  queueName?: string;
  /** How often the submitter asks Redis for finished jobs (default 200 ms). */
  pollMs?: number;
  /** Tries per job when the inversion throws (default 2); a stalled (killed) worker's job is retried on its own. */
  attempts?: number;
  /** Threads for the LCI after the queue (default 1). */
  threads?: number | "all";
  lci?: boolean;
  /** Give up waiting after this many seconds (default: wait forever). */
  timeoutS?: number;
}

/**
 * Enqueue a survey's soundings, wait for the workers, write each result as it arrives, then the
 * LCI and the section. Returns the section summary plus queue statistics.
 */
export async function submitSurvey(spec: SurveySpec, o: SubmitOptions) {
  const log = o.log ?? (() => undefined);
  const connection = parseRedisUrl(o.url);
  const tasks = soundingTasks(spec);
  const results: (SoundingResult | null)[] = tasks.map((t) => finishedResult(o.out, t));
  const pending = new Map<string, SoundingTask>();
  tasks.forEach((t, i) => results[i] === null && pending.set(jobId(t), t));
  const prog = new SurveyProgress(tasks.length, tasks.length - pending.size, log, `${spec.name} (queue)`);
  const queue = new (bullmq().Queue)(o.queueName ?? QUEUE_NAME, { connection });
  const attempts = o.attempts ?? 2;
  const t0 = Date.now();
  const jobSeconds: number[] = [];
  const workers = new Map<string, number>();
  const failures: string[] = [];
  const written: string[] = [];
  try {
    await connected(queue, connection, log);
    if (pending.size > 0) {
      await queue.addBulk(
        [...pending].map(([id, t]) => ({
          name: "sounding",
          data: t,
          opts: { jobId: id, attempts, removeOnComplete: false, removeOnFail: false },
        })),
      );
      log(
        `${spec.name}: ${pending.size} jobs on queue '${queue.name}' at ${connection.host}:${connection.port}; waiting for workers (geoinv worker --queue ...)`,
      );
      // a job that failed in an earlier run is retried (the same id would otherwise be ignored)
      for (const id of pending.keys()) {
        const job = await queue.getJob(id);
        if (job && (await job.getState()) === "failed") await job.retry("failed");
      }
    }
    while (pending.size > 0) {
      if (o.timeoutS !== undefined && (Date.now() - t0) / 1000 > o.timeoutS)
        throw new Error(`${pending.size} soundings not finished after ${o.timeoutS} s`);
      await new Promise((r) => setTimeout(r, o.pollMs ?? 200));
      const ids = [...pending.keys()];
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k];
        const job = jobs[k];
        const t = pending.get(id)!;
        if (!job) {
          // removed by someone (queue obliterated or cleaned): enqueue again
          await queue.add("sounding", t, { jobId: id, attempts, removeOnComplete: false, removeOnFail: false });
          continue;
        }
        if (job.finishedOn && job.returnvalue) {
          const rv = job.returnvalue as JobReturn;
          if (!rv.result || rv.result.hash !== t.hash)
            throw new Error(`job ${id} returned a result for another task (hash ${rv.result?.hash})`);
          writeAtomic(soundingFile(o.out, t.id), resultText(rv.result));
          results[t.index] = rv.result;
          written.push(t.id);
          pending.delete(id);
          jobSeconds.push(rv.seconds);
          workers.set(rv.worker, (workers.get(rv.worker) ?? 0) + 1);
          prog.tick(t.id, `${soundingNote(rv.result)}, ${rv.seconds.toFixed(1)} s on ${rv.worker}`);
        } else if (job.finishedOn && job.failedReason && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          failures.push(`${t.id}: ${job.failedReason}`);
          pending.delete(id);
        }
      }
    }
  } finally {
    await queue.close();
  }
  const wall = (Date.now() - t0) / 1000;
  if (failures.length > 0)
    throw new Error(`${failures.length} soundings failed on the queue:\n  ${failures.join("\n  ")}`);
  const threads = new SurveyThreads(o.threads ?? 1);
  try {
    const summary = await finishSection(spec, results as SoundingResult[], o.out, {
      threads,
      log,
      lci: o.lci,
      timing: {
        deSeconds: wall,
        computed: written.length,
        skipped: tasks.length - written.length,
        mode: `queue:${o.url.replace(/\/\/[^@]*@/, "//")}`,
      },
    });
    return { ...summary, queue: { wallSeconds: wall, jobSeconds, workers: Object.fromEntries(workers), written } };
  } finally {
    await threads.close();
  }
}

export interface WorkerOptions {
  url: string;
  /** Soundings run at once (each in its own worker thread; default 1). */
  concurrency?: number;
  queueName?: string;
  /** Job lock duration, ms (default 30000): a dead worker's job is taken back this long after its last renewal. */
  lockMs?: number;
  /** How often this worker looks for stalled jobs, ms (default 30000). */
  stalledMs?: number;
  /** Times a job may stall (its worker die) before it is failed (default 3). */
  maxStalled?: number;
  log?: (s: string) => void;
}

/** A queue worker; resolves once connected. `close()` finishes the running jobs and stops. */
export async function startWorker(o: WorkerOptions): Promise<{ worker: Worker; close: () => Promise<void> }> {
  const log = o.log ?? (() => undefined);
  const connection = parseRedisUrl(o.url);
  const concurrency = o.concurrency ?? 1;
  const threads = new SurveyThreads(concurrency, { alwaysThreads: true });
  const name = `${os.hostname()}:${process.pid}`;
  const worker = new (bullmq().Worker)(
    o.queueName ?? QUEUE_NAME,
    async (job: Job) => {
      const t = job.data as SoundingTask;
      if (!t || typeof t !== "object" || (t.forward?.kind !== "em" && t.forward?.kind !== "toy"))
        throw new Error(`job ${job.id}: not a survey sounding task`);
      if (taskHash(t) !== t.hash)
        throw new Error(
          `job ${job.id}: the task's content does not match its hash (corrupt or from another version of geoinv)`,
        );
      log(`worker ${name}: start ${job.id} (attempt ${job.attemptsMade + 1})`);
      const r = (await threads.run({ kind: "invert", task: t })) as SoundingRun;
      log(`worker ${name}: done ${job.id} in ${r.seconds.toFixed(2)} s, ${soundingNote(r.result)}`);
      const ret: JobReturn = { ...r, worker: name };
      return ret;
    },
    {
      connection,
      concurrency,
      lockDuration: o.lockMs ?? 30000,
      stalledInterval: o.stalledMs ?? 30000,
      maxStalledCount: o.maxStalled ?? 3,
    },
  );
  worker.on("failed", (job, err) => log(`worker ${name}: job ${job?.id} failed: ${err.message}`));
  try {
    await connected(worker, connection, (s) => log(`worker ${name}: ${s}`));
  } catch (e) {
    await Promise.race([worker.close(true), new Promise((r) => setTimeout(r, 2000))]);
    throw e;
  }
  log(
    `worker ${name}: waiting for jobs on '${worker.name}' at ${connection.host}:${connection.port} (concurrency ${concurrency})`,
  );
  return {
    worker,
    close: async () => {
      await worker.close();
      await threads.close();
    },
  };
}
