// The random functions PyTorch also offers as Tensor methods (t.multinomial(n), t.bernoulli()):
// lib/methods.ts installs every export of this file as a method. The functions themselves are
// tf.* exports of lib/random.ts.
export { multinomial, bernoulli, poisson, randnLike, randLike, randintLike } from './random';
