/**
 * What the held-out bad-input bench (bench/bad-inputs.ts) shares with the in-suite fuzzing
 * (test/fuzz.test.ts). In bench/support rather than test/support: no bench imports from test/.
 */

/**
 * Keys of a `tem invert` or `tem forward` config whose valid values set the size of the run
 * (population, generations, evaluations, workers, layers, iterations, pulses, chains). Both
 * fuzzers give them only small or invalid values, so that every mutated run stays cheap.
 */
export const TEM_COST_KEYS: readonly string[] = [
  "np",
  "NP",
  "generations",
  "max_evaluations",
  "stagnation_generations",
  "workers",
  "layers",
  "max_iterations",
  "pulses",
  "chains",
];
