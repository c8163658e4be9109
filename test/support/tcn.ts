/**
 * Helpers of the TCN tests: seeded draws, the padding cases of the convolution checks, a
 * numerical gradient, toy traces and a small network pre-trained on them. Apart from fixtures.ts
 * so that only the tests that need tfjs load it.
 */
import { mulberry32 } from "../../src/config";
import { makeDataset } from "../../src/seismic";
import { fitTcn } from "../../src/tcn";
import { movingAverageTraces } from "./fixtures";

/** Uniform draws on [-1, 1) from `seed`. */
export function rnd(seed: number): () => number {
  const r = mulberry32(seed);
  return () => 2 * r() - 1;
}

export type Padding = "causal" | "same" | "valid";

/** The zeros [left, right] that `padding` adds to a trace for kernel size K and dilation d. */
export function pads(K: number, d: number, padding: Padding): [number, number] {
  const s = (K - 1) * d;
  return padding === "causal" ? [s, 0] : padding === "same" ? [Math.floor(s / 2), s - Math.floor(s / 2)] : [0, 0];
}

/**
 * Every padding (causal, same, valid) with every [kernel size, dilation] of `kd`, padding outer,
 * and the padding's zeros pl, pr: the cases of a convolution check.
 */
export function convCases(...kd: [number, number][]): { pad: Padding; K: number; d: number; pl: number; pr: number }[] {
  return (["causal", "same", "valid"] as const).flatMap((pad) =>
    kd.map(([K, d]) => {
      const [pl, pr] = pads(K, d, pad);
      return { pad, K, d, pl, pr };
    }),
  );
}

/** Central-difference gradient of f over every entry of `vec` (step 1e-6). */
export function numGrad(vec: number[], f: (p: number[]) => number): number[] {
  return vec.map((_, i) => {
    const p = vec.slice();
    const m = vec.slice();
    p[i] += 1e-6;
    m[i] -= 1e-6;
    return (f(p) - f(m)) / 2e-6;
  });
}

/** `n` toy traces of `L` samples from `seed` and their 5-point moving average (movingAverageTraces). */
export function toyData(n: number, L: number, seed: number): { x: Float32Array[]; y: Float32Array[] } {
  return movingAverageTraces(n, L, rnd(seed));
}

/** A toy dataset of `x` with impedances `base` + `scale` x `y` (sample by sample). */
export function toyDataset(x: Float32Array[], y: Float32Array[], base: number, scale: number) {
  return makeDataset(
    "toy",
    x,
    y.map((r) => r.map((v) => base + scale * v)),
  );
}

/** fitTcn of a tiny network: `channels` with kernel size 3, trained on `trainIdx` (validated on `valIdx`). */
export async function fitTiny(
  d: ReturnType<typeof makeDataset>,
  trainIdx: number[],
  valIdx: number[] | undefined,
  o: { epochs: number; batchSize: number; seed: number; channels: number[] },
) {
  const config = { channels: o.channels, kernelSize: 3 };
  return (await fitTcn(d, trainIdx, valIdx, { epochs: o.epochs, batchSize: o.batchSize, seed: o.seed, config })).bundle;
}

/**
 * Ten toy traces of 48 samples (seed 5) with impedances 1000 + 100 x their moving average, and a
 * TCN of `channels` (kernel 3) pre-trained on traces 0-5 (validation 6, 7) for `epochs` epochs,
 * batch 3, seed 1: the start of a fine-tuning test (traces 8, 9 left for it).
 */
export async function pretrainedToy(epochs: number, channels: number[]) {
  const toy = toyData(10, 48, 5);
  const d = toyDataset(toy.x, toy.y, 1000, 100);
  const pre = await fitTiny(d, [0, 1, 2, 3, 4, 5], [6, 7], { epochs, batchSize: 3, seed: 1, channels });
  return { d, pre };
}
