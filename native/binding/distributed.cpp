// torch.distributed over LibTorch's c10d: stores (TCPStore, FileStore), process groups (Gloo; NCCL
// with a CUDA LibTorch), collectives returning c10d Work handles, and DDP's c10d::Reducer.
// Glue only: option checks and PyTorch's defaults live in lib/torch/distributed. Every c10d
// exception becomes a JS Error that names the rank and the operation.
// c10d's Gloo headers include Gloo's own (Debian: libgloo-dev): without them, or where CMake found
// that this file does not compile against the LibTorch in use (SNN_NO_DISTRIBUTED), it compiles to
// nothing and lib/torch/distributed reports why.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <napi.h>

#include <sys/prctl.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "args.h"
#include "registry.h"

#if __has_include(<gloo/rendezvous/store.h>) && !defined(SNN_NO_DISTRIBUTED)
#include <torch/csrc/autograd/variable.h>
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#if defined(SNN_WITH_CUDA) && defined(SNN_WITH_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <atomic>
#include <limits>
#include <chrono>
#include <mutex>

#include "args.h"
#include "registry.h"

namespace snntorch::binding {
namespace {

using Clock = std::chrono::steady_clock;
using c10d::ProcessGroup;
using c10d::Store;
using c10d::Work;

double nowMs() { return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count(); }

// Tags our Externals so that any other External passed from JS is rejected, never reinterpreted.
const napi_type_tag kStoreTag = {0x5d1e7a0c1b2f4e31ULL, 0x9a8b7c6d5e4f3a21ULL};
const napi_type_tag kGroupTag = {0x5d1e7a0c1b2f4e32ULL, 0x9a8b7c6d5e4f3a22ULL};
const napi_type_tag kWorkTag = {0x5d1e7a0c1b2f4e33ULL, 0x9a8b7c6d5e4f3a23ULL};
const napi_type_tag kReducerTag = {0x5d1e7a0c1b2f4e34ULL, 0x9a8b7c6d5e4f3a24ULL};

struct StoreHolder {
  c10::intrusive_ptr<Store> store;
};
struct GroupHolder {
  c10::intrusive_ptr<ProcessGroup> pg;
  int rank = 0;
  std::string backend;
};
struct WorkHolder {
  c10::intrusive_ptr<Work> work;
  int rank = 0;
  std::string op;
  // Run after a successful wait, on the waiting thread (AVG's division, reduce_scatter's copy-out).
  std::function<void()> after;
  bool finished = false;
};

template <typename H>
Napi::Value wrapHolder(Napi::Env env, H* h, const napi_type_tag* tag) {
  auto ext = Napi::External<H>::New(env, h, [](Napi::Env, H* p) { delete p; });
  ext.TypeTag(tag);
  return ext;
}

template <typename H>
H& holder(const Napi::CallbackInfo& info, size_t i, const napi_type_tag* tag, const char* what) {
  Napi::Value v = info[i];
  if (!v.IsExternal() || !v.As<Napi::External<H>>().CheckTypeTag(tag)) {
    throw Napi::TypeError::New(info.Env(),
                               std::string("Expected a ") + what + " handle for argument " + std::to_string(i));
  }
  return *v.As<Napi::External<H>>().Data();
}

GroupHolder& group(const Napi::CallbackInfo& info, size_t i) {
  GroupHolder& g = holder<GroupHolder>(info, i, &kGroupTag, "process group");
  if (!g.pg) throw Napi::Error::New(info.Env(), "the process group was destroyed (destroy_process_group)");
  return g;
}

std::string describe(int rank, const std::string& op, const std::string& msg) {
  return "torch.distributed: rank " + std::to_string(rank) + ": " + op + " failed: " + msg;
}

std::string messageOf(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

// Runs a c10d call; a failure becomes a JS Error naming the rank and the op.
template <typename F>
auto guard(Napi::Env env, int rank, const std::string& op, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw Napi::Error::New(env, describe(rank, op, messageOf(std::current_exception())));
  }
}

c10d::ReduceOp reduceOp(const std::string& name) {
  if (name == "sum") return c10d::ReduceOp::SUM;
  if (name == "product") return c10d::ReduceOp::PRODUCT;
  if (name == "max") return c10d::ReduceOp::MAX;
  if (name == "min") return c10d::ReduceOp::MIN;
  throw std::invalid_argument("unknown reduce op '" + name + "' (expected sum, product, max or min)");
}

std::chrono::milliseconds ms(double v) { return std::chrono::milliseconds(static_cast<int64_t>(v)); }

Napi::Value newWork(Napi::Env env, const GroupHolder& g, const std::string& op, c10::intrusive_ptr<Work> w,
                    std::function<void()> after = {}) {
  auto* h = new WorkHolder{std::move(w), g.rank, op, std::move(after), false};
  return wrapHolder(env, h, &kWorkTag);
}

// Waits for a work; runs its completion step once. Throws a C++ exception with the described message.
void finishWork(WorkHolder& h, c10::optional<std::chrono::milliseconds> timeout) {
  if (h.finished) return;
  at::NoGradGuard noGrad;
  try {
    bool ok = timeout ? h.work->wait(*timeout) : h.work->wait();
    if (!ok) throw std::runtime_error("did not complete");
    if (h.after) h.after();
  } catch (...) {
    h.finished = true;
    throw std::runtime_error(describe(h.rank, h.op, messageOf(std::current_exception())));
  }
  h.finished = true;
}

// ---- stores

// dist_tcp_store(host, port, is_server, world_size, timeout_ms)
NATIVE_FN(dist_tcp_store) {
  std::string host = argString(info, 0);
  c10d::TCPStoreOptions o;
  o.port = static_cast<std::uint16_t>(argInt(info, 1));
  o.isServer = argBool(info, 2);
  o.numWorkers = static_cast<std::size_t>(argInt(info, 3));
  o.waitWorkers = false;
  o.timeout = ms(argDouble(info, 4));
  int rank = o.isServer ? 0 : -1;
  auto store = guard(info.Env(), rank, "init_process_group (TCPStore " + host + ":" + std::to_string(o.port) + ")",
                     [&] { return c10::make_intrusive<c10d::TCPStore>(host, o); });
  return wrapHolder(info.Env(), new StoreHolder{store}, &kStoreTag);
}

// dist_file_store(path, world_size)
NATIVE_FN(dist_file_store) {
  std::string path = argString(info, 0);
  int world = static_cast<int>(argInt(info, 1));
  auto store = guard(info.Env(), -1, "init_process_group (FileStore " + path + ")",
                     [&] { return c10::make_intrusive<c10d::FileStore>(path, world); });
  return wrapHolder(info.Env(), new StoreHolder{store}, &kStoreTag);
}

// dist_store_set_timeout(store, timeout_ms)
NATIVE_FN(dist_store_set_timeout) {
  holder<StoreHolder>(info, 0, &kStoreTag, "store").store->setTimeout(ms(argDouble(info, 1)));
  return info.Env().Undefined();
}

// dist_store_compare_set(store, key, expected, desired) -> the value now stored
NATIVE_FN(dist_store_compare_set) {
  auto& s = holder<StoreHolder>(info, 0, &kStoreTag, "store");
  std::string key = argString(info, 1), expected = argString(info, 2), desired = argString(info, 3);
  auto out = guard(info.Env(), -1, "store compare_set", [&] {
    return s.store->compareSet(key, std::vector<uint8_t>(expected.begin(), expected.end()),
                               std::vector<uint8_t>(desired.begin(), desired.end()));
  });
  return Napi::String::New(info.Env(), std::string(out.begin(), out.end()));
}

// dist_store_add(store, key, delta) -> new value
NATIVE_FN(dist_store_add) {
  auto& s = holder<StoreHolder>(info, 0, &kStoreTag, "store");
  std::string key = argString(info, 1);
  int64_t delta = argInt(info, 2);
  int64_t v = guard(info.Env(), -1, "store add", [&] { return s.store->add(key, delta); });
  return Napi::Number::New(info.Env(), static_cast<double>(v));
}

// dist_store_get(store, key) -> value (waits up to the store's timeout)
NATIVE_FN(dist_store_get) {
  auto& s = holder<StoreHolder>(info, 0, &kStoreTag, "store");
  std::string key = argString(info, 1);
  auto out = guard(info.Env(), -1, "store get", [&] { return s.store->get(key); });
  return Napi::String::New(info.Env(), std::string(out.begin(), out.end()));
}

// dist_store_check(store, key) -> whether the key is set (never waits)
NATIVE_FN(dist_store_check) {
  auto& s = holder<StoreHolder>(info, 0, &kStoreTag, "store");
  std::string key = argString(info, 1);
  bool ok = guard(info.Env(), -1, "store check", [&] { return s.store->check({key}); });
  return Napi::Boolean::New(info.Env(), ok);
}

// ---- process groups

// dist_new_group(store, backend, rank, world_size, timeout_ms, prefix, gloo_host, gloo_iface)
NATIVE_FN(dist_new_group) {
  auto& s = holder<StoreHolder>(info, 0, &kStoreTag, "store");
  std::string backend = argString(info, 1);
  int rank = static_cast<int>(argInt(info, 2));
  int world = static_cast<int>(argInt(info, 3));
  auto timeout = ms(argDouble(info, 4));
  std::string prefix = argString(info, 5);
  std::string host = argIsMissing(info, 6) ? "" : argString(info, 6);
  std::string iface = argIsMissing(info, 7) ? "" : argString(info, 7);
  auto store = c10::make_intrusive<c10d::PrefixStore>(prefix, s.store);
  c10::intrusive_ptr<ProcessGroup> pg =
      guard(info.Env(), rank, "init_process_group (" + backend + ")", [&]() -> c10::intrusive_ptr<ProcessGroup> {
        if (backend == "gloo") {
          auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
          if (!iface.empty()) {
            opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
          } else {
            opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host.empty() ? "127.0.0.1" : host));
          }
          opts->threads = 2;
          return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world, opts);
        }
#if defined(SNN_WITH_CUDA) && defined(SNN_WITH_NCCL)
        if (backend == "nccl") {
          auto opts = c10d::ProcessGroupNCCL::Options::create();
          opts->timeout = timeout;
          return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world, opts);
        }
#endif
        throw std::invalid_argument("backend '" + backend + "' is not available in this build of snntorch-node");
      });
  auto* h = new GroupHolder{pg, rank, backend};
  return wrapHolder(info.Env(), h, &kGroupTag);
}

