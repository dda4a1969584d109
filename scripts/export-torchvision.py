#!/usr/bin/python3
"""Exports a few torchvision models to ONNX for the ONNX-input tests, with the framework's own numbers.

Usage: /usr/bin/python3 scripts/export-torchvision.py OUT_DIR

Random weights (weights=None: nothing is downloaded). Each model is exported in eval mode (the exporter
folds batch norm into the convolutions) at a different opset, one with dynamic batch and spatial axes.
squeezenet1_1 is also converted to fp16 (squeezenet1_1_fp16.onnx). OUT_DIR/manifest.json lists every file with what PyTorch says about the model:
  params       sum of p.numel() over model.parameters() (BN scale and shift included, running stats not)
  bn_channels  channels of every BatchNorm2d (the params that folding turns into conv biases)
  macs         multiply-adds of Conv2d and Linear layers at the exported input, from forward hooks
  published    torchvision's own num_params for the architecture (weights metadata, no download)
"""
import json
import os
import sys

import onnx
import onnx.numpy_helper
import torch
import torchvision

OUT = sys.argv[1] if len(sys.argv) > 1 else ".cache/torchvision-onnx"

# name, constructor, weights enum (metadata only), resolution, opset, dynamic axes
MODELS = [
    ("resnet18", torchvision.models.resnet18, torchvision.models.ResNet18_Weights.IMAGENET1K_V1, 224, 11, False),
    ("mobilenet_v3_small", torchvision.models.mobilenet_v3_small, torchvision.models.MobileNet_V3_Small_Weights.IMAGENET1K_V1, 224, 13, True),
    ("efficientnet_b0", torchvision.models.efficientnet_b0, torchvision.models.EfficientNet_B0_Weights.IMAGENET1K_V1, 224, 17, False),
    ("squeezenet1_1", torchvision.models.squeezenet1_1, torchvision.models.SqueezeNet1_1_Weights.IMAGENET1K_V1, 224, 15, False),
]


def macs_of(model, x):
    total = [0]

    def conv_hook(m, inp, out):
        total[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inp, out):
        total[0] += out.numel() * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total[0]


def to_fp16(src, dst):
    """The fp32 export with every float tensor in fp16 (as onnxconverter-common's float16 conversion does for
    graphs whose ops all take fp16): PyTorch 1.13 cannot trace a half model on the CPU."""
    model = onnx.load(src)
    for t in model.graph.initializer:
        if t.data_type == onnx.TensorProto.FLOAT:
            t.CopyFrom(onnx.numpy_helper.from_array(onnx.numpy_helper.to_array(t).astype("float16"), t.name))
    for v in list(model.graph.input) + list(model.graph.output) + list(model.graph.value_info):
        if v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT:
            v.type.tensor_type.elem_type = onnx.TensorProto.FLOAT16
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    manifest = []
    for name, ctor, weights, res, opset, dynamic in MODELS:
        model = ctor(weights=None).eval()
        x = torch.randn(1, 3, res, res)
        path = os.path.join(OUT, f"{name}.onnx")
        axes = {"input": {0: "batch", 2: "height", 3: "width"}, "output": {0: "batch"}} if dynamic else None
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                          dynamic_axes=axes, do_constant_folding=True)
        bn = [m.num_features for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        manifest.append({
            "name": name, "file": f"{name}.onnx", "opset": opset, "resolution": res, "dynamic": dynamic,
            "params": sum(p.numel() for p in model.parameters()),
            "bn_channels": sum(bn), "bn_layers": len(bn),
            "macs": macs_of(model, x),
            "published": {"num_params": weights.meta["num_params"], "source": f"torchvision {torchvision.__version__} {weights}"},
        })
    fp32 = next(m for m in manifest if m["name"] == "squeezenet1_1")
    to_fp16(os.path.join(OUT, fp32["file"]), os.path.join(OUT, "squeezenet1_1_fp16.onnx"))
    manifest.append({**fp32, "name": "squeezenet1_1_fp16", "file": "squeezenet1_1_fp16.onnx", "precision": "fp16"})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "models": manifest}, f, indent=1)
    print(f"export-torchvision: {len(manifest)} models in {OUT}")


if __name__ == "__main__":
    main()
