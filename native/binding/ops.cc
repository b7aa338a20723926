// Operation entry points. Each unpacks arguments, calls the engine, wraps the result.
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

static std::vector<int64_t> ArgAxes(CI info, size_t i, const char* op) {
  std::vector<int64_t> axes;
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return axes;
  if (info[i].IsNumber()) return {ArgInt(info, i, op, "axis")};
  return ArgShape(info, i, op);
}

#define TFB_FN(NAME) static Napi::Value NAME(CI info) { return Guard(info.Env(), [&]() -> Napi::Value {
#define TFB_END }); }
#define W(x) Wrap(info.Env(), (x))

TFB_FN(Unary)
  int64_t code = ArgInt(info, 0, "unary", "op");
  if (code < 0 || code >= int64_t(tf::Unary::Count)) tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "unary: unknown op");
  tf::Unary u = tf::Unary(code);
  return W(tf::unary(u, UnwrapRef(info.Env(), info[1], tf::unary_name(u))));
TFB_END

// binary(op, a, b): either side may be a plain number.
TFB_FN(Binary)
  int64_t code = ArgInt(info, 0, "binary", "op");
  if (code < 0 || code >= int64_t(tf::Binary::Count)) tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "binary: unknown op");
  tf::Binary op = tf::Binary(code);
  const char* name = tf::binary_name(op);
  Napi::Env env = info.Env();
  // Two tensors: the common case, tried first (each IsNumber below is a napi_typeof call).
  const tf::Tensor* a = LiveTensorOf(env, info[1]);
  const tf::Tensor* b = a ? LiveTensorOf(env, info[2]) : nullptr;
  if (b) return W(tf::binary(op, *a, *b));
  if (info[2].IsNumber()) return W(tf::binary_scalar(op, UnwrapRef(env, info[1], name), info[2].As<Napi::Number>().DoubleValue(), false));
  if (info[1].IsNumber()) return W(tf::binary_scalar(op, UnwrapRef(env, info[2], name), info[1].As<Napi::Number>().DoubleValue(), true));
  return W(tf::binary(op, UnwrapRef(env, info[1], name), UnwrapRef(env, info[2], name)));
TFB_END

static tf::Tensor TensorOrScalar(CI info, size_t i, const tf::Tensor& like, const char* op) {
  if (info[i].IsNumber()) return tf::scalar_like(info[i].As<Napi::Number>().DoubleValue(), like);
  if (info[i].IsBoolean()) return tf::scalar_tensor(info[i].As<Napi::Boolean>().Value(), tf::DType::Bool);
  return Unwrap(info, i, op);
}

TFB_FN(Compare)
  int64_t code = ArgInt(info, 0, "compare", "op");
  if (code < 0 || code >= int64_t(tf::Compare::Count)) tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "compare: unknown op");
  tf::Compare c = tf::Compare(code);
  const char* name = tf::compare_name(c);
  if (info[1].IsNumber() || info[1].IsBoolean()) {
    tf::Tensor b = Unwrap(info, 2, name);
    return W(tf::compare(c, TensorOrScalar(info, 1, b, name), b));
  }
  tf::Tensor a = Unwrap(info, 1, name);
  return W(tf::compare(c, a, TensorOrScalar(info, 2, a, name)));
TFB_END

TFB_FN(Where)
  tf::Tensor cond = Unwrap(info, 0, "where");
  if (info[1].IsNumber() && info[2].IsNumber())
    return W(tf::where(cond, tf::scalar_tensor(info[1].As<Napi::Number>().DoubleValue(), tf::DType::F32),
                       tf::scalar_tensor(info[2].As<Napi::Number>().DoubleValue(), tf::DType::F32)));
  if (info[1].IsNumber()) {
    tf::Tensor b = Unwrap(info, 2, "where");
    return W(tf::where(cond, TensorOrScalar(info, 1, b, "where"), b));
  }
  tf::Tensor a = Unwrap(info, 1, "where");
  return W(tf::where(cond, a, TensorOrScalar(info, 2, a, "where")));
TFB_END

TFB_FN(Clamp)
  tf::Tensor a = Unwrap(info, 0, "clamp");
  std::optional<double> lo, hi;
  if (info[1].IsNumber()) lo = info[1].As<Napi::Number>().DoubleValue();
  if (info[2].IsNumber()) hi = info[2].As<Napi::Number>().DoubleValue();
  return W(tf::clamp(a, lo, hi));
TFB_END

TFB_FN(LeakyRelu)
  return W(tf::leaky_relu(Unwrap(info, 0, "leakyRelu"), ArgNum(info, 1, "leakyRelu", "slope")));
TFB_END

