/**
 * timm block strings (`ir_r2_k3_s2_e6_c24_se0.25`): a stage written the way timm's EfficientNet and
 * MobileNet builders define their architectures, decoded by timm's rules (`_decode_block_str` in
 * timm/models/_efficientnet_builder.py) into the stage mapping it stands for. Where timm silently ignores
 * something (an unknown activation or letter, an option a block type does not read), this refuses it
 * with what is allowed: a config means what it says.
 *
 * The model-level settings a string does not carry (the default activation, whether SE reduces from the
 * expanded channels, the SE gate, its activation and rounding, stem and head) are config keys (schema.ts).
 */
import type { Activation } from './types';

/** A bad block string: what is wrong, where in the string (0-based), and what is allowed. */
export class BlockStringError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

export const TIMM_BLOCK_TYPES = ['ds', 'dsa', 'ir', 'er', 'cn', 'uir'] as const;
type TimmBlock = (typeof TIMM_BLOCK_TYPES)[number];

/** The published schema's pattern for a block string (the decoder says precisely what is wrong). */
export const TIMM_BLOCK_PATTERN = '^[a-z]+(_[a-z]+[0-9.]*)*$';

/** timm's `n` values. */
const TIMM_ACTIVATIONS: Record<string, Activation> = { re: 'relu', r6: 'relu6', hs: 'hswish', sw: 'swish', mi: 'mish' };

/** Options each block type reads (timm's _decode_block_str); `e` on ds/dsa/cn is accepted only as e1 (timm ignores it). */
const OPTIONS: Record<TimmBlock, readonly string[]> = {
  ir: ['r', 'k', 'a', 'p', 's', 'e', 'c', 'se', 'd', 'gs'],
  ds: ['r', 'k', 'p', 's', 'e', 'c', 'se', 'd', 'gs'],
  dsa: ['r', 'k', 'p', 's', 'e', 'c', 'se', 'd', 'gs'],
  er: ['r', 'k', 'p', 's', 'e', 'c', 'se', 'fc', 'gs'],
  cn: ['r', 'k', 's', 'e', 'c', 'gs'],
  uir: ['r', 'a', 'k', 'p', 's', 'e', 'c', 'se', 'gs'],
};
const REQUIRED: Record<TimmBlock, readonly string[]> = {
  ir: ['r', 'k', 's', 'e', 'c'], ds: ['r', 'k', 's', 'c'], dsa: ['r', 'k', 's', 'c'], er: ['r', 'k', 's', 'e', 'c'], cn: ['r', 'k', 's', 'c'], uir: ['r', 'k', 's', 'e', 'c'],
};
/** Block types timm has that frontier-gate does not build, with why. */
const UNSUPPORTED: Record<string, string> = {
  mha: 'an attention block (MobileNetV4 hybrid), not a convolution',
  mqa: 'an attention block (MobileNetV4 hybrid), not a convolution',
};
/** Options timm has that frontier-gate does not build. */
const UNSUPPORTED_OPTIONS: Record<string, string> = {
  cc: 'CondConv experts (cc) are not supported',
};

const ACT_TEXT = Object.entries(TIMM_ACTIVATIONS).map(([k, v]) => `n${k} (${v})`).join(', ');

function allowedText(type: TimmBlock): string {
  const noskip = type === 'dsa' ? [] : ['noskip'];
  const skip = type === 'cn' ? ['skip'] : [];
  return [...OPTIONS[type], ...noskip, ...skip].join(', ') + `, ${ACT_TEXT}`;
}

/** timm's _parse_ksize: "3" -> 3, "3.5.7" -> [3, 5, 7]. */
function parseKernel(value: string, what: string, offset: number): number | number[] {
  if (/^\d+$/.test(value)) return Number(value);
  if (/^\d+(\.\d+)+$/.test(value)) return value.split('.').map(Number);
  throw new BlockStringError(`${what} "${value}" is not a kernel; allowed: a size (k3) or mixed kernels (k3.5.7)`, offset);
}

function parseInt10(value: string, what: string, offset: number): number {
  if (!/^\d+$/.test(value)) throw new BlockStringError(`${what} "${value}" is not a whole number`, offset);
  return Number(value);
}

function parseFloat10(value: string, what: string, offset: number): number {
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(value)) throw new BlockStringError(`${what} "${value}" is not a number`, offset);
  return Number(value);
}

/**
 * Decodes one block string into the stage mapping it stands for (fields at their default left out).
 * `first`: whether it is the first string of its stage (timm strides only at a stage's first block).
 */
