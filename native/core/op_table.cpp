// Name and kernel tables of op_table.h, generated from its X-macros.
#include "op_table.h"

#include <cstddef>

namespace tf {

#define TF_NAME_(Name, js, ...) js,
static const char* const kUnaryNames[] = {TF_UNARY_OPS(TF_NAME_)};
static const char* const kBinaryNames[] = {TF_BINARY_OPS(TF_NAME_)};
static const char* const kCompareNames[] = {TF_COMPARE_OPS(TF_NAME_)};
#undef TF_NAME_
static_assert(sizeof(kUnaryNames) / sizeof(*kUnaryNames) == size_t(Unary::Count), "unary names");
static_assert(sizeof(kBinaryNames) / sizeof(*kBinaryNames) == size_t(Binary::Count), "binary names");
static_assert(sizeof(kCompareNames) / sizeof(*kCompareNames) == size_t(Compare::Count), "compare names");

#define TF_KERNEL_(Name, js, dt, kernel, ...) Kernel::kernel,
static const Kernel kUnaryKernels[] = {TF_UNARY_OPS(TF_KERNEL_)};
static const Kernel kBinaryKernels[] = {TF_BINARY_OPS(TF_KERNEL_)};
#undef TF_KERNEL_

const char* unary_name(Unary u) { return kUnaryNames[int(u)]; }
const char* binary_name(Binary b) { return kBinaryNames[int(b)]; }
const char* compare_name(Compare c) { return kCompareNames[int(c)]; }
Kernel unary_kernel(Unary u) { return kUnaryKernels[int(u)]; }
Kernel binary_kernel(Binary b) { return kBinaryKernels[int(b)]; }

}  // namespace tf
