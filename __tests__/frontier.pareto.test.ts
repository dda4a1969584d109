import { accuracyGap, dominates, latencyGap, paretoFrontier } from '../src/frontier/pareto';
import { decide, worstVerdict, type SideBySide } from '../src/frontier/verdict';

const p = (name: string, accuracy: number, latency: number) => ({ name, accuracy, latency });

describe('paretoFrontier', () => {
  it('keeps exactly the undominated points, fastest first', () => {
    const pts = [p('a', 70, 10), p('b', 75, 20), p('c', 72, 25), p('d', 80, 40), p('e', 74, 15), p('f', 60, 12)];
    // c: b is more accurate and faster; f: a is more accurate and faster.
    expect(paretoFrontier(pts).map((x) => x.name)).toEqual(['a', 'e', 'b', 'd']);
  });

  it('at equal accuracy keeps only the faster; at equal latency only the more accurate', () => {
    expect(paretoFrontier([p('slow', 75, 20), p('fast', 75, 10)]).map((x) => x.name)).toEqual(['fast']);
    expect(paretoFrontier([p('worse', 74, 10), p('better', 75, 10)]).map((x) => x.name)).toEqual(['better']);
  });

  it('keeps exact twins, since neither dominates the other', () => {
    const f = paretoFrontier([p('x', 75, 10), p('y', 75, 10), p('z', 70, 12)]);
    expect(f.map((x) => x.name).sort()).toEqual(['x', 'y']);
    expect(dominates(p('x', 75, 10), p('y', 75, 10))).toBe(false);
    expect(dominates(p('x', 75, 10), p('z', 70, 12))).toBe(true);
  });

  it('handles empty and single inputs', () => {
    expect(paretoFrontier([])).toEqual([]);
    expect(paretoFrontier([p('only', 1, 1)]).map((x) => x.name)).toEqual(['only']);
  });
});

describe('distances to the frontier', () => {
  const pts = [p('a', 70, 10), p('b', 75, 20), p('d', 80, 40)];

  it('latency gap: against the fastest point at least as accurate', () => {
    // 74% at 30 ms: b (75%, 20 ms) is the fastest as accurate -> 30/20 - 1 = +50%.
    expect(latencyGap(p('cand', 74, 30), pts)).toEqual({ slower_by: 0.5, reference: 'b' });
    // Ahead of the frontier: 74% at 16 ms -> 16/20 - 1 = -20%.
    expect(latencyGap(p('cand', 74, 16), pts)!.slower_by).toBeCloseTo(-0.2, 12);
    // Equal accuracy counts as "as accurate".
    expect(latencyGap(p('cand', 75, 25), pts)).toEqual({ slower_by: 0.25, reference: 'b' });
    // Nothing as accurate: it tops the frontier.
    expect(latencyGap(p('cand', 81, 50), pts)).toBeUndefined();
  });

  it('accuracy gap: against the most accurate point at most as slow', () => {
    expect(accuracyGap(p('cand', 74, 30), pts)).toEqual({ less_accurate_by: 1, reference: 'b' });
    expect(accuracyGap(p('cand', 78, 20), pts)).toEqual({ less_accurate_by: -3, reference: 'b' });
    expect(accuracyGap(p('cand', 60, 5), pts)).toBeUndefined();
  });

  it('ignores the point itself when it is among the others', () => {
    const cand = p('cand', 74, 30);
    expect(latencyGap(cand, [...pts, cand])!.reference).toBe('b');
  });
});

