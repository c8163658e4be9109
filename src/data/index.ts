/** Data domain: bundled data files, their manifest, and readers (.npy, Rankin Inlet CSV). */
export { DataFileError } from "./errors";
export { dataDir, dataPath, REPO_ROOT } from "./paths";
export { manifest, manifestPath, parseManifest, readDataFile, sha256, sourceOf, unlistedFiles, verifyAll } from "./manifest";
export type { Manifest, ManifestEntry } from "./manifest";
export { loadNpy, loadNpy2D, parseNpy, toNpy } from "./npy";
export type { NdArray } from "./npy";
export { loadRankinLocations, loadRankinSounding, parseRankinCsv, rankinSites, splitCsvLine, RANKIN_COLUMNS } from "./rankin";
export type { RankinBlock, RankinLocation, RankinSounding } from "./rankin";
export { loadVolve } from "./volve";
export type { VolveCube, VolveData, VolveSection, VolveWell } from "./volve";
