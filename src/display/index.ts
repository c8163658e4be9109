/**
 * Notebook display: plotly figures (one multi-mime output), tables, markdown, in-place progress,
 * and the figure builders the experiments use.
 */
export { inJupyter, setDisplaySink } from "./sink";
export type { DisplayContent, DisplaySink } from "./sink";
export { figureHtml, initNotebook, plot, plotlyBundle, plotlyVersion, PLOTLY_MIME } from "./plot";
export type { Figure } from "./plot";
export { fmt, html, markdown, table } from "./text";
export type { ColumnFormat, HtmlTable, TableOptions } from "./text";
export { progress } from "./progress";
export type { Progress } from "./progress";
export {
  convergenceFigure,
  IMPEDANCE_COLORSCALE,
  layeredModelFigure,
  learningCurveFigure,
  RHO_LABEL,
  sectionFigure,
  SEISMIC_COLORSCALE,
  SIGN_NOTE,
  TIME_LABEL,
  traceOverlayFigure,
  transientFigure,
  xyFigure,
} from "./figures";
export type { LayeredModel, SectionOptions, Series, TransientSeries } from "./figures";
export { epochProgress } from "./seismic";
export type { EpochCallback, EpochReport } from "./seismic";
export {
  modelBandFigure,
  POSTERIOR_LABEL,
  UNCONVERGED_SUFFIX,
  posteriorDepthBandFigure,
  posteriorPredictiveFigure,
  SEARCH_SPREAD_LABEL,
  searchSpreadBand,
  truthBandFigure,
} from "./inversion";
export type { DepthBandSeries, ModelOverlay, ModelProperties, PredictiveBand } from "./inversion";
export { posteriorScatterFigure } from "./scatter";
