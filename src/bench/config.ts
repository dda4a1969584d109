/**
 * Config parsing: time to load each fixture (validation, lowering and the resource check included), and
 * time to reject hostile inputs at the default 1 MiB file limit (the defences must stay cheap).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArchConfig } from '../arch/parse';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'archs');
const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** Runs fn and returns [ms, first line of the error or 'accepted']. */
function reject(text: string): [number, string] {
  let outcome = 'accepted';
  const ms = timeMs(() => {
    try {
      parseArchConfig(text, 'hostile.yaml');
    } catch (err) {
      outcome = (err as Error).message.split('\n')[0].slice(0, 90);
    }
  }, 3);
  return [ms, outcome];
}

export async function bench(): Promise<void> {
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort();
  const texts = files.map((f) => [f, fs.readFileSync(path.join(FIXTURES, f), 'utf8')] as const);
  const first = timeMs(() => parseArchConfig(texts[0][1], texts[0][0]), 1);
  console.log(`first parse (compiles the JSON Schema validator): ${first.toFixed(1)} ms`);
  console.log('fixture                   parse ms (median of 20)');
  for (const [f, text] of texts) {
    console.log(`${f.padEnd(26)}${timeMs(() => parseArchConfig(text, f), 20).toFixed(2)}`);
  }

  const fill = (unit: string) => unit.repeat(Math.floor((MiB - 16) / unit.length));
  const keys = (() => {
    // The largest input every lexical limit lets through: 5,000 lines of distinct keys.
    let s = '';
    for (let i = 0; i < 4_999; i++) s += `key_${i}_${'x'.repeat(150)}: 1\n`;
    return s;
  })();
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]', 'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]'].join('\n');
  const hostile: [string, string][] = [
    ['1 MiB of comment lines', fill('#\n')],
    ['1 MiB flow list', `x: [${fill('1,')}1]`],
    ['1 MiB "- - - ..." nesting', fill('- ') + 'x'],
    ['1 MiB [[[ nesting', fill('[')],
    ['1 MiB quoted string', `name: "${'x'.repeat(MiB - 16)}"`],
    [`${(keys.length / MiB).toFixed(2)} MiB, 5k distinct keys`, keys],
    ['alias bomb (9^6 nodes)', bomb],
    ['1 MiB + 1 byte', 'x'.repeat(MiB + 1)],
  ];
  console.log('\nhostile input                     reject ms  message');
  for (const [name, text] of hostile) {
    const [ms, msg] = reject(text);
    console.log(`${name.padEnd(34)}${ms.toFixed(1).padStart(9)}  ${msg}`);
  }
}
