#!/usr/bin/python3
"""Reference values for the layers, functions and losses added in issue #10, from PyTorch:
writes test/fixtures/nn_layers_extra.json, nn_functional_extra.json and nn_losses_extra.json.

Same case format as scripts/gen_nn_fixtures.py (layer cases: state dict, inputs, outputs, gradients
of sum(out * R) w.r.t. inputs and parameters; all in float64).

    /usr/bin/python3 scripts/gen_nn_extra_fixtures.py
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from gen_nn_fixtures import enc, layer_case, rn, OUT  # noqa: E402

torch.set_default_dtype(torch.float64)


class RMSNormRef(nn.Module):
    """torch 1.13 has no nn.RMSNorm: the formula of torch >= 2.4's, with its parameter name."""

    def __init__(self, shape, eps=None):
        super().__init__()
        self.shape = [shape] if isinstance(shape, int) else list(shape)
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.shape))

    def forward(self, x):
        eps = self.eps if self.eps is not None else torch.finfo(x.dtype).eps
        dims = tuple(range(-len(self.shape), 0))
        return x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps) * self.weight


def scaled(k, *shape):
    return lambda: [torch.randn(*shape) * k]


def layers():
    cases = []
    add = cases.append
    add(layer_case('convtranspose2d', {'layer': nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
                                       'js': ['ConvTranspose2d', 3, 4, 3, {'stride': 2, 'padding': 1, 'outputPadding': 1}]},
                   rn(2, 3, 4, 5)))
    add(layer_case('convtranspose2d_grouped_dilated',
                   {'layer': nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), groups=2, dilation=(1, 2), bias=False),
                    'js': ['ConvTranspose2d', 4, 6, [3, 2], {'stride': [2, 1], 'groups': 2, 'dilation': [1, 2], 'bias': False}]},
                   rn(2, 4, 3, 4)))
    add(layer_case('convtranspose1d', {'layer': nn.ConvTranspose1d(3, 2, 4, stride=3, padding=1),
                                       'js': ['ConvTranspose1d', 3, 2, 4, {'stride': 3, 'padding': 1}]}, rn(2, 3, 5)))
    add(layer_case('conv3d', {'layer': nn.Conv3d(3, 4, (2, 3, 3), stride=(2, 1, 1), padding=(1, 1, 0)),
                              'js': ['Conv3d', 3, 4, [2, 3, 3], {'stride': [2, 1, 1], 'padding': [1, 1, 0]}]},
                   rn(2, 3, 5, 4, 5)))
    add(layer_case('conv3d_grouped_same', {'layer': nn.Conv3d(4, 4, 3, groups=2, dilation=(2, 1, 1), padding='same'),
                                           'js': ['Conv3d', 4, 4, 3, {'groups': 2, 'dilation': [2, 1, 1], 'padding': 'same'}]},
                   rn(1, 4, 5, 3, 4)))
    add(layer_case('maxpool3d', {'layer': nn.MaxPool3d(2), 'js': ['MaxPool3d', 2]}, rn(2, 2, 4, 4, 6)))
    add(layer_case('maxpool3d_pad_ceil', {'layer': nn.MaxPool3d(3, stride=2, padding=1, ceil_mode=True),
                                          'js': ['MaxPool3d', 3, {'stride': 2, 'padding': 1, 'ceilMode': True}]},
                   rn(1, 2, 6, 5, 6)))
    add(layer_case('avgpool3d', {'layer': nn.AvgPool3d(2), 'js': ['AvgPool3d', 2]}, rn(2, 2, 4, 4, 6)))
    add(layer_case('avgpool3d_pad_nocount_ceil',
                   {'layer': nn.AvgPool3d(3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
                    'js': ['AvgPool3d', 3, {'stride': 2, 'padding': 1, 'countIncludePad': False, 'ceilMode': True}]},
                   rn(1, 2, 6, 5, 6)))
    add(layer_case('avgpool3d_pad_count', {'layer': nn.AvgPool3d((3, 2, 2), stride=(2, 1, 2), padding=(1, 0, 1)),
                                           'js': ['AvgPool3d', [3, 2, 2], {'stride': [2, 1, 2], 'padding': [1, 0, 1]}]},
                   rn(1, 2, 5, 4, 5)))
    add(layer_case('adaptivemaxpool2d', {'layer': nn.AdaptiveMaxPool2d((2, 3)), 'js': ['AdaptiveMaxPool2d', [2, 3]]},
                   rn(2, 2, 5, 7)))
    add(layer_case('adaptiveavgpool1d', {'layer': nn.AdaptiveAvgPool1d(3), 'js': ['AdaptiveAvgPool1d', 3]}, rn(2, 3, 7)))
    add(layer_case('groupnorm', {'layer': nn.GroupNorm(2, 4), 'js': ['GroupNorm', 2, 4]}, rn(3, 4, 5)))
    add(layer_case('groupnorm_noaffine_4d', {'layer': nn.GroupNorm(3, 6, eps=1e-3, affine=False),
                                             'js': ['GroupNorm', 3, 6, {'eps': 1e-3, 'affine': False}]}, rn(2, 6, 3, 2)))
    add(layer_case('instancenorm1d', {'layer': nn.InstanceNorm1d(3), 'js': ['InstanceNorm1d', 3]}, rn(2, 3, 6)))
    add(layer_case('instancenorm2d_affine_track',
                   {'layer': nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3),
                    'js': ['InstanceNorm2d', 3, {'affine': True, 'trackRunningStats': True, 'momentum': 0.3}]},
                   rn(2, 3, 4, 5)))
    inn = nn.InstanceNorm2d(3, track_running_stats=True)
    with torch.no_grad():
        inn.running_mean.copy_(torch.randn(3))
        inn.running_var.copy_(torch.rand(3) + 0.5)
    add(layer_case('instancenorm2d_eval', {'layer': inn, 'js': ['InstanceNorm2d', 3, {'trackRunningStats': True}]},
                   rn(2, 3, 4, 5), train=False))
    add(layer_case('rmsnorm', {'layer': RMSNormRef(5), 'js': ['RMSNorm', 5]}, rn(3, 4, 5)))
    add(layer_case('rmsnorm_2d_eps', {'layer': RMSNormRef([3, 4], eps=1e-3), 'js': ['RMSNorm', [3, 4], {'eps': 1e-3}]},
                   rn(2, 3, 4)))
    add(layer_case('localresponsenorm', {'layer': nn.LocalResponseNorm(3), 'js': ['LocalResponseNorm', 3]}, rn(2, 5, 3, 3)))
    add(layer_case('localresponsenorm_even', {'layer': nn.LocalResponseNorm(4, alpha=1e-1, beta=0.5, k=2.0),
                                              'js': ['LocalResponseNorm', 4, 1e-1, 0.5, 2]}, rn(2, 6, 4)))
    add(layer_case('zeropad2d', {'layer': nn.ZeroPad2d((1, 2, 0, 1)), 'js': ['ZeroPad2d', [1, 2, 0, 1]]}, rn(2, 2, 3, 3)))
    add(layer_case('constantpad2d', {'layer': nn.ConstantPad2d(1, 0.5), 'js': ['ConstantPad2d', 1, 0.5]}, rn(1, 2, 3, 3)))
    add(layer_case('reflectionpad2d', {'layer': nn.ReflectionPad2d((2, 1, 1, 2)), 'js': ['ReflectionPad2d', [2, 1, 1, 2]]},
                   rn(2, 2, 4, 3)))
    add(layer_case('replicationpad2d', {'layer': nn.ReplicationPad2d(2), 'js': ['ReplicationPad2d', 2]}, rn(1, 2, 3, 4)))
    add(layer_case('upsample_nearest', {'layer': nn.Upsample(scale_factor=2), 'js': ['Upsample', {'scaleFactor': 2}]},
                   rn(1, 2, 3, 4)))
    add(layer_case('upsample_nearest_size', {'layer': nn.Upsample(size=(5, 3)), 'js': ['Upsample', {'size': [5, 3]}]},
                   rn(1, 2, 3, 4)))
    for ac in [False, True]:
        add(layer_case(f'upsample_bilinear_ac{int(ac)}',
                       {'layer': nn.Upsample(size=(5, 7), mode='bilinear', align_corners=ac),
                        'js': ['Upsample', {'size': [5, 7], 'mode': 'bilinear', 'alignCorners': ac}]}, rn(2, 2, 3, 4)))
        add(layer_case(f'upsample_bicubic_ac{int(ac)}',
                       {'layer': nn.Upsample(scale_factor=1.5, mode='bicubic', align_corners=ac),
                        'js': ['Upsample', {'scaleFactor': 1.5, 'mode': 'bicubic', 'alignCorners': ac}]}, rn(1, 2, 4, 5)))
        add(layer_case(f'upsample_linear_ac{int(ac)}',
                       {'layer': nn.Upsample(size=7, mode='linear', align_corners=ac),
                        'js': ['Upsample', {'size': 7, 'mode': 'linear', 'alignCorners': ac}]}, rn(2, 3, 4)))
    add(layer_case('upsample_bilinear_down', {'layer': nn.Upsample(scale_factor=0.5, mode='bilinear'),
                                              'js': ['Upsample', {'scaleFactor': 0.5, 'mode': 'bilinear'}]}, rn(1, 2, 6, 7)))
    add(layer_case('upsample_trilinear', {'layer': nn.Upsample(scale_factor=(2, 1.5, 1), mode='trilinear'),
                                          'js': ['Upsample', {'scaleFactor': [2, 1.5, 1], 'mode': 'trilinear'}]},
                   rn(1, 2, 2, 4, 3)))
    add(layer_case('pixelshuffle', {'layer': nn.PixelShuffle(2), 'js': ['PixelShuffle', 2]}, rn(2, 8, 3, 2)))
    add(layer_case('pixelunshuffle', {'layer': nn.PixelUnshuffle(2), 'js': ['PixelUnshuffle', 2]}, rn(2, 2, 4, 6)))
    add(layer_case('unfold', {'layer': nn.Unfold(2, padding=1), 'js': ['Unfold', 2, {'padding': 1}]}, rn(2, 3, 4, 4)))
    add(layer_case('unfold_dilated_strided', {'layer': nn.Unfold((2, 3), dilation=(1, 2), stride=2),
                                              'js': ['Unfold', [2, 3], {'dilation': [1, 2], 'stride': 2}]}, rn(1, 2, 5, 7)))
    add(layer_case('fold', {'layer': nn.Fold((4, 5), 2), 'js': ['Fold', [4, 5], 2]}, rn(2, 12, 12)))
    add(layer_case('fold_pad_stride', {'layer': nn.Fold((5, 5), 3, padding=1, stride=2),
                                       'js': ['Fold', [5, 5], 3, {'padding': 1, 'stride': 2}]}, rn(1, 18, 9)))
    add(layer_case('bilinear', {'layer': nn.Bilinear(3, 4, 2), 'js': ['Bilinear', 3, 4, 2]},
                   lambda: [torch.randn(5, 3), torch.randn(5, 4)]))
    add(layer_case('bilinear_nobias_3d', {'layer': nn.Bilinear(2, 3, 4, bias=False), 'js': ['Bilinear', 2, 3, 4, {'bias': False}]},
                   lambda: [torch.randn(2, 3, 2), torch.randn(2, 3, 3)]))
    add(layer_case('unflatten', {'layer': nn.Unflatten(1, (2, 3)), 'js': ['Unflatten', 1, [2, 3]]}, rn(4, 6, 2)))
    add(layer_case('cosinesimilarity', {'layer': nn.CosineSimilarity(), 'js': ['CosineSimilarity']},
                   lambda: [torch.randn(4, 5), torch.randn(4, 5)]))
    add(layer_case('cosinesimilarity_dim_bcast', {'layer': nn.CosineSimilarity(dim=-1), 'js': ['CosineSimilarity', {'dim': -1}]},
                   lambda: [torch.randn(3, 4, 5), torch.randn(1, 5)]))
    add(layer_case('pairwisedistance', {'layer': nn.PairwiseDistance(), 'js': ['PairwiseDistance']},
                   lambda: [torch.randn(4, 5), torch.randn(4, 5)]))
    add(layer_case('pairwisedistance_p1_keepdim', {'layer': nn.PairwiseDistance(p=1, keepdim=True),
                                                   'js': ['PairwiseDistance', {'p': 1, 'keepdim': True}]},
                   lambda: [torch.randn(4, 5), torch.randn(4, 5)]))
    add(layer_case('pairwisedistance_p3', {'layer': nn.PairwiseDistance(p=3), 'js': ['PairwiseDistance', {'p': 3}]},
                   lambda: [torch.randn(3, 5), torch.randn(3, 5)]))
    add(layer_case('prelu', {'layer': nn.PReLU(), 'js': ['PReLU']}, rn(2, 3, 4)))
    add(layer_case('prelu_channels', {'layer': nn.PReLU(3, init=0.1), 'js': ['PReLU', 3, 0.1]}, rn(2, 3, 4)))
    acts = [(nn.SELU(), ['SELU']), (nn.CELU(0.7), ['CELU', 0.7]), (nn.Mish(), ['Mish']), (nn.Hardswish(), ['Hardswish']),
            (nn.Hardsigmoid(), ['Hardsigmoid']), (nn.Hardtanh(-0.5, 0.8), ['Hardtanh', -0.5, 0.8]), (nn.ReLU6(), ['ReLU6']),
            (nn.LogSigmoid(), ['LogSigmoid']), (nn.Softsign(), ['Softsign']), (nn.Softmin(dim=1), ['Softmin', 1]),
            (nn.GLU(dim=1), ['GLU', 1]), (nn.Softplus(beta=2, threshold=1), ['Softplus', 2, 1])]
    for layer, js in acts:
        # torch's float64 hardsigmoid backward multiplies by the float constant 1.0f/6.0f, and its CELU
        # backward differs from exp(x/alpha) by a few 1e-8 relative: those gradients get float32-level tolerance.
        loose = js[0] in ('Hardsigmoid', 'CELU')
        add(layer_case('act_' + '_'.join(map(str, js)), {'layer': layer, 'js': js}, scaled(4, 2, 4, 3),
                       **({'gradRtol64': 1e-7} if loose else {})))

    def enc_layer(**kw):
        return nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, **kw)

    def dec_layer(**kw):
        return nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, **kw)

    te = nn.TransformerEncoder(enc_layer(), 2, norm=nn.LayerNorm(8))
    add(layer_case('transformer_encoder', {'layer': te, 'js': ['TransformerEncoder', ['TransformerEncoderLayer', 8, 2,
                   {'dimFeedforward': 16, 'dropout': 0}], 2, {'norm': ['LayerNorm', 8]}]}, rn(5, 2, 8), perturb=False))
    add(layer_case('transformer_decoder_layer', {'layer': dec_layer(),
                                                 'js': ['TransformerDecoderLayer', 8, 2, {'dimFeedforward': 16, 'dropout': 0}]},
                   lambda: [torch.randn(4, 2, 8), torch.randn(5, 2, 8)], perturb=False))
    causal = torch.triu(torch.full((4, 4), float('-inf')), diagonal=1)
    kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    dl = dec_layer(norm_first=True, activation='gelu', batch_first=True)
    add(layer_case('transformer_decoder_layer_normfirst_masks',
                   {'layer': dl, 'js': ['TransformerDecoderLayer', 8, 2, {'dimFeedforward': 16, 'dropout': 0, 'normFirst': True,
                                                                        'activation': 'gelu', 'batchFirst': True}]},
                   lambda: [torch.randn(2, 4, 8), torch.randn(2, 5, 8), causal, kpm],
                   call=lambda m, t, mem, tm, mk: m(t, mem, tgt_mask=tm, memory_key_padding_mask=mk), perturb=False,
                   npos=2, optKeys=['tgtMask', 'memoryKeyPaddingMask']))
    td = nn.TransformerDecoder(dec_layer(), 2, norm=nn.LayerNorm(8))
    add(layer_case('transformer_decoder', {'layer': td, 'js': ['TransformerDecoder', ['TransformerDecoderLayer', 8, 2,
                   {'dimFeedforward': 16, 'dropout': 0}], 2, {'norm': ['LayerNorm', 8]}]},
                   lambda: [torch.randn(3, 2, 8), torch.randn(5, 2, 8)], perturb=False))
    tr = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, dropout=0.0)
    add(layer_case('transformer', {'layer': tr, 'js': ['Transformer', {'dModel': 8, 'nhead': 2, 'numEncoderLayers': 2,
                                                                       'numDecoderLayers': 1, 'dimFeedforward': 16, 'dropout': 0}]},
                   lambda: [torch.randn(5, 2, 8), torch.randn(3, 2, 8), causal[:3, :3]],
                   call=lambda m, s, t, tm: m(s, t, tgt_mask=tm), perturb=False, npos=2, optKeys=['tgtMask']))
    return cases


