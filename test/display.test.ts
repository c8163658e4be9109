import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import { DisplayContent, figureHtml, layeredModelFigure, plot, progress, sectionFigure, setDisplaySink, signRuns, stepCoordinates, table, transientFigure } from "../src/display";

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

test("plot sends ONE display message with plotly JSON, HTML and text", () => {
  const msgs = capture(() => plot({ data: [{ type: "scatter", x: [1, 2], y: [3, 4] }], layout: { title: { text: "t" } } }));
  // the first plot of a kernel also inlines plotly.js once
  const plots = msgs.filter((m) => "application/vnd.plotly.v1+json" in m.content.data);
  assert.equal(plots.length, 1);
  const d = plots[0].content.data;
  assert.deepEqual(Object.keys(d).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
  const pj = d["application/vnd.plotly.v1+json"] as { data: { y: number[] }[] };
  assert.deepEqual(pj.data[0].y, [3, 4]);
  assert.match(d["text/html"] as string, /window\.Plotly\.newPlot/);
  // a second plot does not inline the bundle again
  const again = capture(() => plot({ data: [] }));
  assert.equal(again.length, 1);
});

test("figure HTML cannot be broken out of by a </script> in the data", () => {
  const h = figureHtml({ data: [{ name: "</script><b>x" }] }, "d1");
  assert.equal((h.match(/<\/script>/g) ?? []).length, 1);
});

test("progress updates one display in place", () => {
  const msgs = capture(() => {
    const p = progress("train", 3, { everyS: 0 });
    p.update(1, "loss 0.5");
    p.update(2);
    p.done("finished");
  });
  assert.equal(msgs.length, 3);
  const ids = new Set(msgs.map((m) => m.content.transient?.display_id));
  assert.equal(ids.size, 1);
  assert.ok([...ids][0]);
  assert.deepEqual(msgs.map((m) => m.update), [false, true, true]);
  assert.match(msgs[0].content.data["text/plain"] as string, /train: 1\/3 33%.*loss 0\.5/);
  assert.match(msgs[2].content.data["text/plain"] as string, /3\/3 100%.*finished/);
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
  assert.deepEqual(h.z, [[1, 4], [2, 5], [3, 6]]);
  assert.equal((f.layout!.yaxis as { autorange: string }).autorange, "reversed");
});

test("sign runs split negative parts so they can be drawn distinctly on log axes", () => {
  const runs = signRuns([1, 2, 3, 4, 5], [3, 2, -1, -0.5, 0.1]);
  assert.deepEqual(runs.map((r) => r.sign), [1, -1, 1]);
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
