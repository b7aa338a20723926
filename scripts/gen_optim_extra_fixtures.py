#!/usr/bin/python3
"""Reference values for the optimizers and schedulers added in issue #10 (PyTorch, float64):
writes test/fixtures/optim_extra.json.

Optimizers: the setup of gen_optim_fixtures.py (w1 [3,4], w2 [4]; 20 steps with g = A*w + B).
LBFGS: a few step(closure) calls on a Rosenbrock-like function of the same parameters.
Schedulers: two SGD groups (lr 0.1 and 0.05), the lrs (and momentum / betas[0]) after construction
and after each of 30 steps. Functions (lambdas) are named; the test maps the names to functions.

    /usr/bin/python3 scripts/gen_optim_extra_fixtures.py
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
gen = torch.Generator().manual_seed(1234)


def rnd(*shape, scale=1.0, offset=0.0):
    return (torch.rand(*shape, generator=gen, dtype=torch.float64) * 2 - 1) * scale + offset


STEPS = 20
init = {'w1': rnd(3, 4), 'w2': rnd(4)}
A = {'w1': rnd(3, 4, scale=0.5, offset=1.0), 'w2': rnd(4, scale=0.5, offset=1.0)}
B = {'w1': rnd(3, 4, scale=0.5), 'w2': rnd(4, scale=0.5)}

SNAKE = {'weightDecay': 'weight_decay', 'momentumDecay': 'momentum_decay', 'maxIter': 'max_iter',
         'historySize': 'history_size', 'lineSearchFn': 'line_search_fn', 'toleranceGrad': 'tolerance_grad',
         'toleranceChange': 'tolerance_change', 'maxEval': 'max_eval'}
OPTIMS = {'Adamax': torch.optim.Adamax, 'NAdam': torch.optim.NAdam, 'RAdam': torch.optim.RAdam,
          'Adadelta': torch.optim.Adadelta, 'LBFGS': torch.optim.LBFGS}


def topts(o):
    return {SNAKE.get(k, k): (tuple(v) if isinstance(v, list) else v) for k, v in o.items()}


class NAdamFixed(torch.optim.Optimizer):
    """NAdam as torch >= 2.0 computes it. torch 1.13's step multiplies mu into mu_product_next twice
    (mu_product * mu * mu_next, fixed upstream in 2.0); tensorfold follows the fixed formula."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            b1, b2 = g['betas']
            for p in g['params']:
                st = self.state[p]
                if not st:
                    st.update(step=0, mu_product=1.0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))
                st['step'] += 1
                t = st['step']
                grad = p.grad if g['weight_decay'] == 0 else p.grad.add(p, alpha=g['weight_decay'])
                mu = b1 * (1. - 0.5 * (0.96 ** (t * g['momentum_decay'])))
                mu_next = b1 * (1. - 0.5 * (0.96 ** ((t + 1) * g['momentum_decay'])))
                st['mu_product'] *= mu
                mu_product_next = st['mu_product'] * mu_next
                st['exp_avg'].mul_(b1).add_(grad, alpha=1 - b1)
                st['exp_avg_sq'].mul_(b2).addcmul_(grad, grad, value=1 - b2)
                denom = st['exp_avg_sq'].div(1 - b2 ** t).sqrt().add_(g['eps'])
                p.addcdiv_(grad, denom, value=-g['lr'] * (1. - mu) / (1. - st['mu_product']))
                p.addcdiv_(st['exp_avg'], denom, value=-g['lr'] * mu_next / (1. - mu_product_next))


OPTIMS['NAdam'] = NAdamFixed


def run_case(name, optimizer, options):
    w = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    opt = OPTIMS[optimizer]([w['w1'], w['w2']], **topts(options))
    for _ in range(STEPS):
        opt.zero_grad()
        for k in w:
            w[k].grad = (A[k] * w[k].detach() + B[k])
        opt.step()
    return {'name': name, 'optimizer': optimizer, 'options': options,
            'final': {k: v.detach().flatten().tolist() for k, v in w.items()}}


def rosen(w):
    """A non-quadratic objective of both parameters: sum of Rosenbrock terms over consecutive entries."""
    x = torch.cat([w['w1'].flatten(), w['w2']])
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum() * 0.01


def run_lbfgs(name, options, calls):
    w = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    opt = torch.optim.LBFGS([w['w1'], w['w2']], **topts(options))

    def closure():
        opt.zero_grad()
        loss = rosen(w)
        loss.backward()
        return loss
    losses = []
    for _ in range(calls):
        losses.append(float(opt.step(closure)))
    st = opt.state[opt._params[0]]
    return {'name': name, 'options': options, 'calls': calls, 'losses': losses, 'finalLoss': float(rosen(w)),
            'funcEvals': st['func_evals'], 'nIter': st['n_iter'],
            'final': {k: v.detach().flatten().tolist() for k, v in w.items()}}


