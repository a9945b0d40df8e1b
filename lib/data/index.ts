// Data loading: IDX files, datasets held whole as tensors, batch-wise transforms, DataLoader.
export * as datasets from './datasets.js';
export * as transforms from './transforms.js';
export type { Transform } from './transforms.js';
export { DataLoader, Xoshiro128, randomPermutation, type DataLoaderOptions } from './dataloader.js';
export { Subset, TensorDataset, ImageDataset, type Dataset, type BatchDataset, type Sample } from './datasets.js';
export {
  readIdx,
  readIdxTensor,
  parseIdx,
  encodeIdx,
  writeIdx,
  isGzip,
  IdxError,
  type IdxArray,
  type IdxDType,
  type IdxTypedArray,
} from './idx.js';
export { DistributedSampler, type DistributedSamplerOptions } from './distributed_sampler.js';
export * as events from './events/index.js';
