import * as fs from "fs";
import * as path from "path";
import {
  assertFinite,
  atomicWriteFile,
  checkOutputFile,
  boolean,
  checkKeys,
  integerInRange,
  isObject,
  join,
  numberInRange,
  OutputDir,
  parseNumberList,
  resultJson,
  show,
  ValidationError,
} from "../core";
import { RunSize, runSize } from "../config";
import { toNpy, loadNpy2D } from "../data";
import { epochProgress } from "../display";
import { DatasetSpec, loadDataset, Metrics, splitTraces } from "../seismic";
import {
  evaluateTcn,
  finetuneTcn,
  initBackend,
  checkPredictInput,
  DEFAULT_TCN,
  predictImpedance,
  loadTcn,
  recordTraining,
  mergeConfig,
  PretrainConfig,
  pretrainPreset,
  resolveWells,
  runPretrain,
  runTransfer,
  saveTcn,
  stageCheckpointFile,
  TrainCheckpoint,
  TransferConfig,
  transferPreset,
  transferStages,
} from "../tcn";
import { outDirectory, readJsonFile, withOutputDir } from "./io";
import { CliIO, parseArgs, ParsedArgs, UsageError, Verb } from "./registry";
import { isWellConfig, wellTransferVerb } from "./tcn-well";

/**
 * `geoinv tcn pretrain|finetune|predict|evaluate|transfer`: the seismic impedance workflow of issue 5.
 * Every verb takes a JSON config (only what differs from the quick/full preset) and/or flags,
 * writes its models and a metrics.json into --out DIR, and reports progress on stderr.
 */

const PAPER_TABLE1 = {
  pretrained_direct: { pcc: 0.0831, r2: 0.0069, loss: null },
  direct: { pcc: 0.9719, r2: 0.9447, loss: 0.019556 },
  transfer: { pcc: 0.9796, r2: 0.9597, loss: 0.001082 },
};

function sizeOf(a: ParsedArgs): RunSize {
  if (a.flags.quick && a.flags.full) throw new UsageError("give --quick or --full, not both");
  return a.flags.full ? "full" : a.flags.quick ? "quick" : runSize();
}

function readConfig(a: ParsedArgs): unknown {
  const f = a.flags.config;
  if (f === undefined) return undefined;
  if (typeof f !== "string" || f === "") throw new UsageError("--config needs a JSON file path");
  return readJsonFile(f, "--config");
}

function str(a: ParsedArgs, k: string): string | undefined {
  const v = a.flags[k];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") throw new UsageError(`--${k} needs a value`);
  return v;
}

function num(a: ParsedArgs, k: string, lo: number, hi: number, int = false): number | undefined {
  const s = str(a, k);
  if (s === undefined) return undefined;
  const v = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s.trim()) ? Number(s) : NaN;
  if (!Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
    throw new UsageError(`--${k} ${s}: need ${int ? "an integer" : "a number"} in [${lo}, ${hi}]`);
  }
  return v;
}

/** `--out DIR` checked and prepared before any work (see src/core OutputDir): nothing is left behind on failure. */
function outDir(a: ParsedArgs): OutputDir {
  const inputs = ["config", "seismic", "impedance", "model", "pretrained"].map((k) =>
    typeof a.flags[k] === "string" ? (a.flags[k] as string) : undefined,
  );
  return outDirectory(a.flags.out, inputs);
}

/** A strict comma-separated list of trace indices (`80,,240` and `80,x` are rejected naming the flag). */
function list(a: ParsedArgs, k: string): number[] | undefined {
  const s = str(a, k);
  if (s === undefined) return undefined;
  return parseNumberList(s, `--${k}`, { integer: true, min: 0 });
}

/** Wells are distinct traces: a repeated one is refused naming the flag or config field it came from. */
function distinctWells(wells: number[], a: ParsedArgs): number[] {
  const seen = new Set<number>();
  for (const w of wells) {
    if (seen.has(w))
      throw new ValidationError(
        a.flags.wells !== undefined ? "--wells" : "target.wells",
        `trace ${w} appears twice; list each well once`,
      );
    seen.add(w);
  }
  return wells;
}

/**
 * Re-root the library's field names under the user's flag or config field: the seismic domain's
 * well count (`wellTraces`) and the fine-tuning's `freezeBlocks`.
 */
