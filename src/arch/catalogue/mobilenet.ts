/** MobileNetV2, V3 (large, small), V4 (conv small, medium, large) and MnasNet. Results: see index.ts. */
import { timm, tv, type CatalogueEntry } from './types';

/** torchvision's mnasnet<alpha>: channels scaled and rounded by torchvision's _round_to_multiple_of, the head fixed at 1280. */
const mnasnet = (name: string, alpha: string, c: number[], top1: number, resize: number) => ({
  name,
  aliases: name === 'mnasnet1_0' ? ['mnasnet_100'] : [],
  family: 'MnasNet',
  yaml: `
# MnasNet-B1 depth multiplier ${alpha} (Tan et al., CVPR 2019), torchvision's ${name}: the channels below are
# torchvision's, already scaled by ${alpha} and rounded; the 1x1 head keeps 1280. Its first block is a depthwise
# separable conv without shortcut (timm's ds_..._noskip).
name: ${name}
resolution: 224
classes: 1000
act: relu
stem: {channels: ${c[0]}, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: ${c[1]}, kernel: 3, stride: 1, expand: 1}
  - {block: mbconv, repeats: 3, channels: ${c[2]}, kernel: 3, stride: 2, expand: 3}
  - {block: mbconv, repeats: 3, channels: ${c[3]}, kernel: 5, stride: 2, expand: 3}
  - {block: mbconv, repeats: 3, channels: ${c[4]}, kernel: 5, stride: 2, expand: 6}
  - {block: mbconv, repeats: 2, channels: ${c[5]}, kernel: 3, stride: 1, expand: 6}
  - {block: mbconv, repeats: 4, channels: ${c[6]}, kernel: 5, stride: 2, expand: 6}
  - {block: mbconv, repeats: 1, channels: ${c[7]}, kernel: 3, stride: 1, expand: 6}
head: {channels: 1280}
`,
  results: [tv('IMAGENET1K_V1', 224, resize, 'bilinear', top1), ...(name === 'mnasnet1_0' ? [timm('mnasnet_100.rmsp_in1k', 224, 74.672, 0.875, 'bicubic')] : [])],
});

