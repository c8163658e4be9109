/**
 * Safe outputs: check an output path before any work is done, and write results atomically
 * (a temporary file in the same directory, fsync, rename), so a failure at any point leaves the
 * previous result in place and no partial file behind.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { FileError, isSystemError, systemErrorText } from "./errors";
import { assertFinite } from "./validate";

/** Pseudo filesystems nothing should be written to (and where a recursive mkdir can hang). */
export const SPECIAL_ROOTS = ["/proc", "/sys", "/dev"];
/** statfs magic numbers of kernel pseudo filesystems (proc, sysfs, cgroup, cgroup2, debugfs, securityfs, devpts). */
const SPECIAL_MAGIC = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x73636673, 0x1cd1]);

function under(p: string, root: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

/** The nearest existing ancestor of `abs` (itself when it exists), found with lstat only. */
function nearestExisting(abs: string): string {
  let p = abs;
  for (;;) {
    try {
      fs.lstatSync(p);
      return p;
    } catch {
      const up = path.dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** Is `abs` on /proc, /sys, /dev or another kernel pseudo filesystem? Never blocks on those paths. */
export function onSpecialFilesystem(abs: string): string | undefined {
  const lexical = path.resolve(abs);
  for (const r of SPECIAL_ROOTS) if (under(lexical, r)) return r;
  const real = realpathOrSelf(nearestExisting(lexical));
  for (const r of SPECIAL_ROOTS) if (under(real, r)) return r;
  try {
    const st = (fs as unknown as { statfsSync?: (p: string) => { type: number } }).statfsSync?.(real);
    if (st && SPECIAL_MAGIC.has(st.type)) return real;
  } catch {
    // statfs unsupported: the path checks above stand
  }
  return undefined;
}

function tmpName(dir: string, base: string, what: string): string {
  return path.join(dir, `.${base}.${what}-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
}

/** Create and remove a probe file in `dir`; throws a FileError naming `target` when that fails. */
export function probeWritable(dir: string, target: string): void {
  const probe = tmpName(dir, "geoinv", "probe");
  try {
    fs.closeSync(fs.openSync(probe, "wx"));
    fs.unlinkSync(probe);
  } catch (e) {
    throw new FileError(
      target,
      "not writable",
      `cannot create a file in ${dir} (${isSystemError(e) ? systemErrorText(e) : (e as Error).message})`,
      "choose a directory you can write to",
    );
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return realpathOrSelf(path.resolve(a)) === realpathOrSelf(path.resolve(b));
  }
}

export interface OutputCheckOptions {
  /** Files read by the run: the output must not be one of them. */
  inputs?: (string | undefined)[];
}

/**
 * The checks of an output file and an output directory alike: the path is not empty (else a FileError
 * with `empty` and its `hint`) and not on a kernel pseudo filesystem. Returns the absolute path.
 */
function outputPath(p: string, empty: string, hint: string): string {
  if (p.trim() === "") throw new FileError("(empty path)", "bad output path", empty, hint);
  const abs = path.resolve(p);
  const special = onSpecialFilesystem(abs);
  if (special)
    throw new FileError(
      p,
      "bad output path",
      `${special} is a kernel pseudo filesystem, not a place for results`,
      "choose a regular directory",
    );
  return abs;
}

/**
 * Check an output file path before any work: not on a pseudo filesystem, the parent directory
 * exists and is writable, the path is not a directory and not one of the input files.
 * Returns the absolute path. Throws FileError (exit code 2 in the CLI).
 */
export function checkOutputFile(p: string, opts: OutputCheckOptions = {}): string {
  const abs = outputPath(p, "the output path is empty", "give a file name, e.g. --out result.json");
  const parent = path.dirname(abs);
  let ps: fs.Stats;
  try {
    ps = fs.statSync(parent);
  } catch {
    throw new FileError(
      p,
      "no such directory",
      `the directory ${parent} does not exist`,
      `create it first (mkdir -p ${parent}) or choose another path`,
    );
  }
  if (!ps.isDirectory()) throw new FileError(p, "bad output path", `${parent} is not a directory`);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory())
    throw new FileError(
      p,
      "is a directory",
      "the output must be a file",
      `give a file name inside it, e.g. ${path.join(p, "result.json")}`,
    );
  if (st && !st.isFile())
    throw new FileError(p, "bad output path", "exists and is not a regular file (a device, socket or pipe)");
  for (const input of opts.inputs ?? []) {
    if (input && input !== "-" && st && sameFile(abs, input)) {
      throw new FileError(
        p,
        "is an input",
        `it is the input file ${input}; writing the result there would overwrite it`,
        "choose another output name",
      );
    }
  }
  probeWritable(parent, p);
  removeStale(parent, path.basename(abs), "tmp");
  return abs;
}

/**
 * Check an output directory before any work without creating it: not on a pseudo filesystem, not a
 * file, and its nearest existing ancestor a writable directory. Returns the absolute path.
 */
export function checkOutputDir(p: string, opts: OutputCheckOptions = {}): string {
  const abs = outputPath(p, "the output directory is empty", "give a directory, e.g. --out out/run1");
  for (const input of opts.inputs ?? []) {
    if (input && fs.existsSync(input) && sameFile(abs, input))
      throw new FileError(p, "is an input", `it is the input ${input}`, "choose another output directory");
  }
  const base = nearestExisting(abs);
  let st: fs.Stats;
  try {
    st = fs.statSync(base);
  } catch (e) {
    throw new FileError(p, "bad output path", `${base} cannot be read (${(e as Error).message})`);
  }
  if (!st.isDirectory())
    throw new FileError(
      p,
      base === abs ? "not a directory" : "bad output path",
      base === abs ? "exists and is a file; --out names a directory here" : `${base} is a file, not a directory`,
    );
  probeWritable(base, p);
  return abs;
}

/** Hooks for tests: called with the temporary path just before the rename. */
export interface AtomicHooks {
  beforeRename?: (tmp: string) => void;
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // not supported everywhere; the rename is still atomic
  }
}

/**
 * Write `data` to `file` atomically: a temporary file in the same directory, fsync, rename over
 * the target. On any failure the temporary file is removed, the previous `file` (if any) is
 * unchanged, and a FileError names the file and the cause (a full disk, no permission, ...).
 */
export function atomicWriteFile(file: string, data: string | Uint8Array, hooks: AtomicHooks = {}): void {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const tmp = tmpName(dir, path.basename(abs), "tmp");
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx", 0o666);
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    hooks.beforeRename?.(tmp);
    fs.renameSync(tmp, abs);
    fsyncDir(dir);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never created
    }
    const why = isSystemError(e) ? systemErrorText(e) : (e as Error).message;
    throw new FileError(file, "write failed", `${why}; the previous file, if any, is unchanged`);
  }
}

/**
 * Write a directory atomically: `fill` writes into a fresh temporary directory beside `dir`,
 * which is then renamed into place (an existing `dir` is swapped out and removed only after the
 * new one is in place). On failure the temporary directory is removed and `dir` is unchanged.
 */
export async function atomicWriteDir(
  dir: string,
  fill: (tmpDir: string) => Promise<void> | void,
  hooks: AtomicHooks = {},
): Promise<void> {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  const tmp = tmpName(parent, base, "tmp");
  try {
    fs.mkdirSync(tmp);
    await fill(tmp);
    for (const f of fs.readdirSync(tmp)) {
      const p = path.join(tmp, f);
      if (!fs.statSync(p).isFile()) continue;
      const fd = fs.openSync(p, "r");
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    hooks.beforeRename?.(tmp);
    let old: string | undefined;
    if (fs.existsSync(abs)) {
      old = tmpName(parent, base, "old");
      fs.renameSync(abs, old);
    }
    try {
      fs.renameSync(tmp, abs);
    } catch (e) {
      if (old) fs.renameSync(old, abs);
      throw e;
    }
    if (old) fs.rmSync(old, { recursive: true, force: true });
    fsyncDir(parent);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (e instanceof FileError || !isSystemError(e)) throw e;
    throw new FileError(dir, "write failed", `${systemErrorText(e)}; the previous directory, if any, is unchanged`);
  }
}

/**
 * JSON text of a result after checking every number is finite (a NaN or Infinity stops with a
 * NonFiniteError naming `stage` and `hint` instead of turning into `null`).
 */
export function resultJson(
  obj: unknown,
  stage: string,
  hint = "",
  indent = 2,
  allow?: (where: string) => boolean,
): string {
  assertFinite(obj, stage, hint, allow);
  // only exempted paths can still hold NaN or Infinity: they are written as null (documented "undefined")
  if (!allow) return JSON.stringify(obj, null, indent) + "\n";
  return JSON.stringify(obj, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), indent) + "\n";
}

/** Is a process with this id running (on this machine)? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Remove staging areas left in `dir` by runs that were killed (their process no longer exists). */
function removeStaleStaging(dir: string): void {
  removeStale(dir, "geoinv", "staging");
}

/** Remove temporaries `.BASE.WHAT-PID-HEX` in `dir` whose process no longer exists (a killed write). */
export function removeStale(dir: string, base: string, what: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const prefix = `.${base}.${what}-`;
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^(\d+)-[0-9a-f]+$/.exec(n.slice(prefix.length));
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1])))
      fs.rmSync(path.join(dir, n), { recursive: true, force: true });
  }
}

/**
 * An output directory prepared before any work. Everything is written into `staging` (inside
 * the final directory); `commit()` moves each entry into place atomically (replacing what a
 * previous run left), `abort()` removes the staging area and the directories this run created.
 */
export class OutputDir {
  readonly dir: string;
  readonly staging: string;
  private readonly created: string[];
  private done = false;

  private constructor(dir: string, staging: string, created: string[]) {
    this.dir = dir;
    this.staging = staging;
    this.created = created;
  }

  /** Check `p` (not special, a directory or creatable, writable) and create it and a staging area. */
  static prepare(p: string, opts: OutputCheckOptions = {}): OutputDir {
    const abs = checkOutputDir(p, opts);
    const base = nearestExisting(abs);
    const missing: string[] = [];
    for (let q = abs; q !== base; q = path.dirname(q)) missing.unshift(q);
    const created: string[] = [];
    try {
      for (const q of missing) {
        fs.mkdirSync(q);
        created.push(q);
      }
      removeStaleStaging(abs);
      const staging = tmpName(abs, "geoinv", "staging");
      fs.mkdirSync(staging);
      return new OutputDir(abs, staging, created);
    } catch (e) {
      for (const q of created.reverse()) fs.rmSync(q, { recursive: true, force: true });
      throw new FileError(p, "cannot create", isSystemError(e) ? systemErrorText(e) : (e as Error).message);
    }
  }

  /** Path of an output inside the staging area. */
  path(name: string): string {
    return path.join(this.staging, name);
  }

  /** Path an output will have once committed. */
  finalPath(name: string): string {
    return path.join(this.dir, name);
  }

  /** Move every staged entry into the output directory (each rename atomic). */
  commit(): void {
    if (this.done) return;
    try {
      for (const name of fs.readdirSync(this.staging)) {
        const from = path.join(this.staging, name);
        const to = path.join(this.dir, name);
        let st: fs.Stats | undefined;
        try {
          st = fs.lstatSync(to);
        } catch {
          st = undefined;
        }
        if (st?.isDirectory()) {
          const old = tmpName(this.dir, name, "old");
          fs.renameSync(to, old);
          fs.renameSync(from, to);
          fs.rmSync(old, { recursive: true, force: true });
        } else fs.renameSync(from, to);
      }
      fs.rmdirSync(this.staging);
      fsyncDir(this.dir);
      this.done = true;
    } catch (e) {
      throw new FileError(this.dir, "write failed", isSystemError(e) ? systemErrorText(e) : (e as Error).message);
    }
  }

  /** Remove the staging area and every directory this run created (the previous results stay). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    fs.rmSync(this.staging, { recursive: true, force: true });
    for (const q of [...this.created].reverse()) {
      try {
        fs.rmdirSync(q);
      } catch {
        // not empty (someone else wrote there): leave it
      }
    }
  }
}
