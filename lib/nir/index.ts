// The `nir` namespace: NIR graphs (the Neuromorphic Intermediate Representation) in memory and
// in HDF5 files laid out as the NIR Python package writes them.
export * from './graph.js';
export { read, write } from './hdf5.js';
export { validateGraph, nodeShapes, NODE_SPECS, NIRError } from './validate.js';
