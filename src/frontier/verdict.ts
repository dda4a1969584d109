/**
 * The gate's decision from side-by-side ratios. Every ratio is neighbour / candidate, measured in one
 * interleaved run on this machine, with its 95% confidence interval.
 *
 *   dominated     a stored model at least as accurate (minus the accuracy tolerance) is faster beyond the
 *                 latency tolerance, with the whole interval past it: ratio CI high < 1 / (1 + tol)
 *   inconclusive  no such model, but one's interval straddles that line
 *   new-frontier  not dominated, and it moves the frontier: every stored model at least as accurate (minus
 *                 the tolerance) is proven slower (whole interval above 1), or there is none
 *   pass          on the frontier within tolerance
 */

export type Verdict = 'pass' | 'new-frontier' | 'dominated' | 'inconclusive';

/** Worst first: the order in which verdicts combine over several candidates. */
export const VERDICT_SEVERITY: Record<Verdict, number> = { dominated: 3, inconclusive: 2, pass: 1, 'new-frontier': 0 };

export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((w, v) => (VERDICT_SEVERITY[v] > VERDICT_SEVERITY[w] ? v : w), 'new-frontier');
}

export interface Tolerances {
  /** Relative latency band, e.g. 0.03: a model must be more than 3% faster to dominate. */
  latency: number;
  /** Accuracy points, e.g. 0.1: a model 0.1 points less accurate still counts as "as accurate". */
  accuracy: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { latency: 0.03, accuracy: 0.1 };

export interface SideBySide {
  name: string;
  /** Top-1 of the stored model; null when the store has none (it cannot dominate on accuracy). */
  accuracy: number | null;
  /** median(neighbour) / median(candidate). */
  ratio: number;
  ci95: [number, number];
}

export interface Decision {
  verdict: Verdict;
  /** For dominated: the model with the largest proven gap. */
  dominatedBy?: SideBySide & { accuracy: number; slower_by: number; slower_by_ci95: [number, number] };
  /** Models whose interval straddles the dominance line (inconclusive). */
  undecided: string[];
  reason: string;
}

/** Accuracies are decimals like 77.7; 77.8 - 0.1 must still count as 77.7. */
export const ACCURACY_EPSILON = 1e-9;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** ratio = neighbour / candidate; the candidate is slower by 1/ratio - 1. */
export const slowerBy = (ratio: number) => 1 / ratio - 1;

export function decide(
  candidateAccuracy: number,
  comparisons: readonly SideBySide[],
  tol: Tolerances,
  storeBestAccuracy: number | null,
  /** How model names appear in the reason (the Markdown report passes an escaping formatter). */
  name: (model: string) => string = (model) => model,
): Decision {
  const line = 1 / (1 + tol.latency);
  const contenders = comparisons.filter((c): c is SideBySide & { accuracy: number } => c.accuracy !== null && c.accuracy >= candidateAccuracy - tol.accuracy - ACCURACY_EPSILON);
  const proven = contenders.filter((c) => c.ci95[1] < line).sort((a, b) => a.ci95[1] - b.ci95[1] || b.accuracy - a.accuracy);
  if (proven.length) {
    const d = proven[0];
    const dominatedBy = { ...d, slower_by: slowerBy(d.ratio), slower_by_ci95: [slowerBy(d.ci95[1]), slowerBy(d.ci95[0])] as [number, number] };
    return {
      verdict: 'dominated',
      dominatedBy,
      undecided: [],
      reason:
        `${name(d.name)} (top-1 ${d.accuracy}) is at least as accurate within ${tol.accuracy} points and the candidate is ` +
        `${pct(dominatedBy.slower_by)} slower (95% CI ${pct(dominatedBy.slower_by_ci95[0])}..${pct(dominatedBy.slower_by_ci95[1])}), beyond the ${pct(tol.latency)} tolerance`,
    };
  }
  const straddling = contenders.filter((c) => c.ci95[0] < line);
  if (straddling.length) {
    return {
      verdict: 'inconclusive',
      undecided: straddling.map((c) => c.name),
      reason:
        `the interval of ${straddling.map((c) => name(c.name)).join(', ')} straddles the ${pct(tol.latency)} tolerance: ` +
        'not proven dominated, not proven clear (more budget narrows it)',
    };
  }
  // Moves the frontier: every stored model as accurate (within tolerance) is proven slower, or none exists.
  if (contenders.length === 0 && (storeBestAccuracy === null || candidateAccuracy - tol.accuracy - ACCURACY_EPSILON > storeBestAccuracy)) {
    return { verdict: 'new-frontier', undecided: [], reason: `more accurate than every stored model by more than ${tol.accuracy} points (best ${storeBestAccuracy ?? 'none'})` };
  }
  if (contenders.length && contenders.every((c) => c.ci95[0] > 1)) {
    return {
      verdict: 'new-frontier',
      undecided: [],
      reason: `faster than every stored model at least as accurate (${contenders.map((c) => name(c.name)).join(', ')})`,
    };
  }
  return { verdict: 'pass', undecided: [], reason: `no stored model is faster beyond ${pct(tol.latency)} at its accuracy` };
}
