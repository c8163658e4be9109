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

const cache = new Map<string, Manifest>();

/**
 * Path of the manifest: `GEOINV_MANIFEST` when set (for tests and relocated installs), else the
 * repository's data/MANIFEST.json (whatever GEOINV_DATA says: the checksums are the repository's).
 */
export function manifestPath(): string {
  const env = process.env.GEOINV_MANIFEST;
  if (env !== undefined && env.trim() !== "") return path.resolve(env);
  return path.join(REPO_ROOT, "data", "MANIFEST.json");
}

const MANIFEST_HINT =
  "data/MANIFEST.json is part of the repository: restore it with 'git checkout -- data/MANIFEST.json'";

/** Parse and check a manifest's text; every fault is a DataFileError naming the file. */
export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new DataFileError(
      file,
      "corrupt manifest",
      `not valid JSON (${(e as Error).message}); truncated or edited?`,
      MANIFEST_HINT,
    );
  }
  const o = raw as { sources?: unknown; files?: unknown };
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  if (!isObj(o) || !isObj(o.files))
    throw new DataFileError(file, "corrupt manifest", 'no "files" object of {path: {sha256, bytes}}', MANIFEST_HINT);
  if (o.sources !== undefined && !isObj(o.sources))
    throw new DataFileError(file, "corrupt manifest", '"sources" must be an object of {folder: source}', MANIFEST_HINT);
  for (const [k, v] of Object.entries(o.files)) {
    const e = v as { sha256?: unknown; bytes?: unknown };
    if (
      !isObj(e) ||
      typeof e.sha256 !== "string" ||
      !/^[0-9a-f]{64}$/.test(e.sha256) ||
      typeof e.bytes !== "number" ||
      !Number.isInteger(e.bytes) ||
      e.bytes < 0
    ) {
      throw new DataFileError(
        file,
        "corrupt manifest",
        `entry "${k}" must be {sha256: 64 hex digits, bytes: integer >= 0}, got ${JSON.stringify(v)?.slice(0, 120)}`,
        MANIFEST_HINT,
      );
    }
  }
  return { sources: (o.sources as Record<string, string>) ?? {}, files: o.files as Record<string, ManifestEntry> };
}

/**
 * The manifest of bundled files (see manifestPath); a missing, truncated or invalid manifest throws
 * a DataFileError.
 */
export function manifest(): Manifest {
  const p = manifestPath();
  let m = cache.get(p);
  if (m === undefined) {
    let text: string;
    try {
      text = fs.readFileSync(p, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DataFileError(
        p,
        code === "ENOENT" ? "missing manifest" : "unreadable manifest",
        (e as Error).message.split("\n")[0],
        MANIFEST_HINT,
      );
    }
    m = parseManifest(text, p);
    cache.set(p, m);
  }
  return m;
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
  const inside = !key.startsWith("..") && !path.isAbsolute(key);
  if (entry === undefined && inside && opts.verify !== false) {
    throw new DataFileError(
      abs,
      "unlisted",
      `the file is in the data directory but not in the manifest ${manifestPath()}, so it cannot be verified`,
      "add it to data/MANIFEST.json with its sha256 and size, or keep your own files outside the data directory",
    );
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

/** Files under the data directory the manifest does not list (documentation *.md and the manifest itself aside). */
export function unlistedFiles(): string[] {
  const dir = dataDir();
  const files = manifest().files;
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else {
        const rel = path.relative(dir, abs).split(path.sep).join("/");
        if (rel === "MANIFEST.json" || rel.endsWith(".md")) continue;
        if (files[rel] === undefined) out.push(rel);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** Check every bundled file and look for unlisted ones; returns the list of problems (empty when all is well). */
export function verifyAll(): string[] {
  const problems: string[] = [];
  for (const rel of unlistedFiles())
    problems.push(
      `${path.join(dataDir(), rel)}: unlisted: present in the data directory but not in the manifest ${manifestPath()}; add it with its sha256 or remove it`,
    );
  for (const rel of Object.keys(manifest().files)) {
    try {
      readDataFile(rel);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems;
}
