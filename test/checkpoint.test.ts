import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../src/config";
import { ValidationError } from "../src/core";
import { minimize, minimizeAsync, ResumableRun, RunState } from "../src/optim";
import { EarthModel, invert, InversionResult, toyForward } from "../src/inversion";
import { buildTcn, initBackend, trainModel, TrainHistory } from "../src/tcn";
import {
  broadsideWire,
  logSpacedTimes,
  movingAverageTraces,
  THREE_LAYER_IP,
  tinyWellTransfer,
  toyThreeLayerProblem,
} from "./support/fixtures";

/**
 * Checkpoint and resume (issue "Reliability", item 7): optim's ResumableRun, `invert` with
 * InvertOptions.checkpoint, `geoinv tem invert --checkpoint`, and TCN training resume. Every
 * "resumed equals uninterrupted" check compares against an uninterrupted run of the same seed.
 */
const root = path.resolve(__dirname, "..");
const cli = path.join(root, "bin", "geoinv.js");

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-ckpt-"));
}

// ---------------------------------------------------------------- optim: ResumableRun

const shift = [0.7, -1.2, 1.9, 0.3];
/** Residuals of a shifted Rosenbrock: sum of squares is the objective, LM can polish it. */
const resid = (x: ArrayLike<number>) => {
  const r: number[] = [];
  for (let j = 0; j + 1 < x.length; j++) {
    const a = x[j] - shift[j] + 1;
    const b = x[j + 1] - shift[j + 1] + 1;
    r.push(10 * (b - a * a), 1 - a);
  }
  return r;
};
const sq = (r: number[]) => r.reduce((s, v) => s + v * v, 0);
const objective = (xs: Float64Array[]) => xs.map((x) => sq(resid(x)));
const bounds = Array.from({ length: 4 }, () => [-3, 3] as [number, number]);
const polish = { residuals: (xs: Float64Array[]) => xs.map(resid), components: (r: number[]) => [sq(r)], every: 7 };

/** The result without wall time. */
function strip<T extends { seconds: number }>(r: T): Omit<T, "seconds"> {
  const { seconds, ...rest } = r;
  void seconds;
  return rest;
}

test("ResumableRun: the same run as minimize; resumed from a state taken between generations, with trials pending, or after the DE ended: bit-identical", async () => {
  const opts = { np: 14, seed: 8, maxGenerations: 40, restart: { generations: 6, diversity: 1e-3 }, polish };
  const ref = minimize(objective, bounds, opts);
  assert.ok(ref.polish && ref.polish.during.length > 0, "polishes during the run happened");
  assert.deepEqual(strip(await new ResumableRun(objective, bounds, opts).run()), strip(ref));
  assert.deepEqual(strip(await minimizeAsync(objective, bounds, opts)), strip(ref));
  // the state through JSON at: generation 9 (between generations), during generation 23's evaluation
  // (trial points pending), and during the final polish (the DE had ended)
  const takes: { label: string; when: (run: ResumableRun, phase: "objective" | "polish") => boolean }[] = [
    { label: "between generations", when: () => false },
    { label: "trials pending", when: (run, phase) => phase === "objective" && run.de.generation === 23 },
    { label: "final polish", when: (run, phase) => phase === "polish" && run.de.done },
  ];
  for (const t of takes) {
    let saved: string | null = null;
    let run: ResumableRun;
    const f = (xs: Float64Array[]) => {
      if (saved === null && t.when(run, "objective")) saved = JSON.stringify(run.state());
      return objective(xs);
    };
    const p = {
      ...polish,
      residuals: (xs: Float64Array[]) => {
        if (saved === null && t.when(run, "polish")) saved = JSON.stringify(run.state());
        return polish.residuals(xs);
      },
    };
    run = new ResumableRun(f, bounds, { ...opts, polish: p });
    await run.run((g) => {
      if (t.label === "between generations" && g === 9) saved = JSON.stringify(run.state());
    });
    assert.ok(saved, t.label);
    const state = JSON.parse(saved!) as RunState;
    const resumed = await new ResumableRun(objective, bounds, opts, state).run();
    assert.deepEqual(strip(resumed), strip(ref), t.label);
  }
  // another seed or other bounds are refused
  let st: RunState | null = null;
  const r0 = new ResumableRun(objective, bounds, opts);
  await r0.run((g) => void (g === 3 && (st = r0.state())));
  assert.throws(
    () => new ResumableRun(objective, bounds, { ...opts, seed: 9 }, st!),
    /options\.seed: 9 differs from the snapshot's 8/,
  );
  assert.throws(
    () =>
      new ResumableRun(
        objective,
        bounds.map(([a, b]) => [a, b + 1] as [number, number]),
        opts,
        st!,
      ),
    /bounds/,
  );
});

