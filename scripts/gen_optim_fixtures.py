#!/usr/bin/python3
"""Reference values for tf.optim and tf.nn.utils clipping, computed with PyTorch in float64.

Writes test/fixtures/optim.json (committed: CI has no torch). Run: /usr/bin/python3 scripts/gen_optim_fixtures.py

Optimizer cases: two parameters w1 [3,4] and w2 [4] from fixed initial values, 20 steps, where the
gradient at each step is g = A*w + B elementwise (the gradient of sum(A*w^2/2 + B*w)), so each
step's gradient depends on the previous updates and every part of the update rule is exercised.
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

SNAKE = {'weightDecay': 'weight_decay', 'lrDecay': 'lr_decay', 'initialAccumulatorValue': 'initial_accumulator_value'}
OPTIMS = {'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW,
          'RMSprop': torch.optim.RMSprop, 'Adagrad': torch.optim.Adagrad}


def to_torch_opts(o):
    return {SNAKE.get(k, k): (tuple(v) if isinstance(v, list) else v) for k, v in o.items()}


def run_case(name, optimizer, options, groups=None, steps=STEPS):
    w = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    if groups is None:
        params = [w['w1'], w['w2']]
    else:
        params = [dict(params=[w[n] for n in g['params']], **to_torch_opts(g.get('options', {}))) for g in groups]
    opt = OPTIMS[optimizer](params, **to_torch_opts(options))
    for _ in range(steps):
        opt.zero_grad()
        for k in w:
            w[k].grad = (A[k] * w[k].detach() + B[k])
        opt.step()
    case = {'name': name, 'optimizer': optimizer, 'options': options,
            'final': {k: v.detach().tolist() for k, v in w.items()}}
    if groups is not None:
        case['groups'] = groups
    return case


cases = [
    run_case('sgd plain', 'SGD', {'lr': 0.1}),
    run_case('sgd momentum', 'SGD', {'lr': 0.05, 'momentum': 0.9}),
    run_case('sgd nesterov', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True}),
    run_case('sgd dampening', 'SGD', {'lr': 0.05, 'momentum': 0.8, 'dampening': 0.3}),
    run_case('sgd weightDecay', 'SGD', {'lr': 0.05, 'momentum': 0.5, 'weightDecay': 0.1}),
    run_case('sgd groups', 'SGD', {'lr': 0.01, 'momentum': 0.9},
             groups=[{'params': ['w1'], 'options': {'lr': 0.1}}, {'params': ['w2']}]),
    run_case('adam', 'Adam', {'lr': 0.05}),
    run_case('adam betas weightDecay', 'Adam', {'lr': 0.02, 'betas': [0.8, 0.99], 'eps': 1e-6, 'weightDecay': 0.05}),
    run_case('adam amsgrad', 'Adam', {'lr': 0.05, 'amsgrad': True}),
    run_case('adamw', 'AdamW', {'lr': 0.05}),
    run_case('adamw amsgrad weightDecay', 'AdamW', {'lr': 0.03, 'weightDecay': 0.1, 'amsgrad': True}),
    run_case('rmsprop plain', 'RMSprop', {'lr': 0.01}),
    run_case('rmsprop centered', 'RMSprop', {'lr': 0.01, 'centered': True}),
    run_case('rmsprop momentum', 'RMSprop', {'lr': 0.01, 'momentum': 0.9, 'alpha': 0.9}),
    run_case('rmsprop centered momentum weightDecay', 'RMSprop',
             {'lr': 0.005, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.01}),
    run_case('adagrad', 'Adagrad', {'lr': 0.1}),
    run_case('adagrad lrDecay', 'Adagrad', {'lr': 0.2, 'lrDecay': 0.05, 'initialAccumulatorValue': 0.1}),
    run_case('adagrad weightDecay', 'Adagrad', {'lr': 0.1, 'weightDecay': 0.1, 'eps': 1e-6}),
]

# ---- schedulers: lrs after construction and after each of 30 steps ----
SCHED_STEPS = 30
S = torch.optim.lr_scheduler
SCHED = {'StepLR': (S.StepLR, {'stepSize': 'step_size'}),
         'ExponentialLR': (S.ExponentialLR, {}),
         'CosineAnnealingLR': (S.CosineAnnealingLR, {'tMax': 'T_max', 'etaMin': 'eta_min'}),
         'LinearLR': (S.LinearLR, {'startFactor': 'start_factor', 'endFactor': 'end_factor', 'totalIters': 'total_iters'}),
         'ReduceLROnPlateau': (S.ReduceLROnPlateau, {'thresholdMode': 'threshold_mode', 'minLr': 'min_lr'})}

# A metric that improves, plateaus, improves a little (below the threshold), and plateaus again.
metrics = [1.0, 0.8, 0.7, 0.7, 0.7, 0.69999, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.5, 0.5,
           0.5, 0.5, 0.5, 0.5, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45]


def run_sched(kind, options, metric_sign=1):
    cls, names = SCHED[kind]
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([{'params': [a], 'lr': 0.1}, {'params': [b], 'lr': 0.05}], lr=0.1)
    sched = cls(opt, **{names.get(k, k): v for k, v in options.items()})
    lrs = [[g['lr'] for g in opt.param_groups]]
    for t in range(SCHED_STEPS):
        opt.step()
        if kind == 'ReduceLROnPlateau':
            sched.step(metric_sign * metrics[t])
        else:
            sched.step()
        lrs.append([g['lr'] for g in opt.param_groups])
    out = {'kind': kind, 'options': options, 'groupLrs': [0.1, 0.05], 'lrs': lrs}
    if kind == 'ReduceLROnPlateau':
        out['metrics'] = [metric_sign * m for m in metrics]
    return out


schedulers = [
    run_sched('StepLR', {'stepSize': 7, 'gamma': 0.5}),
    run_sched('StepLR', {'stepSize': 3}),
    run_sched('ExponentialLR', {'gamma': 0.9}),
    run_sched('CosineAnnealingLR', {'tMax': 10, 'etaMin': 0.001}),
    run_sched('CosineAnnealingLR', {'tMax': 7}),
    run_sched('LinearLR', {}),
    run_sched('LinearLR', {'startFactor': 0.5, 'endFactor': 0.9, 'totalIters': 10}),
    run_sched('ReduceLROnPlateau', {'patience': 2}),
    run_sched('ReduceLROnPlateau', {'patience': 1, 'factor': 0.5, 'cooldown': 2, 'minLr': 0.02}),
    run_sched('ReduceLROnPlateau', {'mode': 'max', 'patience': 1, 'threshold': 0.05, 'thresholdMode': 'abs',
                                    'minLr': [0.01, 0.001]}, metric_sign=-1),
]

# ---- gradient clipping ----
clip_grads = [rnd(3, 4, scale=2.0), rnd(5, scale=2.0), rnd(2, 2, 2, scale=2.0)]
clips = []
for max_norm, norm_type in [(1.0, 2), (0.5, 1), (0.3, 'inf'), (100.0, 2), (2.0, 3)]:
    ps = [torch.zeros_like(g, requires_grad=True) for g in clip_grads]
    for p, g in zip(ps, clip_grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=math.inf if norm_type == 'inf' else norm_type)
    clips.append({'maxNorm': max_norm, 'normType': norm_type, 'total': total.item(),
                  'clipped': [p.grad.tolist() for p in ps]})
ps = [torch.zeros_like(g, requires_grad=True) for g in clip_grads]
for p, g in zip(ps, clip_grads):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(ps, 0.7)
clip_value = {'clipValue': 0.7, 'clipped': [p.grad.tolist() for p in ps]}

out = {
    'torch': torch.__version__,
    'steps': STEPS,
    'init': {k: v.tolist() for k, v in init.items()},
    'A': {k: v.tolist() for k, v in A.items()},
    'B': {k: v.tolist() for k, v in B.items()},
    'cases': cases,
    'schedulerSteps': SCHED_STEPS,
    'schedulers': schedulers,
    'clipGrads': [g.tolist() for g in clip_grads],
    'clipGradNorm': clips,
    'clipGradValue': clip_value,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'optim.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1)
print('wrote', os.path.normpath(path), len(cases), 'optimizer cases,', len(schedulers), 'scheduler runs')
