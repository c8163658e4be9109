import { gaussian, mulberry32 } from "../config";

/**
 * Synthetic data with noise: error_i = relative * |d_i| + floor (one standard deviation) and
 * observed_i = d_i + error_i * N(0, 1), seeded. With relative = floor = 0 nothing is added (and
 * a `nominalRelative` error is reported so a weighted misfit stays defined).
 */
export interface NoiseSpec {
  /** Relative standard deviation (0.02 = 2 %). */
  relative: number;
  /** Absolute floor, in the data's units. */
  floor?: number;
  seed?: number;
  /** Add the noise (default true); false keeps clean data with these errors. */
  add?: boolean;
}

export function addDataNoise(clean: ArrayLike<number>, noise: NoiseSpec): { observed: number[]; error: number[] } {
  const rand = gaussian(mulberry32(noise.seed ?? 1));
  const floor = noise.floor ?? 0;
  const error: number[] = [];
  const observed: number[] = [];
  for (let i = 0; i < clean.length; i++) {
    const e = noise.relative * Math.abs(clean[i]) + floor;
    error.push(e);
    observed.push(noise.add === false ? clean[i] : clean[i] + e * rand());
  }
  return { observed, error };
}