describe('decide (ratios are neighbour / candidate)', () => {
  const tol = { latency: 0.03, accuracy: 0.1 };
  const line = 1 / 1.03; // a model must be > 3% faster: candidate / neighbour > 1.03
  const cmp = (name: string, accuracy: number | null, ratio: number, halfWidth = 0.01): SideBySide => ({ name, accuracy, ratio, ci95: [ratio * (1 - halfWidth), ratio * (1 + halfWidth)] });

  it('dominated when an as-accurate model is faster with the whole interval past the tolerance', () => {
    const d = decide(75, [cmp('fast', 75.5, 0.8), cmp('other', 70, 0.5)], tol, 80);
    expect(d.verdict).toBe('dominated');
    expect(d.dominatedBy!.name).toBe('fast');
    expect(d.dominatedBy!.slower_by).toBeCloseTo(0.25, 12); // 1/0.8 - 1
    expect(d.dominatedBy!.slower_by_ci95[0]).toBeCloseTo(1 / (0.8 * 1.01) - 1, 12);
  });

  it('a less accurate model never dominates, however fast', () => {
    expect(decide(75, [cmp('fast-but-worse', 74.8, 0.5)], tol, 80).verdict).toBe('pass');
  });

  it('accuracy tolerance edge: exactly tolerance points less accurate still dominates', () => {
    expect(decide(75, [cmp('edge', 74.9, 0.5)], tol, 80).verdict).toBe('dominated');
    expect(decide(75, [cmp('past-edge', 74.89, 0.5)], tol, 80).verdict).toBe('pass');
  });

  it('latency tolerance edge: interval high end must be strictly below 1/(1+tol)', () => {
    const exact: SideBySide = { name: 'n', accuracy: 76, ratio: line - 0.01, ci95: [line - 0.02, line] };
    expect(decide(75, [exact], tol, 80).verdict).toBe('inconclusive');
    const inside: SideBySide = { name: 'n', accuracy: 76, ratio: line - 0.01, ci95: [line - 0.02, line - 1e-9] };
    expect(decide(75, [inside], tol, 80).verdict).toBe('dominated');
    // 2% faster with a tight interval: inside the band, not dominated.
    expect(decide(75, [cmp('n', 76, 0.98, 0.001)], tol, 80).verdict).toBe('pass');
  });

  it('inconclusive when an interval straddles the line, never when it clears it', () => {
    const d = decide(75, [cmp('wide', 76, 0.96, 0.05)], tol, 80);
    expect(d.verdict).toBe('inconclusive');
    expect(d.undecided).toEqual(['wide']);
    expect(decide(75, [cmp('clear', 76, 1.1, 0.05)], tol, 80).verdict).toBe('new-frontier');
  });

  it('new-frontier when every as-accurate model is proven slower, or it tops the store', () => {
    expect(decide(75, [cmp('slower', 76, 1.2), cmp('faster-worse', 70, 0.5)], tol, 80).verdict).toBe('new-frontier');
    // Equal speed to a more accurate model: on the frontier within tolerance, but does not move it.
    expect(decide(75, [cmp('same', 76, 1.0)], tol, 80).verdict).toBe('pass');
    expect(decide(81, [cmp('same', 80, 1.0)], tol, 80).verdict).toBe('new-frontier');
    // Above the best stored model but within the tolerance: that model must be proven slower.
    expect(decide(80.05, [cmp('best', 80, 1.0)], tol, 80).verdict).toBe('pass');
    expect(decide(80.05, [cmp('best', 80, 1.2)], tol, 80).verdict).toBe('new-frontier');
    // An unmeasured stored model within the tolerance keeps it from being new-frontier.
    expect(decide(80.05, [], tol, 80).verdict).toBe('pass');
    expect(decide(75, [], tol, null).verdict).toBe('new-frontier');
  });

  it('records without accuracy never dominate', () => {
    expect(decide(75, [cmp('no-acc', null, 0.5)], tol, 80).verdict).toBe('pass');
  });

  it('combines candidates worst first', () => {
    expect(worstVerdict(['new-frontier', 'pass'])).toBe('pass');
    expect(worstVerdict(['pass', 'inconclusive'])).toBe('inconclusive');
    expect(worstVerdict(['inconclusive', 'dominated', 'new-frontier'])).toBe('dominated');
  });
});
