/**
 * data internals that tests check directly (by path, `../src/data/internal`). Not
 * part of the public surface (./index.ts); they may change without notice.
 */
export { REPO_ROOT } from "./paths";
export { manifestPath, parseManifest, unlistedFiles } from "./manifest";
export { parseRankinCsv } from "./rankin";
