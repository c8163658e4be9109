import * as fs from "fs";
import * as path from "path";
import { geometricThicknesses, layerTops, valuesAtDepths } from "../inversion";
import type { SurveySpec } from "./format";
import { lci, LciResult, LciSounding, profileDistances, serialLciExecutor } from "./lci";
import { SoundingResult, SoundingRun, soundingTasks, SoundingTask, step1Datasets } from "./sounding";
import { SurveyThreads } from "./threads";

/** Write a file atomically: a temporary file in the same directory, then rename over the target. */
export function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function soundingFile(out: string, id: string): string {
  return path.join(out, "soundings", `${id}.json`);
}

/** The result text of a sounding: the same task always gives the same bytes. */
export function resultText(r: SoundingResult): string {
  return JSON.stringify(r, null, 1) + "\n";
}

/** A finished result of this task in `out` (same hash), or null. */
export function finishedResult(out: string, t: SoundingTask): SoundingResult | null {
  const f = soundingFile(out, t.id);
  if (!fs.existsSync(f)) return null;
  try {
    const r = JSON.parse(fs.readFileSync(f, "utf8")) as SoundingResult;
    return r.format === "geoinv-survey-sounding" && r.hash === t.hash ? r : null;
  } catch {
    return null;
  }
}

/** A sounding's result in a progress line: its DE RMS and, with a posterior, R-hat and ESS. */
export function soundingNote(r: SoundingResult): string {
  const p = r.posterior;
  return (
    `rms ${r.resistivity.misfit.rms.toPrecision(3)}` +
    (p ? `, posterior R-hat ${p.rhat_max.toFixed(2)} ESS ${Math.round(p.ess_min)} (${p.stop_reason})` : "")
  );
}

function fmtS(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 90) return `${s.toFixed(0)} s`;
  if (s < 5400) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Progress of a survey run: soundings done / total, elapsed and estimated time remaining. */
export class SurveyProgress {
  private readonly t0 = Date.now();
  private done = 0;
  constructor(
    readonly total: number,
    readonly skipped: number,
    private readonly log: (s: string) => void,
    private readonly label: string,
  ) {
    if (skipped > 0) log(`${label}: ${skipped}/${total} soundings already finished (skipped)`);
  }
  /** A sounding finished in this run. */
  tick(id: string, extra = ""): void {
    this.done++;
    const el = (Date.now() - this.t0) / 1000;
    const n = this.skipped + this.done;
    const left = this.total - n;
    const eta = left > 0 ? (el / this.done) * left : 0;
    this.log(
      `${this.label}: ${n}/${this.total} soundings done (${id}${extra ? ", " + extra : ""})  elapsed ${fmtS(el)}  eta ${fmtS(eta)}`,
    );
  }
  get seconds(): number {
    return (Date.now() - this.t0) / 1000;
  }
}

export interface SectionSounding {
  id: string;
  x: number;
  y: number;
  distance: number;
  hash: string;
  de: { rms: number; model: SoundingResult["resistivity"]["model"]; ipRms: number | null };
  lci: { rms: number; doi: number; logRho: number[]; sensitivity: number[] } | null;
  /** The resistivity step's posterior (when the survey samples one): convergence and width with depth. */
  posterior: SectionPosterior | null;
}

/**
 * A sounding's posterior in the section: its convergence, and the width of the 5-95 % band of
 * log10 rho against depth (decades; from the posterior depth band, depths from the surface, top
 * layers included). Below the band's deepest depth the width is the last one's (there almost every
 * draw is in its half-space).
 */
export interface SectionPosterior {
  rhatMax: number;
  essMin: number;
  stopReason: string;
  evaluations: number;
  depth: number[];
  logRhoWidth: number[];
}

/** The section's view of a sounding's posterior (null without one). */
export function sectionPosterior(r: SoundingResult): SectionPosterior | null {
  const p = r.posterior;
  if (!p) return null;
  const b = p.bands.rho0;
  return {
    rhatMax: p.rhat_max,
    essMin: p.ess_min,
    stopReason: p.stop_reason,
    evaluations: p.evaluations,
    depth: b.depth,
    logRhoWidth: b.upper.map((u, i) => Math.log10(u) - Math.log10(b.lower[i])),
  };
}

export interface SectionSummary {
  format: "geoinv-survey-section";
  survey: string;
  description: string;
  soundings: SectionSounding[];
  lci: Omit<LciResult, "soundings"> | null;
  /**
   * deSeconds: wall time of the 1-D phase (DE and any posterior sampling); posteriorSeconds: the
   * samplers' wall times summed over the soundings computed in this run (in-process runs only).
   */
  timing: {
    deSeconds: number;
    lciSeconds: number;
    computed: number;
    skipped: number;
    mode: string;
    posteriorSeconds?: number;
  };
}

/** The LCI start of a sounding: its DE resistivity at the centres of the grid layers. */
export function lciStart(r: SoundingResult, thickness: number[]): number[] {
  const topDepth = (r.top?.thickness ?? []).reduce((a, b) => a + b, 0);
  const tops = layerTops(thickness);
  const centres = tops.map((z, k) => topDepth + (k < thickness.length ? z + thickness[k] / 2 : z + 1));
  return valuesAtDepths(r.resistivity.model, "rho0", centres).map((v) => Math.log10(v));
}

