#!/usr/bin/env python3
"""torchvision's own modules as the reference for frontier-gate's counts and graphs (Debian's python3-torch).

  torchvision-reference.py counts NAME [RESOLUTION]      -> {"params": N, "macs": N}
  torchvision-reference.py counts-timm-only              -> {NAME: {"resolution", "params", "macs"}} for TIMM_ONLY
  torchvision-reference.py weights NAME                  -> [{"tag", "top1", "crop", "resize", "interpolation", "params"}]
  torchvision-reference.py export NAME RESOLUTION FILE   -> writes FILE.onnx (opset 17, batch 1, eval mode)

Counting rule (frontier-gate's README): parameters are every learnable tensor (conv and linear weights and
biases, BN scale and shift; running statistics are buffers); multiply-adds are those of Conv2d and Linear
layers (squeeze-excitation's 1x1 convs included), not the gate's multiply, BN, pooling or additions.
Used to take the numbers asserted in __tests__ (as data) and by `npm run bench` (BENCH=zoo) to export the
networks it measures side by side with frontier-gate's builds.
"""
import json
import sys

import torch
import torchvision


# timm's ResNet-D (resnet26d/50d/101d) is torchvision's ResNet with a deep stem (3x3 convs 32-32-64, the
# first strided) and average-pool shortcuts (AvgPool2d(2, ceil_mode=True, count_include_pad=False) + 1x1):
# built here from torchvision's modules, so they have a reference too.
RESNET_D = {"resnet26d": [2, 2, 2, 2], "resnet50d": [3, 4, 6, 3], "resnet101d": [3, 4, 23, 3]}


