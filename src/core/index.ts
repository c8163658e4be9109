/**
 * The validation and error core shared by every domain: one ValidationError, the validation
 * primitives, the finite-result check, and safe (checked, atomic) outputs.
 */
export { FileError, isSystemError, NonFiniteError, systemErrorText, ValidationError } from "./errors";
export {
  assertFinite,
  boolean,
  checkKeys,
  finite,
  finiteArray,
  integerInRange,
  isObject,
  join,
  numberInRange,
  object,
  oneOf,
  parseNumberList,
  show,
  string,
  stripBom,
} from "./validate";
export type { RangeOptions } from "./validate";
export { atomicWriteDir, atomicWriteFile, checkOutputDir, checkOutputFile, OutputDir, resultJson } from "./files";
export type { AtomicHooks, OutputCheckOptions } from "./files";
export { checkMemory, formatBytes, MEMORY_FRACTION, memoryLimit } from "./resources";