// ---------------------------------------------------------------- invert with InvertOptions.checkpoint

const survey = broadsideWire(logSpacedTimes(20, 3));
const toyProblem = () => toyThreeLayerProblem(survey, THREE_LAYER_IP);

/** An inversion result without wall time. */
function same(a: InversionResult, b: InversionResult, what: string): void {
  const { seconds: s1, ...ra } = a;
  const { seconds: s2, ...rb } = b;
  assert.deepEqual(ra, rb, what);
}

test("invert with a checkpoint: interrupted after k generations and resumed equals the uninterrupted run", async () => {
  const dir = tmpDir();
  try {
    const prob = toyProblem();
    const opts = { np: 20, seed: 4, maxGenerations: 45, restart: { generations: 8 } };
    const ref = await invert(prob, opts);
    assert.ok(ref.polish && ref.polish.evaluations > 0);
    const file = path.join(dir, "run.ckpt.json");
    // a checkpointed run that is not interrupted is the same run
    same(await invert(prob, { ...opts, checkpoint: { file, every: 5 } }), ref, "checkpointed, not interrupted");
    fs.rmSync(file);
    // interrupted (a callback that throws) at generation 17: the file holds generation 15
    const lines: string[] = [];
    await assert.rejects(
      invert(prob, {
        ...opts,
        checkpoint: { file, every: 5 },
        onGeneration: (r) => {
          if (r.generation === 17) throw new Error("stop here");
        },
      }),
      /stop here/,
    );
    const ck = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(ck.generation, 15);
    assert.equal(ck.format, "geoinv.inversion.checkpoint/1");
    // resumed in this thread with a counting forward: only the models after generation 15 are computed
    let models = 0;
    const toy = toyForward([survey]);
    const forward = (ms: EarthModel[]) => ((models += ms.length), toy(ms));
    const resumed = await invert(prob, { ...opts, forward, checkpoint: { file, every: 5 }, log: (s) => lines.push(s) });
    assert.match(lines.join("\n"), /resuming from .*run\.ckpt\.json: generation 15/);
    same(resumed, ref, "resumed at generation 15");
    // the DE's and the polish's evaluations after the checkpoint, and the final model's prediction
    assert.equal(models, ref.evaluations - ck.evaluations + 1);
    // resumed with workers (not part of the run's identity): the same numbers
    fs.writeFileSync(file, JSON.stringify(ck));
    same(await invert(prob, { ...opts, workers: 2, checkpoint: { file, every: 5 } }), ref, "resumed in 2 workers");
    // a checkpoint of another config is refused, naming the checkpoint
    fs.writeFileSync(file, JSON.stringify(ck));
    for (const other of [
      { ...opts, seed: 5 },
      { ...opts, np: 22 },
    ]) {
      await assert.rejects(invert(prob, { ...other, checkpoint: { file, field: "--checkpoint" } }), (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.field, "--checkpoint");
        assert.match(e.message, /another problem or other optimiser settings .* delete it/);
        return true;
      });
    }
    const moreNoise = { ...prob, datasets: [{ ...prob.datasets[0], error: prob.datasets[0].error.map((e) => 2 * e) }] };
    await assert.rejects(invert(moreNoise, { ...opts, checkpoint: { file } }), /checkpoint: .*another problem/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- geoinv tem invert --checkpoint

/** A small EM example: three layers, NP 10, 8 generations, a short time range. */
function emConfig(seed = 3): Record<string, unknown> {
  const cfg = JSON.parse(fs.readFileSync(path.join(root, "examples", "tem_h3_ip_top.json"), "utf8"));
  const keep = (cfg.times as number[]).filter((_, i) => i % 3 === 0);
  cfg.times = keep;
  cfg.optimizer = { ...cfg.optimizer, np: 10, generations: 8, seed };
  return cfg;
}

function geoinv(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000 });
}

/** The result JSON without wall time and file names. */
function result(file: string): Record<string, unknown> {
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  delete r.seconds;
  if (r.step1) delete r.step1.seconds;
  return r;
}

/**
 * `geoinv tem invert` of `config` (written to DIR/c.json) run uninterrupted into DIR/ref.json, and
 * the arguments of the same run into DIR/r.json with a checkpoint DIR/run.ckpt every generation.
 */
function temInvertRuns(dir: string, config: unknown) {
  const cfgFile = path.join(dir, "c.json");
  fs.writeFileSync(cfgFile, JSON.stringify(config));
  const refOut = path.join(dir, "ref.json");
  const ref = geoinv(["tem", "invert", cfgFile, "--quiet", "--out", refOut]);
  assert.equal(ref.status, 0, ref.stderr);
  const ck = path.join(dir, "run.ckpt");
  const out = path.join(dir, "r.json");
  const args = ["tem", "invert", cfgFile, "--out", out, "--checkpoint", ck, "--checkpoint-every", "1"];
  return { cfgFile, refOut, ck, out, args };
}

test("geoinv tem invert --checkpoint: SIGTERM once the checkpoint exists exits 143; the rerun resumes and equals the uninterrupted run; another config is refused", async () => {
  const dir = tmpDir();
  try {
    const { cfgFile, refOut, ck, out, args } = temInvertRuns(dir, emConfig());
    // interrupted: SIGTERM as soon as the first checkpoint is on disk
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    let sent = false;
    while (!sent) {
      if (fs.existsSync(ck)) {
        child.kill("SIGTERM");
        sent = true;
      } else if (child.exitCode !== null) break;
      else await new Promise((r) => setTimeout(r, 5));
    }
    const code = await exited;
    assert.equal(code, 143, err);
    assert.match(
      err,
      /SIGTERM: checkpoint written to .*run\.ckpt \(generation \d+\); rerun the same command to resume/,
    );
    assert.ok(!fs.existsSync(out), "no result from an interrupted run");
    const gen = JSON.parse(fs.readFileSync(ck, "utf8")).generation;
    assert.ok(gen >= 0 && gen < 8, `checkpoint at generation ${gen}`);
    // another config with the same checkpoint: refused, exit 2, naming --checkpoint
    const other = path.join(dir, "other.json");
    fs.writeFileSync(other, JSON.stringify(emConfig(4)));
    const bad = geoinv(["tem", "invert", other, "--quiet", "--checkpoint", ck]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(
      bad.stderr,
      /--checkpoint: .*run\.ckpt was written by a run of another problem or other optimiser settings/,
    );
    assert.equal(bad.stdout, "");
    // the rerun resumes and gives the uninterrupted run's result; the checkpoint is then removed
    const again = geoinv(args);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`resuming from .*run\\.ckpt: generation ${gen}`));
    assert.deepEqual(result(out), result(refOut));
    assert.ok(!fs.existsSync(ck), "checkpoint removed once the result is written");
    // flags checked before any work
    const e1 = geoinv(["tem", "invert", cfgFile, "--checkpoint-every", "3"]);
    assert.equal(e1.status, 2);
    assert.match(e1.stderr, /--checkpoint-every needs --checkpoint FILE/);
    const e2 = geoinv(["tem", "invert", cfgFile, "--checkpoint", ck, "--checkpoint-every", "0"]);
    assert.equal(e2.status, 2);
    assert.match(e2.stderr, /--checkpoint-every expects a positive integer/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- TCN training resume

function toyTraces(n: number, L: number, seed: number): { x: Float32Array[]; y: Float32Array[] } {
  const r = mulberry32(seed);
  return movingAverageTraces(n, L, () => r() - 0.5);
}

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((t) => Array.from(t.dataSync()));
const historyOf = (h: TrainHistory) => ({ ...h, seconds: 0, secondsPerEpoch: 0 });

test("TCN training resume: stopped after epoch k (an error, or SIGTERM) and resumed gives the uninterrupted run's weights and history exactly", async () => {
  await initBackend({ quiet: true });
  const dir = tmpDir();
  try {
    const train = toyTraces(20, 48, 1);
    const val = toyTraces(6, 48, 2);
    // dropout on, so the resumed run must continue the dropout streams too
    const build = () => buildTcn({ channels: [4, 4], kernelSize: 3, dropout: 0.2, seed: 7 });
    const base = { epochs: 7, batchSize: 5, lr: 1e-2, seed: 3 };
    const refModel = build();
    const ref = await trainModel(refModel, train, val, base);
    const file = path.join(dir, "train.ckpt.json");
    // interrupted by an error in epoch 5: the checkpoint (every 2 epochs) holds epoch 4
    const a = build();
    await assert.rejects(
      trainModel(a, train, val, {
        ...base,
        checkpoint: { file, every: 2 },
        onEpoch: (l) => {
          if (l.epoch === 5) throw new Error("stop here");
        },
      }),
      /stop here/,
    );
    a.dispose();
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).epoch, 4);
    // without resume an existing checkpoint is refused; another training's is refused
    await assert.rejects(trainModel(build(), train, val, { ...base, checkpoint: { file } }), /exists; pass --resume/);
    await assert.rejects(
      trainModel(build(), train, val, { ...base, lr: 2e-2, checkpoint: { file, resume: true, field: "--checkpoint" } }),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.field, "--checkpoint");
        assert.match(e.message, /another training/);
        return true;
      },
    );
    const b = build();
    const epochs: number[] = [];
    const resumed = await trainModel(b, train, val, {
      ...base,
      checkpoint: { file, resume: true },
      onEpoch: (l) => void epochs.push(l.epoch),
    });
    assert.deepEqual(epochs, [5, 6, 7], "only the epochs after the checkpoint run");
    assert.deepEqual(weightsOf(b), weightsOf(refModel));
    assert.deepEqual(historyOf(resumed), historyOf(ref));
    b.dispose();
    // SIGTERM during epoch 3 (emitted in-process): the state of epoch 3 is written, onSignal is called
    fs.rmSync(file);
    const c = build();
    const signals: string[] = [];
    await assert.rejects(
      trainModel(c, train, val, {
        ...base,
        checkpoint: { file, every: 100, onSignal: (s) => void signals.push(s) },
        onEpoch: (l) => void (l.epoch === 3 && process.emit("SIGTERM" as any)),
      }),
      /interrupted by SIGTERM after epoch 3/,
    );
    c.dispose();
    assert.deepEqual(signals, ["SIGTERM"]);
    assert.equal(process.listenerCount("SIGTERM"), 0, "listeners removed");
    const d = build();
    assert.deepEqual(
      historyOf(await trainModel(d, train, val, { ...base, checkpoint: { file, resume: true } })),
      historyOf(ref),
    );
    assert.deepEqual(weightsOf(d), weightsOf(refModel));
    d.dispose();
    refModel.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Spawn the CLI and send SIGTERM once `file` exists; resolves with the exit code and stderr. */
async function interruptWhenExists(args: string[], file: string): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  while (child.exitCode === null) {
    if (fs.existsSync(file)) {
      child.kill("SIGTERM");
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { code: await exited, err };
}

test("geoinv tcn pretrain --checkpoint-every 1: SIGTERM exits 143, --resume gives the uninterrupted run's model and metrics", async () => {
  const dir = tmpDir();
  try {
    const cfg = path.join(dir, "cfg.json");
    fs.writeFileSync(
      cfg,
      JSON.stringify({
        seed: 2,
        data: { name: "marmousi2", traceStep: 20 },
        split: { counts: [12, 6, 20] },
        model: { channels: [3, 4, 4] },
        train: { epochs: 25 },
      }),
    );
    const ref = geoinv(["tcn", "pretrain", "--config", cfg, "--quick", "--out", path.join(dir, "ref")]);
    assert.equal(ref.status, 0, ref.stderr);
    const out = path.join(dir, "o");
    const ck = path.join(dir, "train.ckpt");
    const args = [
      "tcn",
      "pretrain",
      "--config",
      cfg,
      "--quick",
      "--out",
      out,
      "--checkpoint",
      ck,
      "--checkpoint-every",
      "1",
    ];
    const r = await interruptWhenExists(args, ck);
    assert.equal(r.code, 143, r.err);
    const epoch = JSON.parse(fs.readFileSync(ck, "utf8")).epoch;
    assert.ok(epoch >= 1 && epoch < 25, `checkpoint at epoch ${epoch}`);
    assert.ok(!fs.existsSync(path.join(out, "metrics.json")), "an interrupted run writes no results");
    // an existing checkpoint needs --resume; --resume needs a checkpoint
    const e1 = geoinv(args);
    assert.equal(e1.status, 2);
    assert.match(e1.stderr, /--checkpoint: .*train\.ckpt exists; pass --resume/);
    const e2 = geoinv(["tcn", "pretrain", "--config", cfg, "--quick", "--out", out, "--resume"]);
    assert.equal(e2.status, 2);
    assert.match(e2.stderr, /--resume: .*checkpoint\.json does not exist/);
    // another training (another lr) is refused
    const e3 = geoinv([...args, "--resume", "--lr", "0.01"]);
    assert.equal(e3.status, 2);
    assert.match(e3.stderr, /--checkpoint: .*written by another training/);
    const again = geoinv([...args, "--resume"]);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(!fs.existsSync(ck), "checkpoint removed once the results are written");
    const metrics = (d: string) => {
      const m = JSON.parse(fs.readFileSync(path.join(d, "metrics.json"), "utf8"));
      delete m.history.seconds;
      return m;
    };
    assert.deepEqual(metrics(out), metrics(path.join(dir, "ref")));
    assert.ok(
      fs
        .readFileSync(path.join(out, "model", "weights.bin"))
        .equals(fs.readFileSync(path.join(dir, "ref", "model", "weights.bin"))),
      "same weights",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("geoinv tem invert --checkpoint, two-step: one file per step; SIGTERM in step 2 and the rerun equals the uninterrupted run", async () => {
  const dir = tmpDir();
  try {
    const config = { ...emConfig(), workflow: "two-step", step1_data: "all" };
    const { refOut, ck, out, args } = temInvertRuns(dir, config);
    const r = await interruptWhenExists(args, `${ck}.step2`);
    assert.equal(r.code, 143, r.err);
    assert.ok(fs.existsSync(`${ck}.step1`) && !fs.existsSync(ck), "a file per step");
    const again = geoinv(args);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /resuming from .*run\.ckpt\.step1/);
    assert.match(again.stderr, /resuming from .*run\.ckpt\.step2/);
    assert.deepEqual(result(out), result(refOut));
    assert.ok(
      !fs.existsSync(`${ck}.step1`) && !fs.existsSync(`${ck}.step2`),
      "both removed once the result is written",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- the posterior: FILE.posterior

/** An inversion result without wall time (the DE's and the posterior's). */
function samePosterior(a: InversionResult, b: InversionResult, what: string): void {
  assert.ok(a.posterior && b.posterior, `${what}: both sampled`);
  const strip = (r: InversionResult) => {
    const post = r.posterior!;
    return { ...r, seconds: 0, posterior: { ...post, summary: { ...post.summary, seconds: 0 } } };
  };
  assert.deepEqual(strip(a), strip(b), what);
}

test("invert with a checkpoint and a posterior: the sampler state goes to FILE.posterior; interrupted during sampling and resumed equals the uninterrupted run; other posterior settings are refused", async () => {
  const dir = tmpDir();
  try {
    const prob = toyProblem();
    const posterior = { chains: 5, maxEvaluations: 1500, checkEvery: 20, predictiveDraws: 10, bandDraws: 20 };
    const opts = { np: 16, seed: 6, maxGenerations: 20 };
    const ref = await invert(prob, { ...opts, posterior });
    assert.equal(ref.posterior!.summary.stop_reason, "budget");
    const file = path.join(dir, "run.ckpt");
    const postFile = `${file}.posterior`;
    // checkpointed, not interrupted: the same run (models counted by an in-thread forward)
    const toy = toyForward([survey]);
    let models = 0;
    const forward = (ms: EarthModel[]) => ((models += ms.length), toy(ms));
    samePosterior(
      await invert(prob, { ...opts, forward, posterior, checkpoint: { file, every: 5 } }),
      ref,
      "checkpointed, not interrupted",
    );
    const fresh = models;
    fs.rmSync(file);
    fs.rmSync(postFile);
    // interrupted at the third convergence check (a callback that throws): the file holds the second
    let checks = 0;
    const stopAt3 = {
      ...posterior,
      onCheck: () => {
        if (++checks === 3) throw new Error("stop here");
      },
    };
    await assert.rejects(invert(prob, { ...opts, posterior: stopAt3, checkpoint: { file, every: 5 } }), /stop here/);
    const ck = JSON.parse(fs.readFileSync(postFile, "utf8"));
    assert.equal(ck.format, "geoinv.inversion.posterior-checkpoint/1");
    assert.equal(ck.iteration, 40, "saved at the second check (iteration 40)");
    const deCk = JSON.parse(fs.readFileSync(file, "utf8"));
    const lines: string[] = [];
    models = 0;
    const log = (s: string) => void lines.push(s);
    const resumed = await invert(prob, { ...opts, forward, posterior, checkpoint: { file, every: 5 }, log });
    assert.match(lines.join("\n"), /resuming the posterior from .*run\.ckpt\.posterior: iteration 40, 205 evaluations/);
    samePosterior(resumed, ref, "resumed at iteration 40");
    // it did continue: neither the DE's evaluations before its file nor the sampler's before its state were redone
    assert.equal(fresh - models, deCk.evaluations + 205);
    // another posterior seed (the DE's settings unchanged): refused before any work, naming the checkpoint
    await assert.rejects(
      invert(prob, { ...opts, posterior: { ...posterior, seed: 9 }, checkpoint: { file, field: "--checkpoint" } }),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.field, "--checkpoint");
        assert.match(
          e.message,
          /run\.ckpt\.posterior was written by a run of another problem or other optimiser or posterior settings/,
        );
        return true;
      },
    );
    // SIGTERM while a batch is being evaluated (the one after the first check, iteration 20): the state
    // with the batch pending is saved, onSignal is told, the run stops with an error; resumed, the batch
    // is evaluated again and the result is the same
    fs.rmSync(postFile);
    let armed = false;
    let sent = false;
    // the signal reaches only the run's own listeners (not any the test runner may have)
    const others = process.listeners("SIGTERM");
    const signalling = (ms: EarthModel[]) => {
      if (armed && !sent) {
        sent = true;
        for (const l of process.listeners("SIGTERM")) if (!others.includes(l)) l("SIGTERM");
      }
      return toy(ms);
    };
    const signals: string[] = [];
    const onSignal = (sig: string, f: string) => void signals.push(`${sig} ${path.basename(f)}`);
    const armAtCheck = { ...posterior, onCheck: () => void (armed = true) };
    await assert.rejects(
      invert(prob, { ...opts, forward: signalling, posterior: armAtCheck, checkpoint: { file, every: 5, onSignal } }),
      /posterior sampling interrupted by SIGTERM/,
    );
    assert.deepEqual(signals, ["SIGTERM run.ckpt.posterior"]);
    assert.deepEqual(process.listeners("SIGTERM"), others, "the listeners are removed");
    const atSignal = JSON.parse(fs.readFileSync(postFile, "utf8"));
    assert.deepEqual([atSignal.iteration, atSignal.evaluations], [20, 105]);
    assert.equal(atSignal.state.sampler.pending.length, 5, "the batch being evaluated is in the state");
    models = 0;
    samePosterior(
      await invert(prob, { ...opts, forward, posterior, checkpoint: { file, every: 5 } }),
      ref,
      "resumed with a batch pending",
    );
    assert.equal(fresh - models, deCk.evaluations + 105);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("geoinv tem invert --checkpoint with a posterior: SIGTERM during the sampling exits 143; the rerun resumes the DE, then the sampler, and writes the uninterrupted run's result and chains", async () => {
  const dir = tmpDir();
  try {
    const posterior = { chains: 4, max_evaluations: 480, check_every: 10, predictive_draws: 10, band_draws: 10 };
    const cfg = { ...emConfig(), posterior };
    const { refOut, ck, out, args } = temInvertRuns(dir, cfg);
    // SIGTERM as soon as the sampler's first state (iteration 10 of 119) is on disk
    const r = await interruptWhenExists(args, `${ck}.posterior`);
    assert.equal(r.code, 143, r.err);
    const m =
      /SIGTERM: posterior checkpoint written to .*run\.ckpt\.posterior \(iteration (\d+)\); rerun the same command to resume/.exec(
        r.err,
      );
    assert.ok(m, r.err);
    assert.ok(fs.existsSync(ck), "the DE's file is kept until the result is written");
    assert.ok(
      !fs.existsSync(out) && !fs.existsSync(path.join(dir, "r.chains.npy")),
      "no result from an interrupted run",
    );
    const saved = JSON.parse(fs.readFileSync(`${ck}.posterior`, "utf8"));
    assert.equal(String(saved.iteration), m![1], "the state at the signal was saved");
    assert.ok(
      saved.iteration >= 10 && saved.iteration < 119,
      `interrupted during the sampling, at iteration ${saved.iteration}`,
    );
    // other posterior settings with the same files: refused (exit 2) before any work
    const otherFile = path.join(dir, "other.json");
    fs.writeFileSync(otherFile, JSON.stringify({ ...cfg, posterior: { ...cfg.posterior, seed: 12 } }));
    const bad = geoinv(["tem", "invert", otherFile, "--quiet", "--checkpoint", ck]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(
      bad.stderr,
      /--checkpoint: .*run\.ckpt\.posterior was written by a run of another problem or other optimiser or posterior settings/,
    );
    // the rerun: the DE from its file, then the sampler from its state; the same result and chains
    const again = geoinv(args);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /resuming from .*run\.ckpt: generation \d+/);
    assert.match(
      again.stderr,
      new RegExp(`resuming the posterior from .*run\\.ckpt\\.posterior: iteration ${saved.iteration}, `),
    );
    // it continued: the first convergence check reported comes after the saved iteration
    const firstCheck = /posterior it (\d+) /.exec(again.stderr);
    assert.ok(
      firstCheck && Number(firstCheck[1]) > saved.iteration,
      `first check after resuming: ${firstCheck && firstCheck[1]}`,
    );
    const a = result(out);
    const b = result(refOut);
    for (const x of [a, b]) {
      delete (x.posterior as Record<string, unknown>).seconds;
      delete (x.posterior as Record<string, unknown>).chains_file;
    }
    assert.equal((result(out).posterior as Record<string, unknown>).chains_file, "r.chains.npy");
    assert.deepEqual(a, b);
    assert.ok(
      fs.readFileSync(path.join(dir, "r.chains.npy")).equals(fs.readFileSync(path.join(dir, "ref.chains.npy"))),
      "the same chains .npy",
    );
    assert.ok(!fs.existsSync(ck) && !fs.existsSync(`${ck}.posterior`), "both files removed once the result is written");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** metrics.json of a tcn verb without wall time. */
function tcnMetrics(dir: string): Record<string, unknown> {
  const m = JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8"));
  delete m.seconds;
  return m;
}

function sameFiles(a: string, b: string, names: string[]): void {
  for (const n of names)
    assert.ok(fs.readFileSync(path.join(a, n)).equals(fs.readFileSync(path.join(b, n))), `same ${n}`);
}

/**
 * `geoinv tcn transfer` of `config` (written to DIR/cfg.json) run uninterrupted into DIR/ref, and
 * the arguments of the same run into DIR/o, plain and with a checkpoint DIR/`ckName` after every
 * epoch.
 */
function transferRuns(dir: string, config: unknown, ckName: string) {
  const cfg = path.join(dir, "cfg.json");
  fs.writeFileSync(cfg, JSON.stringify(config));
  const refDir = path.join(dir, "ref");
  const ref = geoinv(["tcn", "transfer", "--config", cfg, "--quick", "--out", refDir]);
  assert.equal(ref.status, 0, ref.stderr);
  const out = path.join(dir, "o");
  const ck = path.join(dir, ckName);
  const plain = ["tcn", "transfer", "--config", cfg, "--quick", "--out", out];
  return { refDir, out, ck, plain, args: [...plain, "--checkpoint", ck, "--checkpoint-every", "1"] };
}

test("geoinv tcn transfer --checkpoint-every 1: a file per training; SIGTERM during the TCN on the wells exits 143, --resume replays the pre-training, continues and equals the uninterrupted run", async () => {
  const dir = tmpDir();
  try {
    const { refDir, out, ck, plain, args } = transferRuns(
      dir,
      {
        seed: 1,
        source: {
          data: { name: "marmousi2", traceStep: 20 },
          split: { counts: [12, 6, 20] },
          model: { channels: [3, 4, 4] },
          train: { epochs: 6 },
        },
        target: { data: { name: "overthrust", traceStep: 8 } },
        finetune: { epochs: 12 },
        direct: { epochs: 30 },
      },
      "tr.ckpt",
    );
    const r = await interruptWhenExists(args, `${ck}.direct`);
    assert.equal(r.code, 143, r.err);
    assert.equal(
      JSON.parse(fs.readFileSync(`${ck}.pretrain`, "utf8")).epoch,
      6,
      "the finished pre-training's file holds its last epoch",
    );
    const epoch = JSON.parse(fs.readFileSync(`${ck}.direct`, "utf8")).epoch;
    assert.ok(epoch >= 1 && epoch < 30, `direct checkpoint at epoch ${epoch}`);
    assert.ok(!fs.existsSync(`${ck}.transfer`) && !fs.existsSync(ck));
    assert.ok(!fs.existsSync(path.join(out, "metrics.json")), "an interrupted run writes no results");
    // an existing checkpoint needs --resume; --resume needs one; another training's is refused
    const e1 = geoinv(args);
    assert.equal(e1.status, 2);
    assert.match(e1.stderr, /--checkpoint: .*tr\.ckpt\.pretrain exists; pass --resume/);
    const e2 = geoinv([...plain, "--checkpoint", path.join(dir, "none"), "--resume"]);
    assert.equal(e2.status, 2);
    assert.match(
      e2.stderr,
      /--resume: no checkpoint of this run exists \(.*none\.<stage>, stages pretrain, direct, transfer\)/,
    );
    const e3 = geoinv([...args, "--resume", "--seed", "2"]);
    assert.equal(e3.status, 2);
    // --seed is the run's seed (the direct and transfer trainings), not the pre-training's (source.seed)
    assert.match(e3.stderr, /--checkpoint: .*tr\.ckpt\.direct was written by another training/);
    const again = geoinv([...args, "--resume"]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(tcnMetrics(out), tcnMetrics(refDir));
    sameFiles(out, refDir, ["pretrained/weights.bin", "direct/weights.bin", "transfer/weights.bin"]);
    for (const s of ["pretrain", "direct", "transfer"])
      assert.ok(!fs.existsSync(`${ck}.${s}`), `${s} checkpoint removed once the results are written`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("geoinv tcn transfer (well target) --checkpoint-every 1: SIGTERM in the leave-out trainings, --resume equals the uninterrupted run", async () => {
  const dir = tmpDir();
  try {
    const config = tinyWellTransfer({ pretrain: 3, finetune: 3, direct: 20 });
    const { refDir, out, ck, args } = transferRuns(dir, config, "well.ckpt");
    const r = await interruptWhenExists(args, `${ck}.leaveout1s0-direct`);
    assert.equal(r.code, 143, r.err);
    for (const s of [
      "pretrain",
      "blind0-direct",
      "blind0-transfer",
      "blind1-direct",
      "blind1-transfer",
      "leaveout0s0-direct",
      "leaveout0s0-transfer",
    ]) {
      assert.ok(fs.existsSync(`${ck}.${s}`), `${s} finished and kept`);
    }
    assert.ok(!fs.existsSync(`${ck}.final-direct`));
    const again = geoinv([...args, "--resume"]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(tcnMetrics(out), tcnMetrics(refDir));
    sameFiles(out, refDir, [
      "pretrained/weights.bin",
      "direct/weights.bin",
      "transfer/weights.bin",
      "apply0_transfer.npy",
      "apply1_direct.npy",
    ]);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith("well.ckpt")),
      [],
      "the checkpoints are removed once the results are written",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
