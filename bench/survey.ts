/**
 * Survey-scale benchmark (docs/SURVEY.md): throughput of a synthetic line of soundings in process
 * (1 and 2 worker threads) and over the Redis queue (1 and 2 local worker processes), the queue's
 * overhead per job, a projection to N machines from those measurements, and the 22 Rankin Inlet
 * soundings end to end (DE + LCI; target <= 10 min on the 2-core machine), and with
 * `--posterior N` the same with each sounding's posterior sampled after its DE (budget N forward
 * evaluations per sounding; recorded as rankinPosterior, with a projection to other budgets).
 *
 *   npx tsx bench/survey.ts [--part line|rankin|all] [--n 200] [--generations 200]
 *                           [--posterior N] [--out bench/results/survey.json]
 *
 * Redis: a private redis-server on 127.0.0.1 at a free port (or GEOINV_BENCH_REDIS). `uptime` is
 * recorded before and after each part: the machine is shared, so read the numbers with the load.
 */
import { ChildProcess, execSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { externalRedis, LocalRedis, startLocalRedis } from "../scripts/local-redis";
import { parseSurveySpec, runSurvey, submitSurvey, syntheticLine } from "../src/survey";
import { arg, argv, hasFlag } from "./support";

const root = path.resolve(__dirname, "..");
const part = arg("--part", "all");
const N = Number(arg("--n", "200"));
const GENS = Number(arg("--generations", "200"));
const POSTERIOR = hasFlag("--posterior") ? Number(arg("--posterior", "")) : null;
if (POSTERIOR !== null && !(Number.isInteger(POSTERIOR) && POSTERIOR >= 100))
  throw new Error(
    `--posterior N: a budget of forward evaluations per sounding (integer >= 100), got ${arg("--posterior", "")}`,
  );
const outFile = arg("--out", path.join(root, "bench", "results", "survey.json"));
const uptime = () => execSync("uptime").toString().trim();
const log = (s: string) => process.stderr.write(s + "\n");

async function startRedis(): Promise<LocalRedis> {
  const env = process.env.GEOINV_BENCH_REDIS;
  return env ? externalRedis(env) : startLocalRedis("geoinv-bench-redis-");
}

function startWorker(url: string, queue: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [path.join(root, "bin", "geoinv.js"), "worker", "--queue", url, "--queue-name", queue],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stderr!.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes("waiting for jobs")) resolve(child);
    });
    child.on("exit", (c) => reject(new Error(`worker exited ${c}: ${buf}`)));
  });
}

async function linePart() {
  const mk = (name: string, generations: number) =>
    parseSurveySpec(syntheticLine({ n: N, np: 20, generations, lci: false, name }).survey);
  const spec = mk(`bench_line_${N}`, GENS);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-bench-survey-"));
  const rows: Record<string, unknown>[] = [];
  const perMin = (s: number) => (60 * N) / s;
  for (const threads of [1, 2]) {
    const t0 = Date.now();
    await runSurvey(spec, { out: path.join(tmp, `inproc${threads}`), threads, lci: false });
    const s = (Date.now() - t0) / 1000;
    rows.push({ mode: "in-process", workers: threads, seconds: s, soundingsPerMinute: perMin(s) });
    log(`in-process, ${threads} thread(s): ${s.toFixed(1)} s, ${perMin(s).toFixed(0)} soundings/min`);
  }
  const redis = await startRedis();
  let overhead: Record<string, unknown> = {};
  try {
    for (const nw of [1, 2]) {
      const q = `bench-${process.pid}-${nw}`;
      const ws = await Promise.all(Array.from({ length: nw }, () => startWorker(redis.url, q)));
      try {
        const t0 = Date.now();
        const r = await submitSurvey(spec, {
          url: redis.url,
          out: path.join(tmp, `queue${nw}`),
          queueName: q,
          lci: false,
          pollMs: 100,
        });
        const s = (Date.now() - t0) / 1000;
        const compute = r.queue.jobSeconds.reduce((a, b) => a + b, 0);
        rows.push({
          mode: "queue",
          workers: nw,
          seconds: s,
          soundingsPerMinute: perMin(s),
          jobComputeSeconds: compute,
          overheadPerJobSeconds: (s * nw - compute) / N,
        });
        log(
          `queue, ${nw} worker process(es): ${s.toFixed(1)} s, ${perMin(s).toFixed(0)} soundings/min, compute ${compute.toFixed(1)} s`,
        );
        if (nw === 2) {
          // the queue alone: jobs with almost no work (generation 0 only), 2 workers
          const empty = mk(`bench_empty_${N}`, 0);
          const t1 = Date.now();
          const re = await submitSurvey(empty, {
            url: redis.url,
            out: path.join(tmp, "empty"),
            queueName: q,
            lci: false,
            pollMs: 100,
          });
          const se = (Date.now() - t1) / 1000;
          const ce = re.queue.jobSeconds.reduce((a, b) => a + b, 0);
          overhead = { jobs: N, seconds: se, computeSeconds: ce, jobsPerSecond: N / se, secondsPerJob: se / N };
          log(`queue only (near-empty jobs): ${N} jobs in ${se.toFixed(1)} s (${(N / se).toFixed(1)} jobs/s)`);
        }
      } finally {
        ws.forEach((w) => w.kill("SIGTERM"));
      }
    }
  } finally {
    redis.stop();
  }
  // projection: N machines x 2 worker processes each; time per sounding on one machine from the
  // 2-worker queue run, bounded below by the queue's own rate (near-empty jobs, one submitter)
  const q2 = rows.find((r) => r.mode === "queue" && r.workers === 2)!;
  const perMachine = q2.soundingsPerMinute as number;
  const queueCap = 60 * (overhead.jobsPerSecond as number);
  const projection = [1, 2, 4, 8, 16, 32, 64].map((m) => ({
    machines: m,
    soundingsPerMinute: Math.min(m * perMachine, queueCap),
  }));
  return {
    soundings: N,
    np: 20,
    generations: GENS,
    forward: "toy",
    rows,
    queueOnly: overhead,
    projection,
    projectionRule:
      "min(machines x the 2-worker queue rate of this machine, the rate of near-empty jobs through one Redis and one submitter)",
  };
}

