/**
 * Bad survey input: the project's one ValidationError (src/core: field + message; the CLI prints the
 * message alone and exits 2). `field` is the dotted path of what is wrong, e.g.
 * "soundings[3].surveys[0].data.error[2]".
 */
import { finite, isObject, show, ValidationError } from "../core";

export { finite, isObject, show, ValidationError };

export function rejectUnknown(o: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k))
      throw new ValidationError(field ? `${field}.${k}` : k, `unknown key; allowed: ${allowed.join(", ")}`);
  }
}
