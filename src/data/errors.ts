import { FileError } from "../core";

/**
 * Errors raised when a bundled data file (or the manifest) is missing, corrupt or unreadable: a
 * core FileError (the CLI reports it with exit code 2). Every message names the file, the
 * directory searched, what is wrong and where the data come from, so a user can fix it without
 * reading the code.
 */
export class DataFileError extends FileError {
  constructor(file: string, problem: string, detail: string, hint?: string) {
    super(file, problem, detail, hint);
    this.name = "DataFileError";
  }
}

export { ValidationError } from "../core";
