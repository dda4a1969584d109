/**
 * Accuracy from model cards (src/frontier/model-card.ts) on real card layouts (fixtures/model-cards, each
 * naming its source), and the one percent/fraction rule it shares with --accuracy and metrics files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveAccuracy, toPercent } from '../src/frontier/accuracy';
import { accuracyFromCard, cardBeside, frontMatter, readModelCard } from '../src/frontier/model-card';
import { UserError } from '../src/errors';
import { seeded } from '../src/util/random';

const CARDS = path.join(__dirname, '..', 'fixtures', 'model-cards');
const card = (name: string) => path.join(CARDS, name);

function userError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    expect(err.exitCode).toBe(2);
    return err.message;
  }
  throw new Error('expected a UserError');
}

describe('the one rule: percent or fraction', () => {
  it.each([
    ['77.69', 77.69, false],
    [77.69, 77.69, false],
    ['0.7769', 77.69, true],
    [0.61, 61, true],
    ['61%', 61, false],
    ['0.61%', 0.61, false],
    [' 100 %', 100, false],
    ['1', 100, true],
    [0, 0, true],
    ['1.5', 1.5, false],
  ])('%p reads as %p (fraction: %p)', (value, top1, fraction) => {
    expect(toPercent(value, 'v')).toEqual({ top1, fraction });
  });

  it.each([['101'], ['-0.1'], ['101%'], ['0x50'], ['77.6.9'], ['%'], [''], [null], [true], [[77]], ['1e400']])('refuses %p', (value) => {
    expect(userError(() => toPercent(value, 'v'))).toMatch(/^v: (expected a number|top-1 accuracy must be within)/);
  });

  it('every value in [0, 100] reads to the same percent as a number, a string and (over 1) with a % sign (seeded, 2,000 values)', () => {
    const rnd = seeded(24);
    for (let k = 0; k < 2000; k++) {
      const v = Math.round(rnd() * 100 * 10000) / 10000;
      const asNumber = toPercent(v, 'v');
      expect(toPercent(String(v), 'v')).toEqual(asNumber);
      expect(asNumber.top1).toBeCloseTo(v <= 1 ? v * 100 : v, 6);
      expect(toPercent(`${v}%`, 'v')).toEqual({ top1: v, fraction: false });
    }
  });

  it('--accuracy says when it read a fraction', () => {
    expect(resolveAccuracy({ accuracy: '0.61' }, undefined)).toEqual({ top1: 61, source: '--accuracy (fraction x100)' });
    expect(resolveAccuracy({ accuracy: '61' }, undefined)).toEqual({ top1: 61, source: '--accuracy' });
    expect(resolveAccuracy({ accuracy: '0.61%' }, undefined)).toEqual({ top1: 0.61, source: '--accuracy' });
  });
});

describe('real model-card layouts', () => {
  it('covers every fixture card', () => {
    const files = fs.readdirSync(CARDS).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(files.sort()).toEqual(['dev-0.4b.md', 'hf-trainer-vit.md', 'imagenet-resnet50.md', 'pawn-base.md', 'psycial-mbti.md', 'qora-video.md', 'tgcn-wlasl.md', 'timm-resnext.md']);
    for (const f of files) expect(fs.readFileSync(card(f), 'utf8')).toMatch(/^---\n# source: /);
  });

  it('a single metric named Top-1 Accuracy, in percent', () => {
    expect(readModelCard(card('imagenet-resnet50.md'))).toEqual({
      top1: 76.21, dataset: 'ImageNet-1K', value: 76.21, fraction: false,
      source: `${card('imagenet-resnet50.md')}: model-index[0].results[0].metrics[0] "Top-1 Accuracy"`,
    });
  });

  it("the Trainer's card: one metric named Accuracy, a fraction, read x100 and said so", () => {
    const r = readModelCard(card('hf-trainer-vit.md'));
    expect(r.top1).toBeCloseTo(99.229287, 5);
    expect(r.dataset).toBe('imagefolder');
    expect(r.source).toMatch(/metrics\[0\] "Accuracy" \(fraction x100\)$/);
  });

  it('the top-1 chosen by name among six accuracy-typed metrics', () => {
    const r = readModelCard(card('pawn-base.md'));
    expect(r).toMatchObject({ top1: 8.57, dataset: null, fraction: true });
    expect(r.source).toMatch(/model-index\[0\]\.results\[0\]\.metrics\[2\] "Top-1 Accuracy" \(fraction x100\)/);
  });

  it('name before type, 4-space indentation', () => {
    expect(readModelCard(card('qora-video.md'))).toMatchObject({ top1: 79.3, dataset: 'Kinetics-400' });
  });

  it('several datasets: ambiguous, listing them, until one is chosen by name or type', () => {
    const msg = userError(() => readModelCard(card('dev-0.4b.md')));
    expect(msg).toMatch(/dev-0\.4b\.md: the model card is ambiguous: 3 results \(datasets\) report accuracy; found:/);
    expect(msg).toContain('model-index[0].results[0].metrics[0] "Top-1 Accuracy" = 0.9133 on "Banking77" (model "dev-0.4b")');
    expect(msg).toContain('model-index[0].results[1].metrics[0] "Accuracy" = 0.852 on "Google BoolQ"');
    expect(msg).toContain('model-index[0].results[2].metrics[0] "Exact Accuracy" = 0.6267 on "Yelp Review Full"');
    expect(msg).toMatch(/choose the dataset by its name or type \(--card-dataset NAME\)$/);
    expect(readModelCard(card('dev-0.4b.md'), { dataset: 'google/boolq' })).toMatchObject({ top1: 85.2, dataset: 'Google BoolQ' });
    expect(readModelCard(card('dev-0.4b.md'), { dataset: 'banking77' })).toMatchObject({ top1: 91.33 });
    expect(userError(() => readModelCard(card('dev-0.4b.md'), { dataset: 'imagenet-1k' }))).toMatch(/no accuracy metric matches dataset "imagenet-1k"; found:/);
  });

  it('several accuracy metrics, none named top-1: ambiguous', () => {
    const msg = userError(() => readModelCard(card('psycial-mbti.md')));
    expect(msg).toMatch(/ambiguous: 5 accuracy metrics and none is named top-1/);
    expect(msg).toContain('"E/I Accuracy" = 80.58');
  });

  it('a card without model-index, and a value that is not a number', () => {
    expect(userError(() => readModelCard(card('timm-resnext.md')))).toMatch(/timm-resnext\.md: the model card has no model-index in its front matter, so it states no accuracy to read; give it with --accuracy or --metrics/);
    expect(userError(() => readModelCard(card('tgcn-wlasl.md')))).toMatch(/tgcn-wlasl\.md: model-index\[0\]\.results\[0\]\.metrics\[0\] "Top-1 Accuracy": expected a number \(top-1 accuracy.*got ">0\.85"/);
  });
});

describe('model-card edge cases', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-card-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const index = (metrics: object[], extra: object = {}) => ({ 'model-index': [{ name: 'm', results: [{ dataset: { name: 'ImageNet', type: 'imagenet-1k' }, metrics }], ...extra }] });

  it('top-1 names in the wild; top-k alone is not top-1', () => {
    for (const name of ['Top 1 Accuracy', 'top1', 'acc@1', 'Acc@1', 'top-1 acc', 'Top_1', 'val top1 (%)']) {
      expect(accuracyFromCard(index([{ type: 'accuracy', value: 80, name }, { type: 'accuracy', value: 95, name: name.replace('1', '5') }]), 'c').top1).toBe(80);
    }
    expect(accuracyFromCard(index([{ type: 'top1', value: 0.8 }]), 'c').top1).toBe(80);
    expect(userError(() => accuracyFromCard(index([{ type: 'accuracy', value: 95, name: 'Top 5 Accuracy' }]), 'c'))).toMatch(/only top-k \(k > 1\) accuracy metrics/);
    expect(userError(() => accuracyFromCard(index([{ type: 'accuracy', value: 1, name: 'top1' }, { type: 'accuracy', value: 2, name: 'Top 1 Accuracy' }]), 'c'))).toMatch(/2 metrics are named top-1/);
    expect(userError(() => accuracyFromCard(index([{ type: 'f1', value: 0.9 }]), 'c'))).toMatch(/has no metric of type accuracy/);
  });

  it('several models: ambiguous until one is named', () => {
    const two = { 'model-index': [{ name: 'small', results: [{ metrics: [{ type: 'accuracy', value: 70 }] }] }, { name: 'large', results: [{ metrics: [{ type: 'accuracy', value: 80 }] }] }] };
    expect(userError(() => accuracyFromCard(two, 'c'))).toMatch(/ambiguous: it lists 2 models/);
    expect(accuracyFromCard(two, 'c', { model: 'LARGE' }).top1).toBe(80);
  });

  it('front matter: CRLF, a BOM, never closed, absent, not YAML; a model card beside the model', () => {
    const body = '---\r\nmodel-index:\r\n- name: m\r\n  results:\r\n  - metrics:\r\n    - {type: accuracy, value: 71.5}\r\n---\r\n# card\r\n';
    expect(readModelCard(write('crlf/README.md', `\uFEFF${body}`)).top1).toBe(71.5);
    expect(frontMatter('# no front matter', 'x')).toBeUndefined();
    expect(userError(() => readModelCard(write('open.md', '---\nmodel-index: []\n')))).toMatch(/never closed/);
    expect(userError(() => readModelCard(write('plain.md', '# just text\n')))).toMatch(/no YAML front matter/);
    expect(userError(() => readModelCard(write('bad.md', '---\nmodel-index: [\n---\n')))).toMatch(/bad\.md:\d+: the front matter is not valid YAML/);
    expect(userError(() => readModelCard(write('bomb.md', `---\na: &a [1,1,1,1,1,1,1,1,1,1]\n${Array.from({ length: 6 }, (_, i) => `${'bcdefg'[i]}: &${'bcdefg'[i]} [${new Array(10).fill(`*${'abcdef'[i]}`).join(',')}]`).join('\n')}\n---\n`)))).toMatch(/bomb\.md: the front matter could not be read/);
    expect(cardBeside(path.join(dir, 'crlf', 'model.onnx'))).toBe(path.join(dir, 'crlf', 'README.md'));
    expect(cardBeside(path.join(dir, 'nowhere', 'model.onnx'))).toBeUndefined();
  });
});

describe('a model card as an accuracy source', () => {
  it('resolveAccuracy reads it, with the dataset, and refuses a second source', () => {
    expect(resolveAccuracy({ modelCard: card('qora-video.md') }, 70)).toEqual({ top1: 79.3, dataset: 'Kinetics-400', source: `${card('qora-video.md')}: model-index[0].results[0].metrics[0] "Top-1 Accuracy"` });
    expect(resolveAccuracy({ modelCard: card('dev-0.4b.md'), cardDataset: 'Google BoolQ' }, undefined)).toMatchObject({ top1: 85.2 });
    expect(userError(() => resolveAccuracy({ modelCard: card('qora-video.md'), accuracy: '70' }, undefined))).toMatch(/--accuracy and --model-card both give the accuracy; use one/);
  });
});
