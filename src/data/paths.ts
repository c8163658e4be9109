import * as fs from "fs";
import * as path from "path";

/** The repository root: the folder holding geoinv's package.json (this file lives in src/data/). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The data directory: `GEOINV_DATA` when set, else the repository's bundled `data/`.
 */
export function dataDir(): string {
  const env = process.env.GEOINV_DATA;
  if (env !== undefined && env.trim() !== "") return path.resolve(env);
  return path.join(REPO_ROOT, "data");
}

/** Absolute path of a data file given relative to the data directory (e.g. "marmousi2/ip.npy"). */
export function dataPath(rel: string): string {
  return path.isAbsolute(rel) ? rel : path.join(dataDir(), rel);
}

export function fileExists(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