async function rankinPart(posterior: number | null) {
  const json = JSON.parse(fs.readFileSync(path.join(root, "examples", "survey_rankin.json"), "utf8"));
  if (posterior !== null) json.posterior = { max_evaluations: posterior };
  const spec = parseSurveySpec(json);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-bench-rankin-"));
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  // the 1-minute load average once a minute: the run is long and the machine shared
  const loadSamples: number[] = [];
  const timer = setInterval(() => loadSamples.push(Number(os.loadavg()[0].toFixed(2))), 60000);
  const r = await runSurvey(spec, { out, threads: 2, log }).finally(() => clearInterval(timer));
  const s = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    // CPU time of this process and its threads: on an otherwise idle 2-core machine the wall time
    // is about cpuSeconds / 2 (the soundings and the Jacobians are spread over 2 threads)
    cpuSeconds,
    idleTwoCoreEstimateSeconds: cpuSeconds / 2,
    survey: "examples/survey_rankin.json",
    soundings: spec.soundings.length,
    threads: 2,
    optimizer: spec.optimizer,
    lciOptions: spec.lci,
    seconds: s,
    deSeconds: r.timing.deSeconds,
    lciSeconds: r.timing.lciSeconds,
    lciIterations: r.lci ? r.lci.iterations.length - 1 : 0,
    lciForwardCalls: r.lci?.forwardCalls,
    lciRms: r.lci?.rms,
    lciStop: r.lci?.stopReason,
    deRms: Object.fromEntries(r.soundings.map((x) => [x.id, x.de.rms])),
    doi: Object.fromEntries(r.soundings.map((x) => [x.id, x.lci?.doi])),
    targetSeconds: 600,
    withinTarget: s <= 600,
    loadSamplesPerMinute: loadSamples,
    ...(posterior !== null ? posteriorPart(spec.posterior!, r, s, cpuSeconds) : {}),
  };
}

/**
 * The posterior's share of a Rankin run: per sounding its evaluations, sampler wall time, R-hat,
 * ESS and stop reason (from OUT/soundings), the measured evaluations per second of sampler wall
 * time, and a projection (marked as one) of the whole run to other budgets at that rate.
 */
function posteriorPart(opts: object, r: Awaited<ReturnType<typeof runSurvey>>, wall: number, cpuSeconds: number) {
  const rows = r.soundings.map((x) => ({
    id: x.id,
    evaluations: x.posterior!.evaluations,
    rhatMax: x.posterior!.rhatMax,
    essMin: x.posterior!.essMin,
    stopReason: x.posterior!.stopReason,
  }));
  const evaluations = rows.reduce((a, x) => a + x.evaluations, 0);
  const samplerSeconds = r.timing.posteriorSeconds ?? NaN; // summed over soundings: thread-seconds of sampling
  const perThreadRate = evaluations / samplerSeconds;
  const threads = 2;
  const rest = wall - samplerSeconds / threads; // DE, LCI and overheads: what the sampler does not explain
  const projectTo = (budget: number) => {
    // a sounding that converges stops earlier: an upper bound at this rate and load
    const sampler = (rows.length * budget) / perThreadRate / threads;
    return {
      budget,
      projectedSeconds: rest + sampler,
      samplerSeconds: sampler,
      note: "PROJECTION, not a run: measured sampler rate x budget; converged soundings stop earlier",
    };
  };
  return {
    posterior: opts,
    posteriorSoundings: rows,
    posteriorEvaluations: evaluations,
    posteriorSamplerThreadSeconds: samplerSeconds,
    posteriorEvaluationsPerThreadSecond: perThreadRate,
    posteriorCpuShareNote: `cpuSeconds ${cpuSeconds.toFixed(0)} covers DE, sampler and LCI on all threads`,
    converged: rows.filter((x) => x.stopReason === "converged").length,
    projection: [20000, 200000].map(projectTo),
  };
}

async function main() {
  const prev = fs.existsSync(outFile) ? JSON.parse(fs.readFileSync(outFile, "utf8")) : {};
  const res: Record<string, unknown> = {
    ...prev,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  };
  const cmd = `npx tsx bench/survey.ts ${argv.join(" ")}`.trim();
  if (part === "line" || part === "all") {
    const before = uptime();
    const r = await linePart();
    res.line = { command: cmd, uptimeBefore: before, uptimeAfter: uptime(), date: new Date().toISOString(), ...r };
  }
  if (part === "rankin" || part === "all") {
    const before = uptime();
    const r = await rankinPart(POSTERIOR);
    const rec = { command: cmd, uptimeBefore: before, uptimeAfter: uptime(), date: new Date().toISOString(), ...r };
    if (POSTERIOR === null) res.rankin = rec;
    else res.rankinPosterior = rec;
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(res, null, 1) + "\n");
  log(`wrote ${outFile}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  },
);
