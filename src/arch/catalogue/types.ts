/** The catalogue's data types and the helpers its data files write results with. */

export type ResultSource = 'torchvision' | 'timm';

/** A published ImageNet-1k result of one set of trained weights. */
export interface PublishedResult {
  /** torchvision's weights enum name (IMAGENET1K_V2) or timm's `model.tag` (resnet50d.ra2_in1k). */
  weights: string;
  source: ResultSource;
  /** Evaluation image size (the centre crop). */
  resolution: number;
  /** The crop as a fraction of the resized image (torchvision: crop_size / resize_size). */
  crop_pct: number;
  /** torchvision's resize_size, where the source states it. */
  resize?: number;
  interpolation: 'bilinear' | 'bicubic';
  /** Top-1 accuracy in percent. */
  top1: number;
}

export interface CatalogueEntry {
  /** torchvision's name where torchvision has the architecture, else timm's. */
  name: string;
  /** timm's names of the same network. */
  aliases: readonly string[];
  /** The family it belongs to, as the docs name it. */
  family: string;
  /** The config, format v1, as a user would write it (comments say where the architecture comes from). */
  yaml: string;
  /** Published results, the first at the config's resolution (the one `zoo -o` writes unless told otherwise). */
  results: readonly PublishedResult[];
}

/** A torchvision result: weights tag, crop_size, resize_size, interpolation, acc@1 (its weights metadata). */
export const tv = (weights: string, crop: number, resize: number, interpolation: PublishedResult['interpolation'], top1: number): PublishedResult => ({
  weights, source: 'torchvision', resolution: crop, crop_pct: Math.round((crop / resize) * 1000) / 1000, resize, interpolation, top1,
});

/** A timm result: a row of results-imagenet.csv (model, img_size, top1, crop_pct, interpolation). */
export const timm = (weights: string, resolution: number, top1: number, crop_pct: number, interpolation: PublishedResult['interpolation']): PublishedResult => ({
  weights, source: 'timm', resolution, crop_pct, interpolation, top1,
});
