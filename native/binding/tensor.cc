// Tensor creation, data transfer, metadata, memory.
#include <cmath>
#include <cstring>

#include "../core/cpu.h"
#include "../core/blas_threads.h"
#include "../core/gemm.h"
#include "../core/linalg.h"
#include "../core/parallel.h"
#include "../core/probe.h"
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

static tf::DType TypedDType(napi_typedarray_type t, bool& ok) {
  ok = true;
  switch (t) {
    case napi_float32_array: return tf::DType::F32;
    case napi_float64_array: return tf::DType::F64;
    case napi_int32_array: return tf::DType::I32;
    case napi_uint8_array: return tf::DType::U8;  // exact byte values; to bool is != 0
    case napi_bigint64_array: return tf::DType::I64;
    default: ok = false; return tf::DType::F32;
  }
}

// fromTyped(typedArray, shape, dtype): copies the array into a new tensor of dtype.
static Napi::Value FromTyped(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) tf::fail(tf::ErrorCode::Argument, "tensor: data must be a typed array");
    auto ta = info[0].As<Napi::TypedArray>();
    bool ok;
    tf::DType src = TypedDType(ta.TypedArrayType(), ok);
    if (!ok) tf::fail(tf::ErrorCode::Argument, "tensor: unsupported typed array type");
    tf::Shape shape = ArgShape(info, 1, "tensor");
    tf::DType dt = ArgDType(info, 2, "tensor");
    int64_t n = tf::numel_of(shape, "tensor");
    if (n != int64_t(ta.ElementLength()))
      tf::fail("tensor: " + std::to_string(ta.ElementLength()) + " values do not fill shape " +
               tf::shape_str(shape) + " (" + std::to_string(n) + " elements)");
    const char* base = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    return Wrap(info.Env(), tf::from_buffer(base, src, shape, dt));
  });
}

static Napi::Value ToTyped(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = tf::contiguous(tf::detach(Unwrap(info, 0, "toTypedArray")));
    // JavaScript has no 16-bit float array in Node 20: the half types come out as Float32Array.
    if (tf::is_half(t.dtype())) t = tf::to_dtype(t, tf::DType::F32);
    size_t n = size_t(t.numel()), es = tf::dtype_size(t.dtype());
    auto buf = Napi::ArrayBuffer::New(info.Env(), n * es);
    if (n) std::memcpy(buf.Data(), t.raw_data(), n * es);
    switch (t.dtype()) {
      case tf::DType::F32: return Napi::Float32Array::New(info.Env(), n, buf, 0);
      case tf::DType::F64: return Napi::Float64Array::New(info.Env(), n, buf, 0);
      case tf::DType::I32: return Napi::Int32Array::New(info.Env(), n, buf, 0);
      case tf::DType::I64: return Napi::TypedArrayOf<int64_t>::New(info.Env(), n, buf, 0, napi_bigint64_array);
      default: return Napi::Uint8Array::New(info.Env(), n, buf, 0);
    }
  });
}

// toBytes(t): the elements' bytes in row-major order, as stored (little-endian; float16 and
// bfloat16 as their bit patterns), for file formats.
static Napi::Value ToBytes(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = tf::contiguous(tf::detach(Unwrap(info, 0, "toBytes")));
    size_t nb = size_t(t.numel()) * tf::dtype_size(t.dtype());
    auto buf = Napi::ArrayBuffer::New(info.Env(), nb);
    if (nb) std::memcpy(buf.Data(), t.raw_data(), nb);
    return Napi::Uint8Array::New(info.Env(), nb, buf, 0);
  });
}

// fromBytes(uint8Array, shape, dtype): a new tensor whose elements are these bytes as stored.
static Napi::Value FromBytes(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      tf::fail(tf::ErrorCode::Argument, "fromBytes: data must be a Uint8Array");
    auto ta = info[0].As<Napi::Uint8Array>();
    tf::Shape shape = ArgShape(info, 1, "fromBytes");
    tf::DType dt = ArgDType(info, 2, "fromBytes");
    const int64_t n = tf::numel_of(shape, "fromBytes");
    if (uint64_t(n) * tf::dtype_size(dt) != ta.ByteLength())
      tf::fail("fromBytes: " + std::to_string(ta.ByteLength()) + " bytes do not fill shape " + tf::shape_str(shape) +
               " of " + tf::dtype_name(dt) + " (" + std::to_string(uint64_t(n) * tf::dtype_size(dt)) + " bytes)");
    tf::Tensor t = tf::empty_uninit(shape, dt);
    if (n) std::memcpy(t.raw_data(), ta.Data(), ta.ByteLength());
    return Wrap(info.Env(), t);
  });
}

static Napi::Value Item(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "item");
    if (t.numel() != 1)
      tf::fail("item: only one-element tensors can be converted to a number, got shape " + tf::shape_str(t.shape()));
    return Napi::Number::New(info.Env(), tf::item_at(t, 0));
  });
}

