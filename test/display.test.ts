import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import {
  convergenceFigure,
  figureHtml,
  DisplayContent,
  fmt,
  initNotebook,
  layeredModelFigure,
  modelBandFigure,
  plot,
  posteriorDepthBandFigure,
  posteriorPredictiveFigure,
  progress,
  SEARCH_SPREAD_LABEL,
  sectionFigure,
  setDisplaySink,
  table,
  traceOverlayFigure,
  transientFigure,
  searchSpreadBand,
  truthBandFigure,
} from "../src/display";
import { compactJson, fitLegend, logTicks, signRuns, stepCoordinates, uint8Heatmap } from "../src/display/internal";

function capture(f: () => void): { content: DisplayContent; update: boolean }[] {
  const got: { content: DisplayContent; update: boolean }[] = [];
  setDisplaySink((content, update) => got.push({ content, update }));
  try {
    f();
  } finally {
    setDisplaySink(undefined);
  }
  return got;
}

test("plot stores the figure ONCE (plotly JSON) with a one-line text fallback; initNotebook sends nothing", () => {
  assert.equal(capture(() => initNotebook()).length, 0);
  const msgs = capture(() =>
    plot({ data: [{ type: "scatter", x: [1, 2], y: [3, 1 / 3] }], layout: { title: { text: "t" } } }),
  );
  assert.equal(msgs.length, 1);
  const d = msgs[0].content.data;
  assert.deepEqual(Object.keys(d).sort(), ["application/vnd.plotly.v1+json", "text/plain"]);
  const pj = d["application/vnd.plotly.v1+json"] as { data: { y: number[] }[] };
  assert.deepEqual(pj.data[0].y, [3, 0.333333]);
  const plain = d["text/plain"] as string;
  assert.ok(!plain.includes("\n") && plain.length < 200, plain);
  assert.match(plain, /figure: t;.*plotly/);
  // the whole message is about the size of the figure's data, not of plotly.js (5 MB)
  assert.ok(JSON.stringify(msgs[0].content).length < 600);
});

test("compactJson rounds to 6 significant digits and turns typed arrays into arrays", () => {
  assert.deepEqual(compactJson({ a: Float64Array.from([Math.PI, 1e-13 / 3]), b: [NaN, 7], c: undefined, s: "x" }), {
    a: [3.14159, 3.33333e-14],
    b: [null, 7],
    s: "x",
  });
});

test("a long vertical legend makes the figure taller instead of scrolling", () => {
  const traces = Array.from({ length: 12 }, (_, i) => ({ type: "scatter", name: `s${i}`, x: [1], y: [i] }));
  const f = fitLegend({ data: traces, layout: { height: 300, margin: { t: 40, b: 50 } } });
  const h = f.layout!.height as number;
  assert.ok(h - 90 >= 12 * 30, `height ${h}`);
  // a short legend is left alone
  assert.equal(fitLegend({ data: traces.slice(0, 3), layout: { height: 300 } }).layout!.height, 300);
});

test("figure HTML cannot be broken out of by a </script> in the data", () => {
  const h = figureHtml({ data: [{ name: "</script><b>x" }] }, "d1");
  assert.equal((h.match(/<\/script>/g) ?? []).length, 1);
});

test("progress ends at the real count when a run stops early, and says so", () => {
  const msgs = capture(() => {
    const p = progress("run", 300, { everyS: 1e9 });
    for (let g = 1; g <= 158; g++) p.update(g);
    p.done("target reached at generation 158");
  });
  const last = msgs[msgs.length - 1].content.data["text/plain"] as string;
  assert.match(last, /stopped early, 158\/300 53%/);
  assert.match(last, /target reached/);
  assert.match(msgs[0].content.data["text/plain"] as string, /running, 1\/300/);
});

test("progress updates one display in place", () => {
  const msgs = capture(() => {
    const p = progress("train", 3, { everyS: 0 });
    p.update(1, "loss 0.5");
    p.update(2);
    p.done("finished", 3);
  });
  assert.equal(msgs.length, 3);
  const ids = new Set(msgs.map((m) => m.content.transient?.display_id));
  assert.equal(ids.size, 1);
  assert.ok([...ids][0]);
  assert.deepEqual(
    msgs.map((m) => m.update),
    [false, true, true],
  );
  assert.match(msgs[0].content.data["text/plain"] as string, /train: running, 1\/3 33%.*loss 0\.5/);
  assert.match(msgs[2].content.data["text/plain"] as string, /train: done, 3\/3 100%.*finished/);
});

