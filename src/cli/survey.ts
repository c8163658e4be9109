import * as os from "os";
import { atomicWriteFile, checkOutputDir, parseNumberList } from "../core";
import { parseSurveySpec, rankinSurvey, runSurvey, startWorker, submitSurvey } from "../survey";
import { outFile, readJsonFile } from "./io";
import { CliIO, parseArgs, UsageError, Verb } from "./registry";

/**
 * `geoinv survey ...` and `geoinv worker`: a survey of many soundings as a section (docs/SURVEY.md),
 * on this machine (worker threads) or on many (a BullMQ queue in Redis).
 */
function readSurvey(file: string): unknown {
  return readJsonFile(file, "the survey file");
}

function positiveInt(v: string | boolean | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isInteger(n) || n < 1)
    throw new UsageError(`--${flag} expects a positive integer, got '${v}'`);
  return n;
}

/** Most threads --workers may ask for: 8 per core (the inversions are CPU-bound; more threads only add memory). */
export function maxThreads(): number {
  return Math.max(16, 8 * os.cpus().length);
}

function threadsFlag(v: string | boolean | undefined): number | "all" {
  if (v === "all") return "all";
  const n = positiveInt(v, "workers", 1);
  // each thread is a JavaScript engine of its own: a billion of them never start (this hung)
  if (n > maxThreads())
    throw new UsageError(
      `--workers ${v}: at most ${maxThreads()} threads here (8 per core; the soundings' inversions are CPU-bound); use --workers all for one per core`,
    );
  return n;
}

function queueFlag(v: string | boolean | undefined): string {
  if (typeof v !== "string" || !/^rediss?:\/\//.test(v))
    throw new UsageError(`--queue expects redis://HOST:PORT or rediss://HOST:PORT (TLS), got '${v}'`);
  return v;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: string) => () => resolve(s);
    process.once("SIGINT", on("SIGINT"));
    process.once("SIGTERM", on("SIGTERM"));
  });
}

