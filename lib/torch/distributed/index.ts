// torch.distributed: c10d's process groups and collectives with PyTorch's names.
export {
  init_process_group,
  destroy_process_group,
  is_initialized,
  is_available,
  is_gloo_available,
  is_nccl_available,
  get_rank,
  get_world_size,
  get_backend,
  default_pg_timeout,
  type InitProcessGroupOptions,
} from './init.js';
export {
  all_reduce,
  broadcast,
  all_gather,
  reduce_scatter,
  barrier,
  send,
  recv,
  isend,
  irecv,
  ReduceOp,
  type AsyncOption,
  type P2POptions,
} from './collectives.js';
export { Work } from './work.js';
export type { Backend } from './state.js';
