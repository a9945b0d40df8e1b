// The typed contract of the native addon (build/Release/snntorch_node.node): every export of
// native/binding, nothing else. Only lib/native.ts imports the addon; lib code uses these types.
// Conventions: `T` is a tensor handle; optional arguments accept undefined or null; dims arrays are
// integer arrays; dtype names are DTypeName; devices are strings like 'cpu', 'cuda', 'cuda:1'.

export type DTypeName = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int32' | 'int64' | 'uint8' | 'bool' | 'int8' | 'int16';
export type Reduction = 'mean' | 'sum' | 'none';
export type Opt<X> = X | undefined | null;

/** Owns one native tensor. dispose() frees it now; otherwise GC does, eventually. */
export interface NativeTensor {
  dispose(): void;
  isDisposed(): boolean;
  readonly __brand: 'NativeTensor';
}
export type T = NativeTensor;
export type Operand = T | number | boolean;
export type ExportedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array;
export type ImportableArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array;

export interface NativeConfig {
  libtorch_version: string;
  cuda_compiled: boolean;
  cuda_available: boolean;
  num_threads: number;
  num_interop_threads: number;
  blas: string;
  blas_threads: number;
  parallel_info: string;
  cxx11_abi: boolean;
}

export interface NativeOptimizer {
  readonly __brand: 'NativeOptimizer';
}

