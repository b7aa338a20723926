// Fused recurrent cells' entry points. Shapes and dtypes are checked by the engine ops, which name
// the op and the shapes.
#include "../core/ops_rnn.h"
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

// lstmCell(gates [B,4H], c [B,H]) -> [h', c']
static Napi::Value LstmCell(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "lstmCell";
    tf::Tensor gates = Unwrap(info, 0, op), c = Unwrap(info, 1, op);
    return WrapAll(info.Env(), tf::lstm_cell(gates, c));
  });
}

// gruCell(gi [B,3H], gh [B,3H], h [B,H]) -> h'
static Napi::Value GruCell(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "gruCell";
    tf::Tensor gi = Unwrap(info, 0, op), gh = Unwrap(info, 1, op), h = Unwrap(info, 2, op);
    return Wrap(info.Env(), tf::gru_cell(gi, gh, h));
  });
}

// lstmLayer(xp [T,B,4H], h0 [B,H], c0 [B,H], wHh [4H,H], bias [4H] | null, reverse) -> [ys, hT, cT]
static Napi::Value LstmLayer(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "lstmLayer";
    tf::Tensor xp = Unwrap(info, 0, op), h0 = Unwrap(info, 1, op), c0 = Unwrap(info, 2, op),
               w = Unwrap(info, 3, op);
    tf::Tensor b = info.Length() > 4 && !info[4].IsNull() && !info[4].IsUndefined() ? Unwrap(info, 4, op)
                                                                                     : tf::Tensor();
    return WrapAll(info.Env(), tf::lstm_layer(xp, h0, c0, w, b, ArgBool(info, 5)));
  });
}

void InitRnn(Napi::Env env, Napi::Object exports) {
  exports.Set("lstmCell", Napi::Function::New(env, LstmCell, "lstmCell"));
  exports.Set("gruCell", Napi::Function::New(env, GruCell, "gruCell"));
  exports.Set("lstmLayer", Napi::Function::New(env, LstmLayer, "lstmLayer"));
}

}  // namespace tfb