function wellsField(e: unknown, a: ParsedArgs, modelPath?: string): unknown {
  // the architecture's own keys (tcnConfig) under the config's path of the model being built
  if (modelPath && e instanceof ValidationError && e.field in DEFAULT_TCN) return e.under(modelPath);
  if (e instanceof ValidationError && e.field === "wellTraces") {
    const f =
      a.flags["n-wells"] !== undefined ? "--n-wells" : a.flags.wells !== undefined ? "--wells" : "target.wells.count";
    return new ValidationError(f, e.detail.replace(/^k = /, ""));
  }
  if (e instanceof ValidationError && e.field === "freezeBlocks")
    return new ValidationError(a.flags.freeze !== undefined ? "--freeze" : "finetune.freezeBlocks", e.detail);
  return e;
}

/** Flags that override the data spec. */
function dataFromFlags(a: ParsedArgs, base: DatasetSpec): DatasetSpec {
  let d: DatasetSpec = { ...base };
  const name = str(a, "data");
  if (name !== undefined && name !== base.name) d = { name };
  const seismic = str(a, "seismic");
  const impedance = str(a, "impedance");
  if (seismic || impedance)
    d = { ...d, name: "npy", seismic: seismic ?? d.seismic, impedance: impedance ?? d.impedance };
  if ((seismic || impedance) && (!d.seismic || !d.impedance)) {
    const missing = d.seismic ? "--impedance" : "--seismic";
    throw new UsageError(
      `${missing} F.npy is needed with ${d.seismic ? "--seismic" : "--impedance"}: the seismic and its impedance go together (tcn predict takes --seismic alone)`,
    );
  }
  const noise = num(a, "noise", 0, 10);
  if (noise !== undefined) d.noise = noise;
  const freq = num(a, "freq", 1, 500);
  if (freq !== undefined) d.freqHz = freq;
  const step = num(a, "trace-step", 1, 1e6, true);
  if (step !== undefined) d.traceStep = step;
  return d;
}

function trainFlags<T extends { epochs: number; lr: number; batchSize: number }>(a: ParsedArgs, t: T): T {
  const out = { ...t };
  const e = num(a, "epochs", 1, 1e6, true);
  if (e !== undefined) out.epochs = e;
  const lr = num(a, "lr", 1e-8, 1);
  if (lr !== undefined) out.lr = lr;
  const b = num(a, "batch", 1, 1e5, true);
  if (b !== undefined) out.batchSize = b;
  return out;
}

/** Why TCN metrics or predictions can be NaN or Infinity. */
const TCN_NON_FINITE_HINT =
  "the model or its normalisation statistics are not finite (training diverged? lower --lr), or the seismic is far outside the training range";

/**
 * Write `obj` as JSON into `dir` (a staging directory) atomically, refusing NaN and Infinity (a
 * non-finite metric stops the verb with exit 2 instead of becoming null). Returns the file name.
 */
function writeJson(dir: string, name: string, obj: unknown): string {
  const f = path.join(dir, name);
  atomicWriteFile(f, resultJson(obj, name, TCN_NON_FINITE_HINT));
  return name;
}

/** Check predicted rows are finite before they are written. */
function checkPrediction(rows: Float32Array[], stage: string): void {
  rows.forEach((r, i) => assertFinite(r, stage, TCN_NON_FINITE_HINT + ` (trace ${i})`));
}

function m4(m: Metrics): Metrics {
  return { pcc: m.pcc, r2: m.r2, mse: m.mse, mae: m.mae };
}

/** Objects checked by their own loaders (data specs, architecture, split), as in mergeConfig. */
const OPEN_KEYS = new Set(["data", "model", "split"]);
/** Ranges of the numeric training settings of a TCN config. */
const TCN_RANGES: Record<string, (v: unknown, f: string) => unknown> = {
  seed: (v, f) => integerInRange(v, f, -(2 ** 31), 2 ** 31),
  epochs: (v, f) => integerInRange(v, f, 1, 1e6),
  batchSize: (v, f) => integerInRange(v, f, 1, 1e5),
  patience: (v, f) => (v === null ? v : integerInRange(v, f, 1, 1e6)),
  lr: (v, f) => numberInRange(v, f, 0, 1, { loOpen: true }),
  weightDecay: (v, f) => numberInRange(v, f, 0, 1),
  freezeBlocks: (v, f) => integerInRange(v, f, 0, 64),
  physicsWeight: (v, f) => numberInRange(v, f, 0, 1e6),
  count: (v, f) => integerInRange(v, f, 1, 1e5),
};

/**
 * A TCN config checked against its preset before merging: unknown keys with a did-you-mean
 * suggestion, the preset's types without coercion ("5" is not a number, "false" not a boolean),
 * and ranges for the training settings.
 */
