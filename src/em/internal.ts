/**
 * em internals that tests check directly (by path, `../src/em/internal`). Not
 * part of the public surface (./index.ts); they may change without notice.
 */
export { waveformSamples } from "./plan";
export { layeredKernelSums, MU0 } from "./kernel";
export { fourierFilter, hankelFilter, parseDlfText } from "./filters";
export { gaussLegendre, logGrid } from "./quadrature";
export { glPointsFor, receiverPoints, wireSource } from "./geometry";
export { dampedStepOffSpectrum, planInternals } from "./plan";
export type { CompiledPlan } from "./plan";
