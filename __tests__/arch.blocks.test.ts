/** One list of block kinds and one architecture schema: everything else is derived or generated. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BLOCK_FIELDS, BLOCKS, FILLED_FIELDS, kindsIgnoring, type BlockField } from '../src/arch/blocks';
import { ARCH_CONFIG_SCHEMA, STAGE_SCHEMA, storedConfigSchema } from '../src/arch/schema';
import { BLOCK_TYPES } from '../src/arch/types';
import { storeSchema } from '../src/frontier/store';
import { SPACE_SCHEMA } from '../src/search/space-schema';

const ROOT = path.join(__dirname, '..');
type Node = Record<string, unknown> & { properties: Record<string, Node>; items: Node; enum?: unknown[]; required?: string[]; oneOf?: Node[]; anyOf?: Node[] };
const arch = ARCH_CONFIG_SCHEMA as Node;
const stage = STAGE_SCHEMA as Node;

describe('the block registry', () => {
  it('is the list of block kinds the schema, the store and search spaces offer', () => {
    expect(Object.keys(BLOCKS).sort()).toEqual([...BLOCK_TYPES].sort());
    expect(stage.properties.block.enum).toEqual([...BLOCK_TYPES]);
    // The published schema's stages are the stage mapping, a timm block string, or a list of them.
    const written = arch.properties.stages.items.anyOf!;
    expect(written[0].properties.block.enum).toEqual([...BLOCK_TYPES]);
    expect(written.map((w) => w.type)).toEqual(['object', 'string', 'array']);
    const stored = storedConfigSchema() as Node;
    expect(stored.properties.stages.items.properties.block.enum).toEqual([...BLOCK_TYPES]);
    const space = SPACE_SCHEMA as Node;
    const spaceBlock = space.properties.stages.items.properties.blocks.items.properties.block;
    expect(spaceBlock.oneOf![0].enum).toEqual([...BLOCK_TYPES]);
  });

  it('declares the block fields, their defaults and which kinds ignore them', () => {
    for (const [field, spec] of Object.entries(BLOCK_FIELDS)) {
      // expand and se are filled (every stored config holds them); the newer options are absent at their default.
      if (FILLED_FIELDS.includes(field as BlockField)) expect(stage.properties[field]).toMatchObject({ default: spec.default });
      else expect(stage.properties[field].default).toBeUndefined();
      for (const kind of kindsIgnoring(field as BlockField)) expect(String(stage.properties[field].description)).toContain(kind);
    }
    expect(kindsIgnoring('expand')).toEqual(['conv']);
    for (const [type, kind] of Object.entries(BLOCKS)) expect(String(stage.properties.block.description)).toContain(`${type}: ${kind.description}`);
  });
});

describe('generated schemas', () => {
  it('the store schema\'s config part is the architecture schema in its stored form (classes >= 0, head act optional)', () => {
    const file = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/frontier/store.schema.json'), 'utf8')) as { definitions: Record<string, unknown> };
    const config = storedConfigSchema() as Node;
    expect(file.definitions.config).toEqual(config);
    expect((storeSchema() as { definitions: Record<string, unknown> }).definitions.config).toEqual(config);
    expect(config.properties.classes).toMatchObject({ minimum: 0 });
    expect(config.properties.head.required).toEqual(['channels']);
    expect(config.properties.accuracy).toBeUndefined();
    expect(config.required).toEqual(expect.arrayContaining(['channels', 'width', 'depth', 'divisor', 'dropout']));
  });

  it('`node scripts/gen-schemas.js --check` passes on the committed files', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/gen-schemas.js'), '--check'], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