def functional():
    """Calls of tf.F functions: {fn, inputs, args (after the tensors), output, R, grads of sum(out * R)}."""
    torch.manual_seed(2)
    cases = []

    def case(name, fn, js_fn, inputs, js_args, grad_of=(0,)):
        xs = [x.clone().requires_grad_(i in grad_of) for i, x in enumerate(inputs)]
        out = fn(*xs)
        R = torch.randn_like(out)
        g = torch.autograd.grad((out * R).sum(), [xs[i] for i in grad_of], allow_unused=True)
        cases.append({'name': name, 'fn': js_fn, 'args': js_args, 'inputs': [enc(x) for x in inputs],
                      'output': enc(out), 'R': enc(R), 'grads': [enc(gg) if gg is not None else None for gg in g],
                      'gradOf': list(grad_of)})

    x3, x4 = torch.randn(2, 3, 5), torch.randn(2, 2, 4, 5)
    for mode in ['constant', 'reflect', 'replicate', 'circular']:
        case(f'pad_{mode}_3d', lambda x: F.pad(x, (2, 1), mode=mode), 'pad', [x3], [[2, 1], mode])
        case(f'pad_{mode}_4d', lambda x: F.pad(x, (1, 3, 2, 0), mode=mode), 'pad', [x4], [[1, 3, 2, 0], mode])
    case('pad_constant_value_neg', lambda x: F.pad(x, (-1, 2, 1, -2), value=1.5), 'pad', [x4], [[-1, 2, 1, -2], 'constant', 1.5])
    case('pad_constant_3dims', lambda x: F.pad(x, (1, 0, 0, 1, 1, 1)), 'pad', [x4], [[1, 0, 0, 1, 1, 1]])
    case('pad_circular_5d', lambda x: F.pad(x, (1, 1, 2, 0, 1, 1), mode='circular'), 'pad', [torch.randn(1, 2, 3, 3, 4)],
         [[1, 1, 2, 0, 1, 1], 'circular'])
    case('interp_nearest_exact', lambda x: F.interpolate(x, size=(5, 3), mode='nearest-exact'), 'interpolate', [x4],
         [{'size': [5, 3], 'mode': 'nearest-exact'}])
    case('interp_area', lambda x: F.interpolate(x, size=(3, 2), mode='area'), 'interpolate', [x4],
         [{'size': [3, 2], 'mode': 'area'}])
    case('interp_nearest_1d_scale', lambda x: F.interpolate(x, scale_factor=1.7), 'interpolate', [x3], [{'scaleFactor': 1.7}])
    case('interp_bilinear_recompute', lambda x: F.interpolate(x, scale_factor=1.7, mode='bilinear', recompute_scale_factor=True),
         'interpolate', [x4], [{'scaleFactor': 1.7, 'mode': 'bilinear', 'recomputeScaleFactor': True}])
    case('normalize', lambda x: F.normalize(x), 'normalize', [x4], [])
    case('normalize_p1_last', lambda x: F.normalize(x, p=1, dim=-1), 'normalize', [x3], [{'p': 1, 'dim': -1}])
    img = torch.randn(2, 3, 4, 5)
    theta = torch.tensor([[[0.9, -0.3, 0.1], [0.2, 1.1, -0.2]], [[1.2, 0.4, 0.3], [-0.5, 0.8, 0.1]]])
    for ac in [False, True]:
        case(f'affinegrid_ac{int(ac)}', lambda t: F.affine_grid(t, [2, 3, 3, 4], align_corners=ac), 'affineGrid', [theta],
             [[2, 3, 3, 4], {'alignCorners': ac}])
        grid = torch.rand(2, 3, 4, 2) * 4.4 - 2.2
        for pm in ['zeros', 'border', 'reflection']:
            case(f'gridsample_bilinear_{pm}_ac{int(ac)}',
                 lambda x, g: F.grid_sample(x, g, mode='bilinear', padding_mode=pm, align_corners=ac), 'gridSample',
                 [img, grid], [{'mode': 'bilinear', 'paddingMode': pm, 'alignCorners': ac}], grad_of=(0, 1))
        case(f'gridsample_nearest_ac{int(ac)}', lambda x, g: F.grid_sample(x, g, mode='nearest', align_corners=ac),
             'gridSample', [img, grid], [{'mode': 'nearest', 'alignCorners': ac}])
    w = torch.randn(3, 2, 3, 3)
    case('convtranspose2d_fn', lambda x, ww, b: F.conv_transpose2d(x, ww, b, stride=2, padding=1), 'convTranspose2d',
         [torch.randn(1, 3, 3, 4), w, torch.randn(2)], [{'stride': 2, 'padding': 1}], grad_of=(0, 1, 2))
    case('conv3d_fn', lambda x, ww: F.conv3d(x, ww, stride=2, padding=1), 'conv3d',
         [torch.randn(1, 2, 4, 5, 4), torch.randn(3, 2, 3, 2, 3)], [None, {'stride': 2, 'padding': 1}], grad_of=(0, 1))
    case('prelu_fn', lambda x, ww: F.prelu(x, ww), 'prelu', [torch.randn(2, 3, 4), torch.rand(3)], [], grad_of=(0, 1))
    case('lrn_fn', lambda x: F.local_response_norm(x, 2), 'localResponseNorm', [torch.randn(1, 4, 3, 3)], [2])
    case('pixelshuffle_fn', lambda x: F.pixel_shuffle(x, 3), 'pixelShuffle', [torch.randn(9, 2, 2)], [3])
    case('cosinesim_fn', lambda a, b: F.cosine_similarity(a, b, dim=0), 'cosineSimilarity', [torch.randn(4, 3), torch.randn(4, 3)],
         [0], grad_of=(0, 1))
    case('pairwisedist_fn', lambda a, b: F.pairwise_distance(a, b), 'pairwiseDistance', [torch.randn(4, 3), torch.randn(4, 3)],
         [], grad_of=(0, 1))
    case('fold_fn', lambda x: F.fold(x, (3, 4), 2), 'fold', [torch.randn(8, 6)], [[3, 4], 2])
    case('unfold_fn', lambda x: F.unfold(x, 2, stride=2), 'unfold', [torch.randn(1, 2, 4, 4)], [2, {'stride': 2}])
    case('maxpool3d_fn', lambda x: F.max_pool3d(x, 2, stride=1, dilation=(1, 2, 1)), 'maxPool3d', [torch.randn(2, 3, 3, 5, 3)],
         [2, {'stride': 1, 'dilation': [1, 2, 1]}])
    case('avgpool3d_fn', lambda x: F.avg_pool3d(x, (2, 1, 2)), 'avgPool3d', [torch.randn(2, 4, 2, 4)], [[2, 1, 2]])
    return cases


