#!/usr/bin/env python3
"""Reference values for tf.distributions (test/distributions.test.js) from PyTorch 1.13:
log_prob, entropy, mean, variance and kl_divergence in float64 at fixed parameters; cdf and icdf where
PyTorch has them (Normal, Uniform).
Run: /usr/bin/python3 scripts/gen_distributions_fixtures.py  -> test/fixtures/distributions.json"""
import json
import math
import os
import torch
import torch.distributions as D

torch.set_default_dtype(torch.float64)


def t(x):
    return torch.tensor(x, dtype=torch.float64)


def enc(x):
    x = x.detach().reshape(-1).tolist()
    out = []
    for v in x:
        if math.isnan(v):
            out.append('nan')
        elif math.isinf(v):
            out.append('inf' if v > 0 else '-inf')
        else:
            out.append(v)
    return out


def spec(x):
    return {'values': enc(x), 'shape': list(x.shape)}


cases = []


def add(name, family, params, dist, value, extra=None):
    c = {'name': name, 'family': family, 'params': {k: spec(v) if torch.is_tensor(v) else v for k, v in params.items()},
         'value': spec(value), 'logProb': spec(dist.log_prob(value)), 'entropy': spec(dist.entropy()),
         'batchShape': list(dist.batch_shape), 'eventShape': list(dist.event_shape)}
    if family != 'Categorical':
        c['mean'] = spec(dist.mean)
        c['variance'] = spec(dist.variance)
    if extra:
        c.update(extra)
    cases.append(c)


loc, scale = t([0.5, -1.0, 2.0]), t([1.0, 0.3, 2.5])
nv = t([[0.1, -0.7, 5.0], [1.0, 0.0, -2.0]])
# Probabilities out to the tails (1e-6, 1 - 1e-6); further out 2p - 1 rounds in float64 (PyTorch computes the
# same formula), so the reference would measure its erfinv, which is less exact than ours there.
nq = t([[1e-6, 0.025, 0.5], [0.9, 0.999, 1 - 1e-6]])
add('normal', 'Normal', {'loc': loc, 'scale': scale}, D.Normal(loc, scale), nv,
    {'cdf': spec(D.Normal(loc, scale).cdf(nv)), 'icdfProbs': spec(nq), 'icdf': spec(D.Normal(loc, scale).icdf(nq))})
low, high = t([0.0, -2.0]), t([1.0, 3.0])
uq = t([0.1, 0.75])
add('uniform', 'Uniform', {'low': low, 'high': high}, D.Uniform(low, high), t([0.25, 1.5]),
    {'cdf': spec(D.Uniform(low, high).cdf(t([0.25, 1.5]))), 'icdfProbs': spec(uq), 'icdf': spec(D.Uniform(low, high).icdf(uq))})
p = t([0.2, 0.7, 0.5])
add('bernoulli_probs', 'Bernoulli', {'probs': p}, D.Bernoulli(probs=p), t([1.0, 0.0, 1.0]))
lg = t([-1.5, 0.3, 4.0])
add('bernoulli_logits', 'Bernoulli', {'logits': lg}, D.Bernoulli(logits=lg), t([0.0, 1.0, 1.0]))
cp = t([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
add('categorical_probs', 'Categorical', {'probs': cp}, D.Categorical(probs=cp), torch.tensor([2, 0]))
cl = t([[1.0, -0.5, 0.2, 3.0]])
add('categorical_logits', 'Categorical', {'logits': cl}, D.Categorical(logits=cl), torch.tensor([[3], [1]]))
mloc = t([[1.0, -1.0, 0.5], [0.0, 0.2, 0.1]])
A = t([[2.0, 0.3, -0.4], [0.3, 1.5, 0.2], [-0.4, 0.2, 1.0]])
add('mvn_cov', 'MultivariateNormal', {'loc': mloc, 'covarianceMatrix': A}, D.MultivariateNormal(mloc, covariance_matrix=A),
    t([[0.5, 0.5, 0.5], [-1.0, 2.0, 0.0]]))
L = t([[1.2, 0.0], [0.4, 0.7]])
add('mvn_tril', 'MultivariateNormal', {'loc': t([0.3, -0.2]), 'scaleTril': L}, D.MultivariateNormal(t([0.3, -0.2]), scale_tril=L),
    t([1.0, 1.0]))
iloc, iscale = t([[0.0, 1.0], [2.0, -1.0]]), t([[1.0, 2.0], [0.5, 1.5]])
add('independent_normal', 'Independent', {'loc': iloc, 'scale': iscale, 'n': 1}, D.Independent(D.Normal(iloc, iscale), 1),
    t([[0.3, 0.3], [1.0, 1.0]]))

kl = []


def addkl(name, family, pp, qp, p, q):
    kl.append({'name': name, 'family': family, 'p': {k: spec(v) if torch.is_tensor(v) else v for k, v in pp.items()},
               'q': {k: spec(v) if torch.is_tensor(v) else v for k, v in qp.items()}, 'kl': spec(D.kl_divergence(p, q))})


pn = {'loc': t([0.0, 1.0]), 'scale': t([1.0, 0.5])}
qn = {'loc': t([0.5, -1.0]), 'scale': t([2.0, 0.7])}
addkl('normal', 'Normal', pn, qn, D.Normal(**pn), D.Normal(**qn))
pu = {'low': t([0.0, 0.0]), 'high': t([1.0, 2.0])}
qu = {'low': t([-1.0, 0.5]), 'high': t([2.0, 3.0])}
addkl('uniform', 'Uniform', pu, qu, D.Uniform(**pu), D.Uniform(**qu))
pb, qb = {'probs': t([0.2, 0.9, 0.0])}, {'probs': t([0.5, 0.3, 0.4])}
addkl('bernoulli', 'Bernoulli', pb, qb, D.Bernoulli(**pb), D.Bernoulli(**qb))
pc, qc = {'probs': t([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])}, {'probs': t([[0.3, 0.3, 0.4], [0.2, 0.2, 0.6]])}
addkl('categorical', 'Categorical', pc, qc, D.Categorical(**pc), D.Categorical(**qc))
pm = {'loc': t([1.0, 0.0, -1.0]), 'covarianceMatrix': A}
qm = {'loc': t([0.0, 0.5, 0.0]), 'covarianceMatrix': t([[1.0, 0.2, 0.0], [0.2, 2.0, 0.3], [0.0, 0.3, 0.8]])}
addkl('mvn', 'MultivariateNormal', pm, qm, D.MultivariateNormal(pm['loc'], covariance_matrix=pm['covarianceMatrix']),
      D.MultivariateNormal(qm['loc'], covariance_matrix=qm['covarianceMatrix']))
pi = {'loc': iloc, 'scale': iscale, 'n': 1}
qi = {'loc': t([[1.0, 0.0], [0.0, 0.0]]), 'scale': t([[2.0, 1.0], [1.0, 1.0]]), 'n': 1}
addkl('independent', 'Independent', pi, qi, D.Independent(D.Normal(pi['loc'], pi['scale']), 1),
      D.Independent(D.Normal(qi['loc'], qi['scale']), 1))

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'distributions.json')
with open(out, 'w') as f:
    json.dump({'generator': 'scripts/gen_distributions_fixtures.py', 'torch': torch.__version__, 'cases': cases, 'kl': kl}, f, indent=1)
print('wrote', out, len(cases), 'cases,', len(kl), 'kl')