// Sections of the contract, one per native/binding file group.
/** nn.Module support (native/binding/module_ops.cpp). */
export interface ModuleBinding {
  /** Replaces t's data with src's (t keeps its identity and autograd leaf status). */
  set_data(t: T, src: T): void;
}
/** torch::optim wrappers (native/binding/optim.cpp). */
export type OptimKind = 'adam' | 'adamw' | 'sgd';
/** Hyperparameters of one param group (Adam/AdamW keys or SGD keys, by kind). */
export interface NativeOptimOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  amsgrad?: boolean;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
}
/** One parameter's state: Adam/AdamW {step, exp_avg, exp_avg_sq, max_exp_avg_sq?}; SGD {momentum_buffer}. */
export interface NativeOptimState {
  step?: number;
  exp_avg?: T;
  exp_avg_sq?: T;
  max_exp_avg_sq?: T;
  momentum_buffer?: T;
}
export interface OptimBinding {
  optim_create(kind: OptimKind, groups: (NativeOptimOptions & { params: T[] })[]): NativeOptimizer;
  optim_add_param_group(opt: NativeOptimizer, group: NativeOptimOptions & { params: T[] }): void;
  optim_step(opt: NativeOptimizer): void;
  /** Adam/AdamW: step() updates each parameter in one fused pass where it can (CPU, float32/64, contiguous). */
  optim_set_fused(opt: NativeOptimizer, fused: boolean): void;
  optim_zero_grad(opt: NativeOptimizer, set_to_none: boolean): void;
  optim_get_options(opt: NativeOptimizer, group: number): NativeOptimOptions;
  /** Sets the keys present. */
  optim_set_options(opt: NativeOptimizer, group: number, options: NativeOptimOptions): void;
  /** Per parameter, numbered across groups; null where step() has not touched it yet. State tensors are shared, not copied. */
  optim_get_state(opt: NativeOptimizer): (NativeOptimState | null)[];
  /** Replaces parameter `index`'s state (tensors are copied onto its device and dtype); null clears it. */
  optim_set_state(opt: NativeOptimizer, index: number, state: NativeOptimState | null): void;
  optim_dispose(opt: NativeOptimizer): void;
}
/** torch::nn::init (native/binding/nn_init.cpp). All fill t in place without recording grad. */
export type InitNonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu';
export interface InitBinding {
  init_uniform_(t: T, low: number, high: number): void;
  init_normal_(t: T, mean: number, std: number): void;
  init_constant_(t: T, value: number | boolean): void;
  init_zeros_(t: T): void;
  init_ones_(t: T): void;
  init_kaiming_uniform_(t: T, a: number, mode: 'fan_in' | 'fan_out', nonlinearity: InitNonlinearity): void;
  init_kaiming_normal_(t: T, a: number, mode: 'fan_in' | 'fan_out', nonlinearity: InitNonlinearity): void;
  init_xavier_uniform_(t: T, gain: number): void;
  init_xavier_normal_(t: T, gain: number): void;
  init_calculate_gain(nonlinearity: InitNonlinearity, param: number): number;
  init_fan_in_and_fan_out(t: T): [number, number];
}
/** Fused spiking-neuron kernels (native/binding/snn.cpp). */
export interface SnnBinding {
  snn_leaky_step(input: T, mem: T, beta: T, threshold: T, graded_spikes_factor: T, config: SnnConfigArg): [T, T];
  snn_rleaky_step(input: T, rec: T, mem: T, beta: T, threshold: T, config: SnnConfigArg): [T, T];
  /** Parses a step config once; the handle is accepted wherever a config is (a neuron keeps one per setting). */
  snn_step_config(config: SnnStepConfig): SnnStepConfigHandle;
  /** H(x) forward with the named surrogate's backward, one autograd node. */
  snn_spike(x: T, surrogate: SnnStepConfig['surrogate'], surrogate_param: number): T;
  /** Whole time loop, one autograd node. num_steps 0: input is [T, B, ...]; else a static [B, ...]. Returns [spk_rec, mem_rec]. */
  snn_rleaky_sequence(
    input: T,
    num_steps: number,
    spk: T,
    mem: T,
    beta: T,
    threshold: T,
    feedback: SnnFeedback,
    config: SnnConfigArg,
  ): [T, T];
  snn_leaky_sequence(input: T, num_steps: number, mem: T, beta: T, threshold: T, graded_spikes_factor: T, config: SnnConfigArg): [T, T];
  /** One step of a neuron with a traits kernel (native/kernels/neuron_traits.h); inputs, states and params in its traits' order. Returns [spk, ...states], or [] where the fused kernel does not run (then run the composed step). */
  snn_neuron_step(kind: SnnFusedNeuron, inputs: T[], states: T[], params: T[], config: SnnConfigArg): T[];
  /**
   * The whole time loop of a neuron with a traits kernel as one autograd node (native/kernels/sequence_node.h).
   * num_steps 0: input is [T, B, ...]; else a static [B, ...]. states and params in its traits' order; the initial
   * spike and the feedback only for 'rsynaptic' (else null). CPU float32/float64. Returns [spk_rec, ...state_recs].
   */
  snn_neuron_sequence(
    kind: SnnFusedNeuron,
    input: T,
    num_steps: number,
    states: T[],
    params: T[],
    spk: T | null,
    feedback: SnnFeedback | null,
    config: SnnConfigArg,
  ): T[];
  alias(t: T): T;
}
/** Neurons with a generic fused step kernel. */
export type SnnFusedNeuron = 'synaptic' | 'rsynaptic' | 'lapicque' | 'alpha';
/** The named step configuration every snn native takes (parsed once in native/binding/snn_args.h). */
export interface SnnStepConfig {
  reset: 'subtract' | 'zero' | 'none';
  reset_delay: boolean;
  surrogate: 'atan' | 'fast_sigmoid' | 'sigmoid' | 'straight_through_estimator' | 'heaviside' | 'triangular';
  surrogate_param: number;
  surrogate_disable: boolean;
}
/** A parsed SnnStepConfig held natively (snn_step_config). */
export interface SnnStepConfigHandle {
  readonly __snnStepConfigHandle: never;
}
/** What the snn natives take as their config: the named object, or a handle to it parsed once. */
export type SnnConfigArg = SnnStepConfig | SnnStepConfigHandle;
/** The recurrent operator of a recurrent neuron's sequence node: S.mul(V), Linear(weight, bias) or a stride-1 Conv2d(weight, bias, padding). */
export interface SnnFeedback {
  kind: 'one_to_one' | 'linear' | 'conv';
  weight?: T;
  bias?: T;
  V?: T;
  padding?: [number, number];
}

