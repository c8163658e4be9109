/**
 * Bad optimiser input (bounds, options): the one ValidationError of geoinv (src/core),
 * `new ValidationError(field, message)`; the CLI reports it as a usage error (exit 2).
 */
export { ValidationError } from "../core";
