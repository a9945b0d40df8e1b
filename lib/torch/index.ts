// The `torch` namespace: PyTorch's names over LibTorch.
export { Tensor, type Scalar, type TensorOrScalar, type IndexSpec, type NestedList, type GradFn } from './tensor.js';
export type { DType, Device, DeviceLike } from './dtype.js';
export { device, TorchDevice, type DeviceType } from './device.js';
export * from './creation.js';
export * from './functions.js';
export { var_ as var } from './functions.js';
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled, autograd, type GradOptions } from './autograd.js';
export { cuda, cpu, set_num_threads, get_num_threads, __config__, default_num_threads, type Config } from './runtime.js';
export { max_num_threads } from './runtime.js';
import { applyDefaultThreads } from './runtime.js';

applyDefaultThreads();
export { tidy, keep, memory, type MemoryInfo } from './memory.js';
export { save, load, type Checkpoint, type Savable } from './serialization/index.js';
export { backends } from './backends.js';

// dtype constants, so torch.float32 reads as in PyTorch.
export const float32 = 'float32' as const;
export const float = 'float32' as const;
export const float64 = 'float64' as const;
export const double = 'float64' as const;
export const float16 = 'float16' as const;
export const half = 'float16' as const;
export const bfloat16 = 'bfloat16' as const;
export const int32 = 'int32' as const;
export const int = 'int32' as const;
export const int64 = 'int64' as const;
export const long = 'int64' as const;
export const uint8 = 'uint8' as const;
export const int8 = 'int8' as const;
export const int16 = 'int16' as const;
export const bool = 'bool' as const;
export * as distributed from './distributed/index.js';
