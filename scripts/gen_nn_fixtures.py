#!/usr/bin/python3
"""Reference values for tf.nn from PyTorch: writes test/fixtures/nn_*.json.

Each layer case holds the torch layer's state dict, the input(s), the output(s), and the gradients
of sum(out * R) (R a fixed random tensor per output) with respect to the inputs and every parameter.
The tests load the state dict with loadStateDict, run the same computation and compare. Everything
is computed in float64 so the fixtures are exact to the precision the tests ask for.

    /usr/bin/python3 scripts/gen_nn_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        return {'shape': list(t.shape), 'dtype': 'bool', 'data': [bool(v) for v in t.flatten().tolist()]}
    if t.dtype in (torch.int64, torch.int32):
        return {'shape': list(t.shape), 'dtype': 'int32', 'data': [int(v) for v in t.flatten().tolist()]}
    data = [v if math.isfinite(v) else ('nan' if math.isnan(v) else ('inf' if v > 0 else '-inf'))
            for v in t.double().flatten().tolist()]
    return {'shape': list(t.shape), 'dtype': 'float64', 'data': data}


def enc_any(x):
    if isinstance(x, torch.Tensor):
        return enc(x)
    if isinstance(x, (tuple, list)):
        return [enc_any(v) for v in x]
    return x


def float_leaves(xs):
    """Floating-point tensors among the (nested) inputs, in order: the ones whose gradients are stored."""
    res = []
    for x in xs:
        if isinstance(x, torch.Tensor) and x.is_floating_point():
            res.append(x)
        elif isinstance(x, (tuple, list)):
            res += float_leaves(x)
    return res


def flat_outputs(out):
    """Tensors of a (nested) layer output, in order."""
    if isinstance(out, torch.Tensor):
        return [out]
    res = []
    for o in out:
        if o is not None:
            res += flat_outputs(o)
    return res


def layer_case(name, ctor, make_inputs, call=None, train=True, seed=0, kwargs=None, perturb=True, **extra):
    """ctor: dict with 'layer' (torch module), 'js' (JS constructor description)."""
    torch.manual_seed(seed)
    layer = ctor['layer']
    if perturb:
        # Affine parameters initialised to ones/zeros would hide bugs: randomise every parameter.
        with torch.no_grad():
            for n, p in layer.named_parameters():
                if 'weight' not in n or p.dim() < 2:
                    p.copy_(torch.randn_like(p) * 0.5 + (1.0 if n.endswith('weight') else 0.0))
    layer.train(train)
    state = {k: enc(v) for k, v in layer.state_dict().items()}
    inputs = make_inputs()
    float_inputs = float_leaves(inputs)
    for x in float_inputs:
        x.requires_grad_(True)
    out = call(layer, *inputs) if call else layer(*inputs)
    outs = flat_outputs(out)
    Rs = [torch.randn_like(o) for o in outs]
    total = sum((o * r).sum() for o, r in zip(outs, Rs))
    params = list(layer.named_parameters())
    grads = torch.autograd.grad(total, float_inputs + [p for _, p in params], allow_unused=True)
    gi = grads[:len(float_inputs)]
    gp = grads[len(float_inputs):]
    case = {
        'name': name,
        'js': ctor['js'],
        'train': train,
        'state': state,
        'inputs': [enc_any(x) for x in inputs],
        'outputs': [enc(o) for o in outs],
        'R': [enc(r) for r in Rs],
        'inputGrads': [enc(g) if g is not None else None for g in gi],
        'paramGrads': {n: enc(g) for (n, _), g in zip(params, gp) if g is not None},
        'stateAfter': {k: enc(v) for k, v in layer.state_dict().items()},
    }
    if kwargs is not None:
        case['kwargs'] = kwargs
    case.update(extra)
    return case


def rn(*shape):
    return lambda: [torch.randn(*shape)]


def layers():
    cases = []
    add = cases.append
    add(layer_case('linear', {'layer': nn.Linear(5, 3), 'js': ['Linear', 5, 3]}, rn(4, 5)))
    add(layer_case('linear_nobias_3d', {'layer': nn.Linear(5, 3, bias=False), 'js': ['Linear', 5, 3, {'bias': False}]},
                   rn(2, 3, 5)))
    add(layer_case('conv2d', {'layer': nn.Conv2d(3, 4, 3, padding=1), 'js': ['Conv2d', 3, 4, 3, {'padding': 1}]},
                   rn(2, 3, 6, 5)))
    add(layer_case('conv2d_strided_grouped',
                   {'layer': nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2),
                    'js': ['Conv2d', 4, 6, [3, 2], {'stride': [2, 1], 'padding': [1, 0], 'dilation': [1, 2], 'groups': 2}]},
                   rn(2, 4, 7, 6)))
    add(layer_case('conv2d_nobias_same', {'layer': nn.Conv2d(2, 3, 3, padding='same', bias=False),
                                          'js': ['Conv2d', 2, 3, 3, {'padding': 'same', 'bias': False}]}, rn(1, 2, 5, 5)))
    add(layer_case('conv1d', {'layer': nn.Conv1d(3, 4, 3, stride=2, padding=1),
                              'js': ['Conv1d', 3, 4, 3, {'stride': 2, 'padding': 1}]}, rn(2, 3, 9)))
    add(layer_case('conv1d_grouped_dilated', {'layer': nn.Conv1d(4, 4, 2, dilation=2, groups=4),
                                              'js': ['Conv1d', 4, 4, 2, {'dilation': 2, 'groups': 4}]}, rn(2, 4, 8)))
    add(layer_case('maxpool2d', {'layer': nn.MaxPool2d(2), 'js': ['MaxPool2d', 2]}, rn(2, 3, 6, 6)))
    add(layer_case('maxpool2d_pad_ceil', {'layer': nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
                                          'js': ['MaxPool2d', 3, {'stride': 2, 'padding': 1, 'ceilMode': True}]},
                   rn(1, 2, 7, 6)))
    add(layer_case('maxpool2d_dilated', {'layer': nn.MaxPool2d(2, stride=1, dilation=2),
                                         'js': ['MaxPool2d', 2, {'stride': 1, 'dilation': 2}]}, rn(1, 2, 5, 5)))
    add(layer_case('avgpool2d', {'layer': nn.AvgPool2d(2), 'js': ['AvgPool2d', 2]}, rn(2, 3, 6, 4)))
    add(layer_case('avgpool2d_pad_nocount', {'layer': nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False,
                                                                   ceil_mode=True),
                                             'js': ['AvgPool2d', 3, {'stride': 2, 'padding': 1,
                                                                     'countIncludePad': False, 'ceilMode': True}]},
                   rn(1, 2, 6, 7)))
    add(layer_case('maxpool1d', {'layer': nn.MaxPool1d(3, stride=2), 'js': ['MaxPool1d', 3, {'stride': 2}]},
                   rn(2, 3, 9)))
    add(layer_case('avgpool1d', {'layer': nn.AvgPool1d(2), 'js': ['AvgPool1d', 2]}, rn(2, 3, 8)))
    add(layer_case('adaptiveavgpool2d', {'layer': nn.AdaptiveAvgPool2d((2, 3)), 'js': ['AdaptiveAvgPool2d', [2, 3]]},
                   rn(1, 2, 5, 7)))
    add(layer_case('adaptiveavgpool2d_1', {'layer': nn.AdaptiveAvgPool2d(1), 'js': ['AdaptiveAvgPool2d', 1]},
                   rn(2, 3, 4, 4)))
    add(layer_case('batchnorm1d_train', {'layer': nn.BatchNorm1d(4), 'js': ['BatchNorm1d', 4]}, rn(6, 4)))
    add(layer_case('batchnorm1d_3d_train', {'layer': nn.BatchNorm1d(3, momentum=0.3), 'js': ['BatchNorm1d', 3, {'momentum': 0.3}]},
                   rn(4, 3, 5)))
    add(layer_case('batchnorm2d_train', {'layer': nn.BatchNorm2d(3), 'js': ['BatchNorm2d', 3]}, rn(2, 3, 4, 5)))
    bn = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(3))
        bn.running_var.copy_(torch.rand(3) + 0.5)
    add(layer_case('batchnorm2d_eval', {'layer': bn, 'js': ['BatchNorm2d', 3]}, rn(2, 3, 4, 5), train=False))
    add(layer_case('batchnorm2d_noaffine', {'layer': nn.BatchNorm2d(2, affine=False), 'js': ['BatchNorm2d', 2, {'affine': False}]},
                   rn(3, 2, 2, 2)))
    add(layer_case('layernorm', {'layer': nn.LayerNorm(5), 'js': ['LayerNorm', 5]}, rn(3, 4, 5)))
    add(layer_case('layernorm_2d', {'layer': nn.LayerNorm([4, 5], eps=1e-3), 'js': ['LayerNorm', [4, 5], {'eps': 1e-3}]},
                   rn(2, 3, 4, 5)))
    add(layer_case('embedding', {'layer': nn.Embedding(7, 4), 'js': ['Embedding', 7, 4]},
                   lambda: [torch.tensor([[1, 3, 6], [0, 3, 2]])]))
    add(layer_case('embedding_padding', {'layer': nn.Embedding(6, 3, padding_idx=0), 'js': ['Embedding', 6, 3, {'paddingIdx': 0}]},
                   lambda: [torch.tensor([0, 2, 0, 5, 2])]))
    for cls, js in [(nn.ReLU(), ['ReLU']), (nn.GELU(), ['GELU']), (nn.GELU(approximate='tanh'), ['GELU', 'tanh']), (nn.Tanh(), ['Tanh']), (nn.Sigmoid(), ['Sigmoid']),
                    (nn.SiLU(), ['SiLU']), (nn.Softmax(dim=1), ['Softmax', 1]), (nn.LogSoftmax(dim=-1), ['LogSoftmax', -1]),
                    (nn.Flatten(), ['Flatten']), (nn.Flatten(0, 1), ['Flatten', 0, 1]), (nn.Identity(), ['Identity']),
                    (nn.LeakyReLU(0.2), ['LeakyReLU', 0.2]), (nn.ELU(0.7), ['ELU', 0.7]), (nn.Softplus(), ['Softplus'])]:
        add(layer_case('act_' + js[0] + ('_' + '_'.join(map(str, js[1:])) if len(js) > 1 else ''),
                       {'layer': cls, 'js': js}, rn(2, 3, 4)))
    seq = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
    add(layer_case('sequential', {'layer': seq, 'js': ['Sequential']}, rn(3, 4)))
    tel = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
    add(layer_case('transformer_encoder_layer', {'layer': tel, 'js': ['TransformerEncoderLayer', 8, 2, {'dimFeedforward': 16, 'dropout': 0}]},
                   rn(5, 2, 8), perturb=False))
    tel2 = nn.TransformerEncoderLayer(8, 2, dim_feedforward=12, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
    add(layer_case('transformer_encoder_layer_normfirst',
                   {'layer': tel2, 'js': ['TransformerEncoderLayer', 8, 2, {'dimFeedforward': 12, 'dropout': 0,
                                                                          'activation': 'gelu', 'batchFirst': True,
                                                                          'normFirst': True}]},
                   rn(2, 4, 8), perturb=False))
    return cases


def rnns():
    cases = []
    add = cases.append
    add(layer_case('rnn_tanh_2layer', {'layer': nn.RNN(3, 4, num_layers=2), 'js': ['RNN', 3, 4, {'numLayers': 2}]},
                   rn(5, 2, 3), perturb=False))
    add(layer_case('rnn_relu_bidir_batchfirst_h0',
                   {'layer': nn.RNN(3, 4, nonlinearity='relu', bidirectional=True, batch_first=True),
                    'js': ['RNN', 3, 4, {'nonlinearity': 'relu', 'bidirectional': True, 'batchFirst': True}]},
                   lambda: [torch.randn(2, 5, 3), torch.randn(2, 2, 4)], perturb=False))
    add(layer_case('gru_2layer_bidir', {'layer': nn.GRU(3, 4, num_layers=2, bidirectional=True),
                                        'js': ['GRU', 3, 4, {'numLayers': 2, 'bidirectional': True}]},
                   rn(4, 2, 3), perturb=False))
    add(layer_case('gru_unbatched_h0', {'layer': nn.GRU(3, 5), 'js': ['GRU', 3, 5]},
                   lambda: [torch.randn(4, 3), torch.randn(1, 5)], perturb=False))
    add(layer_case('lstm_2layer_bidir_batchfirst_h0c0',
                   {'layer': nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True),
                    'js': ['LSTM', 3, 4, {'numLayers': 2, 'bidirectional': True, 'batchFirst': True}]},
                   lambda: [torch.randn(2, 5, 3), (torch.randn(4, 2, 4), torch.randn(4, 2, 4))],
                   call=lambda m, x, hc: m(x, hc), perturb=False))
    add(layer_case('lstm_nobias', {'layer': nn.LSTM(2, 3, bias=False), 'js': ['LSTM', 2, 3, {'bias': False}]},
                   rn(6, 3, 2), perturb=False))
    add(layer_case('rnncell', {'layer': nn.RNNCell(3, 4), 'js': ['RNNCell', 3, 4]},
                   lambda: [torch.randn(2, 3), torch.randn(2, 4)], perturb=False))
    add(layer_case('grucell', {'layer': nn.GRUCell(3, 4), 'js': ['GRUCell', 3, 4]},
                   lambda: [torch.randn(2, 3), torch.randn(2, 4)], perturb=False))
    add(layer_case('lstmcell', {'layer': nn.LSTMCell(3, 4), 'js': ['LSTMCell', 3, 4]},
                   lambda: [torch.randn(2, 3), (torch.randn(2, 4), torch.randn(2, 4))],
                   call=lambda m, x, hc: m(x, hc), perturb=False))
    add(layer_case('lstmcell_nostate', {'layer': nn.LSTMCell(3, 2), 'js': ['LSTMCell', 3, 2]}, rn(3), perturb=False))
    return cases


def attention():
    cases = []
    add = cases.append
    E, H, L, S, N = 8, 2, 4, 5, 3

    def mha_case(name, kwargs_js, make, call_kw, batch_first=False, bias=True, average=True):
        torch.manual_seed(sum(map(ord, name)))
        m = nn.MultiheadAttention(E, H, batch_first=batch_first, bias=bias)
        with torch.no_grad():
            if bias:
                m.in_proj_bias.copy_(torch.randn(3 * E) * 0.3)
                m.out_proj.bias.copy_(torch.randn(E) * 0.3)
        js_opts = {'batchFirst': batch_first, 'bias': bias}

        def call(mod, q, k, v, *masks):
            kw = dict(call_kw)
            for key, mk in zip(kwargs_js, masks):
                kw[{'keyPaddingMask': 'key_padding_mask', 'attnMask': 'attn_mask'}[key]] = mk
            return mod(q, k, v, average_attn_weights=average, **kw)
        return layer_case(name, {'layer': m, 'js': ['MultiheadAttention', E, H, js_opts]}, make, call=call,
                          perturb=False, maskKeys=kwargs_js, average=average)

    qkv = lambda: [torch.randn(L, N, E), torch.randn(S, N, E), torch.randn(S, N, E)]
    add(mha_case('mha_plain', [], qkv, {}))
    add(mha_case('mha_perhead', [], qkv, {}, average=False))
    causal = torch.triu(torch.ones(L, S, dtype=torch.bool), diagonal=1)
    kpm = torch.zeros(N, S, dtype=torch.bool)
    kpm[0, 4] = True
    kpm[2, 1] = True
    kpm[2, 3] = True
    add(mha_case('mha_bool_masks', ['attnMask', 'keyPaddingMask'], lambda: qkv() + [causal, kpm], {}))
    fmask = torch.randn(L, S) * 0.5
    fkpm = torch.randn(N, S) * 0.5
    # torch 1.13 cannot combine a float key padding mask with an attention mask, so one case each.
    add(mha_case('mha_float_mask_bool_kpm', ['attnMask', 'keyPaddingMask'], lambda: qkv() + [fmask, kpm], {}))
    add(mha_case('mha_float_kpm', ['keyPaddingMask'], lambda: qkv() + [fkpm], {}))
    add(mha_case('mha_3d_mask', ['attnMask'], lambda: qkv() + [torch.randn(N * H, L, S)], {}))
    self_x = torch.randn(N, L, E)
    add(mha_case('mha_batchfirst_self_nobias', ['keyPaddingMask'],
                 lambda: [self_x.clone(), self_x.clone(), self_x.clone(), torch.tensor([[False] * L, [False, False, True, True], [False] * (L - 1) + [True]])],
                 {}, batch_first=True, bias=False))
    add(mha_case('mha_unbatched', [], lambda: [torch.randn(L, E), torch.randn(S, E), torch.randn(S, E)], {}))
    return cases


def t64(*shape):
    return torch.randn(*shape)


def losses():
    torch.manual_seed(1)
    cases = []

    def case(name, fn, js_fn, inputs, js_opts, grad_of=(0,)):
        xs = [x.clone().requires_grad_(i in grad_of) for i, x in enumerate(inputs)]
        out = fn(*xs)
        R = torch.randn_like(out)
        g = torch.autograd.grad((out * R).sum(), [xs[i] for i in grad_of], allow_unused=True)
        cases.append({'name': name, 'fn': js_fn, 'opts': js_opts, 'inputs': [enc(x) for x in inputs],
                      'output': enc(out), 'R': enc(R), 'grads': [enc(gg) for gg in g], 'gradOf': list(grad_of)})

    logits = t64(6, 5)
    tgt = torch.tensor([0, 4, 2, 2, 1, 3])
    tgt_ign = torch.tensor([0, -100, 2, 2, 1, 3])
    w = torch.rand(5) + 0.2
    for red in ['mean', 'sum', 'none']:
        case(f'ce_{red}', lambda x, t: F.cross_entropy(x, t, reduction=red), 'crossEntropy', [logits, tgt], {'reduction': red})
        case(f'ce_weight_ignore_{red}', lambda x, t, ww: F.cross_entropy(x, t, weight=ww, ignore_index=-100, reduction=red),
             'crossEntropy', [logits, tgt_ign, w], {'reduction': red, 'weight': 2}, grad_of=(0,))
        case(f'ce_smooth_{red}', lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1, reduction=red),
             'crossEntropy', [logits, tgt], {'reduction': red, 'labelSmoothing': 0.1})
        case(f'ce_smooth_weight_ignore_{red}',
             lambda x, t, ww: F.cross_entropy(x, t, weight=ww, label_smoothing=0.25, ignore_index=2, reduction=red),
             'crossEntropy', [logits, tgt, w], {'reduction': red, 'labelSmoothing': 0.25, 'ignoreIndex': 2, 'weight': 2})
        case(f'nll_{red}', lambda x, t: F.nll_loss(x.log_softmax(1), t, reduction=red), 'nllLogSoftmax', [logits, tgt],
             {'reduction': red})
        case(f'nll_weight_ignore_{red}', lambda x, t, ww: F.nll_loss(x, t, weight=ww, ignore_index=1, reduction=red),
             'nllLoss', [logits, tgt, w], {'reduction': red, 'ignoreIndex': 1, 'weight': 2})
    case('ce_kdim', lambda x, t: F.cross_entropy(x, t), 'crossEntropy', [t64(2, 4, 3, 2), torch.randint(0, 4, (2, 3, 2))], {})
    case('ce_kdim_none', lambda x, t: F.cross_entropy(x, t, reduction='none', label_smoothing=0.3), 'crossEntropy',
         [t64(2, 4, 3), torch.randint(0, 4, (2, 3))], {'reduction': 'none', 'labelSmoothing': 0.3})
    case('ce_unbatched', lambda x, t: F.cross_entropy(x, t), 'crossEntropy', [t64(5), torch.tensor(3)], {})
    a, b = t64(3, 4), t64(3, 4)
    p = torch.rand(3, 4) * 0.9 + 0.05
    y = torch.rand(3, 4)
    y01 = (torch.rand(3, 4) > 0.5).double()
    wt = torch.rand(3, 4)
    pw = torch.rand(4) * 2
    big = torch.tensor([[-120.0, -30.0, 0.0, 30.0], [120.0, 5.0, -5.0, 1.0], [60.0, -60.0, 2.0, -2.0]])
    for red in ['mean', 'sum', 'none']:
        case(f'mse_{red}', lambda x, t: F.mse_loss(x, t, reduction=red), 'mseLoss', [a, b], {'reduction': red}, grad_of=(0, 1))
        case(f'l1_{red}', lambda x, t: F.l1_loss(x, t, reduction=red), 'l1Loss', [a, b], {'reduction': red}, grad_of=(0, 1))
        case(f'bce_{red}', lambda x, t: F.binary_cross_entropy(x, t, reduction=red), 'bceLoss', [p, y], {'reduction': red},
             grad_of=(0, 1))
        case(f'bce_weight_{red}', lambda x, t, ww: F.binary_cross_entropy(x, t, weight=ww, reduction=red), 'bceLoss',
             [p, y01, wt], {'reduction': red, 'weight': 2})
        case(f'bcelogits_{red}', lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=red), 'bceWithLogitsLoss',
             [a, y], {'reduction': red}, grad_of=(0, 1))
        case(f'bcelogits_posweight_{red}',
             lambda x, t, pww, ww: F.binary_cross_entropy_with_logits(x, t, pos_weight=pww, weight=ww, reduction=red),
             'bceWithLogitsLoss', [a, y, pw, wt], {'reduction': red, 'posWeight': 2, 'weight': 3}, grad_of=(0, 1))
        case(f'huber_{red}', lambda x, t: F.huber_loss(x, t, reduction=red, delta=0.7), 'huberLoss', [a, b],
             {'reduction': red, 'delta': 0.7})
        case(f'smoothl1_{red}', lambda x, t: F.smooth_l1_loss(x, t, reduction=red, beta=0.5), 'smoothL1Loss', [a, b],
             {'reduction': red, 'beta': 0.5})
    case('bcelogits_extreme', lambda x, t: F.binary_cross_entropy_with_logits(x, t), 'bceWithLogitsLoss', [big, y], {})
    case('bce_extreme', lambda x, t: F.binary_cross_entropy(x, t, reduction='none'), 'bceLoss',
         [torch.tensor([[0.0, 1.0, 1e-30, 0.5]]), torch.tensor([[0.3, 0.6, 1.0, 0.0]])], {'reduction': 'none'})
    lp = t64(3, 4).log_softmax(1)
    tp = torch.softmax(t64(3, 4), 1)
    tp[0, 1] = 0.0
    case('kldiv_batchmean', lambda x, t: F.kl_div(x, t, reduction='batchmean'), 'klDiv', [lp, tp], {'reduction': 'batchmean'})
    case('kldiv_logtarget_sum', lambda x, t: F.kl_div(x, t, reduction='sum', log_target=True), 'klDiv', [lp, tp.clamp(min=1e-3).log()],
         {'reduction': 'sum', 'logTarget': True})
    return cases


def bn_steps():
    """BatchNorm2d over several training steps, then one eval step: running statistics as torch keeps them."""
    torch.manual_seed(5)
    bn = nn.BatchNorm2d(3, momentum=0.2)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(3) + 0.5)
        bn.bias.copy_(torch.randn(3))
    state = {k: enc(v) for k, v in bn.state_dict().items()}
    inputs = [torch.randn(4, 3, 2, 3) * (i + 1) + i for i in range(3)]
    bn.train()
    for x in inputs:
        bn(x)
    bn.eval()
    ev = torch.randn(2, 3, 2, 2)
    return {'channels': 3, 'momentum': 0.2, 'state': state, 'inputs': [enc(x) for x in inputs],
            'runningMean': enc(bn.running_mean), 'runningVar': enc(bn.running_var),
            'evalInput': enc(ev), 'evalOutput': enc(bn(ev))}


def main():
    for name, fn in [('nn_layers', layers), ('nn_rnn', rnns), ('nn_attention', attention), ('nn_losses', losses)]:
        data = fn()
        path = os.path.join(OUT, name + '.json')
        doc = {'torch': torch.__version__, 'cases': data}
        if name == 'nn_layers':
            doc['bnSteps'] = bn_steps()
        with open(path, 'w') as f:
            json.dump(doc, f, separators=(',', ':'))
        print(f'{path}: {len(data)} cases, {os.path.getsize(path) // 1024} KiB')


if __name__ == '__main__':
    main()