cases = [
    run_case('adamax', 'Adamax', {'lr': 0.05}),
    run_case('adamax betas weightDecay', 'Adamax', {'lr': 0.02, 'betas': [0.8, 0.99], 'eps': 1e-6, 'weightDecay': 0.05}),
    run_case('nadam', 'NAdam', {'lr': 0.05}),
    run_case('nadam momentumDecay weightDecay', 'NAdam', {'lr': 0.03, 'momentumDecay': 0.01, 'weightDecay': 0.1,
                                                         'betas': [0.85, 0.995]}),
    run_case('radam', 'RAdam', {'lr': 0.05}),
    run_case('radam early rectification', 'RAdam', {'lr': 0.05, 'betas': [0.9, 0.8], 'weightDecay': 0.02}),
    run_case('adadelta', 'Adadelta', {}),
    run_case('adadelta rho lr weightDecay', 'Adadelta', {'lr': 0.5, 'rho': 0.8, 'eps': 1e-4, 'weightDecay': 0.1}),
]
lbfgs = [
    run_lbfgs('lbfgs fixed step', {'lr': 0.5, 'maxIter': 5}, 3),
    run_lbfgs('lbfgs strong wolfe', {'lr': 1, 'maxIter': 20, 'lineSearchFn': 'strong_wolfe'}, 3),
    run_lbfgs('lbfgs strong wolfe small history', {'lr': 1, 'maxIter': 8, 'historySize': 3, 'lineSearchFn': 'strong_wolfe'}, 4),
]

