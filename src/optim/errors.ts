/**
 * Bad optimiser input (bounds, options). Named "ValidationError" so the CLI reports it as a
 * usage error (exit 2) with the message alone.
 */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValidationError";
  }
}
