// Tensor metadata and data export (tensor -> JS). Export is zero-copy: the ArrayBuffer owns a
// reference to a contiguous CPU tensor, measured safe and 15x faster than copying
// (docs/ARCHITECTURE.md, Tensor ownership).
#include <ATen/ATen.h>

#include <cstring>
#include <sstream>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {
namespace {

// copy: the array gets its own memory, so writes to it can never reach the tensor behind
// autograd's back (its version counter cannot see them). Without copy, a read-only view for the
// library's own reading (printing, tolist).
Napi::Value exportTypedArray(Napi::Env env, const at::Tensor& src, bool copy) {
  at::Tensor t = src.detach();
  if (t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16) t = t.to(at::kFloat);
  t = t.cpu().contiguous();
  if (copy && t.is_alias_of(src)) t = t.clone();
  const size_t n = static_cast<size_t>(t.numel());
  const size_t bytes = t.nbytes();
  Napi::ArrayBuffer buf;
  if (bytes == 0) {
    buf = Napi::ArrayBuffer::New(env, 0);
  } else {
    auto* keep = new at::Tensor(t);
    buf = Napi::ArrayBuffer::New(
        env, keep->data_ptr(), bytes, [](Napi::Env, void*, at::Tensor* k) { delete k; }, keep);
  }
  switch (t.scalar_type()) {
    case at::kFloat: return Napi::Float32Array::New(env, n, buf, 0);
    case at::kDouble: return Napi::Float64Array::New(env, n, buf, 0);
    case at::kInt: return Napi::Int32Array::New(env, n, buf, 0);
    case at::kLong: return Napi::BigInt64Array::New(env, n, buf, 0);
    case at::kByte:
    case at::kBool: return Napi::Uint8Array::New(env, n, buf, 0);
    case at::kChar: return Napi::Int8Array::New(env, n, buf, 0);
    case at::kShort: return Napi::Int16Array::New(env, n, buf, 0);
    default: throw Napi::TypeError::New(env, std::string("cannot export dtype ") + dtypeName(t.scalar_type()));
  }
}

}  // namespace

NATIVE_FN(shape) { return intList(info.Env(), argTensor(info, 0).sizes()); }
NATIVE_FN(strides) { return intList(info.Env(), argTensor(info, 0).strides()); }
NATIVE_FN(dtype) { return Napi::String::New(info.Env(), dtypeName(argTensor(info, 0).scalar_type())); }
NATIVE_FN(device) { return Napi::String::New(info.Env(), argTensor(info, 0).device().str()); }
NATIVE_FN(numel) { return Napi::Number::New(info.Env(), static_cast<double>(argTensor(info, 0).numel())); }
NATIVE_FN(is_contiguous) { return Napi::Boolean::New(info.Env(), argTensor(info, 0).is_contiguous()); }
NATIVE_FN(data) { return exportTypedArray(info.Env(), argTensor(info, 0), false); }
NATIVE_FN(data_copy) { return exportTypedArray(info.Env(), argTensor(info, 0), true); }

NATIVE_FN(item) {
  at::Tensor& t = argTensor(info, 0);
  at::Scalar s = t.item();
  if (t.scalar_type() == at::kBool) return Napi::Boolean::New(info.Env(), s.toBool());
  if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
  return Napi::Number::New(info.Env(), s.toDouble());
}

// PyTorch's own printout (values, dtype, grad_fn), for toString().
NATIVE_FN(to_string) {
  at::Tensor& t = argTensor(info, 0);
  std::ostringstream os;
  os << t;
  return Napi::String::New(info.Env(), os.str());
}

NATIVE_FN(same_storage) { return Napi::Boolean::New(info.Env(), argTensor(info, 0).is_same(argTensor(info, 1))); }

}  // namespace snntorch::binding

namespace snntorch::binding {

// Raw little-endian bytes of a contiguous CPU copy, any dtype (checkpoints need float16/bfloat16
// bytes as they are, which data() would widen).
NATIVE_FN(raw_bytes) {
  at::Tensor t = argTensor(info, 0).detach().cpu().contiguous();
  auto out = Napi::Uint8Array::New(info.Env(), t.nbytes());
  if (t.nbytes()) std::memcpy(out.Data(), t.data_ptr(), t.nbytes());
  return out;
}

// from_raw_bytes(storageBytes, dtype, shape, strides, storage_offset): a tensor viewing a copy of a
// whole storage, as torch._utils._rebuild_tensor_v2 does.
NATIVE_FN(from_raw_bytes) {
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "Expected a Uint8Array for argument 0");
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  at::ScalarType dt = argDtype(info, 1);
  const size_t item = c10::elementSize(dt);
  if (bytes.ByteLength() % item)
    throw Napi::RangeError::New(info.Env(), "storage size is not a multiple of the element size");
  auto n = static_cast<int64_t>(bytes.ByteLength() / item);
  at::Tensor storage = at::empty({n}, at::TensorOptions().dtype(dt));
  if (n) std::memcpy(storage.data_ptr(), bytes.Data(), bytes.ByteLength());
  return wrap(info, storage.as_strided(argIntList(info, 2), argIntList(info, 3), argInt(info, 4)));
}

}  // namespace snntorch::binding