test("fmt: significant digits, scientific for tiny and huge, integers in full", () => {
  assert.equal(fmt(6.813e-6), "6.813e-6");
  assert.equal(fmt(0.97123456), "0.9712");
  assert.equal(fmt(12345), "12345");
  assert.equal(fmt(2.5e7), "2.500e+7");
  assert.equal(fmt(999999.7), "1.000e+6");
  assert.equal(fmt(-0.0012345, 3), "-0.00123");
  assert.equal(fmt("abc"), "abc");
  assert.equal(fmt(null), "");
});

test("table formats arquero 8 tables per column: digits, scientific, readable text, text left-aligned", () => {
  const t = aq.table({ case: ["top", "middle"], misfit: [6.813e-6, 0.5], rho: [123.456789, 20.0001], n: [158, 300] });
  const m = capture(() => table(t, { caption: "fit", format: { rho: 2, n: (v) => `${v} gens` } }));
  const h = m[0].content.data["text/html"] as string;
  const p = m[0].content.data["text/plain"] as string;
  assert.doesNotMatch(p, /object Table/);
  assert.match(h, /6\.813e-6/);
  assert.doesNotMatch(h, /0\.000007/);
  assert.match(h, /<td style="text-align:right">120<\/td>/); // 2 significant digits for rho
  assert.match(h, /158 gens/);
  assert.match(h, /<th style="text-align:left">case<\/th>/);
  assert.match(h, /<td style="text-align:left">middle<\/td>/);
  assert.match(h, /<td style="text-align:right">0\.5<\/td>/);
  const lines = p.split("\n");
  assert.equal(lines[0], "fit");
  assert.match(lines[1], /^case\s+misfit/);
  assert.match(lines[3], /^top {4}/); // text padded on the right (left-aligned)
  assert.match(lines[3], /6\.813e-6/);
  assert.match(lines[4], /^middle\s+0\.5/);
  // long tables are cut with a note
  const big = capture(() => table(aq.table({ x: Array.from({ length: 150 }, (_, i) => i) })));
  assert.match(big[0].content.data["text/plain"] as string, /150 rows, first 100 shown/);
});

test("table renders arquero tables and row arrays with text and HTML", () => {
  const m1 = capture(() => table(aq.table({ a: [1, 2], b: ["x", "y"] })));
  assert.match(m1[0].content.data["text/html"] as string, /<table/);
  assert.match(m1[0].content.data["text/plain"] as string, /a/);
  const m2 = capture(() => table([{ pcc: 0.97123456, name: "<tcn>" }], { caption: "T1" }));
  assert.match(m2[0].content.data["text/html"] as string, /0\.9712.*&lt;tcn&gt;/s);
  assert.match(m2[0].content.data["text/plain"] as string, /0\.9712/);
});

test("section heatmap is depth-down with samples on y and traces on x", () => {
  const f = sectionFigure([Float32Array.from([1, 2, 3]), Float32Array.from([4, 5, 6])], { dx: 10, dz: 5 });
  const h = f.data[0] as { x: number[]; y: number[]; z: number[][] };
  assert.deepEqual(h.x, [0, 10]);
  assert.deepEqual(h.y, [0, 5, 10]);
  assert.deepEqual(h.z, [
    [1, 4],
    [2, 5],
    [3, 6],
  ]);
  assert.equal((f.layout!.yaxis as { autorange: string }).autorange, "reversed");
});