function strictLike(raw: unknown, preset: unknown, field: string): void {
  if (!isObject(raw) || !isObject(preset)) return;
  checkKeys(raw, field, Object.keys(preset));
  for (const [k, v] of Object.entries(raw)) {
    const f = join(field, k);
    const p = preset[k];
    // the architecture has strict keys too: a typo ("layer", "kernel_size") must not be ignored
    if (k === "model" && isObject(v)) checkKeys(v, f, Object.keys(DEFAULT_TCN));
    if (OPEN_KEYS.has(k)) continue;
    if (TCN_RANGES[k]) TCN_RANGES[k](v, f);
    else if (typeof p === "number" && !(typeof v === "number" && Number.isFinite(v)))
      throw new ValidationError(f, `expected a finite number, got ${show(v)}`);
    else if (typeof p === "boolean") boolean(v, f);
    else if (typeof p === "string" && typeof v !== "string")
      throw new ValidationError(f, `expected a string, got ${show(v)}`);
    else if (isObject(p) && isObject(v)) strictLike(v, p, f);
  }
}

function pretrainConfig(a: ParsedArgs, size: RunSize): PretrainConfig {
  const raw = readConfig(a);
  strictLike(raw, pretrainPreset(size), "");
  const cfg = mergeConfig(pretrainPreset(size), raw);
  cfg.data = dataFromFlags(a, cfg.data);
  cfg.train = trainFlags(a, cfg.train);
  const seed = num(a, "seed", -(2 ** 31), 2 ** 31, true);
  if (seed !== undefined) cfg.seed = seed;
  const pad = str(a, "padding");
  if (pad !== undefined) {
    if (pad !== "same" && pad !== "causal") throw new UsageError(`--padding ${pad}: use same or causal`);
    cfg.model = { ...cfg.model, padding: pad };
  }
  return cfg;
}

function transferConfig(a: ParsedArgs, size: RunSize): TransferConfig {
  const raw = readConfig(a);
  strictLike(raw, { ...transferPreset(size), pretrained: "" }, "");
  const cfg = mergeConfig(transferPreset(size), raw);
  cfg.target = { ...cfg.target, data: dataFromFlags(a, cfg.target.data) };
  const wells = list(a, "wells");
  if (wells) distinctWells(wells, a);
  const nw = num(a, "n-wells", 1, 1e5, true);
  if (wells) cfg.target.wells = wells;
  else if (nw !== undefined) cfg.target.wells = { count: nw, rule: "centres" };
  cfg.finetune = trainFlags(a, cfg.finetune);
  const fz = num(a, "freeze", 0, 64, true);
  if (fz !== undefined) cfg.finetune.freezeBlocks = fz;
  const norm = str(a, "normalization");
  if (norm !== undefined) {
    if (norm !== "target" && norm !== "source") throw new UsageError(`--normalization ${norm}: use target or source`);
    cfg.finetune.normalization = norm;
  }
  const seed = num(a, "seed", -(2 ** 31), 2 ** 31, true);
  if (seed !== undefined) cfg.seed = seed;
  const pre = str(a, "pretrained");
  if (pre !== undefined) cfg.pretrained = pre;
  return cfg;
}

/** Exit codes after a checkpoint written on a signal: 128 + the signal number. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * `--checkpoint FILE`, `--checkpoint-every K`, `--resume` (undefined without any of them; the file
 * defaults to OUT/checkpoint.json), checked once --out is prepared and before any training. A run
 * of several trainings (`stages`, tcn transfer) keeps one file per training, FILE.<stage>.
 */
export function checkpointFlags(a: ParsedArgs, out: OutputDir, stages?: string[]): TrainCheckpoint | undefined {
  try {
    return checkpointOf(a, out, stages);
  } catch (e) {
    // nothing is left behind: the output directory was prepared for this run
    out.abort();
    throw e;
  }
}

