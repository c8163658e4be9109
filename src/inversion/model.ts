/** Helpers over the EM engine's layered `EarthModel` ({thickness, rho0, m, tau, c}, thickness one entry shorter). */
import type { EarthModel } from "../em";

/** Depths of the layer tops (0 first), one per layer. */
export function layerTops(thickness: ArrayLike<number>): number[] {
  const tops = [0];
  for (let j = 0; j < thickness.length; j++) tops.push(tops[j] + thickness[j]);
  return tops;
}

/** The value of one property of a layered model at each depth (the layer containing it). */
export function valuesAtDepths(
  model: EarthModel,
  key: "rho0" | "m" | "tau" | "c",
  depths: ArrayLike<number>,
): number[] {
  const tops = layerTops(model.thickness);
  const vals = model[key];
  const out: number[] = [];
  for (let i = 0; i < depths.length; i++) {
    let j = 0;
    while (j + 1 < tops.length && depths[i] >= tops[j + 1]) j++;
    out.push(vals[j]);
  }
  return out;
}

export function cloneEarthModel(m: EarthModel): EarthModel {
  return { thickness: m.thickness.slice(), rho0: m.rho0.slice(), m: m.m.slice(), tau: m.tau.slice(), c: m.c.slice() };
}
