#include "blas_threads.h"

#include <mutex>

#ifdef TF_HAVE_BLAS
extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);
#endif

namespace tf {

#ifdef TF_HAVE_BLAS
namespace {
struct State {
  std::mutex mu;
  int users = 0;      // scopes sharing the count in force
  int in_force = 0;   // the count they asked for
  int before = 0;     // the count before the first of them
};
State& state() {
  static State* s = new State();  // never destroyed: scopes may end during static destruction
  return *s;
}
}  // namespace

int blas_threads() {
  std::lock_guard<std::mutex> lock(state().mu);
  return openblas_get_num_threads();
}

BlasThreadScope::BlasThreadScope(int n) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.users == 0) {
    s.before = openblas_get_num_threads();
    if (s.before != n) openblas_set_num_threads(n);
    s.in_force = n;
  } else if (s.in_force != n) {
    return;
  }
  s.users++;
  engaged_ = true;
}

BlasThreadScope::~BlasThreadScope() {
  if (!engaged_) return;
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (--s.users == 0 && s.before != s.in_force) openblas_set_num_threads(s.before);
}
#else
int blas_threads() { return 0; }
BlasThreadScope::BlasThreadScope(int) {}
BlasThreadScope::~BlasThreadScope() {}
#endif

}  // namespace tf