static Napi::Value ShapeOf(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "shape");
    auto arr = Napi::Array::New(info.Env(), t.shape().size());
    for (size_t k = 0; k < t.shape().size(); k++) arr.Set(uint32_t(k), double(t.shape()[k]));
    return arr;
  });
}

static Napi::Value DTypeOf(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), int(Unwrap(info, 0, "dtype").dtype()));
  });
}

static Napi::Value StridesOf(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "strides");
    auto arr = Napi::Array::New(info.Env(), t.dim());
    for (int64_t k = 0; k < t.dim(); k++) arr.Set(uint32_t(k), double(t.strides()[k]));
    return arr;
  });
}

static Napi::Value SameStorage(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), Unwrap(info, 0, "sameStorage").storage() == Unwrap(info, 1, "sameStorage").storage());
  });
}

// dispose(h, recycle): recycle = true promises that nothing refers to h any more (see Recycle).
static Napi::Value Dispose(CI info) {
  if (!IsHandle(info.Env(), info[0])) return info.Env().Undefined();
  Holder* h = info[0].As<Napi::External<Holder>>().Data();
  if (info.Length() > 1 && info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value())
    Recycle(info.Env(), info[0], h);
  else
    Release(info.Env(), h);
  return info.Env().Undefined();
}

static Napi::Value NewDisposedHandle(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value { return DisposedHandle(info.Env()); });
}

static Napi::Value IsDisposed(CI info) {
  if (!IsHandle(info.Env(), info[0])) return Napi::Boolean::New(info.Env(), true);
  return Napi::Boolean::New(info.Env(), info[0].As<Napi::External<Holder>>().Data()->disposed);
}

static Napi::Value Memory(CI info) {
  EnvState& st = State(info.Env());
  auto o = Napi::Object::New(info.Env());
  o.Set("tensors", double(st.live_tensors));
  o.Set("bytes", double(st.live_bytes));
  o.Set("engineStorages", double(tf::live_storage_count()));
  o.Set("engineBytes", double(tf::live_storage_bytes()));
  o.Set("cachedBytes", double(tf::cached_storage_bytes()));
  // V8's own total of external memory (a change of 0 returns it): what its collector goes by.
  int64_t v8_external = 0;
  napi_adjust_external_memory(info.Env(), 0, &v8_external);
  o.Set("reportedBytes", double(v8_external));
  return o;
}

static Napi::Value SetReturnErrors(CI info) {
  State(info.Env()).return_errors = ArgBool(info, 0);
  return info.Env().Undefined();
}

static Napi::Value EmptyCache(CI info) {
  tf::empty_cache();
  return info.Env().Undefined();
}

static Napi::Value BackendInfo(CI info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("blas", tf::gemm_backend());
  o.Set("simd", tf::simd_level_name());
  o.Set("threads", tf::num_threads());
  o.Set("lapack", tf::lapack_backend());
  o.Set("blasThreads", tf::blas_threads());
  // What the own GEMM's blocking is derived from, and the blocks (TENSORFOLD_CPU_CACHES).
  const tf::CacheSizes& cs = tf::cache_sizes();
  auto caches = Napi::Object::New(info.Env());
  caches.Set("l1d", double(cs.l1d));
  caches.Set("l2", double(cs.l2));
  caches.Set("l3", double(cs.l3));
  o.Set("caches", caches);
  auto blocks = Napi::Object::New(info.Env());
  for (const bool f64 : {false, true}) {
    const tf::GemmBlocking g = tf::gemm_blocking(f64);
    auto b = Napi::Object::New(info.Env());
    b.Set("mr", g.mr);
    b.Set("nr", g.nr);
    b.Set("kc", double(g.kc));
    b.Set("mc", double(g.mc));
    b.Set("nc", double(g.nc));
    b.Set("deepKc", double(g.deep_kc));
    b.Set("deepMc", double(g.deep_mc));
    blocks.Set(f64 ? "float64" : "float32", b);
  }
  o.Set("gemmBlocks", blocks);
  return o;
}

