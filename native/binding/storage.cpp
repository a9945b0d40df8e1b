// Storage-level access for torch.save / torch.load: which storage a tensor views (so views of one
// storage are saved once, as PyTorch saves them), the storage's whole bytes, and tensors made on
// an existing storage (so loaded views share it, as torch._utils._rebuild_tensor_v2's set_ does).
#include <ATen/ATen.h>

#include <cstdint>
#include <cstring>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {

// storage_info(t) -> [id, nbytes, storage_offset]: id names the storage while it lives (its
// StorageImpl's address, below 2^53 on every 64-bit platform Node runs on).
NATIVE_FN(storage_info) {
  const at::Tensor& t = argTensor(info, 0);
  Napi::Env env = info.Env();
  const c10::Storage& s = t.storage();
  auto out = Napi::Array::New(env, 3);
  out.Set(uint32_t{0},
          Napi::Number::New(env, static_cast<double>(reinterpret_cast<std::uintptr_t>(s.unsafeGetStorageImpl()))));
  out.Set(uint32_t{1}, Napi::Number::New(env, static_cast<double>(s.nbytes())));
  out.Set(uint32_t{2}, Napi::Number::New(env, static_cast<double>(t.storage_offset())));
  return out;
}

// storage_bytes(t) -> the tensor's whole storage as little-endian bytes (a CPU copy).
NATIVE_FN(storage_bytes) {
  const at::Tensor& t = argTensor(info, 0);
  const c10::Storage& s = t.storage();
  const auto nbytes = static_cast<int64_t>(s.nbytes());
  auto out = Napi::Uint8Array::New(info.Env(), static_cast<size_t>(nbytes));
  if (nbytes == 0) return out;
  at::Tensor whole = at::empty({0}, t.options().dtype(at::kByte)).set_(s, 0, {nbytes}, {1});
  at::Tensor cpu = whole.cpu().contiguous();
  std::memcpy(out.Data(), cpu.data_ptr(), static_cast<size_t>(nbytes));
  return out;
}

// tensor_on_storage(base, shape, strides, storage_offset) -> a new tensor (not a view: no
// autograd link) on base's storage, with base's dtype. The caller checks the extent.
NATIVE_FN(tensor_on_storage) {
  const at::Tensor& base = argTensor(info, 0);
  auto shape = argIntList(info, 1);
  auto strides = argIntList(info, 2);
  const int64_t offset = argInt(info, 3);
  at::Tensor t = at::empty({0}, base.options());
  t.set_(base.storage(), offset, shape, strides);
  return wrap(info, t);
}

}  // namespace snntorch::binding
