import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../src/config";
import {
  buildTcn,
  DEFAULT_TCN,
  disposeWellTransfer,
  initBackend,
  predictParallel,
  predictRows,
  PretrainConfig,
  pretrainPreset,
  runPretrain,
  finetuneTcn,
  FitJob,
  fitTcn,
  runFitsMany,
  runPretrainMany,
  runWellTransfer,
  TcnPredictPool,
  VOLVE_TARGET,
  wellTransferPreset,
} from "../src/tcn";

before(async () => {
  await initBackend({ quiet: true });
});

const traces = (n: number, L: number, seed: number): Float32Array[] => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: L }, () => 2 * r() - 1));
};

/** Bit-for-bit equality (Object.is: also tells -0 from 0 and compares NaN). */
function sameBits(a: Float32Array[], b: Float32Array[]): boolean {
  return (
    a.length === b.length && a.every((r, i) => r.length === b[i].length && r.every((v, j) => Object.is(v, b[i][j])))
  );
}

test("predictParallel over 2 workers equals predictRows bit for bit; a pool is reusable and refuses bad input like predictRows", async () => {
  const model = buildTcn({ channels: [3, 4, 4], seed: 7 });
  const x = traces(23, 80, 1); // 23 = 4 batches of 5 + a partial batch of 3
  const ref = predictRows(model, x, 5);
  assert.ok(
    ref.some((r) => r.some((v) => v !== 0)),
    "the reference output is not trivially zero",
  );
  assert.ok(sameBits(await predictParallel(model, x, { threads: 2, batchSize: 5 }), ref));
  assert.ok(sameBits(await predictParallel(model, x, { threads: 1, batchSize: 5 }), ref));
  const pool = await TcnPredictPool.create(model, { threads: 2 });
  try {
    assert.equal(pool.threads, 2);
    assert.ok(sameBits(await pool.predict(x, 5), ref));
    // default batch size: the one predictRows picks; another trace length on the same workers
    const y = traces(9, 130, 2);
    assert.ok(sameBits(await pool.predict(y), predictRows(model, y)));
    assert.deepEqual(await pool.predict([]), []);
    const ragged = [...traces(3, 50, 3), ...traces(1, 40, 4)];
    assert.throws(() => predictRows(model, ragged, 4), /trace 3 has 40 samples, trace 0 has 50/);
    await assert.rejects(pool.predict(ragged, 4), /trace 3 has 40 samples, trace 0 has 50/);
    await assert.rejects(pool.predict(x, 0), /batchSize/);
    // still usable after refused input
    assert.ok(sameBits(await pool.predict(x.slice(0, 7), 5), ref.slice(0, 7)));
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.predict(x), /after close/);
  await assert.rejects(predictParallel(model, x, { threads: 0 }), /threads/);
});

test("runPretrainMany over 2 workers gives each config's runPretrain result bit for bit, in order; a bad config rejects naming its job", async () => {
  const base = pretrainPreset("quick");
  const cfg = (seed: number, noise: number): PretrainConfig => ({
    ...base,
    seed,
    data: { ...base.data, traceStep: 40, noise, noiseSeed: 3 },
    split: { counts: [6, 3, 10], seed },
    model: { ...base.model, channels: [3, 4] },
    train: { ...base.train, epochs: 3 },
  });
  const cfgs = [cfg(0, 0), cfg(1, 0.2), cfg(2, 0)];
  const seen = new Set<number>();
  const many = await runPretrainMany(cfgs, { threads: 2, onEpoch: (i) => seen.add(i) });
  assert.deepEqual([...seen].sort(), [0, 1, 2], "every job reports its epochs");
  for (let i = 0; i < cfgs.length; i++) {
    const ref = await runPretrain(cfgs[i]);
    const got = many[i];
    assert.deepEqual(got.split, ref.split);
    assert.deepEqual(got.history.trainLoss, ref.history.trainLoss, `job ${i}: training losses`);
    assert.equal(got.history.finalTrainLoss, ref.history.finalTrainLoss);
    assert.ok(sameBits(got.test.prediction, ref.test.prediction), `job ${i}: test prediction`);
    assert.deepEqual(got.test.section, ref.test.section);
    assert.deepEqual(got.bundle.xStats, ref.bundle.xStats);
    assert.equal(got.data.seismic.length, ref.data.seismic.length);
    // the rebuilt model predicts as the worker's did
    assert.ok(
      sameBits(
        predictRows(got.bundle.model, got.data.seismic.slice(0, 4) as Float32Array[]),
        predictRows(ref.bundle.model, ref.data.seismic.slice(0, 4) as Float32Array[]),
      ),
    );
    ref.bundle.model.dispose();
    got.bundle.model.dispose();
  }
  assert.notDeepEqual(many[0].history.trainLoss, many[1].history.trainLoss, "the jobs differ");
  const bad = { ...cfg(0, 0), split: { counts: [6, 3, 10] as [number, number, number], seed: 0, bogus: 1 } };
  await assert.rejects(runPretrainMany([cfg(0, 0), bad as PretrainConfig], { threads: 2 }), /training job 1: .*bogus/);
});