// The machine's limits, for the benchmark (native/core/probe.h):
//   probe("info")                                  {model, l1d, l2, l3} (bytes, 0 = unknown)
//   probe("peak", level, f64, threads, seconds)    FMA peak in GFLOP/s at a SIMD level name
//   probe("triad", bytesPerArray, seconds)         triad bandwidth in GB/s
static Napi::Value Probe(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) tf::fail_type("probe: the first argument must be a string");
    const std::string kind = info[0].As<Napi::String>().Utf8Value();
    if (kind == "info") {
      const tf::CacheSizes& cs = tf::cache_sizes();
      auto o = Napi::Object::New(env);
      o.Set("model", tf::cpu_model());
      o.Set("l1d", double(cs.l1d));
      o.Set("l2", double(cs.l2));
      o.Set("l3", double(cs.l3));
      return o;
    }
    if (kind == "peak") {
      if (info.Length() < 2 || !info[1].IsString()) tf::fail_type("probe: peak needs a SIMD level name");
      const std::string lv = info[1].As<Napi::String>().Utf8Value();
      tf::SimdLevel level = lv == "avx512" ? tf::SimdLevel::AVX512
                            : lv == "avx2" ? tf::SimdLevel::AVX2
                            : lv == "neon" ? tf::SimdLevel::NEON
                                           : tf::SimdLevel::Scalar;
      const bool f64 = ArgBool(info, 2);
      const int64_t threads = ArgInt(info, 3, "probe", "threads");
      const double seconds = ArgNum(info, 4, "probe", "seconds");
      if (threads < 1 || threads > 1024 || !(seconds > 0 && seconds <= 60))
        tf::fail_range("probe: threads must be 1..1024 and seconds in (0, 60]");
      return Napi::Number::New(env, tf::fma_peak_gflops(level, f64, int(threads), seconds));
    }
    if (kind == "triad") {
      const double bytes = ArgNum(info, 1, "probe", "bytesPerArray");
      const double seconds = ArgNum(info, 2, "probe", "seconds");
      if (!(bytes >= 4096 && bytes <= double(int64_t(1) << 34)) || !(seconds > 0 && seconds <= 60))
        tf::fail_range("probe: bytesPerArray must be 4 KiB..16 GiB and seconds in (0, 60]");
      return Napi::Number::New(env, tf::triad_gbps(int64_t(bytes), seconds));
    }
    tf::fail_range("probe: unknown kind '" + kind + "' (info, peak, triad)");
    return env.Undefined();
  });
}

static Napi::Value SetNumThreads(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    int64_t n = ArgInt(info, 0, "setNumThreads", "n");
    if (n < 1 || n > 1024) tf::fail(tf::ErrorKind::Range, tf::ErrorCode::Argument, "setNumThreads: n must be between 1 and 1024, got " + std::to_string(n));
    tf::set_num_threads(int(n));
    return info.Env().Undefined();
  });
}

// rngState() -> [seedHi, seedLo, offsetHi, offsetLo] (uint32 halves): the whole state of the
// counter-based generator, for checkpoints.
static Napi::Value RngState(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const tf::Generator& g = State(info.Env()).gen;
    Napi::Array a = Napi::Array::New(info.Env(), 4);
    const uint64_t v[2] = {g.seed, g.offset};
    for (uint32_t i = 0; i < 2; ++i) {
      a.Set(2 * i, Napi::Number::New(info.Env(), double(uint32_t(v[i] >> 32))));
      a.Set(2 * i + 1, Napi::Number::New(info.Env(), double(uint32_t(v[i] & 0xffffffffu))));
    }
    return a;
  });
}

// setRngState([seedHi, seedLo, offsetHi, offsetLo])
static Napi::Value SetRngState(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Shape s = ArgShape(info, 0, "setRngState");
    if (s.size() != 4) tf::fail_type("setRngState: expected 4 integers [seedHi, seedLo, offsetHi, offsetLo]");
    for (int64_t x : s)
      if (x < 0 || x > int64_t(0xffffffffu)) tf::fail_range("setRngState: each entry must be a uint32");
    tf::Generator& g = State(info.Env()).gen;
    g.seed = (uint64_t(s[0]) << 32) | uint64_t(s[1]);
    g.offset = (uint64_t(s[2]) << 32) | uint64_t(s[3]);
    return info.Env().Undefined();
  });
}

static Napi::Value ManualSeed(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    double s = ArgNum(info, 0, "manualSeed", "seed");
    if (!std::isfinite(s)) tf::fail(tf::ErrorCode::Argument, "manualSeed: seed must be a finite number");
    EnvState& st = State(info.Env());
    st.gen.seed = uint64_t(int64_t(s));
    st.gen.offset = 0;
    return info.Env().Undefined();
  });
}

// ---- creation ----
static Napi::Value Full(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Shape s = ArgShape(info, 0, "full");
    double v = ArgNum(info, 1, "full", "value");
    return Wrap(info.Env(), tf::full(s, v, ArgDType(info, 2, "full")));
  });
}

static Napi::Value Arange(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Wrap(info.Env(), tf::arange(ArgNum(info, 0, "arange", "start"), ArgNum(info, 1, "arange", "end"),
                                       ArgNum(info, 2, "arange", "step"), ArgDType(info, 3, "arange")));
  });
}

static Napi::Value Linspace(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Wrap(info.Env(), tf::linspace(ArgNum(info, 0, "linspace", "start"), ArgNum(info, 1, "linspace", "end"),
                                         ArgInt(info, 2, "linspace", "n"), ArgDType(info, 3, "linspace")));
  });
}

