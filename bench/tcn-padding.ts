/**
 * Choose the TCN padding on validation traces (issue 15, item 4: "no tuning on the test").
 *
 * For each padding ("same" = symmetric, "causal" = left only) and each seed, pre-train on Marmousi-2
 * with the quick preset (`tcn.pretrainPreset("quick")`: 120 training and 60 validation traces, 40
 * epochs, no early stopping) with only the padding and the seed changed (the seed sets the split, the
 * initial weights, the dropout masks and the batch order), and score the model on that split's
 * VALIDATION traces only (all samples pooled, `evaluateTcn(bundle, data, split.val)`). The test
 * traces are not scored. The padding with the higher mean validation PCC is the choice; the
 * per-seed comparison says whether it wins on every seed.
 *
 *   npx tsx bench/tcn-padding.ts [--seeds 0,1,2] [--out bench/results/tcn-padding.json]
 *
 * Writes the result with the command, seeds, commit, machine and the load before and after.
 */
import * as fs from "fs";
import * as path from "path";
import * as tcn from "../src/tcn";
import { arg, gitCommit, loadAverages, machine } from "./support";

interface Row {
  padding: "same" | "causal";
  seed: number;
  val_pcc: number;
  val_r2: number;
  val_mae: number;
  best_val_loss: number;
  final_train_loss: number;
  seconds: number;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
};

async function main(): Promise<void> {
  const seeds = arg("--seeds", "0,1,2").split(",").map(Number);
  const out = arg("--out", path.join("bench", "results", "tcn-padding.json"));
  const backend = await tcn.initBackend({ quiet: true });
  const loadStart = loadAverages();
  const started = new Date().toISOString();
  const base = tcn.pretrainPreset("quick");
  const rows: Row[] = [];
  for (const seed of seeds) {
    for (const padding of ["same", "causal"] as const) {
      const t0 = Date.now();
      const r = await tcn.runPretrain({
        ...base,
        seed,
        split: { ...base.split, seed },
        model: { ...base.model, padding },
      });
      const val = tcn.evaluateTcn(r.bundle, r.data, r.split.val).section;
      const row: Row = {
        padding,
        seed,
        val_pcc: val.pcc,
        val_r2: val.r2,
        val_mae: val.mae,
        best_val_loss: r.history.bestValLoss,
        final_train_loss: r.history.finalTrainLoss,
        seconds: (Date.now() - t0) / 1000,
      };
      rows.push(row);
      console.error(
        `seed ${seed} ${padding}: validation PCC ${val.pcc.toFixed(4)}, r2 ${val.r2.toFixed(4)} (${row.seconds.toFixed(0)} s)`,
      );
      r.bundle.model.dispose();
    }
  }
  const summary = (["same", "causal"] as const).map((padding) => {
    const rs = rows.filter((x) => x.padding === padding);
    return {
      padding,
      val_pcc_mean: mean(rs.map((x) => x.val_pcc)),
      val_pcc_sd: sd(rs.map((x) => x.val_pcc)),
      val_r2_mean: mean(rs.map((x) => x.val_r2)),
      val_r2_sd: sd(rs.map((x) => x.val_r2)),
    };
  });
  const choice = summary[0].val_pcc_mean >= summary[1].val_pcc_mean ? "same" : "causal";
  const wins = seeds.filter((s) => {
    const a = rows.find((x) => x.seed === s && x.padding === choice)!;
    const b = rows.find((x) => x.seed === s && x.padding !== choice)!;
    return a.val_pcc > b.val_pcc;
  }).length;
  const result = {
    command: `npx tsx bench/tcn-padding.ts --seeds ${seeds.join(",")}`,
    started,
    commit: gitCommit(),
    machine: machine({ memory: true }),
    backend: backend.tfName,
    load_start: loadStart,
    load_end: loadAverages(),
    settings: {
      preset: "tcn.pretrainPreset('quick'), padding and seed changed",
      split: base.split,
      train: base.train,
      scored_on: "validation traces of each seed's split (the test traces are not scored)",
    },
    seeds,
    rows,
    summary,
    choice,
    choice_wins_on_seeds: `${wins} of ${seeds.length}`,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
  console.log(JSON.stringify({ summary, choice, choice_wins_on_seeds: result.choice_wins_on_seeds }, null, 1));
  console.error(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
