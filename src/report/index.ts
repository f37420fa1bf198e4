/** Reports: SVG figures rendered with Vega-Lite + Vega in Node, and the report.md writer. */
export { renderSvg, FIGURE_CONFIG } from "./render.js";
export { learningCurves, type ModelLog } from "./learning-curves.js";
export { returnsBar, returnBarsOf, firingRates, energyBars, energySplit, type ReturnBar, type LayerRateBar, type EnergyBar } from "./bars.js";
export { spikeRaster, type RasterLayer } from "./raster.js";
export { collectHeader, gitCommit, machineDescription, type ReportHeader } from "./header.js";
export { writeReport, renderReport, formatCell, type ReportSpec, type ReportSection, type ReportTable, type ReportFigure } from "./write.js";
export { returnsTable, offlineTable, energyTable } from "./tables.js";
export { plotRuns, aggregate, meanBand, ema, type RunLog, type BandPoint } from "./run-plot.js";
