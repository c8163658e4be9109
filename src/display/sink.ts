/**
 * Where display messages go. Inside the tslab kernel they become Jupyter display_data /
 * update_display_data messages carrying one or more mime types; outside Jupyter (scripts, tests)
 * they go to a fallback that prints a plain-text form.
 *
 * tslab's public `display.raw` sends one mime type per call. A display that JupyterLab renders
 * natively (application/vnd.plotly.v1+json) and that also survives HTML export (text/html) needs
 * both in ONE message, so we call the function tslab's own `display.raw` uses,
 * `lastWriteDisplayData(content, update)` from tslab/dist/jupyter (tslab 1.0.22, pinned), which
 * sends the content object as given.
 */
export interface DisplayContent {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}
export type DisplaySink = (content: DisplayContent, update: boolean) => void;

let override: DisplaySink | undefined;

/** Replace the sink (tests, or a custom front end). Pass undefined to restore the default. */
export function setDisplaySink(s: DisplaySink | undefined): void {
  override = s;
}

type TslabWriter = ((content: DisplayContent, update: boolean) => void) | null | undefined;

/** The tslab kernel's writer, when this process is a tslab kernel executing a cell. */
function tslabWriter(): TslabWriter {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const j = require("tslab/dist/jupyter") as { lastWriteDisplayData?: TslabWriter };
    return j.lastWriteDisplayData;
  } catch {
    return undefined;
  }
}

/** True when rich displays have somewhere to go: a Jupyter kernel, or a sink set by setDisplaySink. */
export function inJupyter(): boolean {
  return override !== undefined || typeof tslabWriter() === "function";
}

function fallback(content: DisplayContent): void {
  const d = content.data;
  const text = (d["text/plain"] as string | undefined) ?? (d["text/markdown"] as string | undefined);
  if (text !== undefined) process.stdout.write(text.endsWith("\n") ? text : text + "\n");
  else process.stdout.write(`[display: ${Object.keys(d).join(", ")}]\n`);
}

/** Send one display message with every mime type in `content.data`. */
export function sendDisplay(content: DisplayContent, update = false): void {
  if (override !== undefined) {
    override(content, update);
    return;
  }
  const w = tslabWriter();
  if (typeof w === "function") w({ metadata: {}, ...content }, update);
  else fallback(content);
}

let counter = 0;
/** A fresh display id for displays updated in place. */
export function newDisplayId(): string {
  counter += 1;
  return `geoinv-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
