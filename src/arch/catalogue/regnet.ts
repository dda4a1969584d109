/** RegNetX and RegNetY: torchvision's regnet_* (explicit stage widths and depths as torchvision derives them). Results: see index.ts. */
import { timm, tv, type CatalogueEntry } from './types';

export const REGNETS: readonly CatalogueEntry[] = [
  {
    name: 'regnet_x_400mf',
    aliases: [],
    family: 'RegNetX',
    yaml: `
# RegNetX-400MF (Radosavovic et al., CVPR 2020), torchvision's regnet_x_400mf: residual bottlenecks
# (bottleneck multiplier 1) with group width 16.
name: regnet_x_400mf
resolution: 224
classes: 1000
act: relu
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: bottleneck, repeats: 1, channels: 32, kernel: 3, stride: 2, group_width: 16}
  - {block: bottleneck, repeats: 2, channels: 64, kernel: 3, stride: 2, group_width: 16}
  - {block: bottleneck, repeats: 7, channels: 160, kernel: 3, stride: 2, group_width: 16}
  - {block: bottleneck, repeats: 12, channels: 400, kernel: 3, stride: 2, group_width: 16}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 74.864),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 72.834),
    ],
  },
  {
    name: 'regnet_x_800mf',
    aliases: [],
    family: 'RegNetX',
    yaml: `
# RegNetX-800MF (Radosavovic et al., CVPR 2020), torchvision's regnet_x_800mf: residual bottlenecks
# (bottleneck multiplier 1) with group width 16.
name: regnet_x_800mf
resolution: 224
classes: 1000
act: relu
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: bottleneck, repeats: 1, channels: 64, kernel: 3, stride: 2, group_width: 16}
  - {block: bottleneck, repeats: 3, channels: 128, kernel: 3, stride: 2, group_width: 16}
  - {block: bottleneck, repeats: 7, channels: 288, kernel: 3, stride: 2, group_width: 16}
  - {block: bottleneck, repeats: 5, channels: 672, kernel: 3, stride: 2, group_width: 16}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 77.522),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 75.212),
    ],
  },
  {
    name: 'regnet_x_1_6gf',
    aliases: [],
    family: 'RegNetX',
    yaml: `
# RegNetX-1.6GF (Radosavovic et al., CVPR 2020), torchvision's regnet_x_1_6gf: residual bottlenecks
# (bottleneck multiplier 1) with group width 24.
name: regnet_x_1_6gf
resolution: 224
classes: 1000
act: relu
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: bottleneck, repeats: 2, channels: 72, kernel: 3, stride: 2, group_width: 24}
  - {block: bottleneck, repeats: 4, channels: 168, kernel: 3, stride: 2, group_width: 24}
  - {block: bottleneck, repeats: 10, channels: 408, kernel: 3, stride: 2, group_width: 24}
  - {block: bottleneck, repeats: 2, channels: 912, kernel: 3, stride: 2, group_width: 24}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 79.668),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 77.04),
    ],
  },
  {
    name: 'regnet_x_3_2gf',
    aliases: [],
    family: 'RegNetX',
    yaml: `
# RegNetX-3.2GF (Radosavovic et al., CVPR 2020), torchvision's regnet_x_3_2gf: residual bottlenecks
# (bottleneck multiplier 1) with group width 48.
name: regnet_x_3_2gf
resolution: 224
classes: 1000
act: relu
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: bottleneck, repeats: 2, channels: 96, kernel: 3, stride: 2, group_width: 48}
  - {block: bottleneck, repeats: 6, channels: 192, kernel: 3, stride: 2, group_width: 48}
  - {block: bottleneck, repeats: 15, channels: 432, kernel: 3, stride: 2, group_width: 48}
  - {block: bottleneck, repeats: 2, channels: 1008, kernel: 3, stride: 2, group_width: 48}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 81.196),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 78.364),
    ],
  },
  {
    name: 'regnet_y_400mf',
    aliases: ['regnety_004'],
    family: 'RegNetY',
    yaml: `
# RegNetY-400MF (Radosavovic et al., CVPR 2020), torchvision's regnet_y_400mf: residual bottlenecks
# (bottleneck multiplier 1) with group width 8, SE from the block input (ratio 0.25, round), ReLU inside the SE.
name: regnet_y_400mf
resolution: 224
classes: 1000
act: relu
se_round: round
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: bottleneck, repeats: 1, channels: 48, kernel: 3, stride: 2, group_width: 8, se: 0.25}
  - {block: bottleneck, repeats: 3, channels: 104, kernel: 3, stride: 2, group_width: 8, se: 0.25}
  - {block: bottleneck, repeats: 6, channels: 208, kernel: 3, stride: 2, group_width: 8, se: 0.25}
  - {block: bottleneck, repeats: 6, channels: 440, kernel: 3, stride: 2, group_width: 8, se: 0.25}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 75.804),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 74.046),
      timm('regnety_004.tv2_in1k', 224, 75.594, 0.965, 'bicubic'),
      timm('regnety_004.pycls_in1k', 224, 74.004, 0.875, 'bicubic'),
    ],
  },
  {
    name: 'regnet_y_800mf',
    aliases: [],
    family: 'RegNetY',
    yaml: `
# RegNetY-800MF (Radosavovic et al., CVPR 2020), torchvision's regnet_y_800mf: residual bottlenecks
# (bottleneck multiplier 1) with group width 16, SE from the block input (ratio 0.25, round), ReLU inside the SE.
name: regnet_y_800mf
resolution: 224
classes: 1000
act: relu
se_round: round
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: bottleneck, repeats: 1, channels: 64, kernel: 3, stride: 2, group_width: 16, se: 0.25}
  - {block: bottleneck, repeats: 3, channels: 144, kernel: 3, stride: 2, group_width: 16, se: 0.25}
  - {block: bottleneck, repeats: 8, channels: 320, kernel: 3, stride: 2, group_width: 16, se: 0.25}
  - {block: bottleneck, repeats: 2, channels: 784, kernel: 3, stride: 2, group_width: 16, se: 0.25}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 78.828),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 76.42),
    ],
  },
  {
    name: 'regnet_y_1_6gf',
    aliases: [],
    family: 'RegNetY',
    yaml: `
# RegNetY-1.6GF (Radosavovic et al., CVPR 2020), torchvision's regnet_y_1_6gf: residual bottlenecks
# (bottleneck multiplier 1) with group width 24, SE from the block input (ratio 0.25, round), ReLU inside the SE.
name: regnet_y_1_6gf
resolution: 224
classes: 1000
act: relu
se_round: round
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: bottleneck, repeats: 2, channels: 48, kernel: 3, stride: 2, group_width: 24, se: 0.25}
  - {block: bottleneck, repeats: 6, channels: 120, kernel: 3, stride: 2, group_width: 24, se: 0.25}
  - {block: bottleneck, repeats: 17, channels: 336, kernel: 3, stride: 2, group_width: 24, se: 0.25}
  - {block: bottleneck, repeats: 2, channels: 888, kernel: 3, stride: 2, group_width: 24, se: 0.25}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 80.876),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 77.95),
    ],
  },
  {
    name: 'regnet_y_3_2gf',
    aliases: [],
    family: 'RegNetY',
    yaml: `
# RegNetY-3.2GF (Radosavovic et al., CVPR 2020), torchvision's regnet_y_3_2gf: residual bottlenecks
# (bottleneck multiplier 1) with group width 24, SE from the block input (ratio 0.25, round), ReLU inside the SE.
name: regnet_y_3_2gf
resolution: 224
classes: 1000
act: relu
se_round: round
stem: {channels: 32, kernel: 3, stride: 2}
stages:
  - {block: bottleneck, repeats: 2, channels: 72, kernel: 3, stride: 2, group_width: 24, se: 0.25}
  - {block: bottleneck, repeats: 5, channels: 216, kernel: 3, stride: 2, group_width: 24, se: 0.25}
  - {block: bottleneck, repeats: 13, channels: 576, kernel: 3, stride: 2, group_width: 24, se: 0.25}
  - {block: bottleneck, repeats: 1, channels: 1512, kernel: 3, stride: 2, group_width: 24, se: 0.25}
head: {channels: 0}
`,
    results: [
      tv('IMAGENET1K_V2', 224, 232, 'bilinear', 81.982),
      tv('IMAGENET1K_V1', 224, 256, 'bilinear', 78.948),
    ],
  },
];
