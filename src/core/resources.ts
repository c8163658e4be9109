/**
 * Memory estimates before allocation. Where the size of the user's input drives memory (a survey's
 * times, gates and quadrature points; a model batch; a TCN batch), the work's bytes are estimated
 * from the input alone and the run is refused with a ValidationError naming the user's field
 * before anything large is allocated, instead of dying with "JavaScript heap out of memory" or
 * "Array buffer allocation failed" after minutes of work.
 *
 * The rule: the limit is MEMORY_FRACTION (one half) of the smaller of the physical memory
 * (`os.totalmem()`) and the V8 heap limit (`v8.getHeapStatistics().heap_size_limit`, raised with
 * `node --max-old-space-size=MB`). Typed arrays live outside the V8 heap, but the smaller of the two
 * keeps one rule for objects and buffers alike and leaves room for the rest of the process.
 */
import * as os from "os";
import * as v8 from "v8";
import { ValidationError } from "./errors";

/** The share of min(physical memory, V8 heap limit) one piece of work may plan to allocate. */
export const MEMORY_FRACTION = 0.5;

/** The memory limit in bytes: MEMORY_FRACTION x min(os.totalmem(), V8 heap_size_limit). */
export function memoryLimit(): number {
  return MEMORY_FRACTION * Math.min(os.totalmem(), v8.getHeapStatistics().heap_size_limit);
}

/** Bytes as a short human string ("1.5 GiB"). */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return String(b);
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let v = b;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 || v >= 100 ? v.toFixed(0) : v.toPrecision(3)} ${units[u]}`;
}

/**
 * Refuse work whose estimated `bytes` exceed `limit` (default memoryLimit()): a ValidationError
 * naming `field` (the user's input that drives the size), saying what needs the memory, the
 * estimate, the limit and the rule, and `fix`.
 */
export function checkMemory(field: string, bytes: number, what: string, fix: string, limit = memoryLimit()): void {
  if (bytes <= limit) return;
  throw new ValidationError(
    field,
    `${what} would need about ${formatBytes(bytes)}, over the memory limit of ${formatBytes(limit)} ` +
      `(half the smaller of physical memory and the V8 heap limit; node --max-old-space-size raises the latter); ${fix}`,
  );
}
