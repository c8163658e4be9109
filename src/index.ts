/**
 * geoinv: the library's top level, one namespace per domain. Notebooks and scripts may import a
 * domain directly (`import { loadNpy } from "./src/data"`) or everything from here.
 */
export * as config from "./config";
export * as core from "./core";
export * as data from "./data";
export * as display from "./display";
