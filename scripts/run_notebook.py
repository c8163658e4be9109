"""Execute one notebook on geoinv's tslab kernel and export it to HTML.

Used by scripts/run-notebooks.ts (npm run notebooks). Runs on the Python that has nbclient and
nbconvert (Debian's jupyter-nbconvert / jupyter-client on /usr/bin/python3, or a pip install).

usage: run_notebook.py NOTEBOOK.ipynb OUT_DIR [--timeout SECONDS]
Exit codes: 0 ok; 1 a cell failed (its own error text is printed); 2 usage or setup problem.
"""
import json
import os
import sys
import time


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


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, out_dir = argv[1], argv[2]
    timeout = None
    if "--timeout" in argv:
        t = float(argv[argv.index("--timeout") + 1])
        timeout = None if t <= 0 else int(t)
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
    client = NotebookClient(
        nb,
        kernel_name="geoinv-tslab",
        timeout=timeout,
        startup_timeout=120,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    failed = None
    t0 = time.time()
    try:
        with client.setup_kernel():
            for i, cell in enumerate(nb.cells):
                if cell.get("cell_type") != "code":
                    continue
                try:
                    client.execute_cell(cell, i)
                except CellExecutionError:
                    failed = (i, cell)
                    break
    except Exception as e:  # kernel died, start-up failure, timeout
        failed = (-1, {"source": "(kernel)", "outputs": [{"output_type": "error", "ename": type(e).__name__, "evalue": str(e), "traceback": []}]})
    elapsed = time.time() - t0
    nb.metadata.setdefault("geoinv", {})["executed_seconds"] = round(elapsed, 1)
    nbformat.write(nb, os.path.join(out_dir, name + ".ipynb"))
    body, _ = HTMLExporter().from_notebook_node(nb)
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
