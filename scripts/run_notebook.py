"""Execute one notebook on geoinv's tslab kernel and export it to HTML.

Used by scripts/run-notebooks.ts (npm run notebooks). Runs on the Python that has nbclient and
nbconvert (Debian's jupyter-nbconvert / jupyter-client on /usr/bin/python3, or a pip install).

usage: run_notebook.py NOTEBOOK.ipynb OUT_DIR [--timeout SECONDS] [--plotly-js BUNDLE.js]

The executed .ipynb keeps each figure once (application/vnd.plotly.v1+json, which JupyterLab's
plotly renderer draws). The exported .html is self-contained: plotly.js (BUNDLE.js) is inlined once
in its <head> and every plotly output gets a text/html copy that draws the same JSON.
Exit codes: 0 ok; 1 a cell failed (its own error text is printed); 2 usage or setup problem.
A kernel that does not start (no cell ran) is started once more; the retry is noted on stderr as a
"geoinv-note:" line, which the runner prints under the notebook's "ok".
"""
import copy
import json
import os
import re
import sys
import time

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def script_safe(s):
    """Text that cannot close the <script> element it is put in."""
    return re.sub(r"</(script)", r"<\/\1", s, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def with_plotly_html(nb):
    """A copy of the notebook whose plotly outputs also carry text/html drawing them with window.Plotly."""
    nb = copy.deepcopy(nb)
    k = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            fig = data.get(PLOTLY_MIME)
            if fig is None or "text/html" in data:
                continue
            if isinstance(fig, str):
                fig = json.loads(fig)
            k += 1
            div = f"geoinv-plot-{k}"
            height = (fig.get("layout") or {}).get("height") or 450
            payload = script_safe(json.dumps({"data": fig.get("data", []), "layout": fig.get("layout", {}), "config": fig.get("config", {})}, separators=(",", ":")))
            data["text/html"] = (
                f'<div id="{div}" class="geoinv-plot" style="width:100%;height:{height}px"></div>'
                f'<script type="text/javascript">(function(){{var f={payload};'
                f'if(window.Plotly){{window.Plotly.newPlot("{div}",f.data,f.layout,f.config);}}'
                f'else{{document.getElementById("{div}").innerText="plotly.js missing from this page";}}}})();</script>'
            )
    return nb, k


def inline_plotly(body, bundle_path):
    """Put plotly.js once into the page's <head> (before any figure script runs)."""
    with open(bundle_path, encoding="utf-8") as f:
        js = script_safe(f.read())
    tag = f'<script type="text/javascript">{js}</script>'
    i = body.find("</head>")
    return body[:i] + tag + body[i:] if i >= 0 else tag + body


def cell_error_text(cell):
    """The failing cell's own error text: tslab reports it on stderr, not in the error output."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            ename, evalue = out.get("ename", ""), out.get("evalue", "")
            if ename or evalue:
                parts.append(f"{ename}: {evalue}")
            tb = "\n".join(out.get("traceback", []))
            if tb.strip():
                parts.append(tb)
    text = "\n".join(p.rstrip() for p in parts if p.strip())
    return text or "(the cell failed without any error text)"


def run_cells(client, nb, cell_error):
    """Run the code cells in order; (failed, started): failed is None or (index, cell) with index -1
    for a kernel that died, failed to start or timed out; started is whether the kernel came up."""
    started = False
    try:
        with client.setup_kernel():
            started = True
            for i, cell in enumerate(nb.cells):
                if cell.get("cell_type") != "code":
                    continue
                try:
                    client.execute_cell(cell, i)
                except cell_error:
                    return (i, cell), started
    except Exception as e:  # kernel died, start-up failure, timeout
        return (-1, {"source": "(kernel)", "outputs": [{"output_type": "error", "ename": type(e).__name__, "evalue": str(e), "traceback": []}]}), started
    return None, started


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, out_dir = argv[1], argv[2]
    timeout = None
    if "--timeout" in argv:
        t = float(argv[argv.index("--timeout") + 1])
        timeout = None if t <= 0 else int(t)
    plotly_js = argv[argv.index("--plotly-js") + 1] if "--plotly-js" in argv else None
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from nbconvert import HTMLExporter
    except ImportError as e:  # pragma: no cover
        print(f"missing Jupyter package: {e}; install Debian's jupyter-nbconvert jupyter-client python3-ipykernel", file=sys.stderr)
        return 2
    nb = nbformat.read(path, as_version=4)
    name = os.path.splitext(os.path.basename(path))[0]
    os.makedirs(out_dir, exist_ok=True)
    t0 = time.time()
    for attempt in (1, 2):
        client = NotebookClient(
            nb,
            kernel_name="geoinv-tslab",
            timeout=timeout,
            startup_timeout=120,
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        )
        failed, started = run_cells(client, nb, CellExecutionError)
        if failed is None or started or attempt == 2:
            break
        # the kernel never answered (tslab's zeromq socket can refuse kernel_info with EBUSY while it
        # binds): no cell ran, so nothing is lost by starting a fresh kernel once
        err = failed[1]["outputs"][0]
        print(f"geoinv-note: the kernel did not start ({err['ename']}: {err['evalue']}); retried once with a fresh kernel", file=sys.stderr)
    elapsed = time.time() - t0
    nb.metadata.setdefault("geoinv", {})["executed_seconds"] = round(elapsed, 1)
    nbformat.write(nb, os.path.join(out_dir, name + ".ipynb"))
    export_nb, n_figures = with_plotly_html(nb)
    body, _ = HTMLExporter().from_notebook_node(export_nb)
    if n_figures > 0 and plotly_js:
        body = inline_plotly(body, plotly_js)
    with open(os.path.join(out_dir, name + ".html"), "w", encoding="utf-8") as f:
        f.write(body)
    if failed is not None:
        i, cell = failed
        src = cell.get("source", "")
        src = src if isinstance(src, str) else "".join(src)
        print(f"--- {name}: cell {i} failed ---", file=sys.stderr)
        print("cell source:\n" + "\n".join("    " + l for l in src.splitlines()[:30]), file=sys.stderr)
        print("error:\n" + cell_error_text(cell), file=sys.stderr)
        return 1
    print(json.dumps({"notebook": name, "seconds": round(elapsed, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
