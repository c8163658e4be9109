/**
 * Memory estimates (docs/CONTRIBUTING.md, "Resources"): absurd sizes are refused with a
 * ValidationError naming the user's field before anything of that size is allocated (each test
 * first checks that the estimate really exceeds the limit, so a refusal test never tries the
 * allocation), and the bundled examples pass the estimate, whose sizes bound the compiled plan's.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as v8 from "v8";
import { checkMemory, memoryLimit, ValidationError } from "../src/core";
import {
  batchBytes,
  compileSurvey,
  CONVERGED_OPTIONS,
  DEFAULT_OPTIONS,
  estimateSurvey,
  FAST_OPTIONS,
  forwardMany,
  ForwardOptions,
  parseSurvey,
} from "../src/em";
import { planInternals } from "../src/em/internal";
import { emForward } from "../src/inversion";
import {
  buildTcn,
  checkPredictMemory,
  checkTrainMemory,
  initBackend,
  predictRows,
  tcnMemoryLimit,
  trainModel,
} from "../src/tcn";
import { fitPredictBatch, tcnBatchBytes, tcnShape } from "../src/tcn/internal";
import { centralLoop } from "./support/fixtures";

const { times: _times, ...loop } = centralLoop([]);
const isRefusal = (field: string) => (e: unknown) => {
  assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
  assert.equal(e.field, field);
  // the estimate, the limit and the fix are in the message
  assert.match(e.detail, /would need about ([\d.]+ [KMGTPE]i?B|Infinity)/);
  assert.match(e.detail, /memory limit of [\d.]+ [KMGT]iB/);
  return true;
};

test("the limit is half the smaller of physical memory and the V8 heap limit", () => {
  const expect = 0.5 * Math.min(os.totalmem(), v8.getHeapStatistics().heap_size_limit);
  assert.equal(memoryLimit(), expect);
  assert.doesNotThrow(() => checkMemory("x", 1000, "work", "fix", 1000));
  assert.throws(
    () => checkMemory("surveys[0].times", 1001, "work", "use fewer", 1000),
    (e: unknown) => e instanceof ValidationError && e.field === "surveys[0].times" && /use fewer$/.test(e.detail),
  );
});

test("compileSurvey refuses 1e7 times naming `times`, before building the time matrix", () => {
  const times = Array.from({ length: 1e7 }, (_, i) => 1e-5 + i * 1e-9);
  const survey = { ...loop, times };
  const est = estimateSurvey(parseSurvey(survey), { ...DEFAULT_OPTIONS });
  // the time matrix alone is 1e7 rows x nOmega columns of 8 bytes
  assert.ok(est.parts.time >= 8 * 1e7 * est.nOmega);
  assert.ok(est.bytes > memoryLimit(), `estimate ${est.bytes} not above the limit ${memoryLimit()}`);
  assert.throws(() => compileSurvey(survey), isRefusal("times"));
});

test("compileSurvey refuses times spanning 600 decades (the lattice) and an absurd quadrature (options.quadPoints)", () => {
  assert.throws(() => compileSurvey({ ...loop, times: [1e-300, 1e300] }, { lagSubdivision: 8 }), isRefusal("times"));
  // gates: the same rule, named `gates`
  const gates = Array.from({ length: 2e5 }, (_, i): [number, number] => [1e-5 * (1 + i), 1e-5 * (1.5 + i)]);
  assert.throws(() => compileSurvey({ ...loop, gates }, { lagSubdivision: 8 }), isRefusal("gates"));
  // a wire of 1e5 segments at 1000 points each: 1e8 source points
  const wire = { type: "wire", points: Array.from({ length: 100001 }, (_, i) => [i, 0]), current: 1 };
  const survey = {
    source: wire,
    receiver: { type: "point", position: [0, 500], component: "Ex" },
    times: [1e-4, 1e-3],
  };
  const opts: ForwardOptions = { quadPoints: 1000 };
  const est = estimateSurvey(parseSurvey(survey), { ...DEFAULT_OPTIONS, ...opts } as typeof DEFAULT_OPTIONS);
  assert.equal(est.sourcePoints, 1e5 * 1000);
  assert.ok(est.bytes > memoryLimit());
  assert.throws(() => compileSurvey(survey, opts), isRefusal("options.quadPoints"));
});

test("the examples pass the estimate, and its sizes bound the compiled plan's", () => {
  const dir = path.join(__dirname, "..", "examples");
  let n = 0;
  for (const f of fs.readdirSync(dir).filter((x) => /^tem_.*\.json$/.test(x))) {
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Record<string, unknown>;
    const surveys = (cfg.surveys as Record<string, unknown>[] | undefined) ?? [cfg];
    for (const s of surveys) {
      for (const opts of [FAST_OPTIONS, {}, CONVERGED_OPTIONS] as ForwardOptions[]) {
        const est = estimateSurvey(parseSurvey(s), { ...DEFAULT_OPTIONS, ...opts } as typeof DEFAULT_OPTIONS);
        assert.ok(est.bytes < memoryLimit() && est.bytes < 256 * 1024 ** 2, `${f}: ${est.bytes} bytes`);
        const plan = compileSurvey(s, opts);
        assert.equal(est.sourcePoints, plan.info.sourcePoints, f);
        assert.equal(est.receiverPoints, plan.info.receiverPoints, f);
        assert.equal(est.nTime, plan.nTime, f);
        assert.ok(est.nTimeGrid >= plan.info.nTimeGrid, `${f}: time lattice ${est.nTimeGrid} < ${plan.info.nTimeGrid}`);
        assert.ok(est.nOmega >= plan.info.nOmega, `${f}: frequencies ${est.nOmega} < ${plan.info.nOmega}`);
        assert.ok(est.nLambda >= plan.info.nLambda, `${f}: wavenumbers ${est.nLambda} < ${plan.info.nLambda}`);
        // the time matrix the plan holds is within the estimate
        assert.ok(8 * planInternals(plan).tmat.length <= est.parts.time);
        n++;
      }
    }
  }
  assert.ok(n >= 21);
});

test("a batch of 1e8 models is refused before any response is made (forwardMany: `models`; inversion: `optimizer.np`)", () => {
  const plan = compileSurvey({ ...loop, times: [1e-5, 1e-4, 1e-3] }, FAST_OPTIONS);
  const models = new Array(1e8); // holes: no model objects exist
  assert.ok(batchBytes(plan, models.length) > memoryLimit());
  assert.throws(() => forwardMany(plan, models), isRefusal("models"));
  const fwd = emForward([{ ...loop, times: [1e-5, 1e-4, 1e-3] }]);
  assert.throws(() => fwd(models), isRefusal("optimizer.np"));
  // an ordinary population passes
  const m = { thickness: [20], rho0: [100, 10], m: [0, 0], tau: [1e-3, 1e-3], c: [0.5, 0.5] };
  assert.equal(forwardMany(plan, [m, m]).length, 2);
});

before(async () => {
  await initBackend();
});

test("TCN training refuses a batch size of 1e7 naming batchSize, before packing a tensor", async () => {
  const model = buildTcn({ seed: 1 });
  const row = new Float32Array(1000);
  const rows = new Array<Float32Array>(100000).fill(row); // one shared trace: 1e5 x 1000 samples in name only
  const shape = tcnShape(model);
  assert.equal(shape.length, 9); // eight blocks and the head
  assert.ok(tcnBatchBytes(shape, 1e5, 1000, true) > tcnMemoryLimit());
  await assert.rejects(
    trainModel(model, { x: rows, y: rows }, undefined, { epochs: 1, batchSize: 1e7 }),
    isRefusal("batchSize"),
  );
  assert.throws(() => predictRows(model, rows, 1e7), isRefusal("batchSize"));
  // too many traces for any batch size: the input is named
  assert.throws(() => checkPredictMemory(model, 1e9, 1000, 128, "data.npy"), isRefusal("data.npy"));
  assert.throws(() => checkTrainMemory(model, 1e9, 1000, 1, "--wells"), isRefusal("--wells"));
  model.dispose();
});

test("ordinary TCN sizes pass the estimate (the presets' batches of 5-10 traces, 5000 traces of 2000 samples)", () => {
  const model = buildTcn({ seed: 1 });
  for (const b of [5, 8, 10]) assert.doesNotThrow(() => checkTrainMemory(model, 5000, 2000, b));
  // prediction's default batch is 128 traces
  for (const b of [5, 10, 128]) assert.doesNotThrow(() => checkPredictMemory(model, 5000, 2000, b));
  // without a batch size, prediction takes the largest batch up to 128 that fits: for long traces fewer
  const b = fitPredictBatch(model, 1000, 20000, 128);
  assert.ok(b >= 1 && b < 128, `batch ${b}`);
  assert.doesNotThrow(() => checkPredictMemory(model, 1000, 20000, b));
  assert.throws(() => checkPredictMemory(model, 1000, 20000, b + 1), isRefusal("batchSize"));
  assert.equal(fitPredictBatch(model, 1000, 300, 128), 128);
  // the estimate grows linearly with the batch: independent of the backend's limit
  const shape = tcnShape(model);
  assert.equal(tcnBatchBytes(shape, 20, 500, true), 2 * tcnBatchBytes(shape, 10, 500, true));
  assert.equal(tcnBatchBytes(shape, 10, 500, true), 3 * tcnBatchBytes(shape, 10, 500, false));
  model.dispose();
});
