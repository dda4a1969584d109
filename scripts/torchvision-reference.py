#!/usr/bin/env python3
"""torchvision's own modules as the reference for frontier-gate's counts and graphs (Debian's python3-torch).

  torchvision-reference.py counts NAME [RESOLUTION]      -> {"params": N, "macs": N}
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


def model_of(name):
    if name in RESNET_D:
        return resnet_d(RESNET_D[name]).eval()
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
    if len(argv) >= 2 and argv[0] == "counts":
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
