/**
 * core internals that tests check directly (by path, `../src/core/internal`). Not
 * part of the public surface (./index.ts); they may change without notice.
 */
export { didYouMean, editDistance } from "./validate";
export { onSpecialFilesystem, probeWritable, SPECIAL_ROOTS } from "./files";