test("runFitsMany: fitTcn and finetuneTcn jobs (physics term included) over 2 workers equal the calling thread's, in order", async () => {
  const base = pretrainPreset("quick");
  const pre = await runPretrain({
    ...base,
    data: { ...base.data, traceStep: 40 },
    split: { counts: [6, 3, 10], seed: 0 },
    model: { ...base.model, channels: [3, 4] },
    train: { ...base.train, epochs: 2 },
  });
  const data = pre.data;
  const wells = [2, 9, 17];
  const train = { epochs: 3, batchSize: 3, lr: 1e-3, weightDecay: 1e-4, patience: null };
  const jobs: FitJob[] = [
    { kind: "fit", data, train: wells, opts: { ...train, seed: 4, config: { ...pre.bundle.config, seed: 4 } } },
    { kind: "finetune", pretrained: pre.bundle, data, train: wells, opts: { ...train, seed: 5 } },
    {
      kind: "finetune",
      pretrained: pre.bundle,
      data,
      train: wells,
      opts: { ...train, seed: 5, physics: { weight: 1 } },
    },
  ];
  const many = await runFitsMany(jobs, { threads: 2 });
  const refs = [
    await fitTcn(data, wells, undefined, jobs[0].opts),
    await finetuneTcn(pre.bundle, data, wells, undefined, jobs[1].opts),
    await finetuneTcn(pre.bundle, data, wells, undefined, jobs[2].opts),
  ];
  const x = data.seismic.slice(0, 5) as Float32Array[];
  for (let i = 0; i < jobs.length; i++) {
    assert.deepEqual(many[i].history.trainLoss, refs[i].history.trainLoss, `job ${i}: training losses`);
    assert.deepEqual(many[i].bundle.yStats, refs[i].bundle.yStats);
    assert.ok(sameBits(predictRows(many[i].bundle.model, x), predictRows(refs[i].bundle.model, x)), `job ${i}: model`);
  }
  assert.notDeepEqual(many[1].history.trainLoss, many[2].history.trainLoss, "the physics term changes the training");
  for (const r of [...many, ...refs, pre]) r.bundle.model.dispose();
});

test("runWellTransfer with threads 2 (each fold's two trainings side by side) gives the threads-1 scores and models", async () => {
  const p = wellTransferPreset(VOLVE_TARGET, "quick");
  const tr = { ...p.direct, epochs: 2 };
  const cfg = { ...p, seeds: 2, finetune: { ...p.finetune, epochs: 2 }, direct: tr, leaveOut: { folds: 2, seeds: 1 } };
  const pretrained = buildTcn({ channels: [3, 4], seed: 3 });
  const bundle = {
    model: pretrained,
    config: { ...DEFAULT_TCN, channels: [3, 4], seed: 3 },
    xStats: { mean: 0, std: 1 },
    yStats: { mean: 9000, std: 1500 },
    meta: {},
  };
  const one = await runWellTransfer(cfg, { pretrained: bundle });
  const two = await runWellTransfer(cfg, { pretrained: bundle, threads: 2 });
  assert.deepEqual(
    two.blind.runs.map((r) => r.scores),
    one.blind.runs.map((r) => r.scores),
  );
  assert.deepEqual(
    two.leaveOut.map((b) => b.summary),
    one.leaveOut.map((b) => b.summary),
  );
  for (const m of ["direct", "transfer"] as const)
    assert.deepEqual(two.final.run.history[m].trainLoss, one.final.run.history[m].trainLoss, `final ${m}: losses`);
  assert.ok(sameBits(two.final.sections[0].prediction.transfer, one.final.sections[0].prediction.transfer));
  assert.notDeepEqual(one.blind.runs[0].scores.transfer, one.blind.runs[1].scores.transfer, "seeds differ");
  disposeWellTransfer(one);
  disposeWellTransfer(two);
  await assert.rejects(runWellTransfer(cfg, { pretrained: bundle, threads: 0 }), /threads/);
  pretrained.dispose();
});
