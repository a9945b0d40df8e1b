// torch.device: a device as an object (type and index), accepted wherever a device string is.
// Devices LibTorch knows but this build cannot use get an error that says so, never a dtype error.
import { native } from '../native.js';
import { invalid } from './check.js';

export type DeviceType = 'cpu' | 'cuda';

/** What torch.device(...) returns: `type`, `index` (null when unset), and the string form ('cuda:1'). */
export class TorchDevice {
  readonly type: DeviceType;
  readonly index: number | null;
  constructor(type: DeviceType, index: number | null) {
    this.type = type;
    this.index = index;
    Object.freeze(this);
  }
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }
  [Symbol.toPrimitive](): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.index === null ? `device(type='${this.type}')` : `device(type='${this.type}', index=${this.index})`;
  }
  equals(other: TorchDevice | string): boolean {
    return String(other) === this.toString();
  }
}

// Device types LibTorch names (c10/core/DeviceType.h) that this build has no backend for.
const UNSUPPORTED: Record<string, string> = {
  mps: "MPS (Apple's Metal) is not available in LibTorch on Linux; use 'cpu' or 'cuda'",
  meta: "the 'meta' device (tensors without data) is not supported by snntorch-node; use 'cpu'",
  xla: 'XLA devices are not supported by snntorch-node',
  xpu: 'XPU devices are not supported by snntorch-node',
  hip: "ROCm/HIP devices are not supported by this build (a ROCm LibTorch reports them as 'cuda')",
  ipu: 'IPU devices are not supported by snntorch-node',
  hpu: 'HPU devices are not supported by snntorch-node',
  vulkan: 'Vulkan devices are not supported by snntorch-node',
  mkldnn: 'MKLDNN tensors are not supported by snntorch-node',
  opengl: 'OpenGL devices are not supported by snntorch-node',
  opencl: 'OpenCL devices are not supported by snntorch-node',
  ideep: 'IDEEP devices are not supported by snntorch-node',
  fpga: 'FPGA devices are not supported by snntorch-node',
  ort: 'ORT devices are not supported by snntorch-node',
  ve: 'VE devices are not supported by snntorch-node',
  lazy: 'lazy tensors are not supported by snntorch-node',
  privateuseone: 'private-use devices are not supported by snntorch-node',
};

const DEVICE_STRING = /^([a-z_]+)(?::(\d+))?$/;

/** True when the string names a device type (supported or not), so `.to(s)` treats it as a device. */
export function looksLikeDevice(s: string): boolean {
  const m = DEVICE_STRING.exec(s);
  return m !== null && (m[1] === 'cpu' || m[1] === 'cuda' || m[1]! in UNSUPPORTED);
}

/** Throws for device types this build cannot use, naming the argument and the reason. */
export function checkDeviceType(name: string, type: string, shown: unknown): void {
  if (type === 'cpu' || type === 'cuda') return;
  const why = UNSUPPORTED[type];
  if (why) throw new Error(`Device '${String(shown)}' for ${name} is not available: ${why}`);
  throw invalid(name, "a device ('cpu', 'cuda' or 'cuda:N')", shown);
}

/**
 * torch.device('cuda:1'), torch.device('cuda', 1), torch.device('cpu'), or an existing device.
 * Making a device object does not check that the device exists (as in PyTorch); using it does.
 */
export function device(type: string | TorchDevice, index?: number): TorchDevice {
  if (type instanceof TorchDevice) {
    if (index !== undefined) throw new TypeError('torch.device(device, index): give the index only with a type string');
    return type;
  }
  if (typeof type !== 'string') throw invalid('type', "a device string ('cpu', 'cuda', 'cuda:1')", type);
  const m = DEVICE_STRING.exec(type);
  if (!m) throw invalid('type', "a device string ('cpu', 'cuda', 'cuda:1')", type);
  checkDeviceType('device', m[1]!, type);
  let idx: number | null = m[2] === undefined ? null : Number(m[2]);
  if (index !== undefined && index !== null) {
    if (idx !== null) throw new TypeError(`torch.device('${type}', ${String(index)}): the type string already has an index`);
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) throw invalid('index', 'a non-negative integer', index);
    idx = index;
  }
  if (m[1] === 'cpu' && idx !== null && idx !== 0) throw new RangeError(`torch.device: the cpu device has index 0 only, got ${idx}`);
  return new TorchDevice(m[1] as DeviceType, idx);
}

/** The error for a CUDA device in a build or on a machine without one, saying which of the two. */
export function cudaUnavailable(): Error {
  const c = native.config();
  return new Error(
    c.cuda_compiled
      ? 'CUDA is not available: no CUDA device was found by LibTorch'
      : `CUDA is not available: this build uses LibTorch ${c.libtorch_version} without CUDA (build against a CUDA LibTorch, e.g. LIBTORCH=<libtorch-cuda> npm run build)`,
  );
}

/** Throws cudaUnavailable() when a checked device string names CUDA and LibTorch has none. */
export function checkCudaAvailable(device: string | null | undefined): void {
  if (device?.startsWith('cuda') && !native.cuda_is_available()) throw cudaUnavailable();
}