test("large sections are stored as 8-bit codes with a colour bar in data units", () => {
  const rows = Array.from({ length: 100 }, (_, i) => Float32Array.from({ length: 100 }, (_, j) => 1000 + 10 * i + j));
  const f = sectionFigure(rows, { colorbarTitle: "Ip" });
  const h = f.data[0] as {
    z: { dtype: string; bdata: string; shape: string };
    zmin: number;
    zmax: number;
    colorbar: { tickvals: number[]; ticktext: string[] };
  };
  assert.equal(h.z.dtype, "u1");
  assert.equal(h.z.shape, "100,100");
  const codes = Buffer.from(h.z.bdata, "base64");
  assert.equal(codes.length, 10000);
  // rows are samples: cell (sample 0, trace 99) holds 1990 of the range 1000..2089; (0, 0) the
  // minimum; (99, 99) the maximum
  assert.equal(codes[99], Math.round((250 * 990) / 1089));
  assert.equal(codes[0], 0);
  assert.equal(codes[9999], 250);
  assert.equal(h.zmin, 0);
  assert.equal(h.zmax, 250);
  // the tick at value 1500 sits at code 250 * 500 / 1089
  const k = h.colorbar.ticktext.indexOf("1500");
  assert.ok(k >= 0, h.colorbar.ticktext.join(","));
  assert.ok(Math.abs(h.colorbar.tickvals[k] - (250 * 500) / 1089) < 1e-9);
  assert.deepEqual(Array.from(Buffer.from(uint8Heatmap([[0, 5, 10]], 0, 10).bdata, "base64")), [0, 125, 250]);
});

test("a Marmousi-sized section is thinned to at most maxCells cells (about 100 kB in the notebook)", () => {
  const rows = Array.from({ length: 1701 }, (_, i) =>
    Float32Array.from({ length: 351 }, (_, j) => Math.sin(i / 50) + j / 351),
  );
  const f = sectionFigure(rows, { stride: 2, dx: 10, dz: 10 });
  const h = f.data[0] as { x: number[]; y: number[]; z: { shape: string; bdata: string } };
  assert.ok(h.x.length * h.y.length <= 80000, `${h.x.length} x ${h.y.length}`);
  assert.equal(h.z.shape, `${h.y.length},${h.x.length}`);
  assert.equal(h.x[1] - h.x[0], h.y[1] - h.y[0]); // one stride on both axes, in metres here
  assert.ok(JSON.stringify(f).length < 120_000);
  // the stride asked for is kept when the section is small enough
  const g = sectionFigure(rows.slice(0, 200), { stride: 2 });
  assert.equal((g.data[0] as { x: number[] }).x.length, 100);
});

test("sign runs split negative parts so they can be drawn distinctly on log axes", () => {
  const runs = signRuns([1, 2, 3, 4, 5], [3, 2, -1, -0.5, 0.1]);
  assert.deepEqual(
    runs.map((r) => r.sign),
    [1, -1, 1],
  );
  assert.deepEqual(runs[1].y, [1, 0.5]);
  const fig = transientFigure([{ name: "d", times: [1, 2, 3], values: [1, -1, 1] }]);
  const syms = fig.data.map((t) => (t.marker as { symbol: string }).symbol);
  assert.deepEqual(syms, ["circle", "circle-open", "circle"]);
});

test("layered-model step coordinates", () => {
  const s = stepCoordinates([10, 20], [100, 10, 1000], 50);
  assert.deepEqual(s.depth, [0, 10, 10, 30, 30, 50]);
  assert.deepEqual(s.value, [100, 100, 10, 10, 1000, 1000]);
  const f = layeredModelFigure([{ name: "m", thickness: [10], values: [1, 2], lower: [0.5, 1], upper: [2, 4] }]);
  assert.equal(f.data.length, 3);
});

test("the sign note sits below the x-axis title, inside the bottom margin", () => {
  const f = transientFigure([{ name: "d", times: [1, 2], values: [1, -1] }]);
  const a = (f.layout!.annotations as { y: number; yshift: number; yanchor: string }[])[0];
  const b = (f.layout!.margin as { b: number }).b;
  assert.equal(a.y, 0);
  assert.equal(a.yanchor, "top");
  // below tick labels and axis title (about 45 px) and with its ~14 px line inside the margin
  assert.ok(-a.yshift >= 50 && -a.yshift + 16 <= b, `yshift ${a.yshift}, margin ${b}`);
});

