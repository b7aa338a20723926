// tf.distributions (torch.distributions): Normal, Uniform, Bernoulli, Categorical,
// MultivariateNormal, Independent and klDivergence.
export { Distribution } from './distribution';
export type { SampleOptions } from './distribution';
export { Normal, Uniform } from './normal';
export { Bernoulli, Categorical } from './discrete';
export { MultivariateNormal, Independent } from './multivariate';
export { klDivergence } from './kl';