static Napi::Value Eye(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    int64_t n = ArgInt(info, 0, "eye", "n"), m = ArgInt(info, 1, "eye", "m");
    if (n < 0 || m < 0) tf::fail(tf::ErrorKind::Range, tf::ErrorCode::Argument, "eye: sizes must be non-negative");
    tf::numel_of({n, m}, "eye");
    return Wrap(info.Env(), tf::eye(n, m, ArgDType(info, 2, "eye")));
  });
}

static Napi::Value Random(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::string kind = ArgString(info, 0, "random", "kind");
    tf::Shape s = ArgShape(info, 1, kind.c_str());
    tf::DType dt = ArgDType(info, 2, kind.c_str());
    tf::Generator& g = State(info.Env()).gen;
    if (kind == "rand") return Wrap(info.Env(), tf::rand(s, dt, g));
    if (kind == "randn") return Wrap(info.Env(), tf::randn(s, dt, g));
    if (kind == "randint")
      return Wrap(info.Env(), tf::randint(ArgInt(info, 3, "randint", "low"), ArgInt(info, 4, "randint", "high"), s, dt, g));
    if (kind == "bernoulli") return Wrap(info.Env(), tf::bernoulli_mask(s, ArgNum(info, 3, "dropout", "p"), dt, g));
    tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "random: unknown kind " + kind);
  });
}

// In-place initialisers used by nn.init: uniform_(h, low, high), normal_(h, mean, std), fill_, copy_
static Napi::Value InPlace(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::string kind = ArgString(info, 0, "inPlace", "kind");
    tf::Tensor t = Unwrap(info, 1, kind.c_str());
    tf::Generator& g = State(info.Env()).gen;
    if (kind == "uniform") tf::uniform_(t, ArgNum(info, 2, "uniform_", "low"), ArgNum(info, 3, "uniform_", "high"), g);
    else if (kind == "normal") tf::normal_(t, ArgNum(info, 2, "normal_", "mean"), ArgNum(info, 3, "normal_", "std"), g);
    else if (kind == "fill") tf::fill_(t, ArgNum(info, 2, "fill_", "value"));
    else if (kind == "copy") tf::copy_(t, Unwrap(info, 2, "copy_"));
    else tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "inPlace: unknown kind " + kind);
    return info.Env().Undefined();
  });
}

void InitTensor(Napi::Env env, Napi::Object exports) {
  exports.Set("fromTyped", Napi::Function::New(env, FromTyped));
  exports.Set("toTyped", Napi::Function::New(env, ToTyped));
  exports.Set("toBytes", Napi::Function::New(env, ToBytes));
  exports.Set("fromBytes", Napi::Function::New(env, FromBytes));
  exports.Set("item", Napi::Function::New(env, Item));
  exports.Set("shape", Napi::Function::New(env, ShapeOf));
  exports.Set("dtype", Napi::Function::New(env, DTypeOf));
  // The engine's dtype names by number (lib/args.ts DTYPES must list the same, in order).
  Napi::Array names = Napi::Array::New(env), sizes = Napi::Array::New(env);
  for (int d = 0; d < tf::kDTypeCount; d++) {
    names.Set(uint32_t(d), tf::dtype_name(tf::DType(d)));
    sizes.Set(uint32_t(d), double(tf::dtype_size(tf::DType(d))));
  }
  exports.Set("dtypeNames", names);
  exports.Set("dtypeSizes", sizes);
  exports.Set("strides", Napi::Function::New(env, StridesOf));
  exports.Set("sameStorage", Napi::Function::New(env, SameStorage));
  exports.Set("dispose", Napi::Function::New(env, Dispose));
  exports.Set("disposedHandle", Napi::Function::New(env, NewDisposedHandle));
  exports.Set("isDisposed", Napi::Function::New(env, IsDisposed));
  exports.Set("memory", Napi::Function::New(env, Memory));
  exports.Set("backendInfo", Napi::Function::New(env, BackendInfo));
  exports.Set("emptyCache", Napi::Function::New(env, EmptyCache));
  exports.Set("setReturnErrors", Napi::Function::New(env, SetReturnErrors));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("probe", Napi::Function::New(env, Probe));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed));
  exports.Set("rngState", Napi::Function::New(env, RngState));
  exports.Set("setRngState", Napi::Function::New(env, SetRngState));
  exports.Set("full", Napi::Function::New(env, Full));
  exports.Set("arange", Napi::Function::New(env, Arange));
  exports.Set("linspace", Napi::Function::New(env, Linspace));
  exports.Set("eye", Napi::Function::New(env, Eye));
  exports.Set("random", Napi::Function::New(env, Random));
  exports.Set("inPlace", Napi::Function::New(env, InPlace));
}

}  // namespace tfb