// reduce(kind, t, axes|null, keepdim, correction)
TFB_FN(Reduce)
  std::string kind = ArgString(info, 0, "reduce", "kind");
  const char* op = kind.c_str();
  tf::Tensor a = Unwrap(info, 1, op);
  auto axes = ArgAxes(info, 2, op);
  bool keep = ArgBool(info, 3);
  if (kind == "sum") return W(tf::sum(a, axes, keep));
  if (kind == "mean") return W(tf::mean(a, axes, keep));
  if (kind == "max") return W(tf::amax(a, axes, keep));
  if (kind == "min") return W(tf::amin(a, axes, keep));
  if (kind == "logsumexp") return W(tf::logsumexp(a, axes, keep));
  if (kind == "prod") return W(tf::prod(a, axes, keep));
  if (kind == "norm2") return W(tf::norm2(a, axes, keep));
  if (kind == "var" || kind == "std") {
    double corr = info[4].IsNumber() ? info[4].As<Napi::Number>().DoubleValue() : 1.0;
    return W(kind == "var" ? tf::var(a, axes, keep, corr) : tf::std_(a, axes, keep, corr));
  }
  if (kind == "argmax" || kind == "argmin") {
    std::optional<int64_t> ax;
    if (!(info[2].IsNull() || info[2].IsUndefined())) ax = ArgInt(info, 2, op, "axis");
    return W(kind == "argmax" ? tf::argmax(a, ax, keep) : tf::argmin(a, ax, keep));
  }
  tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "reduce: unknown kind " + kind);
TFB_END

TFB_FN(Softmax)
  bool log_space = ArgBool(info, 2);
  const char* op = log_space ? "logSoftmax" : "softmax";
  tf::Tensor a = Unwrap(info, 0, op);
  int64_t axis = ArgInt(info, 1, op, "axis");
  return W(log_space ? tf::log_softmax(a, axis) : tf::softmax(a, axis));
TFB_END

TFB_FN(Matmul)
  return W(tf::matmul(Unwrap(info, 0, "matmul"), Unwrap(info, 1, "matmul")));
TFB_END

TFB_FN(ToDType)
  return W(tf::to_dtype(Unwrap(info, 0, "to"), ArgDType(info, 1, "to")));
TFB_END
TFB_FN(Clone) return W(tf::clone(Unwrap(info, 0, "clone"))); TFB_END
TFB_FN(Contiguous) return W(tf::contiguous(Unwrap(info, 0, "contiguous"))); TFB_END
TFB_FN(Detach) return W(tf::detach(Unwrap(info, 0, "detach"))); TFB_END

TFB_FN(Reshape) return W(tf::reshape(Unwrap(info, 0, "reshape"), ArgShape(info, 1, "reshape"))); TFB_END
TFB_FN(Transpose)
  return W(tf::transpose(Unwrap(info, 0, "transpose"), ArgInt(info, 1, "transpose", "d0"), ArgInt(info, 2, "transpose", "d1")));
TFB_END
TFB_FN(Permute) return W(tf::permute(Unwrap(info, 0, "permute"), ArgShape(info, 1, "permute"))); TFB_END
TFB_FN(Squeeze)
  std::optional<int64_t> d;
  if (info[1].IsNumber()) d = ArgInt(info, 1, "squeeze", "dim");
  return W(tf::squeeze(Unwrap(info, 0, "squeeze"), d));
TFB_END
TFB_FN(Unsqueeze) return W(tf::unsqueeze(Unwrap(info, 0, "unsqueeze"), ArgInt(info, 1, "unsqueeze", "dim"))); TFB_END
TFB_FN(Expand) return W(tf::expand(Unwrap(info, 0, "expand"), ArgShape(info, 1, "expand"))); TFB_END
TFB_FN(Flatten)
  return W(tf::flatten(Unwrap(info, 0, "flatten"), ArgInt(info, 1, "flatten", "start"), ArgInt(info, 2, "flatten", "end")));
TFB_END
TFB_FN(Narrow)
  return W(tf::narrow(Unwrap(info, 0, "narrow"), ArgInt(info, 1, "narrow", "dim"), ArgInt(info, 2, "narrow", "start"),
                      ArgInt(info, 3, "narrow", "length")));
TFB_END
TFB_FN(Select)
  return W(tf::select(Unwrap(info, 0, "select"), ArgInt(info, 1, "select", "dim"), ArgInt(info, 2, "select", "index")));
TFB_END
TFB_FN(Concat) return W(tf::concat(ArgTensors(info, 0, "concat"), ArgInt(info, 1, "concat", "dim"))); TFB_END
TFB_FN(Stack) return W(tf::stack(ArgTensors(info, 0, "stack"), ArgInt(info, 1, "stack", "dim"))); TFB_END
TFB_FN(Split)
  return WrapAll(info.Env(), tf::split(Unwrap(info, 0, "split"), ArgInt(info, 1, "split", "size"), ArgInt(info, 2, "split", "dim")));
