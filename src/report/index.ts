/** Reports: SVG figures rendered with Vega-Lite + Vega in Node, and the report.md writer. */
export { renderSvg, figureTitle, FIGURE_CONFIG } from "./render.js";
export { learningCurves, type ModelLog } from "./learning-curves.js";
export { returnsBar, returnBarsOf, type ReturnBar } from "./bars.js";
export { firingRates, type LayerRateBar, type FiringRateOptions } from "./firing-rates.js";
export { energyBars, energySplit, ENERGY_PARTS, type EnergyBar } from "./energy-bars.js";
export { axisTicks, tickAxis } from "./ticks.js";
export { spikeRaster, type RasterLayer } from "./raster.js";
export { collectHeader, gitCommit, machineDescription, type ReportHeader } from "./header.js";
export { writeReport, renderReport, formatCell, type ReportSpec, type ReportSection, type ReportTable, type ReportFigure } from "./write.js";
export { returnsTable, offlineTable, energyTable } from "./tables.js";
export { plotRuns, aggregate, meanBand, ema, type RunLog, type BandPoint } from "./run-plot.js";
export { scoreEnergyPlot, scoreEnergyData, LOG_SPAN, type ScoreEnergyPoint, type ScoreEnergyData } from "./score-energy.js";
