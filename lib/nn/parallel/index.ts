// nn.parallel: data-parallel training over torch.distributed.
export { DistributedDataParallel, type DistributedDataParallelOptions, type CommStats } from './distributed.js';
