import { test } from "node:test";
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { externalRedis, hasRedisServer, LocalRedis, startLocalRedis } from "../scripts/local-redis";
import { jobId, parseSurveySpec, runSurvey, soundingTasks, submitSurvey, syntheticLine } from "../src/survey";

/**
 * The survey queue on a local Redis: two worker processes, one SIGKILLed mid-job; every sounding
 * completes and is written exactly once, with the bytes of the in-process run; a rerun enqueues
 * nothing. Redis: GEOINV_TEST_REDIS (redis://127.0.0.1:PORT, as .ci/run exports), else a
 * redis-server started here on a free port, else the test is skipped. Only 127.0.0.1 is used.
 */
const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "geoinv.js");

async function redisUrl(): Promise<LocalRedis | string> {
  const env = process.env.GEOINV_TEST_REDIS;
  if (env) {
    const u = new URL(env);
    if (u.hostname !== "127.0.0.1")
      return `GEOINV_TEST_REDIS=${env} is not on 127.0.0.1; the queue test only connects to 127.0.0.1`;
    return externalRedis(env);
  }
  if (!hasRedisServer())
    return "no GEOINV_TEST_REDIS and no redis-server on PATH (scripts/install.sh installs it; .ci/run starts one)";
  return startLocalRedis("geoinv-redis-");
}

interface Proc {
  child: ChildProcess;
  log: string[];
  waitFor: (re: RegExp, ms?: number) => Promise<RegExpMatchArray>;
}

function worker(url: string, queue: string): Proc {
  const child = spawn(
    process.execPath,
    [BIN, "worker", "--queue", url, "--queue-name", queue, "--lock-ms", "1500", "--stalled-ms", "500"],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
  );
  const log: string[] = [];
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  let buf = "";
  child.stderr!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      log.push(line);
      for (const w of waiters.splice(0)) {
        const m = line.match(w.re);
        if (m) w.resolve(m);
        else waiters.push(w);
      }
    }
  });
  return {
    child,
    log,
    waitFor: (re, ms = 60000) =>
      new Promise((resolve, reject) => {
        const hit = log.map((l) => l.match(re)).find((m) => m);
        if (hit) return resolve(hit);
        const t = setTimeout(() => reject(new Error(`timeout waiting for ${re} in:\n${log.join("\n")}`)), ms);
        waiters.push({ re, resolve: (m) => (clearTimeout(t), resolve(m)) });
      }),
  };
}

test("queue: two workers, one SIGKILLed mid-job; every sounding once, equal to the in-process run; reruns add nothing", async (t) => {
  const redis = await redisUrl();
  if (typeof redis === "string") {
    t.skip(`queue test skipped: ${redis}`);
    return;
  }
  const queueName = `geoinv-test-${process.pid}-${Date.now()}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-queue-"));
  // 5 soundings of the toy forward; about a second of DE each, so a kill lands mid-job; each also
  // samples a small posterior, so the sampler's results cross processes and Redis too
  const survey = syntheticLine({ n: 5, np: 30, generations: 800, lci: false }).survey;
  survey.posterior = { max_evaluations: 1000 };
  const spec = parseSurveySpec(survey);
  const ref = path.join(dir, "inprocess");
  await runSurvey(spec, { out: ref, threads: 1 });
  const a = worker(redis.url, queueName);
  const b = worker(redis.url, queueName);
  try {
    await Promise.all([a.waitFor(/waiting for jobs/), b.waitFor(/waiting for jobs/)]);
    const out = path.join(dir, "queue");
    const progress: string[] = [];
    const submitted = submitSurvey(spec, {
      url: redis.url,
      out,
      queueName,
      pollMs: 100,
      log: (s) => progress.push(s),
      timeoutS: 120,
    });
    const started = await a.waitFor(/start (\S+) \(attempt/);
    a.child.kill("SIGKILL");
    const killedJob = started[1];
    const r = await submitted;
    // the killed worker's job was taken over by the other worker
    assert.ok(
      b.log.some((l) => l.includes(`start ${killedJob}`)),
      `worker B never ran ${killedJob}:\n${b.log.join("\n")}`,
    );
    assert.ok(!a.log.some((l) => l.includes(`done ${killedJob}`)), "the killed worker finished its job");
    // every sounding written exactly once, with the in-process bytes
    assert.deepEqual([...r.queue.written].sort(), spec.soundings.map((s) => s.id).sort());
    for (const s of spec.soundings) {
      assert.equal(
        fs.readFileSync(path.join(out, "soundings", `${s.id}.json`), "utf8"),
        fs.readFileSync(path.join(ref, "soundings", `${s.id}.json`), "utf8"),
        s.id,
      );
    }
    assert.ok(
      spec.soundings.every(
        (s) =>
          JSON.parse(fs.readFileSync(path.join(out, "soundings", `${s.id}.json`), "utf8")).posterior?.evaluations >=
          1000,
      ),
      "every result carries its posterior",
    );
    assert.deepEqual(
      fs.readdirSync(path.join(out, "soundings")).sort(),
      spec.soundings.map((s) => `${s.id}.json`).sort(),
    );
    assert.ok(
      progress.some((l) => /5\/5 soundings done/.test(l)),
      progress.join("\n"),
    );
    // rerun: all finished, nothing enqueued or computed
    const startsBefore = b.log.filter((l) => l.includes(" start ")).length;
    const r2 = await submitSurvey(spec, { url: redis.url, out, queueName, pollMs: 100, timeoutS: 60 });
    assert.deepEqual(r2.queue.written, []);
    // a lost result file: the same job id is already complete in Redis, so it comes back without a rerun
    fs.unlinkSync(path.join(out, "soundings", "s002.json"));
    const r3 = await submitSurvey(spec, { url: redis.url, out, queueName, pollMs: 100, timeoutS: 60 });
    assert.deepEqual(r3.queue.written, ["s002"]);
    assert.equal(
      fs.readFileSync(path.join(out, "soundings", "s002.json"), "utf8"),
      fs.readFileSync(path.join(ref, "soundings", "s002.json"), "utf8"),
    );
    assert.equal(b.log.filter((l) => l.includes(" start ")).length, startsBefore);
    const ids = soundingTasks(spec).map(jobId);
    assert.equal(new Set(ids).size, 5);
  } finally {
    a.child.kill("SIGKILL");
    b.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    b.child.kill("SIGKILL");
    spawnSync("redis-cli", ["-u", redis.url, "--scan", "--pattern", `bull:${queueName}:*`])
      .stdout?.toString()
      .split("\n")
      .filter(Boolean)
      .forEach((k) => spawnSync("redis-cli", ["-u", redis.url, "del", k]));
    redis.stop();
  }
});
