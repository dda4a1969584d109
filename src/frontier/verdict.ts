/**
 * The gate's decision from side-by-side ratios. Every ratio is neighbour / candidate, measured in one
 * interleaved run on this machine, with its 95% confidence interval. The rule is position.ts's; each
 * position is one verdict:
 *
 *   dominated     dominated: a stored model at least as accurate (minus the accuracy tolerance) is faster
 *                 beyond the latency tolerance, with the whole interval past it
 *   inconclusive  undecided: no such model, but one's interval straddles that line
 *   new-frontier  beyond: every stored model at least as accurate is slower beyond the latency tolerance,
 *                 or there is none
 *   pass          within-tolerance: on the frontier within tolerance
 */

import { positionAgainst, type Comparison, type Dominator, type Tolerances } from './position';

export type Verdict = 'pass' | 'new-frontier' | 'dominated' | 'inconclusive';

/** Worst first: the order in which verdicts combine over several candidates. */
export const VERDICT_SEVERITY: Record<Verdict, number> = { dominated: 3, inconclusive: 2, pass: 1, 'new-frontier': 0 };

export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((w, v) => (VERDICT_SEVERITY[v] > VERDICT_SEVERITY[w] ? v : w), 'new-frontier');
}

export { ACCURACY_EPSILON, DEFAULT_TOLERANCES, slowerBy, type Tolerances } from './position';

/** A stored model measured beside the candidate: ratio = median(neighbour) / median(candidate). */
export type SideBySide = Comparison;

export interface Decision {
  verdict: Verdict;
  /** For dominated: the model with the largest proven gap. */
  dominatedBy?: Dominator;
  /** Models whose interval straddles the dominance line (inconclusive). */
  undecided: string[];
  reason: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The verdict of each position (position.ts), with one sentence saying why. */
export function decide(
  candidateAccuracy: number,
  comparisons: readonly SideBySide[],
  tol: Tolerances,
  storeBestAccuracy: number | null,
  /** How model names appear in the reason (the Markdown report passes an escaping formatter). */
  name: (model: string) => string = (model) => model,
): Decision {
  const p = positionAgainst(candidateAccuracy, comparisons, tol, storeBestAccuracy);
  switch (p.position) {
    case 'dominated': {
      const d = p.dominatedBy!;
      return {
        verdict: 'dominated',
        dominatedBy: d,
        undecided: [],
        reason:
          `${name(d.name)} (top-1 ${d.accuracy}) is at least as accurate within ${tol.accuracy} points and the candidate is ` +
          `${pct(d.slower_by)} slower (95% CI ${pct(d.slower_by_ci95[0])}..${pct(d.slower_by_ci95[1])}), beyond the ${pct(tol.latency)} tolerance`,
      };
    }
    case 'undecided':
      return {
        verdict: 'inconclusive',
        undecided: p.undecided,
        reason:
          `the interval of ${p.undecided.map(name).join(', ')} straddles the ${pct(tol.latency)} tolerance: ` +
          'not proven dominated, not proven clear (more budget narrows it)',
      };
    case 'beyond':
      return p.contenders.length === 0
        ? { verdict: 'new-frontier', undecided: [], reason: `more accurate than every stored model by more than ${tol.accuracy} points (best ${storeBestAccuracy ?? 'none'})` }
        : {
          verdict: 'new-frontier',
          undecided: [],
          reason: `faster than every stored model at least as accurate (${p.contenders.map((c) => name(c.name)).join(', ')})`,
        };
    case 'within-tolerance':
      return { verdict: 'pass', undecided: [], reason: `no stored model is faster beyond ${pct(tol.latency)} at its accuracy` };
  }
}
