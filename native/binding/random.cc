// Draws from a caller-owned generator state (tf.Generator): the JavaScript object keeps (seed,
// offset) and the engine's counter-based kernels draw element i from (seed, offset + i), so the
// numbers do not depend on the thread count or on the global generator (tf.manualSeed).
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

// randomWith(kind, shape, dtype, [seedHi, seedLo, offsetHi, offsetLo], a?, b?)
//   -> [tensor, offsetHi, offsetLo]: the draw and the generator's offset after it.
static Napi::Value RandomWith(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::string kind = ArgString(info, 0, "randomWith", "kind");
    tf::Shape s = ArgShape(info, 1, kind.c_str());
    tf::DType dt = ArgDType(info, 2, kind.c_str());
    tf::Shape st = ArgShape(info, 3, kind.c_str());
    if (st.size() != 4) tf::fail_type(kind + ": generator state must be 4 uint32 halves");
    for (int64_t x : st)
      if (x < 0 || x > int64_t(0xffffffffu)) tf::fail_range(kind + ": generator state entries must be uint32");
    tf::Generator g;
    g.seed = (uint64_t(st[0]) << 32) | uint64_t(st[1]);
    g.offset = (uint64_t(st[2]) << 32) | uint64_t(st[3]);
    tf::Tensor t;
    if (kind == "rand") t = tf::rand(s, dt, g);
    else if (kind == "randn") t = tf::randn(s, dt, g);
    else if (kind == "randint")
      t = tf::randint(ArgInt(info, 4, "randint", "low"), ArgInt(info, 5, "randint", "high"), s, dt, g);
    else tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "randomWith: unknown kind " + kind);
    Napi::Array out = Napi::Array::New(info.Env(), 3);
    out.Set(uint32_t(0), Wrap(info.Env(), t));
    out.Set(uint32_t(1), Napi::Number::New(info.Env(), double(uint32_t(g.offset >> 32))));
    out.Set(uint32_t(2), Napi::Number::New(info.Env(), double(uint32_t(g.offset & 0xffffffffu))));
    return out;
  });
}

void InitRandom(Napi::Env env, Napi::Object exports) {
  exports.Set("randomWith", Napi::Function::New(env, RandomWith));
}

}  // namespace tfb