/** After the 1-D runs: the LCI (if the survey asks) and the section summary in OUT/section.json. */
export async function finishSection(
  spec: SurveySpec,
  results: SoundingResult[],
  out: string,
  o: {
    threads?: SurveyThreads;
    log?: (s: string) => void;
    lci?: boolean;
    timing: Omit<SectionSummary["timing"], "lciSeconds">;
  },
): Promise<SectionSummary & { lciResult: LciResult | null }> {
  const log = o.log ?? (() => undefined);
  const tasks = soundingTasks(spec);
  let lr: LciResult | null = null;
  const t0 = Date.now();
  if (spec.lci && o.lci !== false) {
    const thickness = geometricThicknesses(spec.lci.layers, spec.lci.firstThickness, spec.lci.maxDepth);
    const ls: LciSounding[] = spec.soundings.map((s, i) => ({
      id: s.id,
      x: s.x,
      y: s.y,
      datasets: step1Datasets(tasks[i]),
      top: s.top,
      start: lciStart(results[i], thickness),
    }));
    log(`${spec.name}: LCI of ${ls.length} soundings x ${spec.lci.layers} layers`);
    lr = await lci(
      ls,
      spec.forward,
      spec.lci,
      o.threads && o.threads.size > 1 ? o.threads.lciExecutor : serialLciExecutor,
      log,
    );
  }
  const lciSeconds = (Date.now() - t0) / 1000;
  const { distance } = profileDistances(spec.soundings);
  const summary: SectionSummary = {
    format: "geoinv-survey-section",
    survey: spec.name,
    description: spec.description,
    soundings: spec.soundings.map((s, i) => ({
      id: s.id,
      x: s.x,
      y: s.y,
      distance: distance[i],
      hash: tasks[i].hash,
      de: {
        rms: results[i].resistivity.misfit.rms,
        model: results[i].resistivity.model,
        ipRms: results[i].ip ? results[i].ip!.misfit.rms : null,
      },
      lci: lr
        ? {
            rms: lr.soundings[i].rms,
            doi: lr.soundings[i].doi,
            logRho: lr.soundings[i].logRho,
            sensitivity: lr.soundings[i].sensitivity,
          }
        : null,
      posterior: sectionPosterior(results[i]),
    })),
    lci: lr ? (({ soundings: _s, ...rest }) => rest)(lr) : null,
    timing: { ...o.timing, lciSeconds },
  };
  writeAtomic(path.join(out, "section.json"), JSON.stringify(summary, null, 1) + "\n");
  if (lr) writeAtomic(path.join(out, "lci.json"), JSON.stringify(lr, null, 1) + "\n");
  else fs.rmSync(path.join(out, "lci.json"), { force: true }); // a run without the LCI leaves none behind that section.json does not describe
  log(`${spec.name}: wrote ${path.join(out, "section.json")}`);
  return { ...summary, lciResult: lr };
}

export interface RunSurveyOptions {
  /** Output directory: soundings/<id>.json as they finish, then section.json (and lci.json). */
  out: string;
  /** Threads over soundings (default 1: this thread); or a pool to reuse. */
  threads?: number | "all" | SurveyThreads;
  log?: (s: string) => void;
  /** Run the LCI after the 1-D inversions (default: when the survey has `lci`). */
  lci?: boolean;
  /** Called with each sounding's result as it is written. */
  onSounding?: (r: SoundingResult) => void;
}

/**
 * The embedded (one machine) survey run: each sounding's DE inversion on a pool of worker threads,
 * its result written to OUT/soundings/<id>.json as it finishes (atomically); soundings with a
 * result of the same hash are skipped (resumable); then the LCI and OUT/section.json.
 */
export async function runSurvey(spec: SurveySpec, o: RunSurveyOptions) {
  const log = o.log ?? (() => undefined);
  const tasks = soundingTasks(spec);
  const results: (SoundingResult | null)[] = tasks.map((t) => finishedResult(o.out, t));
  const pending = tasks.filter((_, i) => results[i] === null);
  const own = !(o.threads instanceof SurveyThreads);
  const threads = o.threads instanceof SurveyThreads ? o.threads : new SurveyThreads(o.threads ?? 1);
  const prog = new SurveyProgress(tasks.length, tasks.length - pending.length, log, spec.name);
  let posteriorSeconds = 0;
  try {
    const one = async (t: SoundingTask) => {
      const r = (await threads.run({ kind: "invert", task: t })) as SoundingRun;
      writeAtomic(soundingFile(o.out, t.id), resultText(r.result));
      results[t.index] = r.result;
      posteriorSeconds += r.posteriorSeconds;
      o.onSounding?.(r.result);
      prog.tick(
        t.id,
        `${soundingNote(r.result)}, ${r.seconds.toFixed(1)} s${r.posteriorSeconds > 0 ? ` (posterior ${r.posteriorSeconds.toFixed(1)} s)` : ""}`,
      );
    };
    // in this thread one after the other (each run blocks the thread); on threads all at once
    if (threads.size === 1 && !threads.threaded) for (const t of pending) await one(t);
    else await Promise.all(pending.map(one));
    const deSeconds = prog.seconds;
    return await finishSection(spec, results as SoundingResult[], o.out, {
      threads,
      log,
      lci: o.lci,
      timing: {
        deSeconds,
        computed: pending.length,
        skipped: tasks.length - pending.length,
        mode: `threads:${threads.size}`,
        ...(spec.posterior ? { posteriorSeconds } : {}),
      },
    });
  } finally {
    if (own) await threads.close();
  }
}
