/**
 * The one error vocabulary of geoinv. Every domain's `errors.ts` re-exports these classes, so a
 * `ValidationError` thrown anywhere is the same class and the CLI tells them apart with
 * `instanceof`, never by name.
 */

/** Does `s` look like a field path ("optimizer.c", "surveys[0].receiver.points", "--wells")? */
function looksLikeField(s: string): boolean {
  return /^-{0,2}[A-Za-z_$][\w$-]*(?:\[\d+\]|\.[A-Za-z_$][\w$-]*)*(?:\[\d+\])?$/.test(s);
}

/**
 * Bad input. `field` is the path of the offending value as the user wrote it ("optimizer.c",
 * "surveys[0].receiver.points", "--wells", a file name); `detail` says what is wrong and how to
 * fix it; `message` is `field: detail`.
 *
 * The single-argument form `new ValidationError("field: detail")` is accepted for older call
 * sites: a leading `field: ` is split off when it looks like a field path.
 */
export class ValidationError extends Error {
  readonly field: string;
  readonly detail: string;
  constructor(field: string, message?: string) {
    let f = field;
    let d = message;
    if (d === undefined) {
      const i = field.indexOf(": ");
      if (i > 0 && looksLikeField(field.slice(0, i))) {
        f = field.slice(0, i);
        d = field.slice(i + 2);
      } else {
        f = "";
        d = field;
      }
    }
    super(f ? `${f}: ${d}` : d);
    this.name = "ValidationError";
    this.field = f;
    this.detail = d;
  }

  /** The same error with its field re-rooted under `prefix` ("optimizer" + "c" -> "optimizer.c"). */
  under(prefix: string): ValidationError {
    if (!prefix) return this;
    const f = this.field === "" ? prefix : this.field.startsWith("[") ? prefix + this.field : `${prefix}.${this.field}`;
    const e = new ValidationError(f, this.detail);
    return e;
  }
}

/**
 * A result that is not a finite number (NaN or Infinity) where one is required: the run stops
 * rather than write `null` or `NaN` with exit code 0. `field` names the stage and the value.
 */
export class NonFiniteError extends ValidationError {
  readonly stage: string;
  constructor(stage: string, where: string, value: number, hint: string) {
    super(stage, `${where} is ${value}${hint ? `; ${hint}` : ""}`);
    this.name = "NonFiniteError";
    this.stage = stage;
  }
}

/**
 * A file that cannot be read, written or trusted: missing, corrupt, unwritable, a full disk.
 * The message names the file, the problem, the detail and (optionally) the fix.
 */
export class FileError extends Error {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string, detail: string, hint?: string) {
    super(`${file}: ${problem}: ${detail}${hint ? `\n  ${hint}` : ""}`);
    this.name = "FileError";
    this.file = file;
    this.problem = problem;
  }
}

/** An operating-system error from Node's fs (ENOENT, EACCES, ENOSPC, ...)? */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const x = e as NodeJS.ErrnoException;
  return (
    e instanceof Error &&
    typeof x.code === "string" &&
    /^E[A-Z]+$/.test(x.code) &&
    (typeof x.syscall === "string" || typeof x.errno === "number")
  );
}

/** One line describing an fs error without the stack: "ENOSPC: no space left on device, write". */
export function systemErrorText(e: NodeJS.ErrnoException): string {
  return e.message.split("\n")[0];
}
