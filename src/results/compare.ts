import { Cell, NotebookResults, ResultEntry, Tolerance } from "./record";

/**
 * The committed record (docs/results/results-quick.json or results-full.json): the notebooks'
 * records plus how and where they were made.
 */
export interface CollectedResults {
  size: "quick" | "full";
  generated: string;
  commit: string;
  /** True when the working tree had uncommitted changes at the run. */
  dirty: boolean;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  notebooks: Record<string, CollectedNotebook>;
}

export interface CollectedNotebook extends NotebookResults {
  /** Wall time of the notebook's execution (kernel start to end), s. */
  wall_s: number;
  /** 1-, 5-, 15-minute load averages before and after the notebook ran. */
  load_before: number[];
  load_after: number[];
  /** Whether the notebook ran to the end. */
  ok: boolean;
}

export interface Check {
  notebook: string;
  name: string;
  /** "pass", "fail", or "skip" (no band: recorded, not checked). */
  status: "pass" | "fail" | "skip";
  detail: string;
}

/** Whether `actual` is within the band of `expected`: |a - e| <= abs + rel |e|. */
export function withinBand(actual: number, expected: number, tol: Tolerance): boolean {
  return Math.abs(actual - expected) <= (tol.abs ?? 0) + (tol.rel ?? 0) * Math.abs(expected);
}

function bandText(t: Tolerance): string {
  return [t.abs !== undefined ? `abs ${t.abs}` : "", t.rel !== undefined ? `rel ${t.rel}` : ""]
    .filter(Boolean)
    .join(" + ");
}

function cellProblem(a: Cell | undefined, e: Cell, tol: Tolerance): string | undefined {
  if (typeof e === "number") {
    if (typeof a !== "number") return `expected ${e}, got ${a === undefined ? "nothing" : JSON.stringify(a)}`;
    return withinBand(a, e, tol) ? undefined : `${a} is outside ${e} ± (${bandText(tol)})`;
  }
  return a === e ? undefined : `expected ${JSON.stringify(e)}, got ${a === undefined ? "nothing" : JSON.stringify(a)}`;
}

function entryProblem(a: ResultEntry | undefined, e: ResultEntry, tol: Tolerance): string | undefined {
  if (!a) return "missing from the new run";
  if (a.kind !== e.kind) return `was a ${e.kind}, now a ${a.kind}`;
  if (e.kind === "value") return cellProblem(a.value, e.value ?? null, tol);
  const er = e.rows ?? [];
  const ar = a.rows ?? [];
  if (ar.length !== er.length) return `${er.length} rows expected, got ${ar.length}`;
  for (let i = 0; i < er.length; i++) {
    for (const [k, v] of Object.entries(er[i])) {
      const p = cellProblem(ar[i][k], v, tol);
      if (p) return `row ${i + 1} column '${k}': ${p}`;
    }
  }
  return undefined;
}

/**
 * Check a run's records against the committed ones, entry by entry, within each committed entry's
 * band. Notebooks absent from `actual` are not checked (one line says so); a record of another run
 * size is refused; an entry without a band is listed as "skip".
 */
export function compareResults(expected: CollectedResults, actual: Record<string, NotebookResults>): Check[] {
  const out: Check[] = [];
  for (const [nb, exp] of Object.entries(expected.notebooks)) {
    const act = actual[nb];
    if (!act) {
      out.push({
        notebook: nb,
        name: "*",
        status: "skip",
        detail: "notebook not run (no record in the results directory)",
      });
      continue;
    }
    if (act.size !== expected.size) {
      out.push({
        notebook: nb,
        name: "*",
        status: "fail",
        detail: `record is of size ${act.size}, the committed one of size ${expected.size}`,
      });
      continue;
    }
    for (const [name, e] of Object.entries(exp.entries)) {
      if (!e.tol) {
        out.push({ notebook: nb, name, status: "skip", detail: "recorded without a band" });
        continue;
      }
      const p = entryProblem(act.entries[name], e, e.tol);
      out.push({
        notebook: nb,
        name,
        status: p ? "fail" : "pass",
        detail: p ? `${p} (band: ${e.tol.reason})` : `within ${bandText(e.tol)}`,
      });
    }
  }
  return out;
}

/** One line per failure, and a count. */
export function checkReport(checks: Check[]): string {
  const fail = checks.filter((c) => c.status === "fail");
  const pass = checks.filter((c) => c.status === "pass").length;
  const skipped = checks.filter((c) => c.status === "skip" && c.name === "*").map((c) => c.notebook);
  const lines = fail.map((c) => `FAIL  ${c.notebook}: ${c.name}: ${c.detail}`);
  lines.push(
    `results check: ${pass} within band, ${fail.length} outside` +
      (skipped.length ? `; not run: ${skipped.join(", ")}` : ""),
  );
  return lines.join("\n");
}
