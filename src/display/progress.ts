import { inJupyter, newDisplayId, sendDisplay } from "./sink";

export interface Progress {
  /** Report `done` of `total` units, with an optional message (e.g. the current loss). */
  update(done: number, message?: string): void;
  /**
   * Mark finished with a closing message (e.g. why it stopped). The bar ends at `count`, default the
   * last count given to update() (so a run that stops early ends at 158/300, not 300/300), or
   * `total` when update() was never called.
   */
  done(message?: string, count?: number): void;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/**
 * Progress of a long loop. While running, the text starts with "running"; at the end with "done"
 * (count reached total) or "stopped at COUNT of TOTAL" (an early stop). In Jupyter: one display
 * updated in place (display_data with a display_id,
 * then update_display_data). Elsewhere: a line on stderr, rewritten in place on a terminal and
 * printed at most every `everyS` seconds otherwise.
 */
export function progress(
  label: string,
  total: number,
  opts: { everyS?: number; stream?: NodeJS.WriteStream } = {},
): Progress {
  const t0 = Date.now();
  const jupyter = inJupyter();
  const id = newDisplayId();
  const stream = opts.stream ?? process.stderr;
  const every = (opts.everyS ?? (stream.isTTY ? 0.2 : 5)) * 1000;
  let last = -Infinity;
  let first = true;
  let current: number | undefined;
  const render = (done: number, message: string | undefined, finished: boolean) => {
    const el = (Date.now() - t0) / 1000;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const eta = frac > 0 && !finished ? ` (eta ${fmtTime((el * (1 - frac)) / frac)})` : "";
    const state = !finished ? "running" : done >= total ? "done" : "stopped early";
    return {
      el,
      frac,
      state,
      text: `${label}: ${state}, ${done}/${total} ${Math.round(frac * 100)}% ${fmtTime(el)}${eta}${message ? ` — ${message}` : ""}`,
    };
  };
  const emit = (done: number, message: string | undefined, finished: boolean) => {
    const { frac, text } = render(done, message, finished);
    if (jupyter) {
      const icon = finished ? "" : `<span style="color:#1f77b4">&#9679;</span> `;
      const bar = `<div style="font-family:monospace;font-size:small">${icon}<progress value="${frac}" max="1" style="width:20em"></progress> ${text.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</div>`;
      sendDisplay({ data: { "text/html": bar, "text/plain": text }, transient: { display_id: id } }, !first);
      first = false;
    } else if (stream.isTTY) {
      stream.write(`\r${text}\x1b[K${finished ? "\n" : ""}`);
    } else {
      stream.write(text + "\n");
    }
  };
  return {
    update(done, message) {
      current = done;
      const now = Date.now();
      if (now - last < every && done < total) return;
      last = now;
      emit(done, message, false);
    },
    done(message, count) {
      emit(count ?? current ?? total, message, true);
    },
  };
}
