/**
 * Lowering: an ArchConfig becomes a flat list of layers over numbered tensors. Counts (counts.ts) and
 * the ONNX builder (onnx/build.ts) both read this one list, so what is counted is what is built.
 * The builder's positional rules live here: only a stage's first block strides, channels chain, a
 * space_to_depth stage halves the resolution itself (kernel (k+1)//2, channels x4) and takes the
 * stride of the stage after it, as EfficientNet-X's released code does. What each block builds is its
 * entry in the block registry (blocks.ts).
 */
import { BLOCKS } from './blocks';
import { convOut, LayerBuilder, samePads, ShapeError, type FcLayer, type Layer, type NewLayer, type Shape, type Where } from './layers';
import { roundFilters, stageRepeats } from './scale';
import type { ArchConfig, BlockType, Kernel } from './types';

export * from './layers';

export interface Network {
  name: string;
  input: Shape;
  layers: Layer[];
  /** Tensor id of the network output. */
  output: number;
  outShape: Shape;
  /** The stages as lowered (after depth/width scaling and positional rules). */
  stages: LoweredStage[];
}

export interface LoweredStage {
  index: number;
  block: BlockType;
  repeats: number;
  cin: number;
  cout: number;
  kernel: Kernel;
  stride: number;
  inShape: Shape;
  outShape: Shape;
}

