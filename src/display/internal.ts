/**
 * display internals that tests check directly (by path, `../src/display/internal`). Not
 * part of the public surface (./index.ts); they may change without notice.
 */
export { newDisplayId, sendDisplay } from "./sink";
export { compactJson, figureText, fitLegend, legendEntries } from "./plot";
export { rowsToHtml, rowsToText } from "./text";
export { logTicks, niceTicks, signRuns, stepCoordinates, uint8Heatmap, valueAxis } from "./figures";
