// torchvision-style transforms that work on whole batches, so a DataLoader step costs one
// index_select, one conversion and one normalization, never per-image work.
//
// A transform is a function from a batch tensor to a batch tensor. Datasets hold images as
// uint8 [N, H, W] (or [N, C, H, W]); ToTensor turns a uint8 batch [B, H, W] into float32
// [B, 1, H, W] scaled to [0, 1]; Normalize works on [..., C, H, W]. A transform may return its
// input unchanged (the identities below do), and frees what it allocates on the way.
import { checkInt, checkNumber, invalid } from '../torch/check.js';
import { tidy } from '../torch/memory.js';
import { tensor } from '../torch/creation.js';
import { Tensor } from '../torch/tensor.js';

export type Transform = (batch: Tensor) => Tensor;

/** A transform with torchvision's repr, e.g. `Normalize(mean=[0.1307], std=[0.3081])`. */
function named(fn: Transform, repr: string): Transform {
  Object.defineProperty(fn, 'toString', { value: () => repr, enumerable: false });
  Object.defineProperty(fn, 'name', { value: repr.replace(/\(.*$/s, '') });
  return fn;
}

function checkBatch(who: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw invalid(`${who} input`, 'a Tensor batch', x);
  return x;
}

/** Image height and width of a batch [B, H, W] or [B, C, H, W]. */
function imageSize(who: string, x: Tensor): [number, number] {
  const s = x.shape;
  if (s.length !== 3 && s.length !== 4) throw invalid(`${who} input`, 'a batch of images of shape [B, H, W] or [B, C, H, W]', s);
  return [s[s.length - 2]!, s[s.length - 1]!];
}

/**
 * torchvision's ToTensor for batches: uint8 [B, H, W] -> float32 [B, 1, H, W] divided by 255;
 * uint8 [B, C, H, W] -> float32 [B, C, H, W] / 255. A floating batch is not rescaled (as
 * torchvision does not rescale non-uint8 arrays); [B, H, W] still gains its channel dim.
 */
export function ToTensor(): Transform {
  return named((batch) => {
    const x = checkBatch('ToTensor', batch);
    imageSize('ToTensor', x);
    if (x.dtype === 'uint8') {
      return tidy(() => {
        const f = x.to('float32'); // always a new tensor, so the in-place division is safe
        f.div_(255);
        return x.ndim === 3 ? f.unsqueeze(1) : f;
      });
    }
    if (!x.is_floating_point()) throw invalid('ToTensor input', 'a uint8 or floating point batch', x.dtype);
    return x.ndim === 3 ? x.unsqueeze(1) : x;
  }, 'ToTensor()');
}

function numberList(name: string, v: unknown): number[] {
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) throw invalid(name, 'a number or a non-empty array of numbers', v);
  return list.map((x, i) => checkNumber(`${name}[${i}]`, x, { finite: true }));
}

/**
 * torchvision's Normalize: (x - mean[c]) / std[c] over the channel dim (dim -3) of a floating
 * batch [..., C, H, W]; mean and std are numbers or one value per channel. With mean 0 and std 1
 * it returns its input unchanged. `inplace` writes into the input.
 */
