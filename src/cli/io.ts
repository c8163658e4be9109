/**
 * Input and output helpers shared by the verbs: JSON files read strictly (a UTF-8 BOM is
 * accepted, errors name the file), and results checked (finite) and written atomically to a
 * `--out` path that was checked before any work.
 */
import * as fs from "fs";
import {
  atomicWriteFile,
  checkOutputFile,
  FileError,
  isSystemError,
  OutputDir,
  resultJson,
  stripBom,
  systemErrorText,
} from "../core";
import { UsageError } from "./registry";

/** Read a JSON file (`-` for stdin), accepting a UTF-8 byte-order mark; `what` names it in errors. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = file === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new FileError(
      file,
      "cannot read",
      `${what}: ${isSystemError(e) ? systemErrorText(e) : (e as Error).message}`,
    );
  }
  try {
    return JSON.parse(stripBom(text));
  } catch (e) {
    throw new FileError(file, "not valid JSON", `${what}: ${(e as Error).message}`);
  }
}

/** The checked absolute path of `--out FILE` (undefined when not given), before any work. */
export function outFile(flag: string | boolean | undefined, inputs: (string | undefined)[]): string | undefined {
  if (flag === undefined) return undefined;
  if (typeof flag !== "string" || flag === "") throw new UsageError("--out needs a file name");
  return checkOutputFile(flag, { inputs });
}

/** Prepare `--out DIR` before any work: checked, created if needed, with a staging area. */
export function outDirectory(flag: string | boolean | undefined, inputs: (string | undefined)[] = []): OutputDir {
  if (typeof flag !== "string" || flag === "")
    throw new UsageError("--out DIR is required (models and metrics.json are written there)");
  return OutputDir.prepare(flag, { inputs });
}

/** Run `work` writing into the staging area of `out`; commit on success, remove everything on failure. */
export async function withOutputDir<T>(out: OutputDir, work: () => Promise<T>): Promise<T> {
  try {
    const r = await work();
    out.commit();
    return r;
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Check a JSON result (finite numbers only) and write it atomically to `file`. */
export function writeResult(file: string, obj: unknown, stage: string, hint: string, indent = 2): void {
  atomicWriteFile(file, resultJson(obj, stage, hint, indent));
}
