/**
 * Digital linear filters (DLF) for Hankel and Fourier sine/cosine transforms, loaded from the
 * published coefficient files bundled in data/dlf/ (emsig/libdlf, CC-BY 4.0; each file's header
 * cites the paper that designed it; see data/dlf/SOURCE.md). The files are checked against
 * data/MANIFEST.json before use.
 *
 * Conventions (checked in test/em-filters.test.ts on closed-form pairs):
 *   Hankel:  int_0^inf f(l) J_nu(l r) dl      ~= (1/r) sum_i f(b_i / r) w_nu,i
 *   Fourier: int_0^inf F(w) sin|cos(w t) dw   ~= (1/t) sum_i F(b_i / t) w_sin|cos,i
 */
import * as path from "path";
import { dataDir, readDataFile } from "../data";

export interface HankelFilter {
  name: string;
  /** Abscissae b_i (dimensionless l r), increasing, log-spaced. */
  base: Float64Array;
  j0: Float64Array;
  j1: Float64Array;
}

export interface FourierFilter {
  name: string;
  /** Abscissae b_i (dimensionless w t), increasing, log-spaced. */
  base: Float64Array;
  sin: Float64Array;
  cos: Float64Array;
}

/** Hankel filters bundled in data/dlf (file names without the .txt). */
export const HANKEL_FILTERS = ["key_51_2012", "key_101_2009", "key_201_2009", "wer_201_2018"] as const;
/** Fourier sine/cosine filters bundled in data/dlf. */
export const FOURIER_FILTERS = ["key_101_2012", "key_201_2012", "key_601_2009"] as const;
export type HankelFilterName = (typeof HANKEL_FILTERS)[number];
export type FourierFilterName = (typeof FOURIER_FILTERS)[number];

/** Folder of the bundled filter files: dlf/ under the data domain's root (GEOINV_DATA or the repository's data/). */
export function dlfDir(): string {
  return path.join(dataDir(), "dlf");
}

/**
 * Read a bundled filter file and check it against the manifest (size and sha256): a missing,
 * unlisted or corrupted file is a DataFileError naming it (exit 2), as for every data file.
 */
function readChecked(file: string): string {
  return readDataFile(path.relative(dataDir(), path.join(dlfDir(), file))).toString("utf8");
}

/** Parse the text of a libdlf coefficient file: '#' comments, then rows of numbers. */
export function parseDlfText(text: string, columns: number, name: string): Float64Array[] {
  const cols: number[][] = Array.from({ length: columns }, () => []);
  for (const line of text.split(/\r?\n/)) {
    const s = line.trim();
    if (s === "" || s.startsWith("#")) continue;
    const parts = s.split(/\s+/).map(Number);
    if (parts.length !== columns || parts.some((v) => !Number.isFinite(v))) {
      throw new Error(`DLF filter ${name}: row '${s}' does not have ${columns} finite numbers`);
    }
    parts.forEach((v, i) => cols[i].push(v));
  }
  if (cols[0].length < 2) throw new Error(`DLF filter ${name}: no coefficient rows`);
  return cols.map((c) => Float64Array.from(c));
}

const cache = new Map<string, Float64Array[]>();

/** The three columns of a bundled filter file, read, checked and parsed once per process. */
function columns(kind: "Hankel" | "Fourier", name: string, allowed: readonly string[], file: string): Float64Array[] {
  let c = cache.get(file);
  if (c === undefined) {
    if (!allowed.includes(name)) throw new Error(`unknown ${kind} filter '${name}'; bundled: ${allowed.join(", ")}`);
    c = parseDlfText(readChecked(file), 3, name);
    cache.set(file, c);
  }
  return c;
}

export function hankelFilter(name: HankelFilterName): HankelFilter {
  const [base, j0, j1] = columns("Hankel", name, HANKEL_FILTERS, `hankel_${name}_j0j1.txt`);
  return { name, base, j0, j1 };
}

export function fourierFilter(name: FourierFilterName): FourierFilter {
  const [base, sin, cos] = columns("Fourier", name, FOURIER_FILTERS, `fourier_${name}_sincos.txt`);
  return { name, base, sin, cos };
}