export function Normalize(mean: number | readonly number[], std: number | readonly number[], inplace = false): Transform {
  const m = numberList('mean', mean);
  const s = numberList('std', std);
  if (s.some((v) => v === 0)) throw invalid('std', 'nonzero standard deviations', std);
  if (m.length !== s.length && m.length !== 1 && s.length !== 1) {
    throw new RangeError(`Normalize: mean has ${m.length} values and std ${s.length}: expected the same number (one per channel)`);
  }
  const identity = m.every((v) => v === 0) && s.every((v) => v === 1);
  const repr = `Normalize(mean=[${m.join(', ')}], std=[${s.join(', ')}])`;
  return named((batch) => {
    const x = checkBatch('Normalize', batch);
    if (!x.is_floating_point()) throw invalid('Normalize input', 'a floating point batch (apply ToTensor first)', x.dtype);
    if (x.ndim < 3) throw invalid('Normalize input', 'a batch of shape [..., C, H, W]', x.shape);
    const channels = x.shape[x.ndim - 3]!;
    const n = Math.max(m.length, s.length);
    if (n !== 1 && n !== channels) {
      throw new RangeError(`Normalize: ${n} mean/std values for a batch with ${channels} channels (shape [${x.shape.join(', ')}])`);
    }
    if (identity) return x;
    return tidy(() => {
      const operand = (vals: number[]): Tensor | number =>
        vals.length === 1 ? vals[0]! : tensor(vals, { dtype: x.dtype, device: x.device }).view(vals.length, 1, 1);
      const mean_ = operand(m);
      const std_ = operand(s);
      if (inplace) return x.sub_(mean_).div_(std_);
      return x.sub(mean_).div(std_);
    });
  }, repr);
}

/**
 * torchvision's Resize, as an identity check: MNIST-like images already have the size the
 * tutorials ask for, so Resize(size) passes a batch through when its images have that size
 * (a number is the smaller edge; [h, w] the exact size) and throws otherwise.
 */
export function Resize(size: number | readonly [number, number]): Transform {
  const want =
    typeof size === 'number'
      ? [checkInt('size', size, 1)]
      : Array.isArray(size) && size.length === 2
        ? size.map((v, i) => checkInt(`size[${i}]`, v, 1))
        : null;
  if (want === null) throw invalid('size', 'an integer or an [h, w] pair', size);
  const repr = `Resize(size=${want.length === 1 ? want[0] : `[${want.join(', ')}]`})`;
  return named((batch) => {
    const x = checkBatch('Resize', batch);
    const [h, w] = imageSize('Resize', x);
    const ok = want.length === 1 ? Math.min(h, w) === want[0] : h === want[0] && w === want[1];
    if (!ok) {
      throw new RangeError(
        `${repr}: images are ${h}x${w}; only resizing to the images' own size is implemented (an identity), interpolation is not`,
      );
    }
    return x;
  }, repr);
}

/**
 * torchvision's Grayscale(num_output_channels = 1), as an identity check: the batch must already
 * be single-channel ([B, H, W] or [B, 1, H, W]). Converting colour images is not implemented.
 */
export function Grayscale(num_output_channels = 1): Transform {
  if (num_output_channels !== 1) throw invalid('num_output_channels', '1 (the only value implemented)', num_output_channels);
  return named((batch) => {
    const x = checkBatch('Grayscale', batch);
    imageSize('Grayscale', x);
    if (x.ndim === 4 && x.shape[1] !== 1) {
      throw new RangeError(
        `Grayscale(num_output_channels=1): the batch has ${x.shape[1]} channels (shape [${x.shape.join(', ')}]); only single-channel images are supported`,
      );
    }
    return x;
  }, 'Grayscale(num_output_channels=1)');
}

/** torchvision's Lambda: a user function as a transform. */
export function Lambda(fn: (batch: Tensor) => Tensor): Transform {
  if (typeof fn !== 'function') throw invalid('fn', 'a function', fn);
  return named((batch) => fn(batch), `Lambda(${fn.name || 'fn'})`);
}

/** torchvision's Compose: the transforms in order; intermediate tensors are freed. */
export function Compose(transforms: readonly Transform[]): Transform {
  if (!Array.isArray(transforms)) throw invalid('transforms', 'an array of transforms', transforms);
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw invalid(`transforms[${i}]`, 'a transform (a function of a batch tensor)', t);
  });
  const list = [...transforms];
  const describe = (t: Transform): string => (Object.prototype.hasOwnProperty.call(t, 'toString') ? String(t) : `${t.name || 'fn'}()`);
  const repr = `Compose(\n${list.map((t) => `    ${describe(t)}`).join('\n')}\n)`;
  return named((batch) => tidy(() => list.reduce<Tensor>((x, t) => t(x), checkBatch('Compose', batch))), repr);
}
