import { bySize, RunSize } from "../config";
import { numberInRange, show } from "../core";
import {
  DatasetSpec,
  loadDataset,
  SeismicDataset,
  SplitOptions,
  splitTraces,
  TraceSplit,
  ValidationError,
  wellTraces,
} from "../seismic";
import { initBackend } from "./backend";
import { loadTcn, TcnBundle } from "./io";
import { TcnConfig } from "./model";
import { EpochLog, stageCheckpoint, TrainCheckpoint, TrainHistory } from "./train";
import {
  evaluateTcn,
  Evaluation,
  FinetuneOptions,
  fitTcn,
  FitOptions,
  transferExperiment,
  TransferResult,
} from "./workflow";

/**
 * Experiment configurations as plain JSON, with quick and full presets. The CLI (`geoinv tcn ...
 * --config FILE`) and the notebooks use the same objects: a config file only lists what differs
 * from the preset of the chosen size.
 */

/** Training settings as they appear in a config file. */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Early-stopping patience in epochs (null: none). */
  patience: number | null;
}

export interface PretrainConfig {
  seed: number;
  data: DatasetSpec;
  split: SplitOptions;
  model: Partial<TcnConfig>;
  train: TrainSettings;
}

export interface WellsSpec {
  count: number;
  rule: "centres" | "linspace";
}

export interface TransferConfig {
  seed: number;
  /** Pre-training (ignored when `pretrained` names a saved model directory). */
  source: PretrainConfig;
  /** A directory with a saved pre-trained model to use instead of training one. */
  pretrained: string | undefined;
  target: { data: DatasetSpec; wells: number[] | WellsSpec };
  /**
   * physicsWeight: weight of the physics-guided term on the unlabelled target traces (0 = plain
   * fine-tuning; FinetuneOptions.physics, src/tcn/physics.ts), wavelet estimated from the wells.
   */
  finetune: TrainSettings & { freezeBlocks: number; normalization: "target" | "source"; physicsWeight: number };
  direct: TrainSettings;
}

/**
 * Pre-training on Marmousi-2 (1701 traces x 351 samples here; split 1:1:4 = 284/284/1133).
 * full: the paper's setting (Mustafa et al. architecture, Adam 1e-3, weight decay 1e-4, batch 10)
 * with early stopping; quick: 120 training and 60 validation traces, 40 epochs.
 */
export function pretrainPreset(size?: RunSize): PretrainConfig {
  return {
    seed: 0,
    data: { name: "marmousi2", freqHz: 30, dt: 0.002, noise: 0 },
    split: bySize<SplitOptions>(
      { quick: { counts: [120, 60, 1133], seed: 0 }, full: { ratio: [1, 1, 4], seed: 0 } },
      size,
    ),
    model: { padding: "same" },
    train: bySize<TrainSettings>(
      {
        quick: { epochs: 40, batchSize: 10, lr: 1e-3, weightDecay: 1e-4, patience: null },
        full: { epochs: 1000, batchSize: 10, lr: 1e-3, weightDecay: 1e-4, patience: 100 },
      },
      size,
    ),
  };
}

/** The Table-1 experiment: Marmousi-2 -> Overthrust with five evenly spread wells. */
export function transferPreset(size?: RunSize): TransferConfig {
  return {
    seed: 0,
    source: pretrainPreset(size),
    pretrained: undefined,
    target: { data: { name: "overthrust", freqHz: 30, dt: 0.002 }, wells: { count: 5, rule: "centres" } },
    finetune: {
      ...bySize<TrainSettings>(
        {
          quick: { epochs: 300, batchSize: 5, lr: 1e-3, weightDecay: 1e-4, patience: null },
          full: { epochs: 1000, batchSize: 5, lr: 1e-3, weightDecay: 1e-4, patience: null },
        },
        size,
      ),
      freezeBlocks: 0,
      normalization: "target",
      physicsWeight: 0,
    },
    direct: bySize<TrainSettings>(
      {
        quick: { epochs: 300, batchSize: 5, lr: 1e-3, weightDecay: 1e-4, patience: null },
        full: { epochs: 1000, batchSize: 5, lr: 1e-3, weightDecay: 1e-4, patience: null },
      },
      size,
    ),
  };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Objects of a config that are checked by their own loaders (data specs, architecture, split). */
const OPEN = new Set(["data", "model", "split"]);

/**
 * Deep-merge `override` into `base`. A key that `base` does not have is an error naming it and the
 * allowed keys (catches typos in config files). `data`, `model` and `split` are merged shallowly
 * and checked by their loaders; a `data` with another `name` replaces the preset's.
 */
export function mergeConfig<T>(base: T, override: unknown, where = "config"): T {
  if (override === undefined) return base;
  // show() is bounded and safe: JSON.stringify of a 20000-deep array overflowed the stack here
  if (!isObj(override)) throw new ValidationError(where, `expected a JSON object, got ${show(override)}`);
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(override)) {
    if (!(k in out)) throw new ValidationError(`${where}.${k}: unknown field; allowed: ${Object.keys(out).join(", ")}`);
    const b = out[k];
    if (OPEN.has(k) && isObj(b) && isObj(v))
      out[k] = k === "data" && v.name !== undefined && v.name !== b.name ? v : { ...b, ...v };
    else if (isObj(b) && isObj(v)) out[k] = mergeConfig(b, v, `${where}.${k}`);
    else out[k] = v;
  }
  return out as T;
}

