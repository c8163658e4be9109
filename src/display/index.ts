/**
 * Notebook display: plotly figures (one multi-mime output), tables, markdown, in-place progress,
 * and the figure builders the experiments use.
 */
export { inJupyter, newDisplayId, sendDisplay, setDisplaySink } from "./sink";
export type { DisplayContent, DisplaySink } from "./sink";
export { figureHtml, initNotebook, plot, plotlyBundle, plotlyVersion } from "./plot";
export type { Figure } from "./plot";
export { fmt, html, markdown, rowsToHtml, rowsToText, table } from "./text";
export type { HtmlTable } from "./text";
export { progress } from "./progress";
export type { Progress } from "./progress";
export {
  convergenceFigure,
  IMPEDANCE_COLORSCALE,
  layeredModelFigure,
  learningCurveFigure,
  sectionFigure,
  SEISMIC_COLORSCALE,
  signRuns,
  stepCoordinates,
  traceOverlayFigure,
  transientFigure,
  xyFigure,
} from "./figures";
export type { LayeredModel, SectionOptions, Series, TransientSeries } from "./figures";
export { epochProgress } from "./seismic";
export type { EpochReport } from "./seismic";
export { modelBandFigure } from "./inversion";
export type { DepthBandSeries } from "./inversion";
