// dtypes and devices by PyTorch's names.
import type { DTypeName } from '../native.js';
import { invalid } from './check.js';
import { TorchDevice, checkDeviceType } from './device.js';

export type DType = DTypeName;
export const DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int32', 'int64', 'uint8', 'bool', 'int8', 'int16'];
const ALIASES: Record<string, DType> = { float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32' };

export const FLOATING: ReadonlySet<DType> = new Set(['float32', 'float64', 'float16', 'bfloat16']);

export function checkDtype(name: string, v: unknown): DType {
  if (typeof v === 'string') {
    if ((DTYPES as readonly string[]).includes(v)) return v as DType;
    if (v in ALIASES) return ALIASES[v]!;
  }
  throw invalid(name, `a dtype (${DTYPES.join(', ')})`, v);
}

export type Device = string;
/** What device arguments accept: a string ('cpu', 'cuda:1') or a torch.device(...). */
export type DeviceLike = Device | TorchDevice;
const DEVICE_RE = /^(cpu|cuda)(:\d+)?$/;

/** A device argument as its string form; devices this build cannot use are named as such. */
export function checkDevice(name: string, v: unknown): Device {
  if (v instanceof TorchDevice) return v.toString();
  if (typeof v === 'string' && !DEVICE_RE.test(v)) {
    const type = /^([a-z_]+)(?::\d+)?$/.exec(v)?.[1];
    if (type !== undefined) checkDeviceType(name, type, v);
  }
  if (typeof v !== 'string' || !DEVICE_RE.test(v)) throw invalid(name, "a device ('cpu', 'cuda' or 'cuda:N')", v);
  return v;
}

export function isFloating(d: DType): boolean {
  return FLOATING.has(d);
}

const ELEMENT_BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  bool: 1,
  int8: 1,
  int16: 2,
};

/** Bytes per element (PyTorch's element_size()). */
export function elementSize(d: DType): number {
  return ELEMENT_BYTES[d];
}
