/**
 * tcn internals that tests check directly (by path, `../src/tcn/internal`). Not
 * part of the public surface (./index.ts); they may change without notice.
 */
export { addRelu, convPadding, dilatedConv1d, weightNormConv1d } from "./conv";
export { blockName, configOf, tcnConfig } from "./model";
export { evaluateLoss, predictRowsTfjs, rowsToTensor } from "./train";
export { TcnKernel } from "./kernel";
export { fitPredictBatch, tcnBatchBytes, tcnShape, WASM_MEMORY_BYTES } from "./resources";
export { cloneModel, descriptionDigest, fileHandler, MODEL_JSON, trainingShape, WEIGHTS_BIN } from "./io";
export { checkFits } from "./workflow";
export { contiguousRuns, randomWindows } from "./well";
