/**
 * geoinv: the library's top level, one namespace per domain (`geo.em.compileSurvey`,
 * `geo.inversion.invert`, `geo.tcn.loadTcn`, ...). Notebooks and scripts may import a domain
 * directly (`import { loadNpy } from "./src/data"`) or everything from here. Each domain's
 * `index.ts` is its whole public surface; `internal.ts` files hold what only tests reach.
 * Loading this module loads every domain, TensorFlow.js (tcn) included.
 */
export * as config from "./config";
export * as core from "./core";
export * as data from "./data";
export * as display from "./display";
export * as em from "./em";
export * as inversion from "./inversion";
export * as optim from "./optim";
export * as sampling from "./sampling";
export * as seismic from "./seismic";
export * as survey from "./survey";
export * as results from "./results";
export * as tcn from "./tcn";