# ---- schedulers ----
SCHED_STEPS = 30
S = torch.optim.lr_scheduler
LAMBDAS = {'decay95': lambda e: 0.95 ** e, 'warmup5': lambda e: min(1.0, (e + 1) / 5), 'step10': lambda e: 0.5 ** (e // 10),
           'mul98': lambda e: 0.98, 'half_cycle': lambda x: 1 / (2.0 ** (x - 1))}
NAMES = {'milestones': 'milestones', 'gamma': 'gamma', 'factor': 'factor', 'totalIters': 'total_iters', 'power': 'power',
         'maxLr': 'max_lr', 'totalSteps': 'total_steps', 'epochs': 'epochs', 'stepsPerEpoch': 'steps_per_epoch',
         'pctStart': 'pct_start', 'annealStrategy': 'anneal_strategy', 'cycleMomentum': 'cycle_momentum',
         'baseMomentum': 'base_momentum', 'maxMomentum': 'max_momentum', 'divFactor': 'div_factor',
         'finalDivFactor': 'final_div_factor', 'threePhase': 'three_phase', 'baseLr': 'base_lr', 'stepSizeUp': 'step_size_up',
         'stepSizeDown': 'step_size_down', 'mode': 'mode', 'scaleFn': 'scale_fn', 'scaleMode': 'scale_mode', 'T0': 'T_0',
         'tMult': 'T_mult', 'etaMin': 'eta_min', 'lrLambda': 'lr_lambda', 'stepSize': 'step_size', 'tMax': 'T_max',
         'startFactor': 'start_factor', 'endFactor': 'end_factor'}
CLASSES = {'LambdaLR': S.LambdaLR, 'MultiplicativeLR': S.MultiplicativeLR, 'MultiStepLR': S.MultiStepLR,
           'ConstantLR': S.ConstantLR, 'PolynomialLR': S.PolynomialLR, 'OneCycleLR': S.OneCycleLR, 'CyclicLR': S.CyclicLR,
           'CosineAnnealingWarmRestarts': S.CosineAnnealingWarmRestarts, 'StepLR': S.StepLR, 'ExponentialLR': S.ExponentialLR,
           'LinearLR': S.LinearLR, 'CosineAnnealingLR': S.CosineAnnealingLR}


def torch_kwargs(options):
    out = {}
    for k, v in options.items():
        if k in ('lrLambda', 'scaleFn'):
            v = [LAMBDAS[n] for n in v] if isinstance(v, list) else LAMBDAS[v]
        out[NAMES[k]] = v
    return out


def make(opt, spec):
    kind, options = spec
    return CLASSES[kind](opt, **torch_kwargs(options))


def run_sched(kind, options, optimizer='SGD', sub=None):
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    groups = [{'params': [a], 'lr': 0.1}, {'params': [b], 'lr': 0.05}]
    opt = torch.optim.SGD(groups, lr=0.1) if optimizer == 'SGD' else torch.optim.Adam(groups, lr=0.1)
    if kind == 'SequentialLR':
        sched = S.SequentialLR(opt, [make(opt, s) for s in options['schedulers']], milestones=options['milestones'])
    elif kind == 'ChainedScheduler':
        sched = S.ChainedScheduler([make(opt, s) for s in options['schedulers']])
    else:
        sched = make(opt, (kind, options))

    def mom():
        return [g['betas'][0] if 'betas' in g else g.get('momentum', 0) for g in opt.param_groups]
    lrs, moms = [[g['lr'] for g in opt.param_groups]], [mom()]
    for _ in range(SCHED_STEPS):
        opt.step()
        sched.step()
        lrs.append([g['lr'] for g in opt.param_groups])
        moms.append(mom())
    return {'kind': kind, 'options': options, 'optimizer': optimizer, 'lrs': lrs, 'momentum': moms}


schedulers = [
    run_sched('LambdaLR', {'lrLambda': 'decay95'}),
    run_sched('LambdaLR', {'lrLambda': ['warmup5', 'step10']}),
    run_sched('MultiplicativeLR', {'lrLambda': 'mul98'}),
    run_sched('MultiStepLR', {'milestones': [3, 8, 8, 20], 'gamma': 0.5}),
    run_sched('ConstantLR', {}),
    run_sched('ConstantLR', {'factor': 0.5, 'totalIters': 8}),
    run_sched('PolynomialLR', {}),
    run_sched('PolynomialLR', {'totalIters': 20, 'power': 2.0}),
    run_sched('OneCycleLR', {'maxLr': 0.5, 'totalSteps': 30}),
    run_sched('OneCycleLR', {'maxLr': [0.4, 0.2], 'epochs': 6, 'stepsPerEpoch': 5, 'pctStart': 0.25,
                             'annealStrategy': 'linear', 'threePhase': True, 'divFactor': 10, 'finalDivFactor': 100}),
    run_sched('OneCycleLR', {'maxLr': 0.3, 'totalSteps': 31, 'baseMomentum': 0.8, 'maxMomentum': 0.9}, optimizer='Adam'),
    run_sched('CyclicLR', {'baseLr': 0.01, 'maxLr': 0.1, 'stepSizeUp': 4}),
    run_sched('CyclicLR', {'baseLr': [0.01, 0.02], 'maxLr': [0.1, 0.2], 'stepSizeUp': 3, 'stepSizeDown': 5,
                           'mode': 'triangular2'}),
    run_sched('CyclicLR', {'baseLr': 0.01, 'maxLr': 0.1, 'stepSizeUp': 5, 'mode': 'exp_range', 'gamma': 0.9,
                           'cycleMomentum': False}),
    run_sched('CyclicLR', {'baseLr': 0.01, 'maxLr': 0.1, 'stepSizeUp': 2, 'scaleFn': 'half_cycle', 'scaleMode': 'iterations'}),
    run_sched('CosineAnnealingWarmRestarts', {'T0': 7}),
    run_sched('CosineAnnealingWarmRestarts', {'T0': 3, 'tMult': 2, 'etaMin': 0.001}),
    run_sched('SequentialLR', {'schedulers': [['LinearLR', {'startFactor': 0.2, 'totalIters': 4}],
                                              ['ExponentialLR', {'gamma': 0.9}]], 'milestones': [5]}),
    run_sched('SequentialLR', {'schedulers': [['ConstantLR', {'factor': 0.5, 'totalIters': 3}],
                                              ['CosineAnnealingLR', {'tMax': 10}],
                                              ['MultiStepLR', {'milestones': [2, 4]}]], 'milestones': [4, 15]}),
    run_sched('ChainedScheduler', {'schedulers': [['ConstantLR', {'factor': 0.25, 'totalIters': 5}],
                                                  ['ExponentialLR', {'gamma': 0.9}]]}),
]

out = {'torch': torch.__version__, 'steps': STEPS, 'init': {k: v.flatten().tolist() for k, v in init.items()},
       'A': {k: v.flatten().tolist() for k, v in A.items()}, 'B': {k: v.flatten().tolist() for k, v in B.items()},
       'cases': cases, 'lbfgs': lbfgs, 'schedulerSteps': SCHED_STEPS, 'schedulers': schedulers}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'optim_extra.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=0)
print('wrote', os.path.normpath(path), len(cases), 'optimizer cases,', len(lbfgs), 'LBFGS runs,', len(schedulers), 'scheduler runs')
