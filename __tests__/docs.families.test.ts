/**
 * docs/families.md: every YAML example parses, each timm-string example builds the network of the mapping
 * example beside it, and the full networks count what the catalogue (and so torchvision or timm) counts.
 */
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import * as path from 'node:path';
import { countConfig } from '../src/arch/counts';
import { networkHash } from '../src/arch/identity';
import { parseArchConfig } from '../src/arch/parse';
import { ARCH_CONFIG_SCHEMA } from '../src/arch/schema';

const DOC = path.join(__dirname, '..', 'docs', 'families.md');
const blocks = [...fs.readFileSync(DOC, 'utf8').matchAll(/```yaml\n# (mapping|timm): ([a-z0-9-]+)\n([\s\S]*?)```/g)].map((m) => ({ form: m[1], key: m[2], text: m[3] }));

describe('docs/families.md', () => {
  it('has a mapping example for every family it names and a timm twin for the timm-built ones', () => {
    expect(blocks.filter((b) => b.form === 'mapping').map((b) => b.key)).toEqual(['resnext', 'resnet-d', 'regnety', 'mobilenetv3', 'efficientnet', 'efficientnetv2', 'mixnet', 'mobilenetv4']);
    expect(blocks.filter((b) => b.form === 'timm').map((b) => b.key)).toEqual(['mobilenetv3', 'efficientnet', 'efficientnetv2', 'mixnet', 'mobilenetv4']);
  });

  it('every example is valid against the published schema (what an editor checks with)', () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(ARCH_CONFIG_SCHEMA);
    for (const b of blocks) expect({ key: `${b.form}:${b.key}`, errors: validate(YAML.parse(b.text)) ? null : validate.errors }).toEqual({ key: `${b.form}:${b.key}`, errors: null });
  });

  it.each(blocks.filter((b) => b.form === 'timm').map((b) => [b.key, b] as const))('%s: the string form builds the mapping form\'s network', (key, timm) => {
    const mapping = blocks.find((b) => b.form === 'mapping' && b.key === key)!;
    expect(networkHash(parseArchConfig(timm.text, `families.md#${key}-timm`))).toBe(networkHash(parseArchConfig(mapping.text, `families.md#${key}`)));
  });

  // torchvision's and timm's counts (see __tests__/zoo.catalogue.test.ts for their sources).
  const PARAMS: Record<string, number> = {
    resnext: 25_028_904, 'resnet-d': 25_576_264, regnety: 4_344_144, mobilenetv3: 5_483_032, efficientnet: 5_288_548, efficientnetv2: 21_458_488,
  };
  it.each(Object.entries(PARAMS))('%s counts the published network', (key, params) => {
    const mapping = blocks.find((b) => b.form === 'mapping' && b.key === key)!;
    expect(countConfig(parseArchConfig(mapping.text, `families.md#${key}`)).params).toBe(params);
  });
});
