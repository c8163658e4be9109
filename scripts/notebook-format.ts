/**
 * Notebook sources are percent-format TypeScript (notebooks/percent/NAME.ts):
 *   // %% [markdown]      a markdown cell; its lines start with "// " (stripped)
 *   // %%                 a code cell
 * Text before the first marker is ignored (a file header). This converts a source into an
 * nbformat 4.5 notebook with no outputs, using geoinv's tslab kernelspec.
 */
import * as crypto from "crypto";

export interface NbCell {
  cell_type: "markdown" | "code";
  id: string;
  metadata: Record<string, unknown>;
  source: string[];
  execution_count?: null;
  outputs?: unknown[];
}

export interface Notebook {
  cells: NbCell[];
  metadata: Record<string, unknown>;
  nbformat: 4;
  nbformat_minor: 5;
}

function splitLines(s: string): string[] {
  const lines = s.split("\n");
  return lines.map((l, i) => (i < lines.length - 1 ? l + "\n" : l)).filter((l) => l !== "");
}

export function percentToNotebook(text: string, name: string): Notebook {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const cells: { kind: "markdown" | "code"; body: string[] }[] = [];
  let cur: { kind: "markdown" | "code"; body: string[] } | undefined;
  for (const line of lines) {
    const m = /^\/\/ %%(.*)$/.exec(line);
    if (m) {
      cur = { kind: /\[markdown\]/.test(m[1]) ? "markdown" : "code", body: [] };
      cells.push(cur);
      continue;
    }
    if (!cur) continue;
    if (cur.kind === "markdown") {
      if (line.trim() !== "" && !/^\/\/ ?/.test(line)) throw new Error(`${name}: markdown line without '// ': ${line}`);
      cur.body.push(line.replace(/^\/\/ ?/, ""));
    } else cur.body.push(line);
  }
  const nb: Notebook = {
    cells: cells.map((c, i) => {
      while (c.body.length > 0 && c.body[c.body.length - 1].trim() === "") c.body.pop();
      while (c.body.length > 0 && c.body[0].trim() === "") c.body.shift();
      const id = crypto.createHash("sha1").update(`${name}:${i}`).digest("hex").slice(0, 8);
      const source = splitLines(c.body.join("\n"));
      return c.kind === "markdown"
        ? { cell_type: "markdown", id, metadata: {}, source }
        : { cell_type: "code", id, metadata: {}, source, execution_count: null, outputs: [] };
    }),
    metadata: {
      kernelspec: { name: "geoinv-tslab", display_name: "TypeScript (geoinv, tslab)", language: "typescript" },
      language_info: {
        name: "typescript",
        file_extension: ".ts",
        mimetype: "text/typescript",
        codemirror_mode: { name: "javascript", typescript: true },
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  if (nb.cells.length === 0) throw new Error(`${name}: no cells (expected '// %%' markers)`);
  return nb;
}

export function notebookJson(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}
