import { ValidationError } from "../core";

/**
 * Run size: every notebook, CLI verb and example reads its size through `runSize()`, so one switch
 * selects the experiments as published ("full") or the same code path with small epochs,
 * generations and subsets ("quick").
 *
 * Set with the environment variable GEOINV_SIZE=quick|full (the notebook runner sets it from
 * its --quick / --full flags). Default: quick.
 */
export type RunSize = "quick" | "full";

export function runSize(): RunSize {
  const v = (process.env.GEOINV_SIZE ?? "quick").trim().toLowerCase();
  if (v === "quick" || v === "") return "quick";
  if (v === "full") return "full";
  throw new ValidationError("GEOINV_SIZE", `must be 'quick' or 'full' (or unset), got '${process.env.GEOINV_SIZE}'`);
}

/** Choose a value by run size: `bySize({ quick: 5, full: 500 })`. */
export function bySize<T>(v: { quick: T; full: T }, size: RunSize = runSize()): T {
  return size === "full" ? v.full : v.quick;
}

/** A seeded pseudo-random generator (mulberry32) returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates from a uniform generator (Box-Muller). */
export function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u <= 1e-300) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
