/**
 * Errors raised when a bundled data file is missing, corrupt or unreadable.
 * Every message names the file, the directory searched, what is wrong and where the data come from,
 * so a user can fix it without reading the code.
 */
export class DataFileError extends Error {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string, detail: string, hint?: string) {
    super(`${file}: ${problem}: ${detail}${hint ? `\n  ${hint}` : ""}`);
    this.name = "DataFileError";
    this.file = file;
    this.problem = problem;
  }
}
