import { integerInRange } from "../../core";
import { FrequencyEstimate } from "../../seismic";
import { initBackend } from "../backend";
import { loadTcn, TcnBundle } from "../io";
import { TcnTrainPool } from "../parallel-train";
import { EpochLog, stageCheckpoint, TrainCheckpoint } from "../train";
import { predictImpedance } from "../workflow";
import { WellTransferConfig } from "./config";
import { FoldOptions, FoldRun, ModelName, runFold } from "./fold";
import { dominantFrequency } from "./match";
import { pretrainWindows, WindowPretrain } from "./pretrain";
import { ScoreSummary, summarise } from "./summary";
import { loadWellTarget, WellTarget } from "./target";

/** The whole well-transfer workflow: frequency, pre-training, blind test, leave-window-out, final models. */

export interface LeaveOutBlock {
  fromMs: number;
  toMs: number;
  samples: [number, number];
  windows: number;
  summary: ScoreSummary;
  runs: FoldRun[];
}

export interface WellTransferResult {
  config: WellTransferConfig;
  target: WellTarget;
  frequency: FrequencyEstimate;
  freqHz: number;
  pretrained: TcnBundle;
  pretrain?: WindowPretrain;
  blind: {
    labelled: number[];
    heldOut: number[];
    fromMs: number;
    toMs: number;
    runs: FoldRun[];
    summary: ScoreSummary;
  };
  leaveOut: LeaveOutBlock[];
  /** Models trained on the whole log (seed = config.seed) and their predictions. */
  final: {
    run: FoldRun;
    bundles: { direct: TcnBundle; transfer: TcnBundle };
    /** Per section, per model: predicted impedance (m/s)(g/cm3), trace-major. */
    sections: {
      name: string;
      timeMs: Float64Array;
      grid: [number, number] | null;
      wellTrace: number | null;
      seismic: Float32Array[];
      prediction: Record<ModelName, Float32Array[]>;
    }[];
  };
  seconds: number;
}

export type WellStage = "pretrain" | "blind" | "leave-out" | "final";

/**
 * The trainings of a well-transfer run, in order, as named in its checkpoint files (FILE.<stage>,
 * see stageCheckpoint): the pre-training (only without a saved model), then per blind-test seed k
 * `blind<k>-direct` and `blind<k>-transfer`, per leave-out block b and seed k `leaveout<b>s<k>-...`,
 * and `final-direct`, `final-transfer`.
 */
export function wellTransferStages(cfg: WellTransferConfig, hasPretrained = false): string[] {
  const pair = (s: string) => [`${s}-direct`, `${s}-transfer`];
  const out = hasPretrained || cfg.pretrained ? [] : ["pretrain"];
  for (let k = 0; k < cfg.seeds; k++) out.push(...pair(`blind${k}`));
  for (let b = 0; b < cfg.leaveOut.folds; b++)
    for (let k = 0; k < cfg.leaveOut.seeds; k++) out.push(...pair(`leaveout${b}s${k}`));
  out.push(...pair("final"));
  return out;
}

/** Hooks of runWellTransfer: a pre-trained model to use, progress callbacks, checkpoints. */
export interface WellTransferHooks {
  pretrained?: TcnBundle;
  onStage?: (s: WellStage, detail: string) => void;
  onEpoch?: (stage: string, l: EpochLog) => void;
  checkpoint?: TrainCheckpoint;
  /**
   * Worker threads for the folds' trainings (default 1): with 2, each fold trains its direct and
   * transfer models side by side (TcnTrainPool; the same models and scores). Ignored with `checkpoint`.
   */
  threads?: number;
}

/** What every fold of a run shares, and how a stage names its checkpoint files. */
interface RunContext {
  cfg: WellTransferConfig;
  hooks: WellTransferHooks;
  common: Omit<FoldOptions, "labelled" | "scored" | "seed">;
}

function fold(ctx: RunContext, stage: string, o: Pick<FoldOptions, "labelled" | "scored" | "seed" | "keep">) {
  const ck = ctx.hooks.checkpoint ? { checkpoint: { base: ctx.hooks.checkpoint, stage } } : {};
  return runFold({ ...ctx.common, ...ck, ...o });
}

/** The pre-trained model: the caller's, a saved one, or pre-trained now on synthetic windows. */
async function pretrainedModel(
  cfg: WellTransferConfig,
  hooks: WellTransferHooks,
  freqHz: number,
): Promise<{ pretrained: TcnBundle; pretrain?: WindowPretrain }> {
  let pretrained = hooks.pretrained;
  if (!pretrained && cfg.pretrained) pretrained = await loadTcn(cfg.pretrained);
  if (pretrained) return { pretrained };
  hooks.onStage?.("pretrain", `${cfg.source.data.name} at ${freqHz} Hz, windows of ${cfg.source.window.length}`);
  const pretrain = await pretrainWindows(
    cfg.source,
    freqHz,
    cfg.seed,
    (l) => hooks.onEpoch?.("pretrain", l),
    stageCheckpoint(hooks.checkpoint, "pretrain"),
  );
  return { pretrained: pretrain.bundle, pretrain };
}

