/** ResNet, ResNet-D, Wide ResNet and ResNeXt: torchvision's layouts (timm's ResNet-D). Results: see index.ts. */
import { timm, tv, type CatalogueEntry } from './types';

export const RESNETS: readonly CatalogueEntry[] = [
  {
    name: 'resnet18',
    aliases: [],
    family: 'ResNet',
    yaml: `
# ResNet-18 (He et al., CVPR 2016), torchvision's resnet18: basic blocks, the stride on the first 3x3.
name: resnet18
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: basic, repeats: 2, channels: 64, kernel: 3, stride: 1, expand: 1}
  - {block: basic, repeats: 2, channels: 128, kernel: 3, stride: 2, expand: 1}
  - {block: basic, repeats: 2, channels: 256, kernel: 3, stride: 2, expand: 1}
  - {block: basic, repeats: 2, channels: 512, kernel: 3, stride: 2, expand: 1}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 69.758),
      timm('resnet18.a1_in1k', 288, 73.164, 1.0, 'bicubic'),
      timm('resnet18.tv_in1k', 224, 69.752, 0.875, 'bilinear'),
    ],
  },
  {
    name: 'resnet34',
    aliases: [],
    family: 'ResNet',
    yaml: `
# ResNet-34 (He et al., CVPR 2016), torchvision's resnet34.
name: resnet34
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: basic, repeats: 3, channels: 64, kernel: 3, stride: 1, expand: 1}
  - {block: basic, repeats: 4, channels: 128, kernel: 3, stride: 2, expand: 1}
  - {block: basic, repeats: 6, channels: 256, kernel: 3, stride: 2, expand: 1}
  - {block: basic, repeats: 3, channels: 512, kernel: 3, stride: 2, expand: 1}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 73.314),
    ],
  },
  {
    name: 'resnet50',
    aliases: [],
    family: 'ResNet',
    yaml: `
# ResNet-50 v1.5 (He et al., CVPR 2016), torchvision's resnet50: bottlenecks with the stride on the 3x3, middle = out x 0.25.
name: resnet50
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 0.25}
  - {block: bottleneck, repeats: 4, channels: 512, kernel: 3, stride: 2, expand: 0.25}
  - {block: bottleneck, repeats: 6, channels: 1024, kernel: 3, stride: 2, expand: 0.25}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 0.25}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 80.858),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 76.13),
      timm('resnet50.a1_in1k', 288, 81.24, 1.0, 'bicubic'),
      timm('resnet50.a1_in1k', 224, 80.382, 0.95, 'bicubic'),
      timm('resnet50.tv2_in1k', 224, 80.846, 0.965, 'bilinear'),
      timm('resnet50.tv_in1k', 224, 76.156, 0.875, 'bilinear'),
    ],
  },
  {
    name: 'resnet101',
    aliases: [],
    family: 'ResNet',
    yaml: `
# ResNet-101 v1.5 (He et al., CVPR 2016), torchvision's resnet101.
name: resnet101
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 0.25}
  - {block: bottleneck, repeats: 4, channels: 512, kernel: 3, stride: 2, expand: 0.25}
  - {block: bottleneck, repeats: 23, channels: 1024, kernel: 3, stride: 2, expand: 0.25}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 0.25}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 81.886),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 77.374),
    ],
  },
  {
    name: 'resnet152',
    aliases: [],
    family: 'ResNet',
    yaml: `
# ResNet-152 v1.5 (He et al., CVPR 2016), torchvision's resnet152.
name: resnet152
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 0.25}
  - {block: bottleneck, repeats: 8, channels: 512, kernel: 3, stride: 2, expand: 0.25}
  - {block: bottleneck, repeats: 36, channels: 1024, kernel: 3, stride: 2, expand: 0.25}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 0.25}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 82.284),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 78.312),
    ],
  },
  {
    name: 'wide_resnet50_2',
    aliases: [],
    family: 'Wide ResNet',
    yaml: `
# Wide ResNet-50-2 (Zagoruyko & Komodakis, BMVC 2016), torchvision's wide_resnet50_2: bottlenecks twice as wide inside (middle = out x 0.5).
name: wide_resnet50_2
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 0.5}
  - {block: bottleneck, repeats: 4, channels: 512, kernel: 3, stride: 2, expand: 0.5}
  - {block: bottleneck, repeats: 6, channels: 1024, kernel: 3, stride: 2, expand: 0.5}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 0.5}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 81.602),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 78.468),
    ],
  },
  {
    name: 'resnext50_32x4d',
    aliases: [],
    family: 'ResNeXt',
    yaml: `
# ResNeXt-50 32x4d (Xie et al., CVPR 2017), torchvision's resnext50_32x4d: cardinality 32, 4 channels per group in the first stage (middle = out x 0.5).
name: resnext50_32x4d
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 0.5, groups: 32}
  - {block: bottleneck, repeats: 4, channels: 512, kernel: 3, stride: 2, expand: 0.5, groups: 32}
  - {block: bottleneck, repeats: 6, channels: 1024, kernel: 3, stride: 2, expand: 0.5, groups: 32}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 0.5, groups: 32}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 81.198),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 77.618),
      timm('resnext50_32x4d.a1h_in1k', 288, 82.016, 1.0, 'bicubic'),
      timm('resnext50_32x4d.tv2_in1k', 224, 81.19, 0.965, 'bilinear'),
      timm('resnext50_32x4d.tv_in1k', 224, 77.632, 0.875, 'bilinear'),
    ],
  },
  {
    name: 'resnext101_32x8d',
    aliases: [],
    family: 'ResNeXt',
    yaml: `
# ResNeXt-101 32x8d (Xie et al., CVPR 2017), torchvision's resnext101_32x8d: cardinality 32, middle = out.
name: resnext101_32x8d
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 1, groups: 32}
  - {block: bottleneck, repeats: 4, channels: 512, kernel: 3, stride: 2, expand: 1, groups: 32}
  - {block: bottleneck, repeats: 23, channels: 1024, kernel: 3, stride: 2, expand: 1, groups: 32}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 1, groups: 32}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 82.834),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 79.312),
    ],
  },
  {
    name: 'resnext101_64x4d',
    aliases: [],
    family: 'ResNeXt',
    yaml: `
# ResNeXt-101 64x4d (Xie et al., CVPR 2017), torchvision's resnext101_64x4d: cardinality 64, middle = out.
name: resnext101_64x4d
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 7, stride: 2, act: relu, pool: max}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 1, groups: 64}
  - {block: bottleneck, repeats: 4, channels: 512, kernel: 3, stride: 2, expand: 1, groups: 64}
  - {block: bottleneck, repeats: 23, channels: 1024, kernel: 3, stride: 2, expand: 1, groups: 64}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 1, groups: 64}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V1', 224, 232, 'bilinear', 83.246),
    ],
  },
  {
    name: 'resnet26d',
    aliases: [],
    family: 'ResNet-D',
    yaml: `
# ResNet-26-D (He et al., "Bag of Tricks", CVPR 2019), timm's resnet26d: ResNet-26 bottlenecks with
# timm's stem_type 'deep' (three 3x3 convs, 32-32-64, the first strided) and avg_down shortcuts
# (2x2 average pool, ceil mode, then a 1x1 conv).
name: resnet26d
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 3, stride: 2, act: relu, pool: max, deep: [32, 32]}
stages:
  - {block: bottleneck, repeats: 2, channels: 256, kernel: 3, stride: 1, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 2, channels: 512, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 2, channels: 1024, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 2, channels: 2048, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
head: {channels: 0}
`,
    results: [
      timm('resnet26d.bt_in1k', 224, 76.698, 0.875, 'bicubic'),
      timm('resnet26d.bt_in1k', 288, 77.422, 0.95, 'bicubic'),
    ],
  },
  {
    name: 'resnet50d',
    aliases: [],
    family: 'ResNet-D',
    yaml: `
# ResNet-50-D (He et al., "Bag of Tricks", CVPR 2019), timm's resnet50d: ResNet-50 bottlenecks with
# timm's stem_type 'deep' (three 3x3 convs, 32-32-64, the first strided) and avg_down shortcuts
# (2x2 average pool, ceil mode, then a 1x1 conv).
name: resnet50d
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 3, stride: 2, act: relu, pool: max, deep: [32, 32]}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 4, channels: 512, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 6, channels: 1024, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
head: {channels: 0}
`,
    results: [
      timm('resnet50d.ra2_in1k', 224, 80.546, 0.875, 'bicubic'),
      timm('resnet50d.ra2_in1k', 288, 81.354, 0.95, 'bicubic'),
      timm('resnet50d.a1_in1k', 224, 80.73, 0.95, 'bicubic'),
      timm('resnet50d.a1_in1k', 288, 81.466, 1.0, 'bicubic'),
      timm('resnet50d.ra4_e3600_r224_in1k', 224, 80.956, 0.95, 'bicubic'),
      timm('resnet50d.ra4_e3600_r224_in1k', 288, 81.84, 1.0, 'bicubic'),
      timm('resnet50d.gluon_in1k', 224, 79.08, 0.875, 'bicubic'),
    ],
  },
  {
    name: 'resnet101d',
    aliases: [],
    family: 'ResNet-D',
    yaml: `
# ResNet-101-D (He et al., "Bag of Tricks", CVPR 2019), timm's resnet101d: ResNet-101 bottlenecks with
# timm's stem_type 'deep' (three 3x3 convs, 32-32-64, the first strided) and avg_down shortcuts
# (2x2 average pool, ceil mode, then a 1x1 conv).
name: resnet101d
resolution: 224
classes: 1000
act: relu
stem: {channels: 64, kernel: 3, stride: 2, act: relu, pool: max, deep: [32, 32]}
stages:
  - {block: bottleneck, repeats: 3, channels: 256, kernel: 3, stride: 1, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 4, channels: 512, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 23, channels: 1024, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
  - {block: bottleneck, repeats: 3, channels: 2048, kernel: 3, stride: 2, expand: 0.25, downsample: avgpool}
head: {channels: 0}
`,
    results: [
      timm('resnet101d.gluon_in1k', 224, 80.466, 0.875, 'bicubic'),
      timm('resnet101d.ra2_in1k', 256, 82.254, 0.95, 'bicubic'),
      timm('resnet101d.ra2_in1k', 320, 83.02, 1.0, 'bicubic'),
    ],
  },
];