function checkpointOf(a: ParsedArgs, out: OutputDir, stages?: string[]): TrainCheckpoint | undefined {
  const given = str(a, "checkpoint");
  const every = num(a, "checkpoint-every", 1, 1e6, true);
  const resume = a.flags.resume === true;
  if (given === undefined && every === undefined && !resume) return undefined;
  const file = checkOutputFile(given ?? path.join(out.dir, "checkpoint.json"), {
    inputs: [str(a, "config"), str(a, "seismic"), str(a, "impedance")],
  });
  if (
    path.dirname(file) === path.resolve(out.dir) &&
    /^(model|metrics\.json|pretrained|direct|transfer|apply\d+_\w+\.npy)$/.test(path.basename(file))
  ) {
    throw new ValidationError("--checkpoint", `${file} is one of the verb's outputs; choose another name`);
  }
  const files = checkpointFiles(file, stages);
  const present = files.filter((f) => fs.existsSync(f));
  if (!resume && present.length)
    throw new ValidationError(
      "--checkpoint",
      `${present[0]} exists; pass --resume to continue from it, or delete it to start afresh`,
    );
  if (resume && !present.length) {
    const what = stages
      ? `no checkpoint of this run exists (${file}.<stage>, stages ${stages.join(", ")})`
      : `${file} does not exist`;
    throw new ValidationError(
      "--checkpoint",
      `--resume: ${what} (nothing to resume from; run without --resume to start)`,
    );
  }
  return { file, every: every ?? 1, resume, field: "--checkpoint", onSignal: (sig) => process.exit(SIGNAL_EXIT[sig]) };
}

/**
 * Between the trainings of a multi-training run (evaluation, loading, the next model's set-up), a
 * SIGINT/SIGTERM exits 130/143 at once: every finished training's file is complete. During a
 * training its own listener (trainModel) is also installed, and this one leaves the signal to it,
 * so the state at the end of the epoch is written first. Returns the function that removes it.
 */
