import { Score } from "./fold";
import { WellTransferResult } from "./run";

/** The JSON-able summary written to metrics.json by `geoinv tcn transfer` for a well target. */
export function wellMetricsJson(r: WellTransferResult): Record<string, unknown> {
  const sc = (s: Score) => ({ pcc: s.pcc, r2: s.r2, mae: s.mae });
  const m = r.final.run.matched;
  return {
    target: r.target.spec.name,
    units: { impedance: "(m/s)(g/cm3)", time: "ms two-way time" },
    blind_test: {
      held_out_ms: [r.blind.fromMs, r.blind.toMs],
      labelled_samples: r.blind.labelled.length,
      held_out_samples: r.blind.heldOut.length,
      dt_ms: r.target.dtMs,
      seeds: r.blind.runs.map((x) => x.seed),
      summary: r.blind.summary,
      per_seed: r.blind.runs.map((x) => ({
        seed: x.seed,
        windows: x.windows,
        pretrained_direct: sc(x.scores.pretrained_direct),
        direct: sc(x.scores.direct),
        transfer: sc(x.scores.transfer),
        labelled_mean: sc(x.scores.labelled_mean),
      })),
      tie: {
        correlation: r.blind.runs[0].matched.tie.correlation,
        polarity: r.blind.runs[0].matched.polarity,
        samples: r.blind.runs[0].matched.tieSamples,
      },
    },
    leave_window_out: r.leaveOut.map((b) => ({
      from_ms: b.fromMs,
      to_ms: b.toMs,
      windows: b.windows,
      seeds: b.runs.map((x) => x.seed),
      summary: b.summary,
    })),
    frequency: r.frequency,
    freq_hz_used: r.freqHz,
    amplitude: {
      method: m.method,
      polarity: m.polarity,
      ref_rms: m.refRms,
      well: {
        offset: m.wellOffset,
        gain: m.wellGain,
        tie_correlation: m.tie.correlation,
        tie_lags: m.tie.lagCorrelation,
      },
      sections: r.target.apply.map((a, i) => ({
        name: a.name,
        offset: m.applyGain[i].offset,
        gain: m.applyGain[i].gain,
      })),
    },
    pretrain: r.pretrain
      ? {
          test_windows: {
            pcc: r.pretrain.test.section.pcc,
            r2: r.pretrain.test.section.r2,
            mae: r.pretrain.test.section.mae,
          },
          windows: r.pretrain.windows,
          epochs: r.pretrain.history.epochsRun,
          loss: r.pretrain.history.finalTrainLoss,
          data: r.pretrain.data,
        }
      : { from: r.config.pretrained },
    whole_log_in_sample: {
      direct: sc(r.final.run.scores.direct),
      transfer: sc(r.final.run.scores.transfer),
      pretrained_direct: sc(r.final.run.scores.pretrained_direct),
    },
    seconds: r.seconds,
  };
}
