// Neural-network kernels' entry points (convolution, pooling, fused optimizer steps).
#include "handle.h"

namespace tfb {

void InitNN(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace tfb