test("layered models stay off the plot border, with plain log ticks and Ω·m", () => {
  const f = layeredModelFigure([{ name: "m", thickness: [200, 300], values: [100, 20, 200] }]);
  const x = f.layout!.xaxis as { range: number[]; tickvals: number[]; ticktext: string[]; title: { text: string } };
  assert.ok(x.range[0] < Math.log10(20) - 0.05 && x.range[1] > Math.log10(200) + 0.05, String(x.range));
  assert.match(x.title.text, /Ω·m/);
  assert.ok(
    x.ticktext.includes("20") && x.ticktext.includes("100") && x.ticktext.includes("200"),
    x.ticktext.join(","),
  );
  assert.ok(!x.ticktext.includes("9"));
  const lin = layeredModelFigure([{ name: "m", thickness: [10], values: [0, 0.3] }], { logValue: false }).layout!
    .xaxis as { range: number[] };
  assert.ok(lin.range[0] < 0 && lin.range[1] > 0.3);
  // less than a decade: 1-1.5-2-3-5-7 steps, all labelled as numbers
  assert.deepEqual(logTicks(25, 90).ticktext, ["30", "50", "70"]);
});

test("adaptive-parameter plot: colour by case, dash by quantity", () => {
  const f = convergenceFigure(
    ["top", "middle", "bottom"].flatMap((c) => [
      { name: `${c}: λ`, y: [1, 2] },
      { name: `${c}: μ_CR`, y: [1, 2], dash: "dot" as const },
      { name: `${c}: μ_F`, y: [1, 2], dash: "dash" as const },
    ]),
  );
  const colours = f.data.map((t) => (t.line as { color: string }).color);
  assert.equal(new Set(colours).size, 3);
  assert.equal(colours[0], colours[1]);
  assert.equal(colours[1], colours[2]);
  assert.notEqual(colours[0], colours[3]);
});

test("population bands are labelled as search spread; posterior depth band with overlays", () => {
  const band = {
    depth: [0, 100, 200, 300],
    lower: [10, 10, 50, 50],
    median: [20, 20, 100, 100],
    upper: [40, 40, 200, 200],
  };
  const mb = modelBandFigure([], [{ name: SEARCH_SPREAD_LABEL, ...band }]);
  assert.ok(mb.data.some((t) => t.name === "search spread (final DE population), not uncertainty"));
  const f = posteriorDepthBandFigure(band, {
    trueModel: { thickness: [150], values: [20, 100] },
    bestModel: { thickness: [140], values: [22, 95] },
    maxDepth: 300,
  });
  const names = f.data.map((t) => t.name);
  assert.ok(names.includes("posterior 5-95 %"));
  assert.ok(names.includes("posterior median") && names.includes("true model") && names.includes("best-fit model"));
  const fill = f.data.find((t) => t.name === "posterior 5-95 %")!;
  assert.equal(fill.fill, "tonextx");
  assert.deepEqual(fill.x, band.upper);
  const truth = f.data.find((t) => t.name === "true model")!;
  assert.deepEqual(truth.y, [0, 150, 150, 300]);
  const x = f.layout!.xaxis as { range: number[] };
  assert.ok(x.range[0] < 1 && x.range[1] > Math.log10(200));
  assert.throws(() => posteriorDepthBandFigure({ ...band, median: [1] }), /same non-zero length/);
  const u = posteriorDepthBandFigure(band, { converged: false }).data.map((t) => t.name);
  assert.ok(u.includes("posterior 5-95 % (NOT converged: not uncertainty)"), u.join(", "));
  assert.ok(!u.includes("posterior 5-95 %"));
});