/** torch.distributed over c10d (native/binding/distributed.cpp). Handles are tagged Externals. */
export interface NativeStore {
  readonly __brand: 'NativeStore';
}
export interface NativeProcessGroup {
  readonly __brand: 'NativeProcessGroup';
}
export interface NativeWork {
  readonly __brand: 'NativeWork';
}
export interface NativeReducer {
  readonly __brand: 'NativeReducer';
}
export type NativeReduceOp = 'sum' | 'product' | 'max' | 'min';
export interface DistributedBinding {
  /** c10d::TCPStore; the server (rank 0) listens on every interface (LibTorch 1.13 has no bind address). */
  dist_tcp_store(host: string, port: number, is_server: boolean, world_size: number, timeout_ms: number): NativeStore;
  dist_file_store(path: string, world_size: number): NativeStore;
  dist_store_set_timeout(store: NativeStore, timeout_ms: number): void;
  /** Sets key to desired when its value is expected ('' = unset); returns the value now stored. */
  dist_store_compare_set(store: NativeStore, key: string, expected: string, desired: string): string;
  dist_store_add(store: NativeStore, key: string, delta: number): number;
  dist_store_get(store: NativeStore, key: string): string;
  dist_store_check(store: NativeStore, key: string): boolean;
  /** Gloo binds gloo_host (default 127.0.0.1) or the interface gloo_iface. */
  dist_new_group(
    store: NativeStore,
    backend: 'gloo' | 'nccl',
    rank: number,
    world_size: number,
    timeout_ms: number,
    prefix: string,
    gloo_host?: Opt<string>,
    gloo_iface?: Opt<string>,
  ): NativeProcessGroup;
  dist_nccl_available(): boolean;
  dist_destroy_group(pg: NativeProcessGroup): void;
  /** divide_by != 1 divides the result after the wait (AVG on backends without it). */
  dist_all_reduce(pg: NativeProcessGroup, t: T, op: NativeReduceOp, divide_by: number): NativeWork;
  dist_broadcast(pg: NativeProcessGroup, ts: T[], src: number): NativeWork;
  dist_all_gather(pg: NativeProcessGroup, outputs: T[], input: T): NativeWork;
  dist_barrier(pg: NativeProcessGroup): NativeWork;
  dist_send(pg: NativeProcessGroup, t: T, dst: number, tag: number): NativeWork;
  /** src -1: from any rank. */
  dist_recv(pg: NativeProcessGroup, t: T, src: number, tag: number): NativeWork;
  dist_broadcast_coalesced(pg: NativeProcessGroup, ts: T[], buffer_bytes: number, src: number, op_name: string): void;
  /** Blocks the calling thread; throws an Error naming the rank and the op. */
  dist_work_wait(w: NativeWork, timeout_ms: Opt<number>): boolean;
  /** Waits on a libuv worker thread. */
  dist_work_wait_async(w: NativeWork, timeout_ms: Opt<number>): Promise<boolean>;
  dist_work_is_completed(w: NativeWork): boolean;
  /** c10d::Reducer over params (gradients averaged in buckets during backward). */
  dist_reducer_create(
    pg: NativeProcessGroup,
    params: T[],
    names: string[],
    bucket_cap_bytes: number,
    first_bucket_bytes: number,
    find_unused_parameters: boolean,
  ): NativeReducer;
  /** Returns whether the buckets were rebuilt (in gradient-ready order, after the first backward). */
  dist_reducer_prepare_for_forward(r: NativeReducer): boolean;
  dist_reducer_prepare_for_backward(r: NativeReducer, outputs: T[]): void;
  /** [launch_ms, done_ms] per bucket allreduce of the latest finished backward (dist_now_ms's clock). */
  dist_reducer_comm_spans(r: NativeReducer): [number, number][];
  dist_reducer_dispose(r: NativeReducer): void;
  dist_now_ms(): number;
  /** torch.randperm(n, generator=torch.Generator().manual_seed(seed)) as int64, the global generator untouched. */
  dist_randperm(n: number, seed: number): T;
  /** prctl(PR_SET_PDEATHSIG, SIGTERM): exit when the parent exits; false if the parent is not ppid any more. */
  dist_exit_with_parent(ppid: number): boolean;
}

export interface Binding extends ModuleBinding, OptimBinding, InitBinding, SnnBinding, DistributedBinding {
  TensorHandle: new () => NativeTensor;

  // --- metadata and export (tensor_info.cpp)
  shape(t: T): number[];
  strides(t: T): number[];
  dtype(t: T): DTypeName;
  device(t: T): string;
  numel(t: T): number;
  is_contiguous(t: T): boolean;
  data(t: T): ExportedArray;
  item(t: T): number | boolean;
  to_string(t: T): string;
  same_storage(a: T, b: T): boolean;
  raw_bytes(t: T): Uint8Array;
  from_raw_bytes(storage: Uint8Array, dtype: DTypeName, shape: number[], strides: number[], storage_offset: number): T;

