// Source of notebooks/00_overview.ipynb (percent format; build with `npm run notebooks:build`).

// %% [markdown]
// # geoinv — overview and data tour
//
// This notebook checks that the kernel, the library and the bundled data work together, and tours
// the data the other notebooks use. It reproduces no figure of the papers.
//
// * **Kernel**: tslab (TypeScript), started at the repository root so cells can import `./src/...`.
// * **Run size**: every notebook reads `GEOINV_SIZE` (`quick` or `full`) through `runSize()`;
//   the notebook runner sets it (`npm run notebooks -- --full`).
// * **Data**: bundled under `data/` with a sha256 manifest (no download needed); `GEOINV_DATA`
//   points the loaders at another copy.

// %%
import * as aq from "arquero";
import { runSize } from "./src/config";
import { dataDir, loadNpy2D, loadRankinSounding, manifest, sourceOf, verifyAll } from "./src/data";
import { initNotebook, markdown, plot, sectionFigure, table, transientFigure } from "./src/display";

initNotebook();
const problems = verifyAll();
markdown(
  `Run size **${runSize()}**; data directory \`${dataDir()}\`; ${Object.keys(manifest().files).length} bundled files, ` +
    (problems.length === 0
      ? "all match their sha256."
      : `**${problems.length} problems**:\n\n` + problems.join("\n\n")),
);

// %% [markdown]
// ## Bundled data sets
// One row per folder: files, size and provenance (each folder's `SOURCE.md` has the details and licence).

// %%
const files = Object.entries(manifest().files).map(([rel, e]) => ({
  folder: rel.split("/")[0],
  file: rel.split("/")[1],
  bytes: e.bytes,
}));
const byFolder = aq
  .from(files)
  .groupby("folder")
  .rollup({ files: aq.op.count(), megabytes: aq.op.sum("bytes") })
  .derive({ megabytes: (d: { megabytes: number }) => d.megabytes / 1e6 })
  .orderby("folder");
table(
  byFolder.derive({ source: aq.escape((d: { folder: string }) => sourceOf(d.folder + "/x")) }),
  { caption: "Bundled data (data/MANIFEST.json)" },
);

// %% [markdown]
// ## Marmousi-2 acoustic impedance
// The source block of the seismic transfer-learning experiments: 1701 traces × 351 depth samples on a
// 10 m grid, impedance in (m/s)·(g/cm³).

// %%
const marm = loadNpy2D("marmousi2/ip.npy");
plot(
  sectionFigure(marm.rows, {
    title: "Marmousi-2 acoustic impedance",
    dx: 10,
    dz: 10,
    xLabel: "x (m)",
    zLabel: "depth (m)",
    colorbarTitle: "Ip<br>(m/s)·(g/cm³)",
    stride: 2,
  }),
);

// %% [markdown]
// ## A real TEM sounding: Rankin Inlet site 1
// Central-loop PROTEM dB<sub>z</sub>/dt (normalised voltage V = −dB<sub>z</sub>/dt per ampere, mV/(A·m²)),
// six transmitter/base-frequency blocks; negative late-time values are drawn with open markers.

// %%
const s1 = loadRankinSounding(1);
plot(
  transientFigure(
    s1.blocks.map((b) => ({
      name: `TEM${b.tem} ${b.baseFrequency} Hz`,
      times: b.time,
      values: b.v,
      errors: b.noise,
      kind: "data" as const,
    })),
    { title: "Rankin Inlet site 1", yLabel: "|V| (mV/(A·m²))" },
  ),
);
table(
  aq.from(
    s1.blocks.map((b) => ({
      TEM: b.tem,
      "base f (Hz)": b.baseFrequency,
      "I (A)": b.current,
      gates: b.time.length,
      "first gate (s)": b.time[0],
      "last gate (s)": b.time[b.time.length - 1],
      "negative gates": b.v.filter((v) => v < 0).length,
    })),
  ),
  { caption: "Site 1 blocks" },
);