NATIVE_FN(dist_nccl_available) {
#if defined(SNN_WITH_CUDA) && defined(SNN_WITH_NCCL)
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// dist_destroy_group(pg): drops our reference; Gloo's threads stop once no work holds the group.
NATIVE_FN(dist_destroy_group) {
  holder<GroupHolder>(info, 0, &kGroupTag, "process group").pg.reset();
  return info.Env().Undefined();
}

// ---- collectives: each returns a work handle

// dist_all_reduce(pg, tensor, op, divide_by)
NATIVE_FN(dist_all_reduce) {
  auto& g = group(info, 0);
  at::Tensor t = argTensor(info, 1);
  std::string op = argString(info, 2);
  double divideBy = argDouble(info, 3);
  return guard(info.Env(), g.rank, "all_reduce", [&] {
    std::vector<at::Tensor> ts{t};
    c10d::AllreduceOptions o;
    o.reduceOp = reduceOp(op);
    auto w = g.pg->allreduce(ts, o);
    std::function<void()> after;
    if (divideBy != 1.0)
      after = [t, divideBy]() mutable {
        if (at::isIntegralType(t.scalar_type(), true)) t.div_(divideBy, "trunc");
        else t.div_(divideBy);
      };
    return newWork(info.Env(), g, "all_reduce", w, after);
  });
}

// dist_broadcast(pg, tensors[], src)
NATIVE_FN(dist_broadcast) {
  auto& g = group(info, 0);
  auto ts = argTensorList(info, 1);
  int src = static_cast<int>(argInt(info, 2));
  return guard(info.Env(), g.rank, "broadcast", [&] {
    c10d::BroadcastOptions o;
    o.rootRank = src;
    return newWork(info.Env(), g, "broadcast", g.pg->broadcast(ts, o));
  });
}

// dist_all_gather(pg, outputs[], input)
NATIVE_FN(dist_all_gather) {
  auto& g = group(info, 0);
  std::vector<std::vector<at::Tensor>> outs{argTensorList(info, 1)};
  std::vector<at::Tensor> in{argTensor(info, 2)};
  return guard(info.Env(), g.rank, "all_gather",
               [&] { return newWork(info.Env(), g, "all_gather", g.pg->allgather(outs, in)); });
}

// dist_barrier(pg)
NATIVE_FN(dist_barrier) {
  auto& g = group(info, 0);
  return guard(info.Env(), g.rank, "barrier", [&] { return newWork(info.Env(), g, "barrier", g.pg->barrier()); });
}

// dist_send(pg, tensor, dst, tag)
NATIVE_FN(dist_send) {
  auto& g = group(info, 0);
  std::vector<at::Tensor> ts{argTensor(info, 1)};
  int dst = static_cast<int>(argInt(info, 2));
  int tag = static_cast<int>(argInt(info, 3));
  return guard(info.Env(), g.rank, "send", [&] { return newWork(info.Env(), g, "send", g.pg->send(ts, dst, tag)); });
}

// dist_recv(pg, tensor, src, tag): src -1 receives from any rank.
NATIVE_FN(dist_recv) {
  auto& g = group(info, 0);
  std::vector<at::Tensor> ts{argTensor(info, 1)};
  int src = static_cast<int>(argInt(info, 2));
  int tag = static_cast<int>(argInt(info, 3));
  return guard(info.Env(), g.rank, "recv", [&] {
    return newWork(info.Env(), g, "recv", src < 0 ? g.pg->recvAnysource(ts, tag) : g.pg->recv(ts, src, tag));
  });
}

// dist_broadcast_coalesced(pg, tensors[], buffer_bytes, src, op_name): blocking, as DDP's
// _sync_module_states; op_name names it in errors.
NATIVE_FN(dist_broadcast_coalesced) {
  auto& g = group(info, 0);
  auto ts = argTensorList(info, 1);
  auto bytes = static_cast<size_t>(argInt(info, 2));
  int src = static_cast<int>(argInt(info, 3));
  std::string op = argString(info, 4);
  guard(info.Env(), g.rank, op, [&] {
    c10d::broadcast_coalesced(g.pg, ts, bytes, src);
    return 0;
  });
  return info.Env().Undefined();
}

// ---- work handles

// dist_work_wait(work, timeout_ms | null): blocks the calling thread.
NATIVE_FN(dist_work_wait) {
  auto& h = holder<WorkHolder>(info, 0, &kWorkTag, "work");
  c10::optional<std::chrono::milliseconds> timeout;
  if (!argIsMissing(info, 1)) timeout = ms(argDouble(info, 1));
  finishWork(h, timeout);
  return Napi::Boolean::New(info.Env(), true);
}

NATIVE_FN(dist_work_is_completed) {
  auto& h = holder<WorkHolder>(info, 0, &kWorkTag, "work");
  return Napi::Boolean::New(info.Env(), h.finished || h.work->isCompleted());
}

// Waits off the JS thread; the JS value keeps the work alive until the promise settles.
class WaitWorker : public Napi::AsyncWorker {
 public:
  WaitWorker(Napi::Env env, Napi::Object keep, WorkHolder* h, c10::optional<std::chrono::milliseconds> timeout)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), h_(h), timeout_(timeout) {
    keep_ = Napi::Persistent(keep);
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      finishWork(*h_, timeout_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(Napi::Boolean::New(Env(), true)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference keep_;
  WorkHolder* h_;
  c10::optional<std::chrono::milliseconds> timeout_;
};

// dist_work_wait_async(work, timeout_ms | null) -> Promise<true>
NATIVE_FN(dist_work_wait_async) {
  auto& h = holder<WorkHolder>(info, 0, &kWorkTag, "work");
  c10::optional<std::chrono::milliseconds> timeout;
  if (!argIsMissing(info, 1)) timeout = ms(argDouble(info, 1));
  Napi::Object keep = Napi::Object::New(info.Env());
  keep.Set("work", info[0]);
  auto* w = new WaitWorker(info.Env(), keep, &h, timeout);
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

// ---- DistributedDataParallel: c10d::Reducer with a timed allreduce hook

// The mean over ranks (as PyTorch's default hook) plus the launch and completion time of each
// bucket's allreduce, so that its overlap with backward is measured.
struct CommTimes {
  std::mutex mu;
  std::vector<std::pair<double, double>> spans;  // [launch, done] in ms, this iteration
  std::vector<std::pair<double, double>> last;   // the previous finished iteration
};

class TimedAllReduceHook : public c10d::CommHookInterface {
 public:
  TimedAllReduceHook(const c10::intrusive_ptr<ProcessGroup>& pg, std::shared_ptr<CommTimes> times)
      : pg_(pg), times_(std::move(times)) {}
  c10::intrusive_ptr<c10::ivalue::Future> runHook(c10d::GradBucket& bucket) override {
    std::vector<at::Tensor> tensors{bucket.getBufferRef()};
    tensors[0].div_(pg_->getSize());
    double launch = nowMs();
    size_t slot;
    {
      std::lock_guard<std::mutex> lock(times_->mu);
      slot = times_->spans.size();
      times_->spans.emplace_back(launch, -1.0);
    }
    auto fut = pg_->allreduce(tensors)->getFuture();
    auto times = times_;
    int rank = pg_->getRank();
    size_t index = bucket.getIndex();
    // The reducer waits on the returned future, so the completion time is recorded before
    // backward returns; a failure (a rank gone, a timeout) names this rank and the bucket.
    return fut->then(
        [times, slot, rank, index](c10::ivalue::Future& f) -> c10::IValue {
          if (f.hasError()) {
            throw std::runtime_error(
                describe(rank, "DistributedDataParallel all_reduce of gradient bucket " + std::to_string(index),
                         messageOf(f.exception_ptr())));
          }
          {
            std::lock_guard<std::mutex> lock(times->mu);
            if (slot < times->spans.size()) times->spans[slot].second = nowMs();
          }
          return f.value();
        },
        fut->elementType());
  }
  // The allreduce future holds the reduced tensor list (as c10d's own C++ hooks return).
  at::Tensor parseHookResult(const c10::IValue& result) override {
    if (result.isTensor()) return result.toTensor();
    TORCH_CHECK(result.isTensorList(), "allreduce hook: expected a tensor or a tensor list, got ", result.tagKind());
    return result.toTensorVector().at(0);
  }

 private:
  c10::intrusive_ptr<ProcessGroup> pg_;
  std::shared_ptr<CommTimes> times_;
};

struct ReducerHolder {
  std::shared_ptr<c10d::Reducer> reducer;
  std::shared_ptr<CommTimes> times;
  int rank = 0;
};

ReducerHolder& reducerOf(const Napi::CallbackInfo& info, size_t i) {
  auto& r = holder<ReducerHolder>(info, i, &kReducerTag, "DistributedDataParallel reducer");
  if (!r.reducer) throw Napi::Error::New(info.Env(), "the DistributedDataParallel reducer was disposed");
  return r;
}

// dist_reducer_create(pg, params[], names[], bucket_cap_bytes, first_bucket_bytes, find_unused)
NATIVE_FN(dist_reducer_create) {
  auto& g = group(info, 0);
  auto params = argTensorList(info, 1);
  Napi::Array names = info[2].As<Napi::Array>();
  int64_t cap = argInt(info, 3);
  int64_t first = argInt(info, 4);
  bool findUnused = argBool(info, 5);
  auto* h = new ReducerHolder();
  std::unique_ptr<ReducerHolder> owned(h);
  h->rank = g.rank;
  h->times = std::make_shared<CommTimes>();
  guard(info.Env(), g.rank, "DistributedDataParallel", [&] {
    std::unordered_map<size_t, std::string> paramNames;
    for (uint32_t k = 0; k < names.Length() && k < params.size(); k++)
      paramNames[k] = names.Get(k).As<Napi::String>().Utf8Value();
    std::vector<bool> sparse(params.size(), false);
    // As PyTorch's DDP: without find_unused_parameters one bucket for the first iteration, then
    // rebuild_buckets() regroups by the order in which gradients arrived (bucket_cap, a small first
    // bucket); buckets in reverse parameter order, as gradients roughly arrive.
    std::vector<size_t> limitsIn = findUnused
                                       ? std::vector<size_t>{static_cast<size_t>(first), static_cast<size_t>(cap)}
                                       : std::vector<size_t>{std::numeric_limits<size_t>::max()};
    auto assigned = c10d::compute_bucket_assignment_by_size(params, limitsIn, sparse);
    auto indices = std::get<0>(assigned);
    auto limits = std::get<1>(assigned);
    std::reverse(indices.begin(), indices.end());
    std::reverse(limits.begin(), limits.end());
    c10d::verify_params_across_processes(g.pg, params, c10::nullopt);
    h->reducer = std::make_shared<c10d::Reducer>(params, indices, limits, g.pg, sparse, cap, findUnused,
                                                 /*gradient_as_bucket_view=*/false, paramNames, first);
    h->reducer->register_comm_hook(std::make_unique<TimedAllReduceHook>(g.pg, h->times));
    return 0;
  });
  return wrapHolder(info.Env(), owned.release(), &kReducerTag);
}

// dist_reducer_prepare_for_forward(reducer) -> whether buckets were rebuilt (before a forward that syncs)
NATIVE_FN(dist_reducer_prepare_for_forward) {
  auto& r = reducerOf(info, 0);
  bool rebuilt = guard(info.Env(), r.rank, "DistributedDataParallel forward", [&] {
    {
      std::lock_guard<std::mutex> lock(r.times->mu);
      if (!r.times->spans.empty()) r.times->last.swap(r.times->spans);
      r.times->spans.clear();
    }
    r.reducer->prepare_for_forward();
    return r.reducer->rebuild_buckets();
  });
  return Napi::Boolean::New(info.Env(), rebuilt);
}

// dist_reducer_prepare_for_backward(reducer, outputs[]): the next backward reduces gradients
// (outputs are searched for unused parameters when find_unused_parameters is on).
NATIVE_FN(dist_reducer_prepare_for_backward) {
  auto& r = reducerOf(info, 0);
  auto outs = argTensorList(info, 1);
  guard(info.Env(), r.rank, "DistributedDataParallel forward", [&] {
    r.reducer->prepare_for_backward(outs);
    return 0;
  });
  return info.Env().Undefined();
}

// dist_reducer_comm_spans(reducer) -> [[launch_ms, done_ms], ...] of the latest finished backward
NATIVE_FN(dist_reducer_comm_spans) {
  auto& r = reducerOf(info, 0);
  std::vector<std::pair<double, double>> spans;
  {
    std::lock_guard<std::mutex> lock(r.times->mu);
    bool current = !r.times->spans.empty() &&
                   std::all_of(r.times->spans.begin(), r.times->spans.end(), [](auto& s) { return s.second >= 0; });
    spans = current ? r.times->spans : r.times->last;
  }
  Napi::Array out = Napi::Array::New(info.Env(), spans.size());
  for (size_t k = 0; k < spans.size(); k++) {
    Napi::Array p = Napi::Array::New(info.Env(), 2);
    p.Set(0u, spans[k].first);
    p.Set(1u, spans[k].second);
    out.Set(static_cast<uint32_t>(k), p);
  }
  return out;
}

NATIVE_FN(dist_now_ms) { return Napi::Number::New(info.Env(), nowMs()); }

// dist_reducer_dispose(reducer): removes the gradient hooks now.
NATIVE_FN(dist_reducer_dispose) {
  auto& r = holder<ReducerHolder>(info, 0, &kReducerTag, "DistributedDataParallel reducer");
  int rank = r.rank;
  guard(info.Env(), rank, "DistributedDataParallel dispose", [&] {
    r.reducer.reset();
    return 0;
  });
  return info.Env().Undefined();
}

}  // namespace
}  // namespace snntorch::binding

#endif  // __has_include(<gloo/rendezvous/store.h>) && !defined(SNN_NO_DISTRIBUTED)

namespace snntorch::binding {
namespace {
// dist_exit_with_parent(ppid): this process gets SIGTERM when its parent (the launcher) exits,
// however it exits (SIGKILL included), so no rank outlives `snntorch-node run`. Returns false when
// the parent is already gone.
NATIVE_FN(dist_exit_with_parent) {
  auto expected = static_cast<pid_t>(argInt(info, 0));
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
    throw Napi::Error::New(info.Env(), std::string("prctl(PR_SET_PDEATHSIG) failed: ") + std::strerror(errno));
  return Napi::Boolean::New(info.Env(), getppid() == expected);
}

// dist_randperm(n, seed): torch.randperm(n, generator=torch.Generator().manual_seed(seed)), with
// its own generator so the global one is untouched (DistributedSampler's shuffle, as PyTorch's).
NATIVE_FN(dist_randperm) {
  int64_t n = argInt(info, 0);
  uint64_t seed = static_cast<uint64_t>(argInt(info, 1));
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return wrap(info, at::randperm(n, gen, at::TensorOptions().dtype(at::kLong)));
}
}  // namespace
}  // namespace snntorch::binding
