"""JupyterLab server settings for geoinv's notebooks (README: "Notebooks in JupyterLab").

Load it by starting Lab with this folder on the config path, at the repository root:

    JUPYTER_CONFIG_PATH="$PWD/kernel/config" .venv/bin/jupyter lab

geoinv stores each figure once, as plotly JSON (application/vnd.plotly.v1+json). JupyterLab's
plotly renderer adds a PNG snapshot of every figure it draws to the output, which would be saved
beside the JSON (tens to hundreds of kB per figure). This pre-save hook drops that PNG from
outputs that also hold plotly JSON, so a notebook saved after Run All stays small; the renderer
draws the figure again from the JSON when the notebook is reopened. Other outputs are untouched.
"""

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def geoinv_strip_plotly_png(model, **kwargs):
    """Remove image/png from outputs that carry plotly JSON (pre-save hook: edits `model` in place)."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    for cell in model["content"].get("cells", []):
        for out in cell.get("outputs", None) or []:
            data = out.get("data") or {}
            if PLOTLY_MIME in data and "image/png" in data:
                del data["image/png"]
                meta = out.get("metadata") or {}
                meta.pop("image/png", None)


c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)
c.ContentsManager.pre_save_hook = geoinv_strip_plotly_png