/** The blind test: train on the labelled samples, score the held-back ones, once per seed. */
async function blindTest(ctx: RunContext, target: WellTarget): Promise<FoldRun[]> {
  const { cfg, hooks } = ctx;
  const runs: FoldRun[] = [];
  for (let k = 0; k < cfg.seeds; k++) {
    hooks.onStage?.("blind", `seed ${cfg.seed + k} (${k + 1}/${cfg.seeds})`);
    runs.push(await fold(ctx, `blind${k}`, { labelled: target.labelled, scored: target.heldOut, seed: cfg.seed + k }));
  }
  return runs;
}

/** Leave-window-out: each of K contiguous blocks of the log scored by models trained on the rest. */
async function leaveWindowOut(ctx: RunContext, target: WellTarget): Promise<LeaveOutBlock[]> {
  const { cfg, hooks } = ctx;
  const n = target.timeMs.length;
  const blocks: LeaveOutBlock[] = [];
  const K = cfg.leaveOut.folds;
  for (let b = 0; b < K; b++) {
    const lo = Math.round((b * n) / K);
    const hi = Math.round(((b + 1) * n) / K);
    const scored = Array.from({ length: hi - lo }, (_, i) => lo + i);
    const labelled = Array.from({ length: n }, (_, i) => i).filter((i) => i < lo || i >= hi);
    const rr: FoldRun[] = [];
    for (let k = 0; k < cfg.leaveOut.seeds; k++) {
      hooks.onStage?.(
        "leave-out",
        `block ${b + 1}/${K} (${target.timeMs[lo]}-${target.timeMs[hi - 1]} ms), seed ${cfg.seed + k}`,
      );
      rr.push(await fold(ctx, `leaveout${b}s${k}`, { labelled, scored, seed: cfg.seed + k }));
    }
    blocks.push({
      fromMs: target.timeMs[lo],
      toMs: target.timeMs[hi - 1],
      samples: [lo, hi],
      windows: rr[0].windows,
      summary: summarise(rr),
      runs: rr,
    });
  }
  return blocks;
}

/** The final models, trained on the whole log, and their predictions of the target's sections. */
async function finalModels(ctx: RunContext, target: WellTarget): Promise<WellTransferResult["final"]> {
  ctx.hooks.onStage?.("final", "whole log, then the sections");
  const allIdx = Array.from({ length: target.timeMs.length }, (_, i) => i);
  const run = await fold(ctx, "final", { labelled: allIdx, scored: allIdx, seed: ctx.cfg.seed, keep: true });
  const bundles = run.bundles!;
  delete run.bundles;
  const pretrained = ctx.common.pretrained;
  const sections = target.apply.map((a, i) => {
    const x = run.matched.apply[i];
    return {
      name: a.name,
      timeMs: a.timeMs,
      grid: a.grid,
      wellTrace: a.wellTrace,
      seismic: x,
      prediction: {
        pretrained_direct: predictImpedance(pretrained, x),
        direct: predictImpedance(bundles.direct, x),
        transfer: predictImpedance(bundles.transfer, x),
      },
    };
  });
  return { run, bundles, sections };
}

/**
 * The whole issue-8 workflow from a config: measure the dominant frequency, pre-train on synthetic
 * windows (or load `pretrained`, or use hooks.pretrained), run the blind test over seeds, the
 * leave-window-out blocks, then train on the whole log and invert the target's sections. With
 * `checkpoint`, every training saves its state into FILE.<stage> (wellTransferStages) and, resuming,
 * continues from it: the same models and scores as an uninterrupted run.
 */
export async function runWellTransfer(
  cfg: WellTransferConfig,
  hooks: WellTransferHooks = {},
): Promise<WellTransferResult> {
  await initBackend();
  const t0 = Date.now();
  const target = loadWellTarget(cfg.target);
  const frequency = dominantFrequency(target);
  const freqHz = cfg.source.data.freqHz === "auto" ? frequency.freqHz : cfg.source.data.freqHz;
  const { pretrained, pretrain } = await pretrainedModel(cfg, hooks, freqHz);
  const ctx: RunContext = {
    cfg,
    hooks,
    common: {
      pretrained,
      target,
      freqHz,
      window: cfg.window,
      finetune: cfg.finetune,
      direct: cfg.direct,
      onEpoch: hooks.onEpoch,
    },
  };
  const threads = integerInRange(hooks.threads ?? 1, "threads", 1, 64);
  const pool = threads > 1 && !hooks.checkpoint ? await TcnTrainPool.create({ threads }) : undefined;
  ctx.common.pool = pool;
  let blindRuns: FoldRun[], leaveOut: LeaveOutBlock[], final: WellTransferResult["final"];
  try {
    blindRuns = await blindTest(ctx, target);
    leaveOut = await leaveWindowOut(ctx, target);
    final = await finalModels(ctx, target);
  } finally {
    await pool?.close();
  }
  return {
    config: cfg,
    target,
    frequency,
    freqHz,
    pretrained,
    pretrain,
    blind: {
      labelled: target.labelled,
      heldOut: target.heldOut,
      fromMs: target.timeMs[target.heldOut[0]],
      toMs: target.timeMs[target.heldOut[target.heldOut.length - 1]],
      runs: blindRuns,
      summary: summarise(blindRuns),
    },
    leaveOut,
    final,
    seconds: (Date.now() - t0) / 1000,
  };
}

/** Dispose the models a result holds (not a pre-trained model passed in by the caller). */
export function disposeWellTransfer(r: WellTransferResult, alsoPretrained = false): void {
  r.final.bundles.direct.model.dispose();
  r.final.bundles.transfer.model.dispose();
  if (alsoPretrained) r.pretrained.model.dispose();
}