function exitOnSignalBetweenTrainings(ck: TrainCheckpoint | undefined): () => void {
  if (!ck) return () => undefined;
  const hs = (["SIGINT", "SIGTERM"] as const).map((sig) => {
    const h = () => {
      if (process.listenerCount(sig) === 1) process.exit(SIGNAL_EXIT[sig]);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => hs.forEach(([sig, h]) => process.removeListener(sig, h));
}

/** The files of a checkpoint: FILE, or FILE.<stage> per training of a multi-training run. */
export function checkpointFiles(file: string, stages?: string[]): string[] {
  return stages ? stages.map((s) => stageCheckpointFile(file, s)) : [file];
}

/** Remove a run's checkpoint files once its results are written (they have served). */
export function removeCheckpoint(ck: TrainCheckpoint | undefined, stages?: string[]): void {
  if (ck) for (const f of checkpointFiles(ck.file, stages)) fs.rmSync(f, { force: true });
}

const CHECKPOINT_HELP =
  "  --checkpoint-every K  save the training state (weights, Adam moments and step, dropout streams, epoch, history,\n" +
  "                  best weights) every K epochs (default 1) and on SIGINT/SIGTERM, which then exit 130/143\n" +
  "  --checkpoint FILE     where (default OUT/checkpoint.json); an existing FILE needs --resume\n" +
  "  --resume        continue from the checkpoint: the same final weights and metrics as an uninterrupted run\n" +
  "                  (same command, same backend); another training's checkpoint is refused (exit 2).\n" +
  "                  The checkpoint is removed once the model and metrics.json are written.\n";

/** Flags of the data spec, training and fine-tuning (shared by the verbs that take them). */
const DATA_FLAGS = ["data", "seismic", "impedance", "noise", "freq", "trace-step"];
const TRAIN_FLAGS = ["epochs", "lr", "batch", "seed"];
const WELL_FLAGS = ["wells", "n-wells", "freeze", "normalization"];
const SIZE = { booleans: ["quick", "full"] };
const CHECKPOINT_FLAGS = ["checkpoint", "checkpoint-every"];

/**
 * The flags of a training verb (pretrain, finetune, transfer): its own (`known`), the training and
 * checkpoint flags, --quick|--full and --resume; returns them with the run size.
 */
function trainingArgs(args: string[], known: string[]): { a: ParsedArgs; size: RunSize } {
  const a = parseArgs(args, {
    positional: 0,
    booleans: [...SIZE.booleans, "resume"],
    known: [...known, ...TRAIN_FLAGS, ...CHECKPOINT_FLAGS],
  });
  return { a, size: sizeOf(a) };
}

/**
 * The end of a training verb: its models and metrics are written, so its checkpoint (one file per
 * training with `stages`) has served and is removed; then its message goes to stdout. Returns exit 0.
 */
function trainingDone(io: CliIO, msg: string, checkpoint: TrainCheckpoint | undefined, stages?: string[]): number {
  removeCheckpoint(checkpoint, stages);
  io.stdout(msg);
  return 0;
}

const COMMON =
  "  --config FILE   JSON config: only the fields that differ from the preset\n  --quick|--full  run size (default: GEOINV_SIZE, else quick)\n  --out DIR       output directory (required)\n";

export const tcnVerbs: Verb[] = [
  {
    path: ["tcn", "pretrain"],
    summary: "pre-train a TCN on Marmousi-2 (or a configured dataset); model + metrics.json on the test traces",
    usage:
      "geoinv tcn pretrain [--config FILE] [--quick|--full] --out DIR [--data marmousi2|overthrust] [--seismic F.npy --impedance F.npy]\n" +
      "                    [--noise 0.2] [--freq 30] [--trace-step K] [--epochs N] [--lr X] [--batch B] [--padding same|causal] [--seed S]\n" +
      "                    [--checkpoint-every K] [--checkpoint FILE] [--resume]\n\n" +
      COMMON +
      CHECKPOINT_HELP +
      "Writes DIR/model/ (model.json, weights.bin, geoinv-tcn.json) and DIR/metrics.json\n" +
      "({test: {pcc, r2, mse, mae}, test_mean_trace, history, split, config, backend}).",
    run: async (args, io) => {
      const { a, size } = trainingArgs(args, ["config", "out", "padding", ...DATA_FLAGS]);
      const cfg = pretrainConfig(a, size);
      const out = outDir(a);
      const checkpoint = checkpointFlags(a, out);
      const msg = await withOutputDir(out, async () => {
        const be = await initBackend();
        let r: Awaited<ReturnType<typeof runPretrain>>;
        try {
          r = await runPretrain(cfg, { onEpoch: epochProgress("pretrain", { stream: process.stderr }), checkpoint });
        } catch (e) {
          throw wellsField(e, a, "model");
        }
        const f = writeJson(out.staging, "metrics.json", {
          test: m4(r.test.section),
          test_mean_trace: m4(r.test.meanTrace),
          loss: r.history.finalTrainLoss,
          history: {
            trainLoss: r.history.trainLoss,
            valLoss: r.history.valLoss,
            bestEpoch: r.history.bestEpoch,
            epochsRun: r.history.epochsRun,
            seconds: r.history.seconds,
          },
          split: { train: r.split.train.length, val: r.split.val.length, test: r.split.test.length },
          data: r.data.description,
          size,
          config: cfg,
          backend: be.tfName,
        });
        recordTraining(r.bundle, r.data.seismic);
        await saveTcn(r.bundle, out.path("model"));
        return `test traces: PCC ${r.test.section.pcc.toFixed(4)}  r2 ${r.test.section.r2.toFixed(4)}  (${r.history.epochsRun} epochs, ${r.history.seconds.toFixed(1)} s)\nwrote ${out.finalPath("model")} and ${out.finalPath(f)}\n`;
      });
      return trainingDone(io, msg, checkpoint);
    },
  },
  {
    path: ["tcn", "finetune"],
    summary: "fine-tune a saved TCN on a few labelled target traces (transfer learning)",
    usage:
      "geoinv tcn finetune --model DIR [--config FILE] [--quick|--full] --out DIR [--data overthrust|marmousi2] [--seismic F.npy --impedance F.npy]\n" +
      "                    [--wells 80,240,400,560,720 | --n-wells 5] [--freeze K] [--normalization target|source] [--epochs N] [--lr X] [--batch B] [--seed S]\n" +
      "                    [--checkpoint-every K] [--checkpoint FILE] [--resume]\n\n" +
      "  --model DIR     pre-trained model directory (from pretrain: OUT/model)\n" +
      COMMON +
      CHECKPOINT_HELP +
      "The config has the shape of a transfer config (target.data, target.wells, finetune).\n" +
      "Writes DIR/model/ and DIR/metrics.json ({section: metrics over the target less the wells, loss, wells, scored, excluded}).",
    run: async (args, io) => {
      const { a, size } = trainingArgs(args, ["model", "config", "out", ...DATA_FLAGS, ...WELL_FLAGS]);
      const cfg = transferConfig(a, size);
      const modelDir = str(a, "model");
      if (!modelDir)
        throw new UsageError("--model DIR is required (a directory written by 'geoinv tcn pretrain', i.e. OUT/model)");
      const out = outDir(a);
      const checkpoint = checkpointFlags(a, out);
      const msg = await withOutputDir(out, async () => {
        await initBackend();
        const pre = await loadTcn(modelDir);
        const target = loadDataset(cfg.target.data);
        let wells: number[];
        try {
          wells = distinctWells(resolveWells(cfg.target.wells, target.seismic.length), a);
        } catch (e) {
          throw wellsField(e, a);
        }
        const t = cfg.finetune;
        let r: Awaited<ReturnType<typeof finetuneTcn>>;
        try {
          r = await finetuneTcn(pre, target, wells, undefined, {
            epochs: t.epochs,
            batchSize: t.batchSize,
            lr: t.lr,
            weightDecay: t.weightDecay,
            patience: null,
            seed: cfg.seed,
            freezeBlocks: t.freezeBlocks,
            normalization: t.normalization,
            onEpoch: epochProgress("finetune", { stream: process.stderr }),
            checkpoint,
            ...(t.physicsWeight !== 0
              ? { physics: { weight: numberInRange(t.physicsWeight, "finetune.physicsWeight", 0, 1e6) } }
              : {}),
          });
        } catch (e) {
          throw wellsField(e, a);
        }
        // scored over the target less the wells the model was fine-tuned on
        const e = evaluateTcn(r.bundle, target, undefined, wells);
        const f = writeJson(out.staging, "metrics.json", {
          section: m4(e.section),
          mean_trace: m4(e.meanTrace),
          loss: r.history.finalTrainLoss,
          wells,
          scored: e.traces.length,
          excluded: e.excluded,
          data: target.description,
          size,
          config: cfg,
        });
        recordTraining(r.bundle, target.seismic);
        await saveTcn(r.bundle, out.path("model"));
        return `${target.name}: PCC ${e.section.pcc.toFixed(4)}  r2 ${e.section.r2.toFixed(4)}  loss ${r.history.finalTrainLoss.toPrecision(4)}\nwrote ${out.finalPath("model")} and ${out.finalPath(f)}\n`;
      });
      return trainingDone(io, msg, checkpoint);
    },
  },
  {
    path: ["tcn", "predict"],
    summary: "invert seismic traces to impedance with a saved TCN (writes impedance.npy)",
    usage:
      "geoinv tcn predict --model DIR --out DIR [--seismic F.npy | --data overthrust|marmousi2 [--noise X] [--freq F]] [--force]\n\n" +
      "  --seismic F.npy  trace-major 2-D float32/float64 array (traces, samples); no impedance needed\n" +
      "  --force          predict even when the traces' length or amplitudes are far from the training data's\n" +
      "                   (by default a transposed array or a unit mix-up is refused)\n" +
      "Writes DIR/impedance.npy (traces, samples) float32 and DIR/metrics.json (scores when impedance is known).",
    run: async (args, io) => {
      const a = parseArgs(args, { positional: 0, booleans: ["force"], known: ["model", "out", ...DATA_FLAGS] });
      const modelDir = str(a, "model");
      if (!modelDir) throw new UsageError("--model DIR is required");
      const force = a.flags.force === true;
      const out = outDir(a);
      const msg = await withOutputDir(out, async () => {
        await initBackend();
        const bundle = await loadTcn(modelDir);
        const seismicOnly = str(a, "seismic") && !str(a, "impedance");
        let pred: Float32Array[];
        let metrics: Record<string, unknown> = {};
        if (seismicOnly) {
          const rows = loadNpy2D(path.resolve(str(a, "seismic")!)).rows;
          checkPredictInput(bundle, rows, "--seismic", force);
          pred = predictImpedance(bundle, rows);
        } else {
          const d = loadDataset(dataFromFlags(a, { name: "overthrust" }));
          checkPredictInput(bundle, d.seismic, str(a, "seismic") ? "--seismic" : "--data", force);
          const e = evaluateTcn(bundle, d);
          pred = e.prediction;
          metrics = { section: m4(e.section), mean_trace: m4(e.meanTrace), data: d.description };
        }
        checkPrediction(pred, "tcn predict impedance");
        const ns = pred[0].length;
        const flat = new Float32Array(pred.length * ns);
        pred.forEach((r, i) => flat.set(r, i * ns));
        atomicWriteFile(out.path("impedance.npy"), toNpy(flat, [pred.length, ns]));
        writeJson(out.staging, "metrics.json", { traces: pred.length, samples: ns, ...metrics });
        return `wrote ${out.finalPath("impedance.npy")} (${pred.length} x ${ns})\n`;
      });
      io.stdout(msg);
      return 0;
    },
  },
  {
    path: ["tcn", "evaluate"],
    summary: "score a saved TCN on a dataset: PCC, r2, MSE, MAE over the section and per trace",
    usage:
      "geoinv tcn evaluate --model DIR --out DIR [--data overthrust|marmousi2] [--seismic F.npy --impedance F.npy] [--noise X] [--freq F]\n" +
      "                    [--traces all|test|LIST] [--split-seed S] [--exclude LIST]\n\n" +
      "  --traces  all (default), test (the 1:1:4 test traces of the pretrain split with --split-seed, default 0), or 3,10,200\n" +
      "  --exclude traces left out of the scores, e.g. the wells a model was trained on (80,240,400,560,720)\n" +
      "Writes DIR/metrics.json ({section, mean_trace, per_trace: {pcc: [...], r2: [...], mse: [...], mae: [...]}, traces}).",
    run: async (args, io) => {
      const a = parseArgs(args, {
        positional: 0,
        booleans: [],
        known: ["model", "out", "traces", "split-seed", "exclude", ...DATA_FLAGS],
      });
      const modelDir = str(a, "model");
      if (!modelDir) throw new UsageError("--model DIR is required");
      const t = str(a, "traces") ?? "all";
      const splitSeed = num(a, "split-seed", 0, 2 ** 31, true) ?? 0;
      const listed = t === "test" || t === "all" ? undefined : list(a, "traces");
      const exclude = list(a, "exclude") ?? [];
      const out = outDir(a);
      const msg = await withOutputDir(out, async () => {
        await initBackend();
        const bundle = await loadTcn(modelDir);
        const d = loadDataset(dataFromFlags(a, { name: "overthrust" }));
        let idx: number[] | undefined;
        if (t === "test") idx = splitTraces(d.seismic.length, { seed: splitSeed }).test;
        else if (listed) {
          const bad = listed.find((i) => i >= d.seismic.length);
          if (bad !== undefined)
            throw new ValidationError(
              "--traces",
              `trace ${bad} is outside [0, ${d.seismic.length - 1}] (${d.name} has ${d.seismic.length} traces)`,
            );
          idx = listed;
        }
        const badEx = exclude.find((i) => i >= d.seismic.length);
        if (badEx !== undefined)
          throw new ValidationError(
            "--exclude",
            `trace ${badEx} is outside [0, ${d.seismic.length - 1}] (${d.name} has ${d.seismic.length} traces)`,
          );
        const e = evaluateTcn(bundle, d, idx, exclude);
        const col = (k: keyof Metrics) => e.perTrace.map((m) => m[k]);
        const f = writeJson(out.staging, "metrics.json", {
          section: m4(e.section),
          mean_trace: m4(e.meanTrace),
          per_trace: { pcc: col("pcc"), r2: col("r2"), mse: col("mse"), mae: col("mae") },
          traces: e.traces,
          excluded: e.excluded,
          data: d.description,
        });
        return `${d.name} (${e.traces.length} traces): PCC ${e.section.pcc.toFixed(4)}  r2 ${e.section.r2.toFixed(4)}  MSE ${e.section.mse.toPrecision(4)}  MAE ${e.section.mae.toPrecision(4)}\nwrote ${out.finalPath(f)}\n`;
      });
      io.stdout(msg);
      return 0;
    },
  },
  {
    path: ["tcn", "transfer"],
    summary:
      "the paper's Table 1: pre-trained direct / TCN from scratch on the wells / transfer, scored on the target section",
    usage:
      "geoinv tcn transfer [--config FILE] [--quick|--full] --out DIR [--pretrained DIR]\n" +
      "                    [--data overthrust] [--seismic F.npy --impedance F.npy] [--wells LIST | --n-wells 5] [--freeze K]\n" +
      "                    [--normalization target|source] [--epochs N] [--lr X] [--seed S]\n" +
      "                    [--checkpoint-every K] [--checkpoint FILE] [--resume] [--threads N]\n\n" +
      COMMON +
      "  --pretrained DIR  reuse a saved pre-trained model (else pre-train as configured in 'source')\n" +
      "  --threads N     well target only: train each fold's direct and transfer models side by side in N\n" +
      "                  worker threads (default 1; the same results; not with --checkpoint)\n" +
      CHECKPOINT_HELP +
      "                  Each training of the run (pretrain, direct, transfer; per seed and fold for a well target)\n" +
      "                  has its own file FILE.<stage>; a finished training is replayed from its file.\n" +
      "Config fields: seed, source (a pretrain config), pretrained, target {data, wells}, finetune {epochs, batchSize, lr,\n" +
      "weightDecay, patience, freezeBlocks, normalization, physicsWeight}, direct {epochs, batchSize, lr, weightDecay, patience}.\n" +
      "physicsWeight > 0: physics-guided fine-tuning (the seismic misfit of the prediction's synthetic on the unlabelled traces).\n" +
      "--epochs/--lr apply to fine-tuning. Writes DIR/pretrained/, DIR/direct/, DIR/transfer/ and DIR/metrics.json:\n" +
      '{"pretrained_direct": {pcc, r2, mse, mae}, "direct": {...}, "transfer": {...}} over the target section less the wells\n' +
      '(their count in "scored", the wells in "excluded").\n' +
      'A real target with one well: a config whose target has "kind": "well" (see examples/tcn_transfer_volve.json and\n' +
      "src/tcn/well/); metrics.json then holds the blind-test scores (mean, spread and per seed).",
    run: async (args, io) => {
      const { a, size } = trainingArgs(args, ["config", "out", "pretrained", "threads", ...DATA_FLAGS, ...WELL_FLAGS]);
      const raw = readConfig(a);
      if (!isWellConfig(raw) && a.flags.threads !== undefined)
        throw new UsageError(
          '--threads applies to a well target (target.kind "well"); a synthetic target\'s trainings run in turn',
        );
      if (isWellConfig(raw))
        return wellTransferVerb(
          raw,
          a,
          size,
          () => outDir(a),
          { flags: checkpointFlags, onSignal: exitOnSignalBetweenTrainings, remove: removeCheckpoint },
          io,
        );
      const cfg = transferConfig(a, size);
      const out = outDir(a);
      const stages = transferStages(cfg);
      const checkpoint = checkpointFlags(a, out, stages);
      const release = exitOnSignalBetweenTrainings(checkpoint);
      let msg: string;
      try {
        msg = await withOutputDir(out, async () => {
          const be = await initBackend();
          const reps: Record<string, ReturnType<typeof epochProgress>> = {};
          const t0 = Date.now();
          let run: Awaited<ReturnType<typeof runTransfer>>;
          try {
            run = await runTransfer(cfg, {
              onStage: (s) => io.stderr(`tcn transfer: ${s}\n`),
              onEpoch: (s, l) => (reps[s] ??= epochProgress(s, { stream: process.stderr }))(l),
              checkpoint,
            });
          } catch (e) {
            throw wellsField(e, a, cfg.pretrained ? undefined : "source.model");
          }
          const r = run.result;
          const row = (m: typeof r.direct) => ({ ...m4(m.metrics), ...(m.loss === null ? {} : { loss: m.loss }) });
          const f = writeJson(out.staging, "metrics.json", {
            pretrained_direct: row(r.pretrained_direct),
            direct: row(r.direct),
            transfer: row(r.transfer),
            mean_trace: {
              pretrained_direct: m4(r.pretrained_direct.meanTrace),
              direct: m4(r.direct.meanTrace),
              transfer: m4(r.transfer.meanTrace),
            },
            paper: PAPER_TABLE1,
            wells: r.wells,
            scored: r.scored,
            excluded: r.excluded,
            target: run.target.description,
            pretrain: run.pretrain
              ? {
                  test: m4(run.pretrain.test.section),
                  epochs: run.pretrain.history.epochsRun,
                  loss: run.pretrain.history.finalTrainLoss,
                }
              : { from: cfg.pretrained },
            size,
            seconds: (Date.now() - t0) / 1000,
            config: cfg,
            backend: be.tfName,
          });
          const line = (n: string, m: typeof r.direct, p: { pcc: number; r2: number }) =>
            `${n.padEnd(18)} PCC ${(100 * m.metrics.pcc).toFixed(2).padStart(6)} %  r2 ${(100 * m.metrics.r2).toFixed(2).padStart(7)} %  loss ${m.loss === null ? "-".padStart(9) : m.loss.toPrecision(4).padStart(9)}   (paper: ${(100 * p.pcc).toFixed(2)} %, ${(100 * p.r2).toFixed(2)} %)\n`;
          if (run.pretrain) {
            recordTraining(run.pretrained, run.pretrain.data.seismic);
            await saveTcn(run.pretrained, out.path("pretrained"));
          }
          recordTraining(r.direct.bundle!, run.target.seismic);
          recordTraining(r.transfer.bundle!, run.target.seismic);
          await saveTcn(r.direct.bundle!, out.path("direct"));
          await saveTcn(r.transfer.bundle!, out.path("transfer"));
          return (
            line("pretrained direct", r.pretrained_direct, PAPER_TABLE1.pretrained_direct) +
            line("TCN direct", r.direct, PAPER_TABLE1.direct) +
            line("TCN transfer", r.transfer, PAPER_TABLE1.transfer) +
            `wrote ${out.finalPath(f)}\n`
          );
        });
      } finally {
        release();
      }
      return trainingDone(io, msg, checkpoint, stages);
    },
  },
];
