// The training report: metrics.json and SVG plots (loss, accuracy, output spike raster).
export {
  writeMetrics,
  readMetrics,
  metricsToJson,
  type Metrics,
  type EpochRecord,
  type IterationRecord,
  type JsonValue,
} from './metrics.js';
export {
  renderLossPlot,
  renderAccuracyPlot,
  renderRaster,
  renderVegaLite,
  lossHistoryPoints,
  plotsAvailable,
  type PlotOptions,
  type LossPlotOptions,
  type LossPoint,
  type AccuracyPoint,
  type RasterOptions,
  type SpikeRecord,
} from './plots.js';
