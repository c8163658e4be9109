import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { test } from "node:test";
import { main } from "../src/cli/main";
import { parseNpy } from "../src/data";
import { tinyWellTransfer } from "./support/fixtures";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

// The example config with a tiny network and few epochs: the plumbing, not the scores.
const tiny = tinyWellTransfer({ pretrain: 2, finetune: 2, direct: 2 });

test("geoinv tcn transfer with a well target: blind-test scores per seed in metrics.json, models and section predictions written", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-volve-cli-"));
  try {
    const cfg = path.join(tmp, "cfg.json");
    fs.writeFileSync(cfg, JSON.stringify(tiny));
    const out = path.join(tmp, "out");
    const r = await cli(["tcn", "transfer", "--config", cfg, "--quick", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /blind test, held back 2596-2720 ms \(32 samples at 4 ms\), 2 seeds/);
    assert.match(r.out, /TCN transfer\s+-?\d/);
    const m = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    const b = m.blind_test;
    assert.deepEqual(b.held_out_ms, [2596, 2720]);
    assert.deepEqual(b.seeds, [0, 1]);
    assert.equal(b.per_seed.length, 2);
    for (const k of ["pretrained_direct", "direct", "transfer"]) {
      for (const f of ["pcc", "r2"]) {
        assert.equal(typeof b.summary[k][f].mean, "number", `${k}.${f}`);
        assert.equal(typeof b.summary[k][f].std, "number", `${k}.${f}`);
        // the summary is the mean of the per-seed values
        const vals = b.per_seed.map((s: Record<string, Record<string, number>>) => s[k][f]);
        assert.ok(Math.abs(b.summary[k][f].mean - (vals[0] + vals[1]) / 2) < 1e-9);
      }
    }
    // the pre-trained model applied directly does not depend on the seed
    assert.equal(b.summary.pretrained_direct.pcc.std, 0);
    assert.equal(m.leave_window_out.length, 2);
    assert.equal(m.amplitude.polarity, m.amplitude.well.tie_correlation < 0 ? -1 : 1);
    assert.ok(m.freq_hz_used > 8 && m.freq_hz_used < 35);
    for (const d of ["pretrained", "direct", "transfer"]) assert.ok(fs.existsSync(path.join(out, d, "weights.bin")), d);
    const line = parseNpy(fs.readFileSync(path.join(out, "apply0_transfer.npy")));
    assert.deepEqual(line.shape, [145, 39]);
    const crop = parseNpy(fs.readFileSync(path.join(out, "apply1_direct.npy")));
    assert.deepEqual(crop.shape, [21 * 73, 38]);
    assert.ok(Array.from(line.data).every((v) => Number.isFinite(v)));

    // a flag that only means something for a synthetic target is refused, exit 2
    const bad = await cli(["tcn", "transfer", "--config", cfg, "--wells", "3", "--out", path.join(tmp, "bad")]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--wells does not apply to a well target/);
    // a typo in the target is refused with the field named
    const cfg2 = path.join(tmp, "cfg2.json");
    fs.writeFileSync(
      cfg2,
      JSON.stringify({ ...tiny, target: { ...tiny.target, well: { ...tiny.target.well, impedanceUnit: "kg" } } }),
    );
    const bad2 = await cli(["tcn", "transfer", "--config", cfg2, "--out", path.join(tmp, "bad2")]);
    assert.equal(bad2.code, 2);
    assert.match(bad2.err, /target\.well\.impedanceUnit/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
