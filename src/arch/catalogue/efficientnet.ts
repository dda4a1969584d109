/** EfficientNet B0-B7, EfficientNetV2 S/M/L, EfficientNet-Lite0 and MixNet S/M. Results: see index.ts. */
import { timm, tv, type CatalogueEntry } from './types';

export const EFFICIENTNETS: readonly CatalogueEntry[] = [
  {
    name: 'efficientnet_b0',
    aliases: ['tf_efficientnet_b0'],
    family: 'EfficientNet',
    yaml: `
# EfficientNet-B0 (Tan & Le, ICML 2019), torchvision's efficientnet_b0: B0's stages scaled by width 1.0, depth 1.0
# (channels rounded to multiples of 8, never below 90%; repeats by ceil). timm's tf_efficientnet_b0 is this network
# with TensorFlow SAME padding (same counts).
name: efficientnet_b0
resolution: 224
classes: 1000
width: 1.0
depth: 1.0
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 80, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 112, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.2
`,
    results: [
      tv('IMAGENET1K_V1', 224, 256, 'bicubic', 77.692),
      timm('efficientnet_b0.ra_in1k', 224, 77.698, 0.875, 'bicubic'),
      timm('efficientnet_b0.ra4_e3600_r224_in1k', 224, 78.568, 0.9, 'bicubic'),
      timm('efficientnet_b0.ra4_e3600_r224_in1k', 256, 79.364, 1.0, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_b1',
    aliases: ['tf_efficientnet_b1'],
    family: 'EfficientNet',
    yaml: `
# EfficientNet-B1 (Tan & Le, ICML 2019), torchvision's efficientnet_b1: B0's stages scaled by width 1.0, depth 1.1
# (channels rounded to multiples of 8, never below 90%; repeats by ceil). timm's tf_efficientnet_b1 is this network
# with TensorFlow SAME padding (same counts).
name: efficientnet_b1
resolution: 240
classes: 1000
width: 1.0
depth: 1.1
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 80, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 112, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.2
`,
    results: [
      tv('IMAGENET1K_V2', 240, 255, 'bilinear', 79.838),
      tv('IMAGENET1K_V1', 240, 256, 'bicubic', 78.642),
      timm('efficientnet_b1.ra4_e3600_r240_in1k', 240, 80.404, 0.9, 'bicubic'),
      timm('efficientnet_b1.ra4_e3600_r240_in1k', 288, 81.444, 1.0, 'bicubic'),
      timm('efficientnet_b1.ft_in1k', 224, 77.592, 0.875, 'bicubic'),
      timm('efficientnet_b1.ft_in1k', 256, 78.806, 1.0, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_b2',
    aliases: ['tf_efficientnet_b2'],
    family: 'EfficientNet',
    yaml: `
# EfficientNet-B2 (Tan & Le, ICML 2019), torchvision's efficientnet_b2: B0's stages scaled by width 1.1, depth 1.2
# (channels rounded to multiples of 8, never below 90%; repeats by ceil). timm's tf_efficientnet_b2 is this network
# with TensorFlow SAME padding (same counts).
name: efficientnet_b2
resolution: 288
classes: 1000
width: 1.1
depth: 1.2
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 80, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 112, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.3
`,
    results: [
      tv('IMAGENET1K_V1', 288, 288, 'bicubic', 80.608),
      timm('efficientnet_b2.ra_in1k', 288, 80.612, 1.0, 'bicubic'),
      timm('efficientnet_b2.ra_in1k', 256, 79.324, 0.875, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_b3',
    aliases: ['tf_efficientnet_b3'],
    family: 'EfficientNet',
    yaml: `
# EfficientNet-B3 (Tan & Le, ICML 2019), torchvision's efficientnet_b3: B0's stages scaled by width 1.2, depth 1.4
# (channels rounded to multiples of 8, never below 90%; repeats by ceil). timm's tf_efficientnet_b3 is this network
# with TensorFlow SAME padding (same counts).
name: efficientnet_b3
resolution: 300
classes: 1000
width: 1.2
depth: 1.4
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 80, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 112, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.3
`,
    results: [
      tv('IMAGENET1K_V1', 300, 320, 'bicubic', 82.008),
      timm('efficientnet_b3.ra2_in1k', 288, 81.472, 0.875, 'bicubic'),
      timm('efficientnet_b3.ra2_in1k', 320, 82.296, 1.0, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_b4',
    aliases: ['tf_efficientnet_b4'],
    family: 'EfficientNet',
    yaml: `
# EfficientNet-B4 (Tan & Le, ICML 2019), torchvision's efficientnet_b4: B0's stages scaled by width 1.4, depth 1.8
# (channels rounded to multiples of 8, never below 90%; repeats by ceil). timm's tf_efficientnet_b4 is this network
# with TensorFlow SAME padding (same counts).
name: efficientnet_b4
resolution: 380
classes: 1000
width: 1.4
depth: 1.8
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 80, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 112, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.4
`,
    results: [
      tv('IMAGENET1K_V1', 380, 384, 'bicubic', 83.384),
      timm('tf_efficientnet_b4.in1k', 380, 82.598, 0.922, 'bicubic'),
      timm('tf_efficientnet_b4.ap_in1k', 380, 83.246, 0.922, 'bicubic'),
      timm('tf_efficientnet_b4.ns_jft_in1k', 380, 85.156, 0.922, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_b5',
    aliases: ['tf_efficientnet_b5'],
    family: 'EfficientNet',
    yaml: `
# EfficientNet-B5 (Tan & Le, ICML 2019), torchvision's efficientnet_b5: B0's stages scaled by width 1.6, depth 2.2
# (channels rounded to multiples of 8, never below 90%; repeats by ceil). timm's tf_efficientnet_b5 is this network
# with TensorFlow SAME padding (same counts).
name: efficientnet_b5
resolution: 456
classes: 1000
width: 1.6
depth: 2.2
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 80, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 112, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.4
`,
    results: [
      tv('IMAGENET1K_V1', 456, 456, 'bicubic', 83.444),
      timm('tf_efficientnet_b5.in1k', 456, 83.17, 0.934, 'bicubic'),
      timm('tf_efficientnet_b5.ra_in1k', 456, 83.834, 0.934, 'bicubic'),
      timm('tf_efficientnet_b5.ap_in1k', 456, 84.258, 0.934, 'bicubic'),
      timm('tf_efficientnet_b5.ns_jft_in1k', 456, 86.096, 0.934, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_b6',
    aliases: ['tf_efficientnet_b6'],
    family: 'EfficientNet',
    yaml: `
# EfficientNet-B6 (Tan & Le, ICML 2019), torchvision's efficientnet_b6: B0's stages scaled by width 1.8, depth 2.6
# (channels rounded to multiples of 8, never below 90%; repeats by ceil). timm's tf_efficientnet_b6 is this network
# with TensorFlow SAME padding (same counts).
name: efficientnet_b6
resolution: 528
classes: 1000
width: 1.8
depth: 2.6
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 80, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 112, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.5
`,
    results: [
      tv('IMAGENET1K_V1', 528, 528, 'bicubic', 84.008),
      timm('tf_efficientnet_b6.aa_in1k', 528, 84.124, 0.942, 'bicubic'),
      timm('tf_efficientnet_b6.ap_in1k', 528, 84.794, 0.942, 'bicubic'),
      timm('tf_efficientnet_b6.ns_jft_in1k', 528, 86.476, 0.942, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_b7',
    aliases: ['tf_efficientnet_b7'],
    family: 'EfficientNet',
    yaml: `
# EfficientNet-B7 (Tan & Le, ICML 2019), torchvision's efficientnet_b7: B0's stages scaled by width 2.0, depth 3.1
# (channels rounded to multiples of 8, never below 90%; repeats by ceil). timm's tf_efficientnet_b7 is this network
# with TensorFlow SAME padding (same counts).
name: efficientnet_b7
resolution: 600
classes: 1000
width: 2.0
depth: 3.1
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: mbconv, repeats: 1, channels: 16, kernel: 3, stride: 1, expand: 1, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 24, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 2, channels: 40, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 80, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 3, channels: 112, kernel: 5, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 4, channels: 192, kernel: 5, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 1, channels: 320, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.5
`,
    results: [
      tv('IMAGENET1K_V1', 600, 600, 'bicubic', 84.122),
      timm('tf_efficientnet_b7.ra_in1k', 600, 84.926, 0.949, 'bicubic'),
      timm('tf_efficientnet_b7.ap_in1k', 600, 85.132, 0.949, 'bicubic'),
      timm('tf_efficientnet_b7.ns_jft_in1k', 600, 86.85, 0.949, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_v2_s',
    aliases: ['tf_efficientnetv2_s'],
    family: 'EfficientNetV2',
    yaml: `
# EfficientNetV2-S (Tan & Le, ICML 2021), torchvision's efficientnet_v2_s: fused MBConv stages, then MBConv with SE
# (squeeze = floor(block input / 4)). timm's tf_efficientnetv2_s is this network with TensorFlow SAME padding (same counts).
name: efficientnet_v2_s
resolution: 384
classes: 1000
act: swish
stem: {channels: 24, kernel: 3, stride: 2}
stages:
  - {block: fused_mbconv, repeats: 2, channels: 24, kernel: 3, stride: 1, expand: 1}
  - {block: fused_mbconv, repeats: 4, channels: 48, kernel: 3, stride: 2, expand: 4}
  - {block: fused_mbconv, repeats: 4, channels: 64, kernel: 3, stride: 2, expand: 4}
  - {block: mbconv, repeats: 6, channels: 128, kernel: 3, stride: 2, expand: 4, se: 0.25}
  - {block: mbconv, repeats: 9, channels: 160, kernel: 3, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 15, channels: 256, kernel: 3, stride: 2, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.2
`,
    results: [
      tv('IMAGENET1K_V1', 384, 384, 'bilinear', 84.228),
      timm('tf_efficientnetv2_s.in1k', 384, 83.9, 1.0, 'bicubic'),
      timm('tf_efficientnetv2_s.in1k', 300, 83.162, 1.0, 'bicubic'),
      timm('tf_efficientnetv2_s.in21k_ft_in1k', 384, 84.332, 1.0, 'bicubic'),
      timm('tf_efficientnetv2_s.in21k_ft_in1k', 300, 83.348, 1.0, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_v2_m',
    aliases: ['tf_efficientnetv2_m'],
    family: 'EfficientNetV2',
    yaml: `
# EfficientNetV2-M (Tan & Le, ICML 2021), torchvision's efficientnet_v2_m: fused MBConv stages, then MBConv with SE
# (squeeze = floor(block input / 4)). timm's tf_efficientnetv2_m is this network with TensorFlow SAME padding (same counts).
name: efficientnet_v2_m
resolution: 480
classes: 1000
act: swish
stem: {channels: 24, kernel: 3, stride: 2}
stages:
  - {block: fused_mbconv, repeats: 3, channels: 24, kernel: 3, stride: 1, expand: 1}
  - {block: fused_mbconv, repeats: 5, channels: 48, kernel: 3, stride: 2, expand: 4}
  - {block: fused_mbconv, repeats: 5, channels: 80, kernel: 3, stride: 2, expand: 4}
  - {block: mbconv, repeats: 7, channels: 160, kernel: 3, stride: 2, expand: 4, se: 0.25}
  - {block: mbconv, repeats: 14, channels: 176, kernel: 3, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 18, channels: 304, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 5, channels: 512, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.2
`,
    results: [
      tv('IMAGENET1K_V1', 480, 480, 'bilinear', 85.112),
      timm('tf_efficientnetv2_m.in1k', 480, 85.208, 1.0, 'bicubic'),
      timm('tf_efficientnetv2_m.in1k', 384, 84.554, 1.0, 'bicubic'),
      timm('tf_efficientnetv2_m.in21k_ft_in1k', 480, 86.014, 1.0, 'bicubic'),
    ],
  },
  {
    name: 'efficientnet_v2_l',
    aliases: ['tf_efficientnetv2_l'],
    family: 'EfficientNetV2',
    yaml: `
# EfficientNetV2-L (Tan & Le, ICML 2021), torchvision's efficientnet_v2_l: fused MBConv stages, then MBConv with SE
# (squeeze = floor(block input / 4)). timm's tf_efficientnetv2_l is this network with TensorFlow SAME padding (same counts).
name: efficientnet_v2_l
resolution: 480
classes: 1000
act: swish
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: fused_mbconv, repeats: 4, channels: 32, kernel: 3, stride: 1, expand: 1}
  - {block: fused_mbconv, repeats: 7, channels: 64, kernel: 3, stride: 2, expand: 4}
  - {block: fused_mbconv, repeats: 7, channels: 96, kernel: 3, stride: 2, expand: 4}
  - {block: mbconv, repeats: 10, channels: 192, kernel: 3, stride: 2, expand: 4, se: 0.25}
  - {block: mbconv, repeats: 19, channels: 224, kernel: 3, stride: 1, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 25, channels: 384, kernel: 3, stride: 2, expand: 6, se: 0.25}
  - {block: mbconv, repeats: 7, channels: 640, kernel: 3, stride: 1, expand: 6, se: 0.25}
head: {channels: 1280}
dropout: 0.2
`,
    results: [
      tv('IMAGENET1K_V1', 480, 480, 'bicubic', 85.808),
      timm('tf_efficientnetv2_l.in1k', 480, 85.66, 1.0, 'bicubic'),
      timm('tf_efficientnetv2_l.in1k', 384, 85.202, 1.0, 'bicubic'),
      timm('tf_efficientnetv2_l.in21k_ft_in1k', 480, 86.802, 1.0, 'bicubic'),
    ],
  },
  {
    name: 'tf_efficientnet_lite0',
    aliases: ['efficientnet_lite0'],
    family: 'EfficientNet-Lite',
    yaml: `
# EfficientNet-Lite0 (Google's TPU EfficientNet-Lite), timm's tf_efficientnet_lite0: its arch_def as timm writes it,
# B0 without SE, ReLU6, stem and head fixed, TensorFlow SAME padding (the weights are TensorFlow's).
name: tf_efficientnet_lite0
resolution: 224
classes: 1000
act: relu6
padding: same
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - ds_r1_k3_s1_e1_c16
  - ir_r2_k3_s2_e6_c24
  - ir_r2_k5_s2_e6_c40
  - ir_r3_k3_s2_e6_c80
  - ir_r3_k5_s1_e6_c112
  - ir_r4_k5_s2_e6_c192
  - ir_r1_k3_s1_e6_c320
head: {channels: 1280}
dropout: 0.2
`,
    results: [
      timm('tf_efficientnet_lite0.in1k', 224, 74.846, 0.875, 'bicubic'),
    ],
  },
  {
    name: 'mixnet_s',
    aliases: ['tf_mixnet_s'],
    family: 'MixNet',
    yaml: `
# MixNet-S (Tan & Le, BMVC 2019), timm's mixnet_s: its arch_def as timm writes it. k3.5.7 = mixed depthwise kernels
# (the channels split into equal parts, one kernel each); a1.1 / p1.1 = the 1x1 expansion / projection split in two.
# timm's SE: squeeze = round(block input x se), the block's activation inside, sigmoid gate. tf_mixnet_s is this
# network with TensorFlow SAME padding.
name: mixnet_s
resolution: 224
classes: 1000
act: relu
se_round: round
stem: {channels: 16, kernel: 3, stride: 2}
stages:
  - ds_r1_k3_s1_e1_c16
  - [ir_r1_k3_a1.1_p1.1_s2_e6_c24, ir_r1_k3_a1.1_p1.1_s1_e3_c24]
  - [ir_r1_k3.5.7_s2_e6_c40_se0.5_nsw, ir_r3_k3.5_a1.1_p1.1_s1_e6_c40_se0.5_nsw]
  - [ir_r1_k3.5.7_p1.1_s2_e6_c80_se0.25_nsw, ir_r2_k3.5_p1.1_s1_e6_c80_se0.25_nsw]
  - [ir_r1_k3.5.7_a1.1_p1.1_s1_e6_c120_se0.5_nsw, ir_r2_k3.5.7.9_a1.1_p1.1_s1_e3_c120_se0.5_nsw]
  - [ir_r1_k3.5.7.9.11_s2_e6_c200_se0.5_nsw, ir_r2_k3.5.7.9_p1.1_s1_e6_c200_se0.5_nsw]
head: {channels: 1536}
`,
    results: [
      timm('mixnet_s.ft_in1k', 224, 76.0, 0.875, 'bicubic'),
      timm('tf_mixnet_s.in1k', 224, 75.656, 0.875, 'bicubic'),
    ],
  },
  {
    name: 'mixnet_m',
    aliases: ['tf_mixnet_m'],
    family: 'MixNet',
    yaml: `
# MixNet-M (Tan & Le, BMVC 2019), timm's mixnet_m: its arch_def as timm writes it (see mixnet_s).
name: mixnet_m
resolution: 224
classes: 1000
act: relu
se_round: round
stem: {channels: 24, kernel: 3, stride: 2}
stages:
  - ds_r1_k3_s1_e1_c24
  - [ir_r1_k3.5.7_a1.1_p1.1_s2_e6_c32, ir_r1_k3_a1.1_p1.1_s1_e3_c32]
  - [ir_r1_k3.5.7.9_s2_e6_c40_se0.5_nsw, ir_r3_k3.5_a1.1_p1.1_s1_e6_c40_se0.5_nsw]
  - [ir_r1_k3.5.7_s2_e6_c80_se0.25_nsw, ir_r3_k3.5.7.9_a1.1_p1.1_s1_e6_c80_se0.25_nsw]
  - [ir_r1_k3_s1_e6_c120_se0.5_nsw, ir_r3_k3.5.7.9_a1.1_p1.1_s1_e3_c120_se0.5_nsw]
  - [ir_r1_k3.5.7.9_s2_e6_c200_se0.5_nsw, ir_r3_k3.5.7.9_p1.1_s1_e6_c200_se0.5_nsw]
head: {channels: 1536}
`,
    results: [
      timm('mixnet_m.ft_in1k', 224, 77.268, 0.875, 'bicubic'),
    ],
  },
];