/** The fitTcn options of a config's training settings (also used by the well target's pre-training). */
export function trainOpts(t: TrainSettings, seed: number, onEpoch?: (l: EpochLog) => void): FitOptions {
  return {
    epochs: t.epochs,
    batchSize: t.batchSize,
    lr: t.lr,
    weightDecay: t.weightDecay,
    patience: t.patience,
    seed,
    onEpoch,
  };
}

export interface PretrainResult {
  bundle: TcnBundle;
  history: TrainHistory;
  data: SeismicDataset;
  split: TraceSplit;
  /** Scores on the test traces. */
  test: Evaluation;
}

/** Pre-train a TCN as configured and score it on the test traces. */
export async function runPretrain(
  cfg: PretrainConfig,
  hooks: { onEpoch?: (l: EpochLog) => void; checkpoint?: TrainCheckpoint } = {},
): Promise<PretrainResult> {
  await initBackend();
  const data = loadDataset(cfg.data);
  const split = splitTraces(data.seismic.length, { seed: cfg.seed, ...cfg.split });
  const { bundle, history } = await fitTcn(data, split.train, split.val, {
    ...trainOpts(cfg.train, cfg.seed, hooks.onEpoch),
    checkpoint: hooks.checkpoint,
    config: { ...cfg.model, seed: cfg.model.seed ?? cfg.seed },
    meta: {
      split: {
        train: split.train.length,
        val: split.val.length,
        test: split.test.length,
        seed: cfg.split.seed ?? cfg.seed,
      },
    },
  });
  const test = evaluateTcn(bundle, data, split.test.length ? split.test : split.val);
  return { bundle, history, data, split, test };
}

/** The wells of a transfer config for a target of n traces. */
export function resolveWells(w: number[] | WellsSpec, n: number): number[] {
  if (Array.isArray(w)) return w;
  return wellTraces(n, w.count, w.rule);
}

export interface TransferRun {
  result: TransferResult;
  target: SeismicDataset;
  pretrained: TcnBundle;
  /** Present when the pre-trained model was trained in this run. */
  pretrain?: PretrainResult;
}

/**
 * The trainings of a transfer run, in order, as named in its checkpoint files (FILE.<stage>, see
 * stageCheckpoint): the pre-training only when no saved model is used.
 */
export function transferStages(cfg: TransferConfig, hasPretrained = false): string[] {
  return [...(hasPretrained || cfg.pretrained ? [] : ["pretrain"]), "direct", "transfer"];
}

/**
 * Run the whole Table-1 experiment from a config: pre-train (or load `pretrained`, or use the bundle
 * passed in), then the pre-trained model applied directly, the TCN trained from scratch on the wells,
 * and the transfer model, all scored over the whole target section. With `checkpoint`, each training
 * saves its state into FILE.<stage> (transferStages) and, resuming, continues from it: the same
 * models and scores as an uninterrupted run.
 */
export async function runTransfer(
  cfg: TransferConfig,
  hooks: {
    pretrained?: TcnBundle;
    onEpoch?: (stage: string, l: EpochLog) => void;
    onStage?: (s: string) => void;
    checkpoint?: TrainCheckpoint;
  } = {},
): Promise<TransferRun> {
  await initBackend();
  let pretrained = hooks.pretrained;
  let pretrain: PretrainResult | undefined;
  if (!pretrained && cfg.pretrained) pretrained = await loadTcn(cfg.pretrained);
  if (!pretrained) {
    hooks.onStage?.("pretrain");
    pretrain = await runPretrain(cfg.source, {
      onEpoch: (l) => hooks.onEpoch?.("pretrain", l),
      checkpoint: stageCheckpoint(hooks.checkpoint, "pretrain"),
    });
    pretrained = pretrain.bundle;
  }
  const target = loadDataset(cfg.target.data);
  const wells = resolveWells(cfg.target.wells, target.seismic.length);
  let stage = "";
  const ft: FinetuneOptions = {
    ...trainOpts(cfg.finetune, cfg.seed, (l) => hooks.onEpoch?.(stage, l)),
    checkpoint: stageCheckpoint(hooks.checkpoint, "transfer"),
    freezeBlocks: cfg.finetune.freezeBlocks,
    normalization: cfg.finetune.normalization,
    ...(cfg.finetune.physicsWeight !== 0
      ? { physics: { weight: numberInRange(cfg.finetune.physicsWeight, "finetune.physicsWeight", 0, 1e6) } }
      : {}),
  };
  const result = await transferExperiment({
    pretrained,
    target,
    wells,
    finetune: ft,
    direct: {
      ...trainOpts(cfg.direct, cfg.seed, (l) => hooks.onEpoch?.(stage, l)),
      checkpoint: stageCheckpoint(hooks.checkpoint, "direct"),
      config: { ...pretrained.config, seed: cfg.seed },
    },
    onStage: (s) => {
      stage = s;
      hooks.onStage?.(s);
    },
  });
  return { result, target, pretrained, pretrain };
}