test("posterior-predictive band: quantiles per gate with observed data and error bars", () => {
  const times = [1e-4, 1e-3, 1e-2];
  const f = posteriorPredictiveFigure(
    {
      times,
      q05: [9, 0.9, 0.09],
      q50: [10, 1, 0.1],
      q95: [11, 1.1, 0.11],
      observed: [10.2, 0.95, 0.1],
      errors: [0.5, 0.05, 0.01],
    },
    { yLabel: "V" },
  );
  const band = f.data.find((t) => /posterior predictive 5-95/.test(String(t.name)))!;
  assert.deepEqual(band.y, [11, 1.1, 0.11]);
  assert.equal(band.fill, "tonexty");
  const obs = f.data.find((t) => t.name === "observed")!;
  assert.deepEqual((obs.error_y as { array: number[] }).array, [0.5, 0.05, 0.01]);
  assert.equal((f.layout!.yaxis as { type: string }).type, "log");
  // all-negative data: |value| on log axes, said on the axis
  const neg = posteriorPredictiveFigure({
    times,
    q05: [-11, -1.1, -0.11],
    q50: [-10, -1, -0.1],
    q95: [-9, -0.9, -0.09],
  });
  assert.match((neg.layout!.yaxis as { title: { text: string } }).title.text, /\|value\|/);
  assert.throws(
    () => posteriorPredictiveFigure({ times, q05: [1], q50: [1, 1, 1], q95: [1, 1, 1] }),
    /q05 has 1 values for 3 times/,
  );
});

test("epoch progress: an early-stopped run ends at its real epoch, closed by the next run or by finish()", async () => {
  const { epochProgress } = await import("../src/display");
  const msgs = capture(() => {
    const cb = epochProgress("train");
    for (let e = 1; e <= 4; e++) cb({ epoch: e, epochs: 10, trainLoss: 1, valLoss: NaN });
    cb({ epoch: 1, epochs: 10, trainLoss: 1, valLoss: NaN }); // a second run starts
    cb({ epoch: 2, epochs: 10, trainLoss: 1, valLoss: NaN, stopped: "early stopping (patience 1)" });
  });
  const texts = msgs.map((m) => m.content.data["text/plain"] as string);
  assert.ok(
    texts.some((t) => /stopped early, 4\/10 .*stopped early at epoch 4/.test(t)),
    texts.join("\n"),
  );
  assert.match(texts[texts.length - 1], /stopped early, 2\/10 .*early stopping \(patience 1\)/);
});

test("trace overlays keep their legend off the axis title (vertical legend at the right)", () => {
  const f = traceOverlayFigure(
    [
      { name: "a", values: [1, 2] },
      { name: "b", values: [2, 1] },
    ],
    { vertical: true, valueLabel: "Ip" },
  );
  assert.notEqual((f.layout!.legend as { orientation?: string } | undefined)?.orientation, "h");
});

test("truthBandFigure: the truth dashed in black, the models as steps, the bands shaded; m on a linear axis", () => {
  const truth = { thickness: [100], rho0: [10, 1000], m: [0.3, 0] };
  const inverted = { thickness: [80], rho0: [12, 900], m: [0.25, 0.01] };
  const band = { depth: [0, 100, 200], lower: [5, 5, 500], upper: [20, 20, 2000] };
  const f = truthBandFigure(
    "rho0",
    truth,
    [{ name: "DE", model: inverted, color: "#d62728" }],
    [searchSpreadBand(band)],
    {
      maxDepth: 200,
    },
  );
  const byName = (n: string) => f.data.find((t) => t.name === n)!;
  const t = byName("true");
  assert.deepEqual(t.x, [10, 10, 1000, 1000]);
  assert.deepEqual(t.y, [0, 100, 100, 200]);
  assert.deepEqual(t.line, { color: "#000000", dash: "dash", width: 2 });
  assert.deepEqual(byName("DE").x, [12, 12, 900, 900]);
  const fill = byName(SEARCH_SPREAD_LABEL);
  assert.equal(fill.fill, "tonextx");
  assert.deepEqual(fill.x, band.upper);
  assert.equal((f.layout!.xaxis as { type: string }).type, "log");
  const m = truthBandFigure("m", truth, [], [], { maxDepth: 200, truthName: "true (synthetic)" });
  assert.deepEqual(
    m.data.map((d) => d.name),
    ["true (synthetic)"],
  );
  assert.deepEqual(m.data[0].x, [0.3, 0.3, 0, 0]);
  const ax = m.layout!.xaxis as { type: string; title: { text: string } };
  assert.equal(ax.type, "linear");
  assert.equal(ax.title.text, "m");
  assert.equal(searchSpreadBand(band, "#123456").color, "#123456");
  assert.ok(!("color" in searchSpreadBand(band)));
});
