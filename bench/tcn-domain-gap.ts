/**
 * Quick-size check of the issue-15 domain-gap experiment in one process (the notebook-12 section in
 * brief, seed 0): pre-train with the quick preset, then on the matched and the mismatched Overthrust
 * target the three Table-1 methods (scored without the wells) and physics-guided fine-tuning at the
 * weights of W (default 0.1,1), printing the estimated wavelet's fit to the well seismic. WELLS sets
 * the number of evenly spread labelled traces (default 5), SEED the seed of the trainings (default 0).
 *
 *   EP=300 W=0.1,1 WELLS=5 npx tsx bench/tcn-domain-gap.ts
 */
import * as tcn from "../src/tcn";
import { loadDataset, OVERTHRUST_MISMATCHED, wellTraces } from "../src/seismic";
async function main() {
  await tcn.initBackend({ quiet: true });
  const t0 = Date.now();
  const pre = await tcn.runPretrain(tcn.pretrainPreset("quick"));
  console.log("pretrain s", (Date.now() - t0) / 1000, "test pcc", pre.test.section.pcc);
  await tcn.saveTcn(pre.bundle, "out/models/tcn_domain_gap_quick");
  const epochs = Number(process.env.EP ?? 300);
  for (const [name, spec] of [
    ["matched", { name: "overthrust", freqHz: 30, dt: 0.002 }],
    ["mismatched", OVERTHRUST_MISMATCHED],
  ] as const) {
    const target = loadDataset({ ...spec });
    const wells = wellTraces(target.seismic.length, Number(process.env.WELLS ?? 5));
    const seed = Number(process.env.SEED ?? 0);
    const set = { epochs, batchSize: 5, lr: 1e-3, weightDecay: 1e-4, patience: null, seed };
    let t = Date.now();
    const r = await tcn.transferExperiment({
      pretrained: pre.bundle,
      target,
      wells,
      finetune: { ...set },
      direct: { ...set, config: { ...pre.bundle.config, seed } },
    });
    console.log(
      name,
      "3 methods s",
      (Date.now() - t) / 1000,
      "scored",
      r.scored,
      "pd",
      r.pretrained_direct.metrics.pcc.toFixed(4),
      r.pretrained_direct.metrics.r2.toFixed(4),
      "direct",
      r.direct.metrics.pcc.toFixed(4),
      r.direct.metrics.r2.toFixed(4),
      "transfer",
      r.transfer.metrics.pcc.toFixed(4),
      r.transfer.metrics.r2.toFixed(4),
    );
    for (const w of (process.env.W ?? "0.1,1").split(",").map(Number)) {
      t = Date.now();
      const p = await tcn.finetuneTcn(pre.bundle, target, wells, undefined, { ...set, physics: { weight: w } });
      const e = tcn.evaluateTcn(p.bundle, target, undefined, wells);
      console.log(
        name,
        "physics w",
        w,
        "s",
        (Date.now() - t) / 1000,
        "pcc",
        e.section.pcc.toFixed(4),
        "r2",
        e.section.r2.toFixed(4),
        JSON.stringify(p.bundle.meta.physics),
      );
      p.bundle.model.dispose();
    }
    tcn.disposeTransfer(r);
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
