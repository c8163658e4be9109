/** Data domain: bundled data files, their manifest, and readers (.npy, Rankin Inlet CSV). */
export { DataFileError } from "./errors";
export { dataDir, dataPath } from "./paths";
export { manifest, readDataFile, sha256, sourceOf, verifyAll } from "./manifest";
export type { Manifest, ManifestEntry } from "./manifest";
export { loadNpy, loadNpy2D, parseNpy, toNpy } from "./npy";
export type { NdArray } from "./npy";
export { loadRankinLocations, loadRankinSounding, rankinSites, splitCsvLine, RANKIN_COLUMNS } from "./rankin";
export type { RankinBlock, RankinLocation, RankinSounding } from "./rankin";
export { loadVolve } from "./volve";
export type { VolveCube, VolveData, VolveSection, VolveWell } from "./volve";