def t64(*shape):
    return torch.randn(*shape)


def losses():
    torch.manual_seed(3)
    cases = []

    def case(name, fn, js_fn, cls, inputs, js_opts, nargs=2, grad_of=(0,)):
        xs = [x.clone().requires_grad_(i in grad_of) for i, x in enumerate(inputs)]
        out = fn(*xs)
        R = torch.randn_like(out)
        g = torch.autograd.grad((out * R).sum(), [xs[i] for i in grad_of], allow_unused=True)
        cases.append({'name': name, 'fn': js_fn, 'cls': cls, 'opts': js_opts, 'nargs': nargs,
                      'inputs': [enc(x) for x in inputs], 'output': enc(out), 'R': enc(R),
                      'grads': [enc(gg) for gg in g], 'gradOf': list(grad_of)})

    logits = t64(6, 5)
    probs = torch.softmax(t64(6, 5), 1)
    w = torch.rand(5) + 0.2
    a, b = t64(6, 4), t64(6, 4)
    y = torch.tensor([1., -1., 1., 1., -1., -1.])
    for red in ['mean', 'sum', 'none']:
        case(f'ce_probs_{red}', lambda x, t: F.cross_entropy(x, t, reduction=red), 'crossEntropy', 'CrossEntropyLoss',
             [logits, probs], {'reduction': red}, grad_of=(0, 1))
        case(f'ce_probs_weight_smooth_{red}', lambda x, t, ww: F.cross_entropy(x, t, weight=ww, label_smoothing=0.2, reduction=red),
             'crossEntropy', 'CrossEntropyLoss', [logits, probs, w], {'reduction': red, 'weight': 2, 'labelSmoothing': 0.2})
        case(f'marginranking_{red}', lambda p, q, t: F.margin_ranking_loss(p, q, t, margin=0.3, reduction=red),
             'marginRankingLoss', 'MarginRankingLoss', [a[:, 0], b[:, 0], y], {'margin': 0.3, 'reduction': red}, nargs=3,
             grad_of=(0, 1))
        case(f'hinge_{red}', lambda x, t: F.hinge_embedding_loss(x, t, margin=0.8, reduction=red), 'hingeEmbeddingLoss',
             'HingeEmbeddingLoss', [a, torch.where(b > 0, 1.0, -1.0)], {'margin': 0.8, 'reduction': red})
        case(f'cosineemb_{red}', lambda p, q, t: F.cosine_embedding_loss(p, q, t, margin=0.1, reduction=red),
             'cosineEmbeddingLoss', 'CosineEmbeddingLoss', [a, b, y], {'margin': 0.1, 'reduction': red}, nargs=3, grad_of=(0, 1))
        case(f'triplet_{red}', lambda p, q, n: F.triplet_margin_loss(p, q, n, margin=1.5, reduction=red), 'tripletMarginLoss',
             'TripletMarginLoss', [a, b, t64(6, 4)], {'margin': 1.5, 'reduction': red}, nargs=3, grad_of=(0, 1, 2))
        case(f'gaussiannll_{red}', lambda x, t, v: F.gaussian_nll_loss(x, t, v, reduction=red), 'gaussianNllLoss',
             'GaussianNLLLoss', [a, b, torch.rand(6, 4) + 0.1], {'reduction': red}, nargs=3, grad_of=(0, 1, 2))
        case(f'poissonnll_{red}', lambda x, t: F.poisson_nll_loss(x, t, reduction=red), 'poissonNllLoss', 'PoissonNLLLoss',
             [a, torch.rand(6, 4) * 3], {'reduction': red}, grad_of=(0, 1))
        case(f'multilabelsoft_{red}', lambda x, t: F.multilabel_soft_margin_loss(x, t, reduction=red),
             'multilabelSoftMarginLoss', 'MultiLabelSoftMarginLoss', [a, (b > 0).double()], {'reduction': red})
    case('ce_probs_kdim', lambda x, t: F.cross_entropy(x, t), 'crossEntropy', 'CrossEntropyLoss',
         [t64(2, 4, 3), torch.softmax(t64(2, 4, 3), 1)], {})
    case('triplet_p1_swap', lambda p, q, n: F.triplet_margin_loss(p, q, n, p=1, swap=True), 'tripletMarginLoss',
         'TripletMarginLoss', [a, b, t64(6, 4)], {'p': 1, 'swap': True}, nargs=3, grad_of=(0, 1, 2))
    case('gaussiannll_full_vecvar_clamped', lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=True, eps=0.05), 'gaussianNllLoss',
         'GaussianNLLLoss', [a, b, torch.rand(6) * 0.1], {'full': True, 'eps': 0.05}, nargs=3, grad_of=(0, 1, 2))
    case('poissonnll_nolog_full', lambda x, t: F.poisson_nll_loss(x, t, log_input=False, full=True), 'poissonNllLoss',
         'PoissonNLLLoss', [torch.rand(6, 4) + 0.1, torch.rand(6, 4) * 3], {'logInput': False, 'full': True}, grad_of=(0, 1))
    case('multilabelsoft_weight', lambda x, t, ww: F.multilabel_soft_margin_loss(x, t, weight=ww), 'multilabelSoftMarginLoss',
         'MultiLabelSoftMarginLoss', [a, (b > 0).double(), torch.rand(4)], {'weight': 2})
    # The class forms of the older functions, through the same path.
    case('mse_cls', lambda x, t: F.mse_loss(x, t), 'mseLoss', 'MSELoss', [a, b], {}, grad_of=(0, 1))
    case('l1_cls_sum', lambda x, t: F.l1_loss(x, t, reduction='sum'), 'l1Loss', 'L1Loss', [a, b], {'reduction': 'sum'})
    case('huber_cls', lambda x, t: F.huber_loss(x, t, delta=0.5), 'huberLoss', 'HuberLoss', [a, b], {'delta': 0.5})
    case('smoothl1_cls', lambda x, t: F.smooth_l1_loss(x, t, beta=0.4), 'smoothL1Loss', 'SmoothL1Loss', [a, b], {'beta': 0.4})
    case('bce_cls', lambda x, t, ww: F.binary_cross_entropy(x, t, weight=ww), 'bceLoss', 'BCELoss',
         [torch.rand(6, 4) * 0.9 + 0.05, torch.rand(6, 4), torch.rand(6, 4)], {'weight': 2})
    case('bcelogits_cls', lambda x, t, pw: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw), 'bceWithLogitsLoss',
         'BCEWithLogitsLoss', [a, torch.rand(6, 4), torch.rand(4) * 2], {'posWeight': 2})
    case('kldiv_cls', lambda x, t: F.kl_div(x, t, reduction='batchmean'), 'klDiv', 'KLDivLoss',
         [logits.log_softmax(1), probs], {'reduction': 'batchmean'})
    tgt = torch.tensor([0, 4, 2, 2, 1, 3])
    case('ce_cls_indices', lambda x, t, ww: F.cross_entropy(x, t, weight=ww, ignore_index=2, label_smoothing=0.1),
         'crossEntropy', 'CrossEntropyLoss', [logits, tgt, w], {'weight': 2, 'ignoreIndex': 2, 'labelSmoothing': 0.1})
    case('nll_cls', lambda x, t: F.nll_loss(x, t, ignore_index=1), 'nllLoss', 'NLLLoss', [logits.log_softmax(1), tgt],
         {'ignoreIndex': 1})
    return cases


def main():
    for name, fn in [('nn_layers_extra', layers), ('nn_functional_extra', functional), ('nn_losses_extra', losses)]:
        data = fn()
        path = os.path.join(OUT, name + '.json')
        with open(path, 'w') as f:
            json.dump({'torch': torch.__version__, 'cases': data}, f, separators=(',', ':'))
        print(f'{path}: {len(data)} cases, {os.path.getsize(path) // 1024} KiB')


if __name__ == '__main__':
    main()
