// Fused optimizer updates: one pass over a parameter, its gradient and its state buffers.
//
// Each step function updates `param` and the state tensors in place with PyTorch's formulas
// (torch.optim single-tensor paths), bumps their storage versions, and never records to the tape:
// an optimizer step is not part of any differentiable computation. Parameters and state must be
// contiguous float32/float64 tensors of one shape and dtype; the gradient may be strided (it is
// made contiguous first). Bad input throws tf::Error naming the step function and the shapes.
//
// Example (C++): one Adam step of a [3] float64 parameter
//   tf::AdamOptions o; o.lr = 1e-3; o.step = 1;
//   tf::adam_step(p, g, exp_avg, exp_avg_sq, tf::Tensor(), o);
#pragma once
#include <cstdint>

#include "tensor.h"

namespace tf {

struct SgdOptions {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
  // True on the step that creates the momentum buffer: PyTorch then sets buf = d_p rather than
  // decaying a zero buffer, so dampening does not apply to the first gradient.
  bool first = false;
};
// momentum_buf may be undefined when momentum == 0.
void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf, const SgdOptions& o);

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  int64_t step = 1;        // step count after this update (1 on the first call)
  bool amsgrad = false;
  bool decoupled = false;  // AdamW: param *= 1 - lr*wd instead of adding wd*param to the gradient
};
// max_exp_avg_sq is required iff amsgrad.
void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const AdamOptions& o);

struct RmspropOptions {
  double lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0;
  bool centered = false;
};
// grad_avg is required iff centered; momentum_buf iff momentum > 0.
void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& momentum_buf, const RmspropOptions& o);

struct AdagradOptions {
  double lr = 1e-2, lr_decay = 0, weight_decay = 0, eps = 1e-10;
  int64_t step = 1;  // step count after this update
};
void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& state_sum, const AdagradOptions& o);

struct AdamaxOptions {
  double lr = 2e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  int64_t step = 1;  // step count after this update
};
void adamax_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_inf,
                 const AdamaxOptions& o);

struct NadamOptions {
  double lr = 2e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0, momentum_decay = 4e-3;
  int64_t step = 1;         // step count after this update
  double mu_product = 1;    // product of the momentum cache mu_1..mu_step, this step's mu included
};
void nadam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const NadamOptions& o);

struct RadamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  int64_t step = 1;  // step count after this update
};
void radam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const RadamOptions& o);

struct AdadeltaOptions {
  double lr = 1, rho = 0.9, eps = 1e-6, weight_decay = 0;
};
void adadelta_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& acc_delta,
                   const AdadeltaOptions& o);

// Gradient clipping helpers. grad_norm_pow returns sum |x|^p (p finite) or max |x| (p infinite),
// accumulated in double; scale_ multiplies in place; clamp_abs_ clamps to [-v, v] in place.
// Strided tensors are accepted.
double grad_norm_pow(const Tensor& t, double p);
void scale_(const Tensor& t, double c);
void clamp_abs_(const Tensor& t, double v);

}  // namespace tf
