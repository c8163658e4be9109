import { show } from "../../core";
import { bySize, RunSize } from "../../config";
import { DatasetSpec, SplitOptions, ValidationError } from "../../seismic";
import { mergeConfig, TrainSettings } from "../experiment";
import { TcnConfig } from "../model";
import { isObj, VOLVE_TARGET, wellTargetSpec, WellTargetSpec } from "./spec";

/** The well-transfer config: its preset and the reader of a config file. */

export interface SourceConfig {
  /** A dataset spec (marmousi2 by default) whose freqHz may be "auto" (the target's dominant frequency). */
  data: Omit<DatasetSpec, "freqHz"> & { freqHz: number | "auto" };
  split: SplitOptions;
  /** Windows cut from each trace (random depths, seeded); length should match the target windows. */
  window: { length: number; perTrace: number };
  model: Partial<TcnConfig>;
  train: TrainSettings;
}

export interface WellTransferConfig {
  /** Base seed: blind-test seeds are seed, seed+1, ... */
  seed: number;
  /** Number of seeds of the blind test. */
  seeds: number;
  source: SourceConfig;
  /** A saved pre-trained model directory instead of pre-training (null: pre-train). */
  pretrained: string | null;
  target: WellTargetSpec;
  /** Training windows cut from the labelled log (length in samples, stride). */
  window: { length: number; stride: number };
  finetune: TrainSettings & { freezeBlocks: number; normalization: "target" | "source" };
  direct: TrainSettings;
  /** Leave-window-out: number of contiguous blocks of the log, and seeds per block. */
  leaveOut: { folds: number; seeds: number };
}

/**
 * Defaults for a real well target. Pre-training: Marmousi-2 with one depth sample taken as one 4 ms
 * time sample and a Ricker at the target's measured dominant frequency, cut into windows of 32
 * samples (128 ms) at random depths so that the model sees traces as short as the target's and
 * cannot use the top of the model as a depth reference. Fine-tuning keeps the pre-trained model's
 * normalisation ('source') so the real data enter the network on the scale it was trained on.
 */
export function wellTransferPreset(target: WellTargetSpec = VOLVE_TARGET, size?: RunSize): WellTransferConfig {
  const tr = (quick: number, full: number, lr = 1e-3, batchSize = 8): TrainSettings =>
    bySize<TrainSettings>(
      {
        quick: { epochs: quick, batchSize, lr, weightDecay: 1e-4, patience: null },
        full: { epochs: full, batchSize, lr, weightDecay: 1e-4, patience: null },
      },
      size,
    );
  return {
    seed: 0,
    seeds: bySize({ quick: 3, full: 10 }, size),
    source: {
      data: { name: "marmousi2", freqHz: "auto", dt: 0.004 },
      split: bySize<SplitOptions>(
        { quick: { counts: [150, 50, 200], seed: 0 }, full: { ratio: [1, 1, 4], seed: 0 } },
        size,
      ),
      window: { length: 32, perTrace: bySize({ quick: 4, full: 8 }, size) },
      model: { padding: "same" },
      train: bySize<TrainSettings>(
        {
          quick: { epochs: 30, batchSize: 10, lr: 1e-3, weightDecay: 1e-4, patience: null },
          full: { epochs: 300, batchSize: 10, lr: 1e-3, weightDecay: 1e-4, patience: 30 },
        },
        size,
      ),
    },
    pretrained: null,
    target,
    window: { length: 32, stride: bySize({ quick: 2, full: 1 }, size) },
    finetune: { ...tr(100, 300), freezeBlocks: 0, normalization: "source" },
    direct: tr(100, 300),
    leaveOut: { folds: 4, seeds: bySize({ quick: 1, full: 3 }, size) },
  };
}

/**
 * A well-transfer config from a parsed JSON file: `target` is required and replaces the preset's
 * wholesale (checked by wellTargetSpec); every other field lists only what differs from the preset.
 */
export function wellTransferConfig(raw: unknown, size?: RunSize): WellTransferConfig {
  if (!isObj(raw)) throw new ValidationError("config", `expected a JSON object, got ${show(raw)}`);
  const target = wellTargetSpec(raw.target);
  const rest = { ...raw };
  delete rest.target;
  const cfg = mergeConfig(wellTransferPreset(target, size), rest);
  const posInt = (v: unknown, where: string, lo = 1) => {
    if (!Number.isInteger(v) || (v as number) < lo)
      throw new ValidationError(`${where} = ${JSON.stringify(v)}; need an integer >= ${lo}`);
  };
  posInt(cfg.seeds, "seeds");
  posInt(cfg.window.length, "window.length", 4);
  posInt(cfg.window.stride, "window.stride");
  posInt(cfg.source.window.length, "source.window.length", 4);
  posInt(cfg.source.window.perTrace, "source.window.perTrace");
  posInt(cfg.leaveOut.folds, "leaveOut.folds", 0);
  posInt(cfg.leaveOut.seeds, "leaveOut.seeds");
  const f = cfg.source.data.freqHz;
  if (f !== "auto" && !(typeof f === "number" && f > 0))
    throw new ValidationError(`source.data.freqHz = ${JSON.stringify(f)}; need "auto" or a frequency in Hz`);
  if (cfg.pretrained !== null && typeof cfg.pretrained !== "string")
    throw new ValidationError(`pretrained = ${JSON.stringify(cfg.pretrained)}; need null or a model directory`);
  return cfg;
}
