/**
 * optim internals that tests check directly (by path, `../src/optim/internal`). Not
 * part of the public surface (./index.ts); they may change without notice.
 */
export { distinctIndices } from "./mutation";
export { arithmeticMean, cauchy } from "./adapt";
export { lmIterator } from "./polish";
export { problemObjective } from "./testfunctions";
