/**
 * Coefficient moves between two LACS runs, for the PR gate: when a PR changes a `family: base` config,
 * its report shows the recomputed (alpha, beta, gamma) beside the ones stored with the previous base.
 */
import type { Coefficients } from './grid';

/** What to store with a base so the next run can compare: the result and what it was measured on. */
export interface StoredCoefficients extends Coefficients {
  objective: number;
  /**
   * The base the coefficients were searched for: its network hash (arch/identity.ts networkHash) in a
   * `lacs --coefficients-out` file, its store config hash when they come from a store record's LACS entry.
   */
  base_network_hash?: string;
  base_config_hash?: string;
  target_key: string;
  w: number;
  date?: string;
}

export interface CoefficientMove {
  name: 'alpha' | 'beta' | 'gamma';
  from: number;
  to: number;
  delta: number;
}

export interface CoefficientComparison {
  previous?: StoredCoefficients;
  current: Coefficients;
  changed: boolean;
  moves: CoefficientMove[];
  /** Earlier coefficients came from another target: moves mix hardware and architecture changes. */
  sameTarget: boolean;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function compareCoefficients(previous: StoredCoefficients | undefined, current: Coefficients & { target_key?: string }): CoefficientComparison {
  const names = ['alpha', 'beta', 'gamma'] as const;
  const now: Coefficients = { alpha: current.alpha, beta: current.beta, gamma: current.gamma };
  if (!previous) return { current: now, changed: true, moves: [], sameTarget: true };
  const moves = names.map((name) => ({ name, from: previous[name], to: current[name], delta: round6(current[name] - previous[name]) }));
  const changed = moves.some((m) => m.delta !== 0);
  const sameTarget = current.target_key === undefined || current.target_key === previous.target_key;
  return { previous, current: now, changed, moves, sameTarget };
}
