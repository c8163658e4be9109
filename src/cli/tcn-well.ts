import * as path from "path";
import { assertFinite, atomicWriteFile, OutputDir, resultJson } from "../core";
import { RunSize } from "../config";
import { toNpy } from "../data";
import { epochProgress } from "../display";
import {
  EpochLog,
  initBackend,
  MODEL_NAMES,
  runWellTransfer,
  saveTcn,
  TrainCheckpoint,
  wellMetricsJson,
  wellTransferConfig,
  WellTransferConfig,
  WellTransferResult,
  wellTransferStages,
} from "../tcn";
import { withOutputDir } from "./io";
import { CliIO, ParsedArgs, UsageError } from "./registry";

/**
 * `geoinv tcn transfer` for a real target with one well (issue 8): selected when the config's
 * `target` has `"kind": "well"`. The config names the files (well time/seismic/impedance, the
 * sections to invert), the sample interval, the impedance unit, the held-back window and the
 * amplitude matching, so a new well needs no code change (examples/tcn_transfer_volve.json).
 */

/** True when a parsed config describes a well target. */
export function isWellConfig(raw: unknown): boolean {
  const o = raw as { target?: { kind?: unknown } } | undefined;
  return (
    typeof raw === "object" &&
    raw !== null &&
    typeof o?.target === "object" &&
    o.target !== null &&
    o.target.kind === "well"
  );
}

/** Flags of `tcn transfer` that describe a synthetic target and have no meaning for a well target. */
const SYNTHETIC_ONLY = ["data", "seismic", "impedance", "noise", "freq", "trace-step", "wells", "n-wells"];

function flagNumber(a: ParsedArgs, k: string, lo: number, hi: number, int: boolean): number | undefined {
  const v = a.flags[k];
  if (v === undefined) return undefined;
  const x = typeof v === "string" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (typeof v !== "string" || !Number.isFinite(x) || x < lo || x > hi || (int && !Number.isInteger(x))) {
    throw new UsageError(`--${k} ${String(v)}: need ${int ? "an integer" : "a number"} in [${lo}, ${hi}]`);
  }
  return x;
}

/** One line per model of the blind-test table: mean +- sample std over seeds. */
export function blindTable(r: WellTransferResult): string {
  const s = r.blind.summary;
  const f = (m: { mean: number; std: number }, d = 3) =>
    (Number.isFinite(m.mean) ? `${m.mean.toFixed(d)} +- ${m.std.toFixed(d)}` : "-").padStart(16);
  const label: Record<string, string> = {
    pretrained_direct: "pretrained direct",
    direct: "TCN on the well",
    transfer: "TCN transfer",
    labelled_mean: "mean of labels",
  };
  let out = `blind test, held back ${r.blind.fromMs}-${r.blind.toMs} ms (${r.blind.heldOut.length} samples at ${r.target.dtMs} ms), ${r.blind.runs.length} seeds:\n`;
  out += `${"".padEnd(18)}${"PCC".padStart(16)}${"r2".padStart(16)}${"MAE".padStart(20)}\n`;
  for (const m of [...MODEL_NAMES, "labelled_mean" as const])
    out += `${label[m].padEnd(18)}${f(s[m].pcc)}${f(s[m].r2)}${f(s[m].mae, 0).padStart(20)}\n`;
  return out;
}

/** The config overrides of the flags (see wellTransferVerb); returns --threads (default 1). */
function applyWellFlags(cfg: WellTransferConfig, a: ParsedArgs): number {
  const seed = flagNumber(a, "seed", -(2 ** 31), 2 ** 31, true);
  if (seed !== undefined) cfg.seed = seed;
  const ep = flagNumber(a, "epochs", 1, 1e6, true);
  if (ep !== undefined) cfg.finetune.epochs = ep;
  const lr = flagNumber(a, "lr", 1e-8, 1, false);
  if (lr !== undefined) cfg.finetune.lr = lr;
  const b = flagNumber(a, "batch", 1, 1e5, true);
  if (b !== undefined) cfg.finetune.batchSize = b;
  const fz = flagNumber(a, "freeze", 0, 64, true);
  if (fz !== undefined) cfg.finetune.freezeBlocks = fz;
  const norm = a.flags.normalization;
  if (norm !== undefined) {
    if (norm !== "target" && norm !== "source")
      throw new UsageError(`--normalization ${String(norm)}: use target or source`);
    cfg.finetune.normalization = norm;
  }
  if (typeof a.flags.pretrained === "string") cfg.pretrained = a.flags.pretrained;
  const threads = flagNumber(a, "threads", 1, 64, true) ?? 1;
  const ck = ["checkpoint", "checkpoint-every", "resume"].find((k) => a.flags[k] !== undefined && a.flags[k] !== false);
  if (threads > 1 && ck)
    throw new UsageError(
      `--threads ${threads} with --${ck}: checkpointed trainings run one at a time on the main thread; drop one of them`,
    );
  return threads;
}

