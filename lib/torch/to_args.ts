// The arguments of .to(...), shared by Tensor.to and Module.to: a dtype, a device (a string or a
// torch.device), or an options object. A string that names a device type is a device, so an
// unsupported device gets a device error rather than a dtype error.
import { checkBool, checkOptions } from './check.js';
import { checkCudaAvailable, looksLikeDevice } from './device.js';
import { checkDevice, checkDtype, type DType, type Device, type DeviceLike } from './dtype.js';

export interface ToOptions {
  dtype?: DType;
  device?: DeviceLike;
  copy?: boolean;
}

/** What to() was asked for; null leaves the tensor's own dtype / device. */
export interface ToTarget {
  dtype: DType | null;
  device: Device | null;
  copy: boolean;
}

function isPlainObject(v: object): boolean {
  const p: unknown = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/**
 * Parses to()'s argument; `keys` are the options object's allowed keys (Module.to takes no `copy`).
 * A CUDA device is refused here when LibTorch has none.
 */
export function parseToTarget(target: unknown, keys: readonly (keyof ToOptions)[]): ToTarget {
  const out: ToTarget = { dtype: null, device: null, copy: false };
  if (typeof target === 'string' || (target !== null && typeof target === 'object' && !isPlainObject(target))) {
    if (typeof target !== 'string' || looksLikeDevice(target)) out.device = checkDevice('device', target);
    else out.dtype = checkDtype('dtype', target);
  } else {
    const o = checkOptions<ToOptions>('to options', target, keys);
    if (o.dtype !== undefined) out.dtype = checkDtype('dtype', o.dtype);
    if (o.device !== undefined) out.device = checkDevice('device', o.device);
    if (o.copy !== undefined) out.copy = checkBool('copy', o.copy);
  }
  checkCudaAvailable(out.device);
  return out;
}
