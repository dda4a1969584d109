/** The one Pareto function and the one position rule, shared by the check, LACS and search. */
import { paretoBy } from '../src/frontier/pareto';
import { pointComparison, positionAgainst, type Comparison } from '../src/frontier/position';
import { decide } from '../src/frontier/verdict';
import { paretoFront } from '../src/search/evolve';

const cmp = (name: string, accuracy: number | null, ratio: number, half = 0.01): Comparison => ({ name, accuracy, ratio, ci95: [ratio * (1 - half), ratio * (1 + half)] });

describe('positionAgainst', () => {
  it.each([
    ['dominated', [cmp('fast', 76, 0.8)], 'dominated'],
    ['undecided', [cmp('close', 76, 0.97, 0.02)], 'undecided'],
    ['beyond: every contender proven slower', [cmp('slow', 76, 1.2)], 'beyond'],
    ['within tolerance', [cmp('twin', 76, 0.99)], 'within-tolerance'],
    ['a faster, less accurate model is no contender (a better unmeasured one exists)', [cmp('cheap', 70, 0.5)], 'within-tolerance'],
  ])('%s', (_name, comparisons, position) => {
    expect(positionAgainst(76, comparisons, { latency: 0.03, accuracy: 0.1 }, 80).position).toBe(position);
  });

  it('gives the dominator with its distance and interval', () => {
    const p = positionAgainst(76, [cmp('a', 76, 0.9), cmp('b', 77, 0.8)]);
    expect(p.dominatedBy).toMatchObject({ name: 'b', slower_by: expect.closeTo(0.25, 9) });
    expect(p.dominatedBy!.slower_by_ci95[0]).toBeLessThan(0.25);
    expect(p.dominatedBy!.slower_by_ci95[1]).toBeGreaterThan(0.25);
  });

  it('with no contender, moves the frontier only past the best accuracy by more than the tolerance', () => {
    expect(positionAgainst(80.05, [], undefined, 80).position).toBe('within-tolerance');
    expect(positionAgainst(80.2, [], undefined, 80).position).toBe('beyond');
    expect(positionAgainst(50, [], undefined, null).position).toBe('beyond');
  });

  it('is the check\'s verdict', () => {
    const verdicts = { dominated: 'dominated', undecided: 'inconclusive', beyond: 'new-frontier', 'within-tolerance': 'pass' };
    for (const comparisons of [[cmp('x', 76, 0.8)], [cmp('x', 76, 0.97, 0.02)], [cmp('x', 76, 1.2)], [cmp('x', 76, 0.99)]]) {
      const tol = { latency: 0.03, accuracy: 0.1 };
      expect(decide(76, comparisons, tol, 80).verdict).toBe(verdicts[positionAgainst(76, comparisons, tol, 80).position]);
    }
  });

  it('point comparisons widen by the noise', () => {
    expect(pointComparison({ name: 'x', accuracy: 1, latency_ms: 11 }, 10, 0.1).ci95).toEqual([1, expect.closeTo(1.21, 9)]);
  });
});

describe('paretoBy is the one Pareto function', () => {
  it('keeps exact twins, drops dominated points, fastest first', () => {
    const pts = [{ n: 'a', l: 1, a: 70 }, { n: 'b', l: 2, a: 75 }, { n: 'b2', l: 2, a: 75 }, { n: 'c', l: 3, a: 74 }];
    expect(paretoBy(pts, (p) => ({ latency: p.l, accuracy: p.a })).map((p) => p.n)).toEqual(['a', 'b', 'b2']);
  });

  it('search\'s front is it, over the feasible candidates', () => {
    const pts = [{ latency_ms: 1, proxy: 1 }, { latency_ms: 2, proxy: 3 }, { latency_ms: 3, proxy: 2 }, { latency_ms: 9, proxy: 9 }];
    expect(paretoFront(pts, 5)).toEqual([pts[0], pts[1]]);
  });
});
