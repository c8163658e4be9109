/**
 * Standard test functions for optimisers, in batch form. Global minimum 0 for all of them
 * (sphere and Rastrigin at x = 0, Rosenbrock at x = 1, Ackley at x = 0).
 */
export type TestFunctionName = "sphere" | "rosenbrock" | "rastrigin" | "ackley";

export function sphere(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j];
  return s;
}

/** sum_j 100 (x_{j+1} - x_j^2)^2 + (1 - x_j)^2. */
export function rosenbrock(x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j + 1 < x.length; j++) {
    const a = x[j + 1] - x[j] * x[j];
    const b = 1 - x[j];
    s += 100 * a * a + b * b;
  }
  return s;
}

/** 10 d + sum_j (x_j^2 - 10 cos(2 pi x_j)). */
export function rastrigin(x: ArrayLike<number>): number {
  let s = 10 * x.length;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j] - 10 * Math.cos(2 * Math.PI * x[j]);
  return s;
}

export function ackley(x: ArrayLike<number>): number {
  const d = x.length;
  let s1 = 0;
  let s2 = 0;
  for (let j = 0; j < d; j++) {
    s1 += x[j] * x[j];
    s2 += Math.cos(2 * Math.PI * x[j]);
  }
  return -20 * Math.exp(-0.2 * Math.sqrt(s1 / d)) - Math.exp(s2 / d) + 20 + Math.E;
}

export const TEST_FUNCTIONS: Record<TestFunctionName, { f: (x: ArrayLike<number>) => number; lower: number; upper: number }> = {
  sphere: { f: sphere, lower: -100, upper: 100 },
  rosenbrock: { f: rosenbrock, lower: -30, upper: 30 },
  rastrigin: { f: rastrigin, lower: -5.12, upper: 5.12 },
  ackley: { f: ackley, lower: -32, upper: 32 },
};

/** Box of the usual benchmark domain in `dim` dimensions. */
export function testBounds(name: TestFunctionName, dim: number): [number, number][] {
  const t = TEST_FUNCTIONS[name];
  return Array.from({ length: dim }, () => [t.lower, t.upper] as [number, number]);
}

/**
 * Batch objective factory (also the worker factory for WorkerPool): `{ name, spinMicros }`;
 * spinMicros adds a busy wait per point to stand for an expensive objective in timing tests.
 */
export function testObjective(args: { name: TestFunctionName; spinMicros?: number }): (xs: Float64Array[]) => number[] {
  const t = TEST_FUNCTIONS[args.name];
  if (!t) throw new Error(`unknown test function '${args.name}'`);
  const spin = args.spinMicros ?? 0;
  return (xs) =>
    xs.map((x) => {
      if (spin > 0) {
        const end = process.hrtime.bigint() + BigInt(Math.round(spin * 1000));
        while (process.hrtime.bigint() < end);
      }
      return t.f(x);
    });
}