export const MOBILENETS: readonly CatalogueEntry[] = [
  {
    name: 'mobilenet_v2',
    aliases: ['mobilenetv2_100'],
    family: 'MobileNetV2',
    yaml: `
# MobileNetV2 (Sandler et al., CVPR 2018), torchvision's mobilenet_v2 (timm's mobilenetv2_100).
name: mobilenet_v2
resolution: 224
classes: 1000
act: relu6
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6}
  - {block: mbconv, repeats: 3, channels: 32, kernel: 3, stride: 2, expand: 6}
  - {block: mbconv, repeats: 4, channels: 64, kernel: 3, stride: 2, expand: 6}
  - {block: mbconv, repeats: 3, channels: 96, kernel: 3, stride: 1, expand: 6}
  - {block: mbconv, repeats: 3, channels: 160, kernel: 3, stride: 2, expand: 6}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6}
head: {channels: 1280}
dropout: 0.2
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 72.154),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 71.878),
      timm('mobilenetv2_100.ra_in1k', 224, 72.91, 0.875, 'bicubic'),
    ],
  },
  {
    name: 'mobilenet_v3_large',
    aliases: ['mobilenetv3_large_100'],
    family: 'MobileNetV3',
    yaml: `
# MobileNetV3-Large (Howard et al., ICCV 2019), torchvision's mobilenet_v3_large (timm's mobilenetv3_large_100):
# SE on the expanded channels, squeeze rounded to a multiple of 8, ReLU inside, hard-sigmoid gate;
# a 1x1 conv to 960 before pooling and a 1280-wide head after it.
name: mobilenet_v3_large
resolution: 224
classes: 1000
act: hswish
se_from: expanded
se_act: relu
se_gate: hsigmoid
se_round: divisor
stem: {channels: 16, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, act: relu}
  - {block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 2, expand: 4, act: relu}
  - {block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 3, act: relu}
  - {block: mbconv, repeats: 3, channels: 40, kernel: 5, stride: 2, expand: 3, se: 0.25, act: relu}
  - {block: mbconv, repeats: 1, channels: 80, kernel: 3, stride: 2, expand: 6}
  - {block: mbconv, repeats: 1, channels: 80, kernel: 3, stride: 1, expand: 2.5}
  - {block: mbconv, repeats: 2, channels: 80, kernel: 3, stride: 1, expand: 2.3}
  - {block: mbconv, repeats: 2, channels: 112, kernel: 3, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 160, kernel: 5, stride: 2, expand: 6, se: 0.25}
head: {channels: 960, pooled: {channels: 1280}}
dropout: 0.2
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 75.274),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 74.042),
      timm('mobilenetv3_large_100.ra_in1k', 224, 75.784, 0.875, 'bicubic'),
      timm('mobilenetv3_large_100.ra4_e3600_r224_in1k', 224, 76.31, 0.95, 'bicubic'),
      timm('mobilenetv3_large_100.ra4_e3600_r224_in1k', 256, 77.182, 1.0, 'bicubic'),
      timm('mobilenetv3_large_100.miil_in21k_ft_in1k', 224, 77.92, 0.875, 'bilinear'),
    ],
  },
  {
    name: 'mobilenet_v3_small',
    aliases: ['mobilenetv3_small_100'],
    family: 'MobileNetV3',
    yaml: `
# MobileNetV3-Small (Howard et al., ICCV 2019), torchvision's mobilenet_v3_small (timm's mobilenetv3_small_100).
# Expansions as timm writes them (88 = 24 x 3.67 rounded to 8).
name: mobilenet_v3_small
resolution: 224
classes: 1000
act: hswish
se_from: expanded
se_act: relu
se_gate: hsigmoid
se_round: divisor
stem: {channels: 16, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 2, expand: 1, se: 0.25, act: relu}
  - {block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 2, expand: 4.5, act: relu}
  - {block: mbconv, repeats: 1, channels: 24, kernel: 3, stride: 1, expand: 3.67, act: relu}
  - {block: mbconv, repeats: 1, channels: 40, kernel: 5, stride: 2, expand: 4, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 48, kernel: 5, stride: 1, expand: 3, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 96, kernel: 5, stride: 2, expand: 6, se: 0.25}
head: {channels: 576, pooled: {channels: 1024}}
dropout: 0.2
`,
    results: [
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 67.668),
      timm('mobilenetv3_small_100.lamb_in1k', 224, 67.636, 0.875, 'bicubic'),
    ],
  },
  {
    name: 'mobilenetv4_conv_small',
    aliases: [],
    family: 'MobileNetV4',
    yaml: `
# MobileNetV4-Conv-Small (Qin et al., ECCV 2024), timm's mobilenetv4_conv_small: its arch_def as timm writes it
# (universal inverted residuals: ExtraDW, IR and ConvNeXt-like), a 1x1 conv + BN + ReLU head after pooling.
name: mobilenetv4_conv_small
resolution: 224
classes: 1000
act: relu
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - [cn_r1_k3_s2_e1_c32, cn_r1_k1_s1_e1_c32]
  - [cn_r1_k3_s2_e1_c96, cn_r1_k1_s1_e1_c64]
  - [uir_r1_a5_k5_s2_e3_c96, uir_r4_a0_k3_s1_e2_c96, uir_r1_a3_k0_s1_e4_c96]
  - [uir_r1_a3_k3_s2_e6_c128, uir_r1_a5_k5_s1_e4_c128, uir_r1_a0_k5_s1_e4_c128, uir_r1_a0_k5_s1_e3_c128, uir_r2_a0_k3_s1_e4_c128]
  - cn_r1_k1_s1_c960
head: {channels: 0, pooled: {channels: 1280, norm: true}}
`,
    results: [
      timm('mobilenetv4_conv_small.e2400_r224_in1k', 224, 73.756, 0.875, 'bicubic'),
      timm('mobilenetv4_conv_small.e2400_r224_in1k', 256, 74.644, 0.95, 'bicubic'),
      timm('mobilenetv4_conv_small.e1200_r224_in1k', 224, 73.45, 0.875, 'bicubic'),
      timm('mobilenetv4_conv_small.e1200_r224_in1k', 256, 74.282, 0.95, 'bicubic'),
      timm('mobilenetv4_conv_small.e3600_r256_in1k', 256, 74.534, 0.95, 'bicubic'),
      timm('mobilenetv4_conv_small.e3600_r256_in1k', 320, 75.616, 1.0, 'bicubic'),
    ],
  },
  {
    name: 'mobilenetv4_conv_medium',
    aliases: [],
    family: 'MobileNetV4',
    yaml: `
# MobileNetV4-Conv-Medium (Qin et al., ECCV 2024), timm's mobilenetv4_conv_medium: a fused IB, then universal
# inverted residuals, a 1x1 conv + BN + ReLU head after pooling.
name: mobilenetv4_conv_medium
resolution: 256
classes: 1000
act: relu
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - er_r1_k3_s2_e4_c48
  - [uir_r1_a3_k5_s2_e4_c80, uir_r1_a3_k3_s1_e2_c80]
  - [uir_r1_a3_k5_s2_e6_c160, uir_r2_a3_k3_s1_e4_c160, uir_r1_a3_k5_s1_e4_c160, uir_r1_a3_k3_s1_e4_c160, uir_r1_a3_k0_s1_e4_c160, uir_r1_a0_k0_s1_e2_c160, uir_r1_a3_k0_s1_e4_c160]
  - [uir_r1_a5_k5_s2_e6_c256, uir_r1_a5_k5_s1_e4_c256, uir_r2_a3_k5_s1_e4_c256, uir_r1_a0_k0_s1_e4_c256, uir_r1_a3_k0_s1_e4_c256, uir_r1_a3_k5_s1_e2_c256, uir_r1_a5_k5_s1_e4_c256, uir_r2_a0_k0_s1_e4_c256, uir_r1_a5_k0_s1_e2_c256]
  - cn_r1_k1_s1_c960
head: {channels: 0, pooled: {channels: 1280, norm: true}}
`,
    results: [
      timm('mobilenetv4_conv_medium.e500_r256_in1k', 256, 79.916, 0.95, 'bicubic'),
      timm('mobilenetv4_conv_medium.e500_r256_in1k', 320, 80.89, 1.0, 'bicubic'),
      timm('mobilenetv4_conv_medium.e500_r224_in1k', 224, 79.092, 0.95, 'bicubic'),
      timm('mobilenetv4_conv_medium.e500_r224_in1k', 256, 79.836, 1.0, 'bicubic'),
      timm('mobilenetv4_conv_medium.e250_r384_in12k_ft_in1k', 384, 82.776, 0.95, 'bicubic'),
    ],
  },
  {
    name: 'mobilenetv4_conv_large',
    aliases: [],
    family: 'MobileNetV4',
    yaml: `
# MobileNetV4-Conv-Large (Qin et al., ECCV 2024), timm's mobilenetv4_conv_large: a fused IB, then universal
# inverted residuals, a 1x1 conv + BN + ReLU head after pooling.
name: mobilenetv4_conv_large
resolution: 384
classes: 1000
act: relu
stem: {channels: 24, kernel: 3, stride: 2}
stages:
  - er_r1_k3_s2_e4_c48
  - [uir_r1_a3_k5_s2_e4_c96, uir_r1_a3_k3_s1_e4_c96]
  - [uir_r1_a3_k5_s2_e4_c192, uir_r3_a3_k3_s1_e4_c192, uir_r1_a3_k5_s1_e4_c192, uir_r5_a5_k3_s1_e4_c192, uir_r1_a3_k0_s1_e4_c192]
  - [uir_r4_a5_k5_s2_e4_c512, uir_r1_a5_k0_s1_e4_c512, uir_r1_a5_k3_s1_e4_c512, uir_r2_a5_k0_s1_e4_c512, uir_r1_a5_k3_s1_e4_c512, uir_r1_a5_k5_s1_e4_c512, uir_r3_a5_k0_s1_e4_c512]
  - cn_r1_k1_s1_c960
head: {channels: 0, pooled: {channels: 1280, norm: true}}
`,
    results: [
      timm('mobilenetv4_conv_large.e600_r384_in1k', 384, 82.974, 0.95, 'bicubic'),
      timm('mobilenetv4_conv_large.e600_r384_in1k', 448, 83.418, 1.0, 'bicubic'),
      timm('mobilenetv4_conv_large.e500_r256_in1k', 256, 81.864, 0.95, 'bicubic'),
      timm('mobilenetv4_conv_large.e500_r256_in1k', 320, 82.672, 1.0, 'bicubic'),
    ],
  },
  mnasnet('mnasnet0_5', '0.5', [16, 8, 16, 24, 40, 48, 96, 160], 67.734, 256),
  mnasnet('mnasnet0_75', '0.75', [24, 16, 24, 32, 64, 72, 144, 240], 71.18, 232),
  mnasnet('mnasnet1_0', '1.0', [32, 16, 24, 40, 80, 96, 192, 320], 73.456, 256),
  mnasnet('mnasnet1_3', '1.3', [40, 24, 32, 56, 104, 128, 248, 416], 76.506, 232),
];
