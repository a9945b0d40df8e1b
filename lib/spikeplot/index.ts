// snntorch.spikeplot in Node: the figures as vega-lite specs rendered to SVG and PNG (Plot), and
// animations rendered to GIF or a self-contained HTML page (Animation). Where snnTorch draws on a
// matplotlib axis, these return the figure: `await spikeplot.raster(spk, { s: 25 }).save('r.png')`.
export { raster, type RasterPlotOptions } from './raster.js';
export { spike_count, type SpikeCountOptions } from './spike_count.js';
export { traces, type TracesOptions } from './traces.js';
export { animator, type AnimatorOptions } from './animator.js';
export { Plot, Animation, specToSVG, svgToPNG, type RasterOptions } from './render.js';