export function decodeBlockString(text: string, first: boolean): Record<string, unknown> {
  const ops = text.split('_');
  const type = ops[0];
  if (!(TIMM_BLOCK_TYPES as readonly string[]).includes(type)) {
    const why = UNSUPPORTED[type];
    throw new BlockStringError(
      `block type "${type}" ${why ? `is ${why}; frontier-gate builds CNNs` : 'is unknown'}; allowed: ${TIMM_BLOCK_TYPES.join(', ')}`,
      0,
    );
  }
  const t = type as TimmBlock;
  const options = new Map<string, { value: string; offset: number }>();
  let skip: boolean | undefined;
  let act: Activation | undefined;
  let offset = type.length + 1;
  for (const op of ops.slice(1)) {
    const at = offset;
    offset += op.length + 1;
    if (op === '') throw new BlockStringError('empty option (two underscores in a row)', at);
    if (op === 'noskip' || op === 'skip') {
      if (skip !== undefined) throw new BlockStringError(`"${op}" after "${skip ? 'skip' : 'noskip'}"; allowed: one of them`, at);
      skip = op === 'skip';
      continue;
    }
    if (op.startsWith('n')) {
      const value = op.slice(1);
      const a = TIMM_ACTIVATIONS[value];
      // timm skips an unknown activation silently (the block keeps the model's default); that is refused here.
      if (!a) throw new BlockStringError(`activation "${op}" is unknown; allowed: ${ACT_TEXT}`, at);
      if (act) throw new BlockStringError(`a second activation "${op}"; allowed: one n option`, at);
      act = a;
      continue;
    }
    const m = /^([a-z]+)(\d.*)?$/.exec(op);
    const key = m?.[1] ?? op;
    if (UNSUPPORTED_OPTIONS[key]) throw new BlockStringError(`${UNSUPPORTED_OPTIONS[key]}; allowed for ${t}: ${allowedText(t)}`, at);
    if (!m || !OPTIONS[t].includes(key)) {
      throw new BlockStringError(`unknown option "${op}" (letter "${key}") for block type ${t}; allowed for ${t}: ${allowedText(t)}`, at);
    }
    if (m[2] === undefined) throw new BlockStringError(`option "${key}" has no value; write it as ${key}<number>, e.g. ${key === 'k' ? 'k3' : key === 'se' ? 'se0.25' : `${key}1`}`, at);
    if (options.has(key)) throw new BlockStringError(`option "${key}" appears twice; allowed: each option once`, at);
    options.set(key, { value: m[2], offset: at + key.length });
  }
  for (const key of REQUIRED[t]) {
    if (!options.has(key)) throw new BlockStringError(`option "${key}" is missing; ${t} needs ${REQUIRED[t].join(', ')}`, text.length);
  }
  const get = (key: string) => options.get(key)!;
  const int = (key: string, what: string) => parseInt10(get(key).value, what, get(key).offset);
  const float = (key: string, what: string) => parseFloat10(get(key).value, what, get(key).offset);
  const kernel = (key: string, what: string) => parseKernel(get(key).value, what, get(key).offset);

  const stage: Record<string, unknown> = {
    repeats: int('r', 'repeats (r)'),
    channels: int('c', 'channels (c)'),
    stride: first ? int('s', 'stride (s)') : 1,
  };
  if (!first) int('s', 'stride (s)');
  if (act) stage.act = act;
  const expand = options.has('e') ? float('e', 'expansion (e)') : 1;
  if ((t === 'ds' || t === 'dsa' || t === 'cn') && expand !== 1) {
    throw new BlockStringError(`${t} has no expansion (timm ignores e here); allowed: e1 or leave it out`, get('e').offset);
  }
  const se = options.has('se') ? float('se', 'SE ratio (se)') : 0;
  if (options.has('gs')) stage.group_width = int('gs', 'group size (gs)');
  const foldsAt = options.has('d') ? int('d', 'space-to-depth (d)') : 0;
  switch (t) {
    case 'ir':
    case 'ds':
    case 'dsa': {
      stage.block = 'mbconv';
      stage.kernel = kernel('k', 'kernel (k)');
      stage.expand = expand;
      if (t === 'ir' && expand === 1) stage.expand_always = true;
      if (t === 'ir' && options.has('a')) stage.expand_kernel = kernel('a', 'expansion kernel (a)');
      if (options.has('p')) stage.project_kernel = kernel('p', 'projection kernel (p)');
      if (t === 'dsa') {
        if (skip !== undefined) throw new BlockStringError('dsa never has a shortcut (timm ignores skip/noskip here); allowed: leave it out', text.indexOf('skip'));
        stage.project_act = true;
        stage.skip = false;
      }
      if (foldsAt > 0) stage.space_to_depth = 'conv';
      break;
    }
    case 'er':
      stage.block = 'fused_mbconv';
      stage.kernel = kernel('k', 'kernel (k)');
      stage.expand = expand;
      if (expand === 1) stage.expand_always = true;
      if (options.has('p')) stage.project_kernel = kernel('p', 'projection kernel (p)');
      if (options.has('fc') && int('fc', 'force_in_chs (fc)') > 0) stage.expand_in = int('fc', 'force_in_chs (fc)');
      break;
    case 'cn': {
      stage.block = 'conv';
      // timm reads cn's kernel with int(): mixed kernels are not allowed there.
      stage.kernel = parseInt10(get('k').value, 'kernel (k) of cn', get('k').offset);
      if (skip === true) stage.skip = true;
      skip = undefined;
      break;
    }
    case 'uir':
      stage.block = 'uir';
      stage.kernel = kernel('k', 'middle kernel (k)');
      stage.expand = expand;
      if (options.has('a')) stage.start_kernel = parseInt10(get('a').value, 'start kernel (a)', get('a').offset);
      if (options.has('p')) stage.end_kernel = parseInt10(get('p').value, 'end kernel (p)', get('p').offset);
      break;
  }
  if (se > 0) stage.se = se;
  if (skip === false) stage.skip = false;
  return stage;
}