def resnet_d(layers):
    nn = torch.nn
    model = torchvision.models.resnet.ResNet(torchvision.models.resnet.Bottleneck, layers)
    model.conv1 = nn.Sequential(
        nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
        nn.Conv2d(32, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
        nn.Conv2d(32, 64, 3, 1, 1, bias=False))
    for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
        conv, bn = layer[0].downsample
        stride = conv.stride[0]
        pool = nn.AvgPool2d(2, stride, ceil_mode=True, count_include_pad=False) if stride > 1 else nn.Identity()
        layer[0].downsample = nn.Sequential(pool, nn.Conv2d(conv.in_channels, conv.out_channels, 1, bias=False), bn)
    return model


# timm-only networks (EfficientNet-Lite0, MixNet-S/M, MobileNetV4-Conv-S/M/L), written here in plain PyTorch
# from their published definitions (the papers' block tables, as the reference implementations' arch_defs state
# them block by block), not with timm's code: an independent check of frontier-gate's counts of them.
#
# Conventions of those definitions: a 1x1 expansion to make_divisible(in x e, 8) channels; batch norm after
# every conv; squeeze-excitation reducing from the block input (round(in x se) channels, the block's
# activation, a sigmoid gate, 1x1 convs with bias); mixed convolutions (MixNet) split the channels into equal
# parts with the remainder in the first, one kernel per part; a residual when stride is 1 and in == out.

def make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def split_channels(channels, parts):
    sizes = [channels // parts] * parts
    sizes[0] += channels - sum(sizes)
    return sizes


class MixedConv(torch.nn.Module):
    """One conv per channel part, each with its own kernel (MixNet); depthwise: groups = the part's channels."""

    def __init__(self, cin, cout, kernels, stride=1, depthwise=False):
        super().__init__()
        self.ins = split_channels(cin, len(kernels))
        outs = split_channels(cout, len(kernels))
        self.convs = torch.nn.ModuleList(
            torch.nn.Conv2d(i, o, k, stride, k // 2, groups=o if depthwise else 1, bias=False)
            for i, o, k in zip(self.ins, outs, kernels))

    def forward(self, x):
        parts = torch.split(x, self.ins, 1)
        return torch.cat([conv(p) for conv, p in zip(self.convs, parts)], 1)


def conv_bn(cin, cout, kernels, stride=1, depthwise=False, act=None):
    layers = [MixedConv(cin, cout, kernels if isinstance(kernels, list) else [kernels], stride, depthwise), torch.nn.BatchNorm2d(cout)]
    return torch.nn.Sequential(*layers, act()) if act else torch.nn.Sequential(*layers)


class SqueezeExcite(torch.nn.Module):
    def __init__(self, channels, reduced, act):
        super().__init__()
        self.reduce = torch.nn.Conv2d(channels, reduced, 1)
        self.act = act()
        self.expand = torch.nn.Conv2d(reduced, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.expand(self.act(self.reduce(s))))


class Block(torch.nn.Module):
    def __init__(self, layers, residual):
        super().__init__()
        self.body = torch.nn.Sequential(*layers)
        self.residual = residual

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def block(cin, spec, act):
    """One block of a definition table (see TIMM_ONLY): kind and its fields."""
    kind, stride, cout = spec["kind"], spec.get("s", 1), spec["c"]
    act = spec.get("act", act)
    layers = []
    if kind == "cn":  # conv, BN, act
        return Block([conv_bn(cin, cout, spec["k"], stride, act=act)], False)
    if kind == "ds":  # depthwise kxk, BN, act; linear 1x1
        layers = [conv_bn(cin, cin, spec["k"], stride, True, act), conv_bn(cin, cout, 1)]
    elif kind == "er":  # fused IB: kxk conv to the expansion, linear 1x1
        mid = make_divisible(cin * spec["e"])
        layers = [conv_bn(cin, mid, spec["k"], stride, act=act), conv_bn(mid, cout, 1)]
    elif kind == "ir":  # inverted residual: 1x1 (or split 1x1s), depthwise (mixed) kxk, SE, linear 1x1
        mid = make_divisible(cin * spec["e"])
        layers = [conv_bn(cin, mid, [1] * spec.get("a", 1), act=act), conv_bn(mid, mid, spec["k"], stride, True, act)]
        if spec.get("se"):
            layers.append(SqueezeExcite(mid, round(cin * spec["se"]), act))
        layers.append(conv_bn(mid, cout, [1] * spec.get("p", 1)))
    elif kind == "uir":  # universal IB: optional depthwise start (no act), 1x1, optional depthwise middle, linear 1x1
        mid = make_divisible(cin * spec["e"])
        start, middle = spec["a"], spec["k"]
        if start:
            layers.append(conv_bn(cin, cin, start, 1 if middle else stride, True))
        layers.append(conv_bn(cin, mid, 1, act=act))
        if middle:
            layers.append(conv_bn(mid, mid, middle, stride, True, act))
        layers.append(conv_bn(mid, cout, 1))
    return Block(layers, stride == 1 and cin == cout)


class Net(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        act = d["act"]
        self.stem = conv_bn(3, d["stem"], 3, 2, act=act)
        blocks, cin = [], d["stem"]
        for spec in d["blocks"]:
            for i in range(spec.get("r", 1)):
                blocks.append(block(cin, dict(spec, s=spec.get("s", 1) if i == 0 else 1), act))
                cin = spec["c"]
        self.blocks = torch.nn.Sequential(*blocks)
        if d.get("pooled"):  # head after pooling (MobileNetV4): 1x1 conv without bias, BN, act
            self.head = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), conv_bn(cin, d["head"], 1, act=act), torch.nn.Flatten())
        else:  # head before pooling: 1x1 conv, BN, act
            self.head = torch.nn.Sequential(conv_bn(cin, d["head"], 1, act=act), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
        self.classifier = torch.nn.Linear(d["head"], 1000)

    def forward(self, x):
        return self.classifier(self.head(self.blocks(self.stem(x))))


def ir(r, k, s, e, c, **kw):
    return dict(kind="ir", r=r, k=k, s=s, e=e, c=c, **kw)


def uir(r, a, k, s, e, c):
    return dict(kind="uir", r=r, a=a, k=k, s=s, e=e, c=c)


SW = torch.nn.SiLU
MNV4_TAIL = [dict(kind="cn", k=1, c=960)]
TIMM_ONLY = {
    # EfficientNet-Lite0: EfficientNet-B0's table without SE, ReLU6, stem 32 and head 1280 fixed.
    "tf_efficientnet_lite0": dict(act=torch.nn.ReLU6, stem=32, head=1280, blocks=[
        dict(kind="ds", k=3, c=16), ir(2, 3, 2, 6, 24), ir(2, 5, 2, 6, 40), ir(3, 3, 2, 6, 80), ir(3, 5, 1, 6, 112),
        ir(4, 5, 2, 6, 192), ir(1, 3, 1, 6, 320)]),
    # MixNet-S and -M (Tan & Le 2019): mixed kernels per block, split 1x1s (a, p: parts), swish where SE is used.
    "mixnet_s": dict(act=torch.nn.ReLU, stem=16, head=1536, blocks=[
        dict(kind="ds", k=3, c=16),
        ir(1, [3], 2, 6, 24, a=2, p=2), ir(1, [3], 1, 3, 24, a=2, p=2),
        ir(1, [3, 5, 7], 2, 6, 40, se=0.5, act=SW), ir(3, [3, 5], 1, 6, 40, a=2, p=2, se=0.5, act=SW),
        ir(1, [3, 5, 7], 2, 6, 80, p=2, se=0.25, act=SW), ir(2, [3, 5], 1, 6, 80, p=2, se=0.25, act=SW),
        ir(1, [3, 5, 7], 1, 6, 120, a=2, p=2, se=0.5, act=SW), ir(2, [3, 5, 7, 9], 1, 3, 120, a=2, p=2, se=0.5, act=SW),
        ir(1, [3, 5, 7, 9, 11], 2, 6, 200, se=0.5, act=SW), ir(2, [3, 5, 7, 9], 1, 6, 200, p=2, se=0.5, act=SW)]),
    "mixnet_m": dict(act=torch.nn.ReLU, stem=24, head=1536, blocks=[
        dict(kind="ds", k=3, c=24),
        ir(1, [3, 5, 7], 2, 6, 32, a=2, p=2), ir(1, [3], 1, 3, 32, a=2, p=2),
        ir(1, [3, 5, 7, 9], 2, 6, 40, se=0.5, act=SW), ir(3, [3, 5], 1, 6, 40, a=2, p=2, se=0.5, act=SW),
        ir(1, [3, 5, 7], 2, 6, 80, se=0.25, act=SW), ir(3, [3, 5, 7, 9], 1, 6, 80, a=2, p=2, se=0.25, act=SW),
        ir(1, [3], 1, 6, 120, se=0.5, act=SW), ir(3, [3, 5, 7, 9], 1, 3, 120, a=2, p=2, se=0.5, act=SW),
        ir(1, [3, 5, 7, 9], 2, 6, 200, se=0.5, act=SW), ir(3, [3, 5, 7, 9], 1, 6, 200, p=2, se=0.5, act=SW)]),
    # MobileNetV4-Conv (Qin et al. 2024): universal inverted bottlenecks (a: start depthwise, k: middle depthwise).
    "mobilenetv4_conv_small": dict(act=torch.nn.ReLU, stem=32, head=1280, pooled=True, blocks=[
        dict(kind="cn", k=3, s=2, c=32), dict(kind="cn", k=1, c=32), dict(kind="cn", k=3, s=2, c=96), dict(kind="cn", k=1, c=64),
        uir(1, 5, 5, 2, 3, 96), uir(4, 0, 3, 1, 2, 96), uir(1, 3, 0, 1, 4, 96),
        uir(1, 3, 3, 2, 6, 128), uir(1, 5, 5, 1, 4, 128), uir(1, 0, 5, 1, 4, 128), uir(1, 0, 5, 1, 3, 128), uir(2, 0, 3, 1, 4, 128)] + MNV4_TAIL),
    "mobilenetv4_conv_medium": dict(act=torch.nn.ReLU, stem=32, head=1280, pooled=True, blocks=[
        dict(kind="er", k=3, s=2, e=4, c=48),
        uir(1, 3, 5, 2, 4, 80), uir(1, 3, 3, 1, 2, 80),
        uir(1, 3, 5, 2, 6, 160), uir(2, 3, 3, 1, 4, 160), uir(1, 3, 5, 1, 4, 160), uir(1, 3, 3, 1, 4, 160), uir(1, 3, 0, 1, 4, 160),
        uir(1, 0, 0, 1, 2, 160), uir(1, 3, 0, 1, 4, 160),
        uir(1, 5, 5, 2, 6, 256), uir(1, 5, 5, 1, 4, 256), uir(2, 3, 5, 1, 4, 256), uir(1, 0, 0, 1, 4, 256), uir(1, 3, 0, 1, 4, 256),
        uir(1, 3, 5, 1, 2, 256), uir(1, 5, 5, 1, 4, 256), uir(2, 0, 0, 1, 4, 256), uir(1, 5, 0, 1, 2, 256)] + MNV4_TAIL),
    "mobilenetv4_conv_large": dict(act=torch.nn.ReLU, stem=24, head=1280, pooled=True, blocks=[
        dict(kind="er", k=3, s=2, e=4, c=48),
        uir(1, 3, 5, 2, 4, 96), uir(1, 3, 3, 1, 4, 96),
        uir(1, 3, 5, 2, 4, 192), uir(3, 3, 3, 1, 4, 192), uir(1, 3, 5, 1, 4, 192), uir(5, 5, 3, 1, 4, 192), uir(1, 3, 0, 1, 4, 192),
        uir(4, 5, 5, 2, 4, 512), uir(1, 5, 0, 1, 4, 512), uir(1, 5, 3, 1, 4, 512), uir(2, 5, 0, 1, 4, 512), uir(1, 5, 3, 1, 4, 512),
        uir(1, 5, 5, 1, 4, 512), uir(3, 5, 0, 1, 4, 512)] + MNV4_TAIL),
}


# The resolution each is counted at (the catalogue entry's).
TIMM_ONLY_RESOLUTION = {"tf_efficientnet_lite0": 224, "mixnet_s": 224, "mixnet_m": 224, "mobilenetv4_conv_small": 224,
                        "mobilenetv4_conv_medium": 256, "mobilenetv4_conv_large": 384}


def model_of(name):
    if name in RESNET_D:
        return resnet_d(RESNET_D[name]).eval()
    if name in TIMM_ONLY:
        return Net(TIMM_ONLY[name]).eval()
    return torchvision.models.get_model(name, weights=None).eval()


def counts(name, resolution=224):
    model = model_of(name)
    params = sum(p.numel() for p in model.parameters())
    macs = [0]

    def conv_hook(m, inp, out):
        per_out = (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        macs[0] += out.numel() // out.shape[0] * per_out

    def linear_hook(m, inp, out):
        macs[0] += m.in_features * m.out_features

    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear_hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, resolution, resolution))
    return {"params": params, "macs": macs[0]}


def weights(name):
    out = []
    for w in torchvision.models.get_model_weights(name):
        t = w.transforms()
        metrics = w.meta.get("_metrics", {}).get("ImageNet-1K", {})
        out.append({
            "tag": w.name,
            "top1": metrics.get("acc@1"),
            "crop": t.crop_size[0],
            "resize": t.resize_size[0],
            "interpolation": t.interpolation.value,
            "params": w.meta.get("num_params"),
        })
    return out


def export(name, resolution, path):
    model = model_of(name)
    torch.onnx.export(model, torch.randn(1, 3, resolution, resolution), path, opset_version=17,
                      input_names=["input"], output_names=["output"], do_constant_folding=True)


def main(argv):
    if argv == ["counts-timm-only"]:
        print(json.dumps({n: dict(resolution=r, **counts(n, r)) for n, r in TIMM_ONLY_RESOLUTION.items()}))
    elif len(argv) >= 2 and argv[0] == "counts":
        print(json.dumps(counts(argv[1], int(argv[2]) if len(argv) > 2 else 224)))
    elif len(argv) == 2 and argv[0] == "weights":
        print(json.dumps(weights(argv[1])))
    elif len(argv) == 4 and argv[0] == "export":
        export(argv[1], int(argv[2]), argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
