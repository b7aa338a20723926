// The one list of the engine's elementwise ops. Everything else that names or dispatches on
// them is generated from these X-macros (the enums, name tables, kernel dispatch, the binding's
// op table) or checked against them (test/op_table.test.js compares these names with the
// TypeScript functions and methods, docs/API.md and the fixtures).
//
// Each op's math lives in elementwise_rules.h as one struct: UnaryRule<Unary::Name> /
// BinaryRule<Binary::Name> with the scalar forward `f`, the backward rule `grad` (written with
// differentiable ops, so second order works) and what backward saves. A missing struct is a
// compile error. Per-op rules yet to come (forward-mode JVP, vmap batching) go in the same structs.
//
// Adding a unary op: a line here, its rule struct, a `unary('name')` line in lib/elementwise.ts,
// its PyTorch name and domain in scripts/gen_elementwise_fixtures.py and test/elementwise.test.js,
// its name in docs/API.md (README.md, "Contributing: adding an op", lists these places).
#pragma once

namespace tf {

// How an op treats non-float inputs (PyTorch's rules):
//   Float  int32 and bool inputs compute in float32 (exp, sin, ... : float math)
//   Int    int32 stays int32 (neg, abs, rounding); bool is a TypeError, as in PyTorch
//   Any    int32 and bool keep their dtype (sign)
enum class UnaryDt { Float, Int, Any };
// Which kernel runs float32 (float64 uses the vector kernel where simd_loops.h has one, else the
// scalar rule through libm):
//   Cheap  a vector kernel in simd_loops.h about as fast as a copy (threaded only above 64K elements)
//   Simd   a vector kernel in simd_loops.h (transcendental cost)
//   Libm   the scalar rule UnaryRule<>::f, evaluated in double
enum class Kernel { Cheap, Simd, Libm };

// X(Name, "jsName", UnaryDt, Kernel)
#define TF_UNARY_OPS(X)                 \
  X(Neg, "neg", Int, Cheap)             \
  X(Abs, "abs", Int, Cheap)             \
  X(Exp, "exp", Float, Simd)            \
  X(Log, "log", Float, Simd)            \
  X(Sqrt, "sqrt", Float, Cheap)         \
  X(Rsqrt, "rsqrt", Float, Cheap)       \
  X(Sin, "sin", Float, Simd)            \
  X(Cos, "cos", Float, Simd)            \
  X(Tanh, "tanh", Float, Simd)          \
  X(Sigmoid, "sigmoid", Float, Simd)    \
  X(Relu, "relu", Int, Cheap)           \
  X(Gelu, "gelu", Float, Simd)          \
  X(Silu, "silu", Float, Simd)          \
  X(Softplus, "softplus", Float, Simd)  \
  X(Sign, "sign", Any, Libm)            \
  X(Floor, "floor", Int, Libm)          \
  X(Ceil, "ceil", Int, Libm)            \
  X(Round, "round", Int, Libm)          \
  X(Trunc, "trunc", Int, Libm)          \
  X(Log1p, "log1p", Float, Simd)        \
  X(Expm1, "expm1", Float, Simd)        \
  X(Log2, "log2", Float, Libm)          \
  X(Log10, "log10", Float, Libm)        \
  X(Exp2, "exp2", Float, Libm)          \
  X(Erf, "erf", Float, Simd)            \
  X(Erfc, "erfc", Float, Simd)          \
  X(Erfinv, "erfinv", Float, Libm)      \
  X(Tan, "tan", Float, Libm)            \
  X(Asin, "asin", Float, Libm)          \
  X(Acos, "acos", Float, Libm)          \
  X(Atan, "atan", Float, Libm)          \
  X(Sinh, "sinh", Float, Libm)          \
  X(Cosh, "cosh", Float, Libm)          \
  X(Asinh, "asinh", Float, Libm)        \
  X(Acosh, "acosh", Float, Libm)        \
  X(Atanh, "atanh", Float, Libm)

// How a binary op treats non-float operands (after promotion of the two dtypes):
//   Logic  bool with bool stays bool (add = or, mul = and, max, min); int32 stays int32
//   Arith  int32 stays int32; bool computes in int32
//   Float  int32 and bool compute in float32 (true division, atan2, ...)
enum class BinaryDt { Logic, Arith, Float };
// X(Name, "jsName", BinaryDt, Kernel, differentiable)
#define TF_BINARY_OPS(X)                                \
  X(Add, "add", Logic, Cheap, true)                     \
  X(Sub, "sub", Arith, Cheap, true)                     \
  X(Mul, "mul", Logic, Cheap, true)                     \
  X(Div, "div", Float, Cheap, true)                     \
  X(Pow, "pow", Arith, Libm, true)                      \
  X(Maximum, "maximum", Logic, Cheap, true)             \
  X(Minimum, "minimum", Logic, Cheap, true)             \
  X(Atan2, "atan2", Float, Libm, true)                  \
  X(Fmod, "fmod", Arith, Libm, true)                    \
  X(Remainder, "remainder", Arith, Libm, true)          \
  X(FloorDivide, "floorDivide", Arith, Libm, false)     \
  X(Hypot, "hypot", Float, Libm, true)                  \
  X(Logaddexp, "logaddexp", Float, Libm, true)          \
  X(Xlogy, "xlogy", Float, Libm, true)

// X(Name, "jsName")
#define TF_COMPARE_OPS(X) X(Eq, "eq") X(Ne, "ne") X(Lt, "lt") X(Le, "le") X(Gt, "gt") X(Ge, "ge")

#define TF_OP_ENUM_(Name, ...) Name,
enum class Unary { TF_UNARY_OPS(TF_OP_ENUM_) Count };
enum class Binary { TF_BINARY_OPS(TF_OP_ENUM_) Count };
enum class Compare { TF_COMPARE_OPS(TF_OP_ENUM_) Count };
#undef TF_OP_ENUM_

const char* unary_name(Unary u);
const char* binary_name(Binary b);
const char* compare_name(Compare c);
Kernel unary_kernel(Unary u);
Kernel binary_kernel(Binary b);

}  // namespace tf