TFB_END
TFB_FN(Chunk)
  return WrapAll(info.Env(), tf::chunk(Unwrap(info, 0, "chunk"), ArgInt(info, 1, "chunk", "n"), ArgInt(info, 2, "chunk", "dim")));
TFB_END

TFB_FN(Unbind)
  return WrapAll(info.Env(), tf::unbind(Unwrap(info, 0, "unbind"), ArgInt(info, 1, "unbind", "dim")));
TFB_END

TFB_FN(Gather)
  return W(tf::gather(Unwrap(info, 0, "gather"), ArgInt(info, 1, "gather", "dim"), Unwrap(info, 2, "gather")));
TFB_END
TFB_FN(IndexSelect)
  return W(tf::index_select(Unwrap(info, 0, "indexSelect"), ArgInt(info, 1, "indexSelect", "dim"), Unwrap(info, 2, "indexSelect")));
TFB_END
TFB_FN(ScatterAdd)
  return W(tf::scatter_add(Unwrap(info, 0, "scatterAdd"), ArgInt(info, 1, "scatterAdd", "dim"), Unwrap(info, 2, "scatterAdd"),
                           Unwrap(info, 3, "scatterAdd")));
TFB_END
TFB_FN(IndexAdd)
  return W(tf::index_add(Unwrap(info, 0, "indexAdd"), ArgInt(info, 1, "indexAdd", "dim"), Unwrap(info, 2, "indexAdd"),
                         Unwrap(info, 3, "indexAdd")));
TFB_END
TFB_FN(OneHot) return W(tf::one_hot(Unwrap(info, 0, "oneHot"), ArgInt(info, 1, "oneHot", "classes"))); TFB_END

// The engine's op table (native/core/op_table.h), for the TypeScript layer, which looks codes up
// by name, and for test/op_table.test.js, which compares the names across layers.
TFB_FN(OpTable)
  Napi::Env env = info.Env();
  Napi::Object t = Napi::Object::New(env);
  auto list = [&](int count, auto name) {
    Napi::Array a = Napi::Array::New(env, size_t(count));
    for (int i = 0; i < count; i++) a.Set(uint32_t(i), Napi::String::New(env, name(i)));
    return a;
  };
  t.Set("unary", list(int(tf::Unary::Count), [](int i) { return tf::unary_name(tf::Unary(i)); }));
  t.Set("binary", list(int(tf::Binary::Count), [](int i) { return tf::binary_name(tf::Binary(i)); }));
  t.Set("compare", list(int(tf::Compare::Count), [](int i) { return tf::compare_name(tf::Compare(i)); }));
  Napi::Array simd = Napi::Array::New(env);
  for (int i = 0; i < int(tf::Unary::Count); i++)
    if (tf::unary_kernel(tf::Unary(i)) != tf::Kernel::Libm) simd.Set(simd.Length(), tf::unary_name(tf::Unary(i)));
  for (int i = 0; i < int(tf::Binary::Count); i++)
    if (tf::binary_kernel(tf::Binary(i)) != tf::Kernel::Libm) simd.Set(simd.Length(), tf::binary_name(tf::Binary(i)));
  t.Set("simd", simd);
  return t;
TFB_END

void InitOps(Napi::Env env, Napi::Object exports) {
  struct { const char* name; Napi::Value (*fn)(CI); } table[] = {
      {"unary", Unary}, {"binary", Binary}, {"compare", Compare}, {"where", Where},
      {"clamp", Clamp}, {"leakyRelu", LeakyRelu}, {"reduce", Reduce}, {"softmax", Softmax},
      {"matmul", Matmul}, {"to", ToDType}, {"clone", Clone}, {"contiguous", Contiguous},
      {"detach", Detach}, {"reshape", Reshape}, {"transpose", Transpose}, {"permute", Permute},
      {"squeeze", Squeeze}, {"unsqueeze", Unsqueeze}, {"expand", Expand}, {"flatten", Flatten},
      {"narrow", Narrow}, {"select", Select}, {"concat", Concat}, {"stack", Stack},
      {"split", Split}, {"chunk", Chunk}, {"unbind", Unbind}, {"gather", Gather}, {"indexSelect", IndexSelect},
      {"scatterAdd", ScatterAdd}, {"indexAdd", IndexAdd}, {"oneHot", OneHot}, {"opTable", OpTable},
  };
  for (auto& e : table) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
}

}  // namespace tfb
