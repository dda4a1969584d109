/**
 * The verdict on a ratio r = median(model) / median(base) with its 95% interval and a noise band b, as
 * `measure` reports it: the band rule of ./band.ts with the model as the subject, in measure's words.
 *
 *   slower        the band's slower: lo > 1 + b
 *   faster        the band's faster: hi < 1 - b
 *   same          the band's within: 1 - b <= lo and hi <= 1 + b
 *   inconclusive  the band's straddles: the interval crosses an edge of the band. Either it is still wider
 *                 than the band allows when the budget ends, or the true change sits right at the band edge
 *                 and no budget would settle it. We say so instead of guessing.
 *
 * Edges count as inside the band (a ratio of exactly 1 + b is "same"), so the rule never calls a change
 * that is not strictly beyond the band.
 */
import { band } from './band';
import type { RatioVerdict } from './types';

const WORD = { slower: 'slower', faster: 'faster', within: 'same', straddles: 'inconclusive' } as const;

export function decide(ci95: readonly [number, number], noiseBand: number): RatioVerdict {
  return WORD[band(ci95, noiseBand)];
}
