import { centralLoopSurvey } from "../em";
import { loadRankinSounding, RankinSounding } from "../data";
import { ValidationError } from "./errors";
import { DataSet } from "./objective";

/**
 * Field data as inversion datasets.
 *
 * Rankin Inlet central-loop PROTEM soundings (data/tem_gsc_rankin_inlet/SOURCE.md): a 100 m x 100 m
 * square loop, receiver coil at its centre, dBz/dt; 5.1 us linear ramp-off and the bipolar
 * half-duty repetition at each block's base frequency. The file's normalised voltage V
 * (mV/(A m^2)) is -dBz/dt per ampere x 1e3, so with a 1 A source the datum is d = -V x 1e-3 (T/s)
 * and its error sqrt(N^2 + (relative * V)^2) x 1e-3, N the file's total noise (1 sd) and
 * `relative` a floor for what a 1-D model of the survey cannot reproduce.
 */
export interface RankinOptions {
  /** Blocks to use as [transmitter, base frequency] (default TEM47 285 Hz, TEM57 30 Hz, TEM57 7.5 Hz). */
  blocks?: [number, number][];
  /** Relative error floor added in quadrature to the file's noise (default 0.05). */
  relativeError?: number;
  /** Pulses summed in the repetition (default 400, as the reference case permafrost_loop_285hz). */
  pulses?: number;
  /** Ramp-off time, s (default 5.1e-6). */
  ramp?: number;
}

export const RANKIN_DEFAULT_BLOCKS: [number, number][] = [
  [47, 285],
  [57, 30],
  [57, 7.5],
];

export function rankinDatasets(site: number | RankinSounding, o: RankinOptions = {}): DataSet[] {
  const s = typeof site === "number" ? loadRankinSounding(site) : site;
  const rel = o.relativeError ?? 0.05;
  return (o.blocks ?? RANKIN_DEFAULT_BLOCKS).map(([tem, f]) => {
    const b = s.blocks.find((x) => x.tem === tem && x.baseFrequency === f);
    if (!b)
      throw new ValidationError(
        "blocks",
        `site ${s.site} has no TEM${tem} block at ${f} Hz; it has ${s.blocks.map((x) => `[${x.tem}, ${x.baseFrequency}]`).join(", ")}`,
      );
    return {
      label: `TEM${tem} ${f} Hz`,
      survey: {
        ...centralLoopSurvey(100, b.time.slice()),
        waveform: {
          type: "linear_ramp_off",
          ramp: o.ramp ?? 5.1e-6,
          repetition: { type: "bipolar_half_duty", base_frequency: f, pulses: o.pulses ?? 400 },
        },
      },
      observed: b.v.map((v) => -v * 1e-3),
      error: b.v.map((v, i) => Math.hypot(b.noise[i], rel * v) * 1e-3),
    };
  });
}

/**
 * The gates a non-polarisable earth can fit: each dataset cut before the first gate whose sign is
 * opposite to the first gate's by more than `nSigma` errors (an IP sign reversal).
 */
export function truncateAtSignReversal(datasets: DataSet[], nSigma = 2): DataSet[] {
  return datasets
    .map((d) => {
      const s = Math.sign(d.observed[0]);
      let n = d.observed.findIndex((v, i) => s * v < -nSigma * d.error[i]);
      if (n < 0) n = d.observed.length;
      const survey = { ...d.survey };
      if (survey.times) survey.times = survey.times.slice(0, n);
      if (survey.gates) survey.gates = survey.gates.slice(0, n);
      return { ...d, survey, observed: d.observed.slice(0, n), error: d.error.slice(0, n) };
    })
    .filter((d) => d.observed.length > 0);
}