  // --- creation (ops_create.cpp): trailing (dtype?, device?, requires_grad?)
  from_typed_array(a: ImportableArray, shape: number[], dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  zeros(shape: number[], dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  ones(shape: number[], dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  empty(shape: number[], dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  full(shape: number[], value: number | boolean, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  eye(n: number, m: number, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  arange(start: number, end: number, step: number, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  linspace(start: number, end: number, steps: number, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  rand(shape: number[], dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  randn(shape: number[], dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  randint(low: number, high: number, shape: number[], dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  randperm(n: number, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  bernoulli(p: T, prob?: Opt<number>): T;
  zeros_like(t: T, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  ones_like(t: T, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  rand_like(t: T, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  randn_like(t: T, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  full_like(t: T, value: number | boolean, dtype?: Opt<DTypeName>, device?: Opt<string>, requires_grad?: boolean): T;
  manual_seed(seed: number): void;

  // --- pointwise (ops_pointwise.cpp)
  neg(t: T): T;
  exp(t: T): T;
  log(t: T): T;
  log1p(t: T): T;
  abs(t: T): T;
  sqrt(t: T): T;
  rsqrt(t: T): T;
  square(t: T): T;
  sign(t: T): T;
  floor(t: T): T;
  ceil(t: T): T;
  round(t: T): T;
  trunc(t: T): T;
  reciprocal(t: T): T;
  sigmoid(t: T): T;
  tanh(t: T): T;
  relu(t: T): T;
  atan(t: T): T;
  sin(t: T): T;
  cos(t: T): T;
  logical_not(t: T): T;
  isnan(t: T): T;
  isfinite(t: T): T;
  add(a: T, b: Operand, alpha?: Opt<number>): T;
  sub(a: T, b: Operand, alpha?: Opt<number>): T;
  mul(a: T, b: Operand): T;
  div(a: T, b: Operand, rounding_mode?: Opt<'trunc' | 'floor'>): T;
  pow(a: T, b: Operand): T;
  remainder(a: T, b: Operand): T;
  fmod(a: T, b: Operand): T;
  eq(a: T, b: Operand): T;
  ne(a: T, b: Operand): T;
  gt(a: T, b: Operand): T;
  ge(a: T, b: Operand): T;
  lt(a: T, b: Operand): T;
  le(a: T, b: Operand): T;
  maximum(a: T, b: Operand): T;
  minimum(a: T, b: Operand): T;
  logical_and(a: T, b: Operand): T;
  logical_or(a: T, b: Operand): T;
  rsub(t: T, s: number): T;
  rpow(s: number, t: T): T;
  rdiv(t: T, s: number): T;
  clamp(t: T, min?: Opt<number | T>, max?: Opt<number | T>): T;
  where(cond: T, x: Operand, y: Operand): T;
  masked_fill(t: T, mask: T, value: Operand): T;
  softmax(t: T, dim: number, dtype?: Opt<DTypeName>): T;
  log_softmax(t: T, dim: number, dtype?: Opt<DTypeName>): T;
  add_(a: T, b: Operand, alpha?: Opt<number>): void;
  sub_(a: T, b: Operand, alpha?: Opt<number>): void;
  mul_(a: T, b: Operand): void;
  div_(a: T, b: Operand): void;
  fill_(a: T, v: Operand): void;
  zero_(a: T): void;
  copy_(a: T, src: T): void;
  clamp_(a: T, min?: Opt<number>, max?: Opt<number>): void;
  addcmul_(a: T, t1: T, t2: T, value: number): void;
  addcdiv_(a: T, t1: T, t2: T, value: number): void;

  // --- reductions (ops_reduce.cpp): dims null = all
  sum(t: T, dims: Opt<number[]>, keepdim: boolean, dtype?: Opt<DTypeName>): T;
  mean(t: T, dims: Opt<number[]>, keepdim: boolean, dtype?: Opt<DTypeName>): T;
  std(t: T, dims: Opt<number[]>, unbiased: boolean, keepdim: boolean): T;
  var(t: T, dims: Opt<number[]>, unbiased: boolean, keepdim: boolean): T;
  prod(t: T, dim: Opt<number>, keepdim: boolean, dtype?: Opt<DTypeName>): T;
  max(t: T): T;
  max(t: T, dim: number, keepdim: boolean): [T, T];
  min(t: T): T;
  min(t: T, dim: number, keepdim: boolean): [T, T];
  argmax(t: T, dim: Opt<number>, keepdim: boolean): T;
  argmin(t: T, dim: Opt<number>, keepdim: boolean): T;
  any(t: T, dim?: Opt<number>, keepdim?: boolean): T;
  all(t: T, dim?: Opt<number>, keepdim?: boolean): T;
  cumsum(t: T, dim: number, dtype?: Opt<DTypeName>): T;
  logsumexp(t: T, dims: number[], keepdim: boolean): T;
  norm(t: T, p?: Opt<number>, dims?: Opt<number[]>, keepdim?: boolean): T;

  // --- shape and indexing (ops_shape.cpp)
  reshape(t: T, shape: number[]): T;
  view(t: T, shape: number[]): T;
  flatten(t: T, start: number, end: number): T;
  squeeze(t: T, dim?: Opt<number>): T;
  unsqueeze(t: T, dim: number): T;
  permute(t: T, dims: number[]): T;
  transpose(t: T, d0: number, d1: number): T;
  t(t: T): T;
  expand(t: T, shape: number[]): T;
  repeat(t: T, reps: number[]): T;
  contiguous(t: T): T;
  flip(t: T, dims: number[]): T;
  cat(ts: T[], dim: number): T;
  stack(ts: T[], dim: number): T;
  split(t: T, size: number | number[], dim: number): T[];
  chunk(t: T, n: number, dim: number): T[];
  unbind(t: T, dim: number): T[];
  select(t: T, dim: number, index: number): T;
  narrow(t: T, dim: number, start: number, length: number): T;
  slice(t: T, dim: number, start: Opt<number>, end: Opt<number>, step: number): T;
  index_select(t: T, dim: number, index: T): T;
  gather(t: T, dim: number, index: T): T;
  scatter(t: T, dim: number, index: T, src: Operand): T;
  scatter_add(t: T, dim: number, index: T, src: T): T;
  index_tensor(t: T, index: T): T;
  masked_select(t: T, mask: T): T;
  one_hot(t: T, num_classes: number): T;
  to(t: T, dtype: Opt<DTypeName>, device: Opt<string>, copy: boolean): T;
  clone(t: T): T;
  detach(t: T): T;

  // --- linear algebra and nn.functional (ops_nn.cpp)
  matmul(a: T, b: T): T;
  mm(a: T, b: T): T;
  bmm(a: T, b: T): T;
  dot(a: T, b: T): T;
  outer(a: T, b: T): T;
  linear(x: T, weight: T, bias?: Opt<T>): T;
  conv2d(x: T, weight: T, bias: Opt<T>, stride: number[], padding: number[] | 'same' | 'valid', dilation: number[], groups: number): T;
  max_pool2d(x: T, kernel: number[], stride: number[], padding: number[], dilation: number[], ceil_mode: boolean): T;
  avg_pool2d(x: T, kernel: number[], stride: number[], padding: number[]): T;
  mse_loss(a: T, b: T, reduction: Reduction): T;
  l1_loss(a: T, b: T, reduction: Reduction): T;
  cross_entropy(input: T, target: T, weight: Opt<T>, reduction: Reduction, ignore_index: number, label_smoothing: number): T;
  nll_loss(input: T, target: T, weight: Opt<T>, reduction: Reduction, ignore_index: number): T;
  dropout(x: T, p: number, train: boolean): T;

  // --- autograd (autograd.cpp)
  backward(t: T, gradient: Opt<T>, retain_graph: Opt<boolean>, create_graph: boolean): void;
  autograd_grad(
    outputs: T[],
    inputs: T[],
    grad_outputs: Opt<T[]>,
    retain_graph: Opt<boolean>,
    create_graph: boolean,
    allow_unused: boolean,
  ): (T | null)[];
  set_grad_enabled(enabled: boolean): void;
  is_grad_enabled(): boolean;
  requires_grad(t: T): boolean;
  set_requires_grad(t: T, v: boolean): void;
  is_leaf(t: T): boolean;
  grad_fn_name(t: T): string | null;
  get_grad(t: T): T | null;
  set_grad(t: T, g: Opt<T>): void;
  retain_grad(t: T): void;
  /** Sets this environment's backward hook dispatcher: hook_identity's nodes call fn(id, grads) in backward; it returns replacement grads or undefined. */
  set_backward_hook_dispatcher(fn: (id: number, grads: (T | null)[]) => (T | null)[] | undefined): void;
  /** The tensors through one identity autograd node whose backward calls the dispatcher with (id, grads); CPU backward only. */
  hook_identity(tensors: T[], id: number): T[];
  /** Ids of hook_identity nodes freed since the last call. */
  backward_hooks_released(): number[];

  // --- runtime (runtime.cpp)
  config(): NativeConfig;
  set_num_threads(n: number): void;
  get_num_threads(): number;
  set_blas_threads(n: number): void;
  cuda_is_available(): boolean;
  cuda_device_count(): number;
  cuda_synchronize(): void;
  /** The CPU allocator's cache of large freed blocks (native/binding/cpu_allocator.cpp). */
  cpu_cache_stats(): { cached_bytes: number; cap_bytes: number; hits: number; misses: number };
  cpu_empty_cache(): void;
  memory_stats(): {
    live_tensors: number;
    live_bytes: number;
    optimizer_tensors: number;
    optimizer_bytes: number;
    v8_external_bytes: number;
  };
}

// --- storages for torch.save / torch.load (storage.cpp); merged into Binding
export interface Binding {
  /** [id, nbytes, storage_offset]: id names the tensor's storage while it lives. */
  storage_info(t: T): [number, number, number];
  /** The tensor's whole storage as little-endian bytes (a CPU copy). */
  storage_bytes(t: T): Uint8Array;
  /** A new tensor (no autograd link) on base's storage with base's dtype; the caller checks the extent. */
  tensor_on_storage(base: T, shape: number[], strides: number[], storage_offset: number): T;
}

// --- data export copies and per-thread random generators (tensor_info.cpp, rng.cpp)
export interface Binding {
  /** data() into memory of its own (writes never reach the tensor). */
  data_copy(t: T): ExportedArray;
  /** The seed this thread's CPU generator was last seeded with. */
  initial_seed(): number;
  /** True on a worker thread, whose CPU generator is its own (the main thread uses LibTorch's default). */
  rng_is_thread_local(): boolean;
}

declare const binding: Binding;
export default binding;

/** nn layer ops and snnTorch's state quantiser (native/binding/ops_layers.cpp). */
export interface LayersBinding {
  /** Updates running_mean / running_var in place when training. */
  batch_norm(
    x: T,
    weight: Opt<T>,
    bias: Opt<T>,
    running_mean: Opt<T>,
    running_var: Opt<T>,
    training: boolean,
    momentum: number,
    eps: number,
  ): T;
  conv1d(x: T, weight: T, bias: Opt<T>, stride: number[], padding: number[] | 'same' | 'valid', dilation: number[], groups: number): T;
  conv_transpose2d(
    x: T,
    weight: T,
    bias: Opt<T>,
    stride: number[],
    padding: number[],
    output_padding: number[],
    groups: number,
    dilation: number[],
  ): T;
  max_pool1d(x: T, kernel: number[], stride: number[], padding: number[], dilation: number[], ceil_mode: boolean): T;
  avg_pool2d_ex(
    x: T,
    kernel: number[],
    stride: number[],
    padding: number[],
    ceil_mode: boolean,
    count_include_pad: boolean,
    divisor_override: Opt<number>,
  ): T;
  // --- pooling with indices (pooling_indices.cpp)
  /** [out, indices (int64)]. */
  max_pool1d_with_indices(x: T, kernel: number[], stride: number[], padding: number[], dilation: number[], ceil_mode: boolean): [T, T];
  max_pool2d_with_indices(x: T, kernel: number[], stride: number[], padding: number[], dilation: number[], ceil_mode: boolean): [T, T];
  max_unpool2d(x: T, indices: T, output_size: number[]): T;
  softplus(x: T, beta: number, threshold: number): T;
  /** Nearest level forward (first of equally near), straight-through gradient backward. */
  state_quant(x: T, levels: T): T;
}
export interface Binding extends LayersBinding {}

/** An opaque loop-invariant reuse entry of one layer (native/binding/reuse_cache.cpp). */
export interface NativeReuseCache {
  readonly __brand: 'NativeReuseCache';
}
/** Loop-invariant reuse of a layer's result (native/binding/reuse_cache.cpp). */
export interface ReuseBinding {
  reuse_cache_new(): NativeReuseCache;
  /** A copy of the kept result when input, parameters (identity, version, storage, shape, requires_grad) and grad mode still match, else null. */
  reuse_lookup(cache: NativeReuseCache, x: T, weight: T, bias: Opt<T>): T | null;
  /** Keeps y under the current key (y's own later in-place changes invalidate it). */
  reuse_store(cache: NativeReuseCache, x: T, weight: T, bias: Opt<T>, y: T): void;
  reuse_clear(cache: NativeReuseCache): void;
  reuse_stats(cache: NativeReuseCache): { hits: number; misses: number };
}
export interface Binding extends ReuseBinding {}