/**
 * Run the well-target workflow: flags --pretrained, --seed, --epochs/--lr/--batch (fine-tuning),
 * --freeze and --normalization override the config; --threads 2 trains each fold's two models side by
 * side (not with --checkpoint); synthetic-target flags are rejected.
 * `prepareOut` checks and prepares --out once the config and flags are valid (before any work);
 * everything is written into its staging area and moved into place only when the run succeeds.
 * `ck.flags` reads --checkpoint/--checkpoint-every/--resume for the run's trainings
 * (wellTransferStages: a file FILE.<stage> per training), `ck.onSignal` exits on a signal between
 * trainings (it returns its remover), and `ck.remove` removes the files once the results are written.
 */
export async function wellTransferVerb(
  raw: unknown,
  a: ParsedArgs,
  size: RunSize,
  prepareOut: () => OutputDir,
  ck: {
    flags: (a: ParsedArgs, out: OutputDir, stages: string[]) => TrainCheckpoint | undefined;
    onSignal: (c: TrainCheckpoint | undefined) => () => void;
    remove: (c: TrainCheckpoint | undefined, stages: string[]) => void;
  },
  io: CliIO,
): Promise<number> {
  for (const k of SYNTHETIC_ONLY) {
    if (a.flags[k] !== undefined)
      throw new UsageError(
        `--${k} does not apply to a well target (target.kind "well"); name the files in the config's target instead`,
      );
  }
  const cfg = wellTransferConfig(raw, size);
  const threads = applyWellFlags(cfg, a);
  const outDir = prepareOut();
  const stages = wellTransferStages(cfg);
  const checkpoint = ck.flags(a, outDir, stages);
  const release = ck.onSignal(checkpoint);
  let msg: string;
  try {
    msg = await withOutputDir(outDir, async () => {
      const out = outDir.staging;
      const be = await initBackend();
      const bars: Record<string, (l: EpochLog) => void> = {};
      const r = await runWellTransfer(cfg, {
        onStage: (s, d) => io.stderr(`tcn transfer (well): ${s}: ${d}\n`),
        onEpoch: (s, l) => (bars[s] ??= epochProgress(s, { stream: process.stderr }))(l),
        checkpoint,
        threads,
      });
      const files: string[] = [];
      r.final.sections.forEach((s, k) => {
        for (const m of MODEL_NAMES) {
          const rows = s.prediction[m];
          rows.forEach((row, i) =>
            assertFinite(
              row,
              `tcn transfer (well) prediction ${s.name} ${m}`,
              `trace ${i}: the model is not finite (training diverged? lower --lr)`,
            ),
          );
          const ns = rows[0].length;
          const flat = new Float32Array(rows.length * ns);
          rows.forEach((row, i) => flat.set(row, i * ns));
          const f = `apply${k}_${m}.npy`;
          atomicWriteFile(outDir.path(f), toNpy(flat, [rows.length, ns]));
          files.push(f);
        }
      });
      const f = "metrics.json";
      // the correlation of the labels' mean (a constant baseline) is undefined: written as null; any
      // other NaN stops the verb
      const baseline = (where: string) => /labelled_mean/.test(where);
      atomicWriteFile(
        path.join(out, f),
        resultJson(
          {
            ...wellMetricsJson(r),
            predictions: r.final.sections.map((s, k) => ({
              name: s.name,
              traces: s.prediction.transfer.length,
              samples: s.timeMs.length,
              t0_ms: s.timeMs[0],
              files: MODEL_NAMES.map((m) => `apply${k}_${m}.npy`),
            })),
            size,
            config: cfg,
            backend: be.tfName,
          },
          "tcn transfer (well) metrics",
          "the models or the matched amplitudes are not finite (training diverged? lower --lr)",
          2,
          baseline,
        ),
      );
      if (r.pretrain) await saveTcn(r.pretrained, outDir.path("pretrained"));
      await saveTcn(r.final.bundles.direct, outDir.path("direct"));
      await saveTcn(r.final.bundles.transfer, outDir.path("transfer"));
      return (
        blindTable(r) +
        `wrote ${outDir.finalPath(f)}, the models (direct/, transfer/${r.pretrain ? ", pretrained/" : ""}) and ${files.length} prediction files in ${outDir.dir}\n`
      );
    });
  } finally {
    release();
  }
  // the models, predictions and metrics are written: the checkpoints have served
  ck.remove(checkpoint, stages);
  io.stdout(msg);
  return 0;
}
