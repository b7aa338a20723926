// torch.linalg entry points. The engine checks shapes and dtypes and names the op in its errors;
// option values arrive already validated by lib/linalg.
#include "../core/linalg.h"
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

#define TFB_LA(NAME, OP, BODY)                                   \
  static Napi::Value NAME(CI info) {                             \
    return Guard(info.Env(), [&]() -> Napi::Value {              \
      const char* op = OP;                                       \
      (void)op;                                                  \
      BODY                                                       \
    });                                                          \
  }

// linalgSolve(A, B, left) -> X
TFB_LA(Solve, "linalg.solve",
       return Wrap(info.Env(), tf::linalg_solve(Unwrap(info, 0, op), Unwrap(info, 1, op), ArgBool(info, 2)));)
// linalgSolveTriangular(A, B, upper, left, unitriangular) -> X
TFB_LA(SolveTriangular, "linalg.solveTriangular",
       return Wrap(info.Env(), tf::linalg_solve_triangular(Unwrap(info, 0, op), Unwrap(info, 1, op), ArgBool(info, 2),
                                                           ArgBool(info, 3), ArgBool(info, 4)));)
TFB_LA(Inv, "linalg.inv", return Wrap(info.Env(), tf::linalg_inv(Unwrap(info, 0, op)));)
TFB_LA(Det, "linalg.det", return Wrap(info.Env(), tf::linalg_det(Unwrap(info, 0, op)));)
// linalgSlogdet(A) -> [sign, logabsdet]
TFB_LA(Slogdet, "linalg.slogdet", return WrapAll(info.Env(), tf::linalg_slogdet(Unwrap(info, 0, op)));)
TFB_LA(Cholesky, "linalg.cholesky",
       return Wrap(info.Env(), tf::linalg_cholesky(Unwrap(info, 0, op), ArgBool(info, 1)));)
// linalgQr(A, mode) -> [Q, R]
TFB_LA(Qr, "linalg.qr",
       return WrapAll(info.Env(), tf::linalg_qr(Unwrap(info, 0, op), ArgString(info, 1, op, "mode")));)
// linalgSvd(A, fullMatrices, computeUV) -> [U, S, Vh]
TFB_LA(Svd, "linalg.svd",
       return WrapAll(info.Env(), tf::linalg_svd(Unwrap(info, 0, op), ArgBool(info, 1), ArgBool(info, 2)));)
// linalgEigh(A, lower, computeV) -> [eigenvalues, eigenvectors]
TFB_LA(Eigh, "linalg.eigh",
       return WrapAll(info.Env(), tf::linalg_eigh(Unwrap(info, 0, op), ArgBool(info, 1), ArgBool(info, 2)));)
// linalgPinv(A, atol, rtol, hermitian) -> pinv; negative tolerances take PyTorch's defaults
TFB_LA(Pinv, "linalg.pinv",
       return Wrap(info.Env(), tf::linalg_pinv(Unwrap(info, 0, op), ArgNum(info, 1, op, "atol"),
                                               ArgNum(info, 2, op, "rtol"), ArgBool(info, 3)));)

static Napi::Value LapackBackend(CI info) { return Napi::String::New(info.Env(), tf::lapack_backend()); }

void InitLinalg(Napi::Env env, Napi::Object exports) {
  exports.Set("linalgSolve", Napi::Function::New(env, Solve));
  exports.Set("linalgSolveTriangular", Napi::Function::New(env, SolveTriangular));
  exports.Set("linalgInv", Napi::Function::New(env, Inv));
  exports.Set("linalgDet", Napi::Function::New(env, Det));
  exports.Set("linalgSlogdet", Napi::Function::New(env, Slogdet));
  exports.Set("linalgCholesky", Napi::Function::New(env, Cholesky));
  exports.Set("linalgQr", Napi::Function::New(env, Qr));
  exports.Set("linalgSvd", Napi::Function::New(env, Svd));
  exports.Set("linalgEigh", Napi::Function::New(env, Eigh));
  exports.Set("linalgPinv", Napi::Function::New(env, Pinv));
  exports.Set("lapackBackend", Napi::Function::New(env, LapackBackend));
}

}  // namespace tfb
