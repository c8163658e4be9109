import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { DataFileError } from "./errors";
import { dataDir, fileExists, REPO_ROOT } from "./paths";

export interface ManifestEntry {
  sha256: string;
  bytes: number;
}
export interface Manifest {
  sources: Record<string, string>;
  files: Record<string, ManifestEntry>;
}

let cached: Manifest | undefined;

/** The manifest of bundled files (always read from the repository, whatever GEOINV_DATA says). */
export function manifest(): Manifest {
  if (cached === undefined) {
    const p = path.join(REPO_ROOT, "data", "MANIFEST.json");
    cached = JSON.parse(fs.readFileSync(p, "utf8")) as Manifest;
  }
  return cached;
}

/** Where a bundled file comes from (folder-level provenance). */
export function sourceOf(rel: string): string {
  const folder = rel.split(/[\\/]/)[0];
  return manifest().sources[folder] ?? "not a bundled file: no recorded source";
}

export function sha256(buf: Uint8Array): string {
  return crypto.createHash("sha256").update(buf).digest("hex");
}

/**
 * Read a data file given relative to the data directory, check it against the manifest
 * (size and sha256) when the manifest lists it, and return its bytes.
 * Missing or corrupt files throw a DataFileError naming the file, the directory searched,
 * the problem and the public source.
 */
export function readDataFile(rel: string, opts: { verify?: boolean } = {}): Buffer {
  const dir = dataDir();
  const abs = path.isAbsolute(rel) ? rel : path.join(dir, rel);
  const key = path.relative(dir, abs).split(path.sep).join("/");
  const entry = manifest().files[key];
  const hint = `data directory searched: ${dir} (set GEOINV_DATA to use another); source: ${sourceOf(key)}`;
  if (!fileExists(abs)) {
    throw new DataFileError(abs, "missing", "no such file", hint);
  }
  const buf = fs.readFileSync(abs);
  if (entry !== undefined && opts.verify !== false) {
    if (buf.length !== entry.bytes) {
      throw new DataFileError(
        abs,
        "checksum",
        `size ${buf.length} bytes, the manifest says ${entry.bytes} (truncated or replaced file)`,
        hint,
      );
    }
    const got = sha256(buf);
    if (got !== entry.sha256) {
      throw new DataFileError(abs, "checksum", `sha256 ${got} differs from the manifest's ${entry.sha256}`, hint);
    }
  }
  return buf;
}

/** Check every bundled file; returns the list of problems (empty when all is well). */
export function verifyAll(): string[] {
  const problems: string[] = [];
  for (const rel of Object.keys(manifest().files)) {
    try {
      readDataFile(rel);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems;
}
