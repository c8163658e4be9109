import { gaussian, mulberry32 } from "../config";
import { ValidationError, checkSection } from "./errors";

/**
 * Additive noise for the noise test (METHODS.md part A): "20 % noise" is Gaussian noise whose RMS is
 * 20 % of the RMS of the clean section (one RMS over all traces and samples). SNR in dB is
 * 20 log10(RMS_signal / RMS_noise), so 20 % noise is an SNR of 13.98 dB.
 */

/** Root-mean-square over every sample of a section. */
export function sectionRms(rows: ArrayLike<number>[]): number {
  let s = 0;
  let n = 0;
  for (const r of rows) {
    for (let j = 0; j < r.length; j++) s += r[j] * r[j];
    n += r.length;
  }
  return n === 0 ? 0 : Math.sqrt(s / n);
}

/** Noise fraction (noise RMS / signal RMS) for an SNR in dB. */
export function snrDbToFraction(snrDb: number): number {
  return Math.pow(10, -snrDb / 20);
}

/** SNR in dB for a noise fraction (Infinity for 0). */
export function fractionToSnrDb(fraction: number): number {
  return -20 * Math.log10(fraction);
}

/**
 * Add seeded Gaussian noise with RMS = `fraction` x RMS of the clean section. Returns a new section;
 * the input is not modified. fraction 0 returns a copy.
 */
export function addNoise(rows: ArrayLike<number>[], fraction: number, seed: number): Float32Array[] {
  checkSection(rows, "seismic");
  if (!(fraction >= 0) || !Number.isFinite(fraction)) {
    throw new ValidationError(
      `addNoise: fraction = ${fraction}; must be >= 0 (0.2 means noise RMS = 20 % of the clean RMS)`,
    );
  }
  const sigma = fraction * sectionRms(rows);
  const g = gaussian(mulberry32(seed));
  return rows.map((r) => {
    const o = new Float32Array(r.length);
    for (let j = 0; j < r.length; j++) o[j] = r[j] + (sigma > 0 ? sigma * g() : 0);
    return o;
  });
}

/** Add seeded Gaussian noise at a signal-to-noise ratio in dB (RMS amplitude ratio). */
export function addNoiseSnr(rows: ArrayLike<number>[], snrDb: number, seed: number): Float32Array[] {
  if (!Number.isFinite(snrDb) && snrDb !== Infinity)
    throw new ValidationError(`addNoiseSnr: snrDb = ${snrDb}; must be a number of dB`);
  return addNoise(rows, snrDb === Infinity ? 0 : snrDbToFraction(snrDb), seed);
}
