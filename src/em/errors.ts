/**
 * Input errors of the EM domain. Every message names the parameter, the layer or point when there
 * is one, the value given, the allowed range and how to fix it. The one ValidationError of geoinv
 * and its primitives live in src/core; they are re-exported here under the EM domain's old names
 * (finiteNumber = core finite, numberArray = core finiteArray). The CLI maps ValidationError
 * (by instanceof) to exit code 2.
 */
export {
  checkMemory,
  finite as finiteNumber,
  finiteArray as numberArray,
  formatBytes,
  isObject,
  memoryLimit,
  show,
  ValidationError,
} from "../core";