export const surveyVerbs: Verb[] = [
  {
    path: ["survey", "invert"],
    summary: "invert a survey of many soundings (1-D DE each, then LCI) on this machine or over a Redis queue",
    usage: `geoinv survey invert SURVEY.json --out DIR [--workers N|all] [--queue redis://HOST:PORT]
                     [--queue-name NAME] [--no-lci] [--timeout SECONDS] [--quiet]

SURVEY.json: the survey format of docs/SURVEY.md (examples/survey_rankin.json: all 22 Rankin Inlet
soundings). Each sounding's DE inversion (seed derived from optimizer.seed and the sounding id)
writes DIR/soundings/<id>.json as it finishes (atomically: temporary file + rename); soundings
whose file holds a result of the same task hash are skipped, so a rerun resumes. Then the
laterally constrained inversion (unless --no-lci or "lci": false) and DIR/section.json, DIR/lci.json.
With a "posterior" block (tem invert's) each sounding also samples its resistivity posterior after
its DE, in its own thread; its result gets the summary, section.json the width with depth.
  --workers N    worker threads over soundings on this machine (default 1; "all" = one per core);
                 with --queue: threads of the LCI only
  --queue URL    enqueue one job per sounding on Redis (BullMQ) instead, wait for workers
                 (geoinv worker --queue URL on any number of machines) and write their results here.
                 Password: in the URL or, better, in GEOINV_REDIS_PASSWORD. rediss:// for TLS.
Progress (soundings done / total, elapsed, estimated time left) on stderr. Bad input: exit 2.`,
    run: async (args, io) => {
      const { positional, flags } = parseArgs(args, {
        known: ["out", "workers", "queue", "queue-name", "timeout", "poll-ms"],
        booleans: ["no-lci", "quiet"],
      });
      if (positional.length !== 1)
        throw new UsageError(
          positional.length === 0
            ? "give exactly one SURVEY.json (see geoinv survey invert --help)"
            : `${positional[1]}: unexpected argument; give exactly one SURVEY.json (a boolean flag takes no value; see geoinv survey invert --help)`,
        );
      if (typeof flags.out !== "string" || flags.out === "")
        throw new UsageError("--out DIR is required: per-sounding results and the section are written there");
      // checked before any work: not a file, not /proc, its nearest existing parent writable
      checkOutputDir(flags.out, { inputs: [positional[0]] });
      const spec = parseSurveySpec(readSurvey(positional[0]));
      const log = flags.quiet ? () => undefined : (s: string) => io.stderr(s + "\n");
      const threads = threadsFlag(flags.workers);
      const lci = flags["no-lci"] ? false : undefined;
      let summary: {
        soundings: {
          id: string;
          de: { rms: number };
          lci: { rms: number; doi: number } | null;
          posterior: { rhatMax: number } | null;
        }[];
        lci: { rms: number; stopReason: string } | null;
      };
      if (flags.queue !== undefined) {
        const timeoutS = flags.timeout === undefined ? undefined : positiveInt(flags.timeout, "timeout", 1);
        summary = await submitSurvey(spec, {
          url: queueFlag(flags.queue),
          out: flags.out,
          log,
          threads,
          lci,
          queueName: typeof flags["queue-name"] === "string" ? flags["queue-name"] : undefined,
          timeoutS,
          pollMs: flags["poll-ms"] === undefined ? undefined : positiveInt(flags["poll-ms"], "poll-ms", 200),
        });
      } else {
        if (flags["queue-name"] !== undefined || flags.timeout !== undefined)
          throw new UsageError("--queue-name and --timeout go with --queue");
        summary = await runSurvey(spec, { out: flags.out, threads, log, lci });
      }
      io.stdout(
        JSON.stringify({
          survey: spec.name,
          out: flags.out,
          soundings: summary.soundings.length,
          de_rms: Object.fromEntries(summary.soundings.map((s) => [s.id, Number(s.de.rms.toPrecision(4))])),
          lci: summary.lci
            ? {
                rms: summary.lci.rms,
                stop_reason: summary.lci.stopReason,
                doi: Object.fromEntries(summary.soundings.map((s) => [s.id, Math.round(s.lci!.doi)])),
              }
            : null,
          ...(spec.posterior
            ? {
                posterior_rhat_max: Object.fromEntries(
                  summary.soundings.map((s) => [s.id, Number(s.posterior!.rhatMax.toPrecision(3))]),
                ),
              }
            : {}),
        }) + "\n",
      );
      return 0;
    },
  },
  {
    path: ["survey", "rankin"],
    summary: "write the Rankin Inlet survey (all 22 soundings, or --sites) in the survey format",
    usage: `geoinv survey rankin [--out SURVEY.json] [--sites 1,2,...] [--workflow resistivity|two-step]

Reads data/tem_gsc_rankin_inlet/ (22 central-loop PROTEM soundings and locations.csv) into one survey:
blocks TEM47 285 Hz, TEM57 30 Hz, TEM57 7.5 Hz (rankinDatasets of src/inversion), lake sites with
their ice and water as fixed top layers, soundings in profile order. examples/survey_rankin.json is
its output.`,
    run: async (args, io: CliIO) => {
      const { positional, flags } = parseArgs(args, { known: ["out", "sites", "workflow"] });
      if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
      const out = outFile(flags.out, []);
      let sites: number[] | undefined;
      if (flags.sites !== undefined)
        sites = parseNumberList(String(flags.sites), "--sites", { integer: true, min: 1, max: 22 });
      const wf = flags.workflow;
      if (wf !== undefined && wf !== "resistivity" && wf !== "two-step")
        throw new UsageError(`--workflow: '${wf}'; use resistivity or two-step`);
      const j = rankinSurvey({ sites, workflow: wf as "resistivity" | "two-step" | undefined });
      if (wf === "two-step")
        j.parameterisation = {
          ...(j.parameterisation as object),
          m: { min: 0, max: 0.95 },
          tau: { min: 1e-6, max: 0.1 },
          c: { min: 0.1, max: 1 },
        };
      const text = JSON.stringify(j, null, 1) + "\n";
      if (out !== undefined) {
        atomicWriteFile(out, text);
        io.stderr(`wrote ${flags.out} (${(j.soundings as unknown[]).length} soundings)\n`);
      } else io.stdout(text);
      return 0;
    },
  },
  {
    path: ["worker"],
    summary: "run survey sounding jobs from a Redis queue (BullMQ) until stopped (SIGINT / SIGTERM)",
    usage: `geoinv worker --queue redis://HOST:PORT [--concurrency N] [--queue-name NAME]
                [--lock-ms MS] [--stalled-ms MS] [--max-stalled N] [--quiet]

Takes sounding jobs enqueued by 'geoinv survey invert --queue', runs each DE inversion in a worker
thread (N at once, default 1) and returns the result through the queue. If this process dies
mid-job, another worker takes the job over once its lock (--lock-ms, default 30000) has expired
and a stalled-job check (--stalled-ms, default 30000) has seen it. Stop with SIGINT or SIGTERM
(running jobs finish first). Password: GEOINV_REDIS_PASSWORD or the URL; rediss:// for TLS.`,
    run: async (args, io) => {
      const { positional, flags } = parseArgs(args, {
        known: ["queue", "concurrency", "queue-name", "lock-ms", "stalled-ms", "max-stalled"],
        booleans: ["quiet"],
      });
      if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
      const log = flags.quiet ? () => undefined : (s: string) => io.stderr(s + "\n");
      const w = await startWorker({
        url: queueFlag(flags.queue),
        concurrency: positiveInt(flags.concurrency, "concurrency", 1),
        queueName: typeof flags["queue-name"] === "string" ? flags["queue-name"] : undefined,
        lockMs: positiveInt(flags["lock-ms"], "lock-ms", 30000),
        stalledMs: positiveInt(flags["stalled-ms"], "stalled-ms", 30000),
        maxStalled: positiveInt(flags["max-stalled"], "max-stalled", 3),
        log,
      });
      const sig = await waitForSignal();
      log(`worker: ${sig}, finishing running jobs`);
      await w.close();
      return 0;
    },
  },
];