/** Lowers a validated config. Throws ShapeError for shapes that cannot be built. */
export function lower(config: ArchConfig): Network {
  const L = new LayerBuilder(config.padding);
  const { width, depth, divisor } = config;
  const input: Shape = { c: config.channels, h: config.resolution, w: config.resolution, fold: 1 };
  const stemWhere: Where = { part: 'stem' };
  const stemChannels = roundFilters(config.stem.channels, width, divisor);
  // A deep stem (ResNet-D) runs kxk convs before the stem conv; the first of them takes the stride.
  let x = { id: 0, shape: input };
  let stemStride = config.stem.stride;
  (config.stem.deep ?? []).forEach((channels, i) => {
    x = L.conv(`stem.deep.${i}`, stemWhere, x.id, x.shape, { cout: roundFilters(channels, width, divisor), kernel: config.stem.kernel, stride: stemStride, act: config.stem.act, field: 'deep' });
    stemStride = 1;
  });
  x = L.conv('stem.conv', stemWhere, x.id, x.shape, { cout: stemChannels, kernel: config.stem.kernel, stride: stemStride, act: config.stem.act });
  if (config.stem.pool === 'max') {
    const [pt, pb] = samePads(x.shape.h, 3, 2, config.padding);
    const [pl, pr] = samePads(x.shape.w, 3, 2, config.padding);
    const outShape = { ...x.shape, h: convOut(x.shape.h, 3, 2, pt, pb), w: convOut(x.shape.w, 3, 2, pl, pr) };
    if (outShape.h < 1 || outShape.w < 1) throw new ShapeError('spatial size falls below 1 at the stem max pool', stemWhere, 'pool');
    x = L.push({
      type: 'maxpool', name: 'stem.pool', where: stemWhere, input: x.id, inShape: x.shape, outShape, kernel: 3, stride: 2, pads: [pt, pl, pb, pr],
    });
  }
  const push = (l: NewLayer) => L.push(l);
  const stages: LoweredStage[] = [];
  let strideOverride: number | undefined;
  // Channels a stage's first block is sized on when its input is a space_to_depth stage's output.
  let foldedFrom: number | undefined;
  const repeatsOf = stageRepeats(config.stages, depth);
  config.stages.forEach((stage, si) => {
    const where: Where = { part: 'stage', stage: si };
    const stageIn = x.shape;
    let stride = strideOverride ?? stage.stride;
    strideOverride = undefined;
    let cout = roundFilters(stage.channels, width, divisor);
    let kernel: Kernel = stage.kernel;
    if (stage.space_to_depth) {
      if (x.shape.h % 2 !== 0 || x.shape.w % 2 !== 0) {
        throw new ShapeError(`space_to_depth needs an even input size, got ${x.shape.h}x${x.shape.w}`, where, 'space_to_depth');
      }
      const outShape = { c: x.shape.c * 4, h: x.shape.h / 2, w: x.shape.w / 2, fold: x.shape.fold };
      if (stage.space_to_depth === 'conv') {
        x = L.conv(`stages.${si}.space_to_depth`, where, x.id, x.shape, { cout: outShape.c, kernel: 2, stride: 2, act: stage.act, pad: 'valid' });
      } else {
        x = push({ type: 'space_to_depth', name: `stages.${si}.space_to_depth`, where, input: x.id, inShape: x.shape, outShape, block: 2 });
      }
      // The stage now runs at half resolution: it keeps its receptive field with a half-size kernel and
      // 4x the channels, and the next stage's downsampling has already happened.
      kernel = Array.isArray(kernel) ? kernel.map((k) => (k + 1) >> 1) : (kernel + 1) >> 1;
      cout *= 4;
      if (stride === 1 && config.stages[si + 1]?.stride === 2) strideOverride = 1;
    }
    const block = stage.space_to_batch ?? 1;
    if (block > 1) {
      if (x.shape.h % block !== 0 || x.shape.w % block !== 0) {
        throw new ShapeError(`space_to_batch ${block} needs the stage input size divisible by ${block}, got ${x.shape.h}x${x.shape.w}`, where, 'space_to_batch');
      }
      x = push({
        type: 'space_to_batch', name: `stages.${si}.space_to_batch`, where, input: x.id, inShape: x.shape,
        outShape: { c: x.shape.c, h: x.shape.h / block, w: x.shape.w / block, fold: x.shape.fold * block * block }, block,
      });
    }
    const repeats = repeatsOf[si];
    for (let b = 0; b < repeats; b++) {
      // EfficientNet-X's released code sizes expansion and SE of the block after a fold on the nominal
      // (pre-fold) channels, and the SE of the folding block on its pre-fold input.
      let sizing: { expandIn?: number; seIn?: number } = {};
      if (b === 0 && foldedFrom !== undefined) sizing = { expandIn: foldedFrom, seIn: foldedFrom };
      else if (b === 0 && stage.space_to_depth) sizing = { seIn: stageIn.c };
      x = BLOCKS[stage.block].lower({
        builder: L, stage, where: { part: 'stage', stage: si, block: b }, prefix: `stages.${si}.${b}`, x, cout,
        stride: b === 0 ? stride : 1, kernel, divisor, expandIn: sizing.expandIn ?? x.shape.c, seIn: sizing.seIn ?? x.shape.c,
        scaled: (n) => roundFilters(n, width, divisor),
      });
    }
    foldedFrom = stage.space_to_depth ? cout / 4 : undefined;
    if (block > 1) {
      x = push({
        type: 'batch_to_space', name: `stages.${si}.batch_to_space`, where, input: x.id, inShape: x.shape,
        outShape: { c: x.shape.c, h: x.shape.h * block, w: x.shape.w * block, fold: x.shape.fold / (block * block) }, block,
      });
    }
    stride = stage.space_to_depth ? 2 * stride : stride;
    stages.push({ index: si, block: stage.block, repeats, cin: stageIn.c, cout: x.shape.c, kernel, stride, inShape: stageIn, outShape: x.shape });
  });
  if (config.head.channels > 0) {
    const headChannels = roundFilters(config.head.channels, width, divisor);
    x = L.conv('head.conv', { part: 'head' }, x.id, x.shape, { cout: headChannels, kernel: 1, stride: 1, act: config.head.act ?? null });
  }
  const pooled = config.head.pooled;
  if (config.classes > 0 || pooled) {
    const where: Where = { part: 'classifier' };
    x = push({ type: 'gap', name: 'classifier.pool', where, input: x.id, inShape: x.shape, outShape: { c: x.shape.c, h: 1, w: 1, fold: 1 } });
  }
  if (pooled) {
    // MobileNetV3/V4's head after pooling: a 1x1 conv on the pooled features (a dense layer), bias or BN, act.
    const cout = roundFilters(pooled.channels, width, divisor);
    const layer: NewLayer<FcLayer> = {
      type: 'fc', name: 'head.pooled', where: { part: 'head' }, input: x.id, inShape: x.shape, outShape: { c: cout, h: 1, w: 1, fold: 1 }, cin: x.shape.c, cout,
    };
    if (pooled.norm) layer.bn = true;
    layer.act = pooled.act;
    x = push(layer);
  }
  if (config.classes > 0) {
    const where: Where = { part: 'classifier' };
    x = push({ type: 'fc', name: 'classifier.fc', where, input: x.id, inShape: x.shape, outShape: { c: config.classes, h: 1, w: 1, fold: 1 }, cin: x.shape.c, cout: config.classes });
  }
  return { name: config.name, input, layers: L.layers, output: x.id, outShape: x.shape, stages };
}
