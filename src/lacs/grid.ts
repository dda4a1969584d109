/**
 * The LACS search space: compound-scaling coefficients (alpha, beta, gamma) for depth, width and
 * resolution, with alpha, beta, gamma >= 1 and alpha * beta^2 * gamma^2 close to 2, so one step of phi
 * roughly doubles the FLOPs (EfficientNet's constraint, kept by EfficientNet-X's LACS).
 */
export interface Coefficients {
  alpha: number;
  beta: number;
  gamma: number;
}

/** EfficientNet's grid-search result at phi = 1 (Tan & Le 2019); always scored as the reference. */
export const EFFICIENTNET_COEFFICIENTS: Readonly<Coefficients> = Object.freeze({ alpha: 1.2, beta: 1.1, gamma: 1.15 });

/** The FLOPs multiplier a step of phi aims for. */
export const FLOPS_BUDGET = 2;

/**
 * Default tolerance on alpha * beta^2 * gamma^2: |product - 2| <= 0.1 (5%). A 0.05 grid cannot hit 2
 * exactly (EfficientNet's own coefficients give 1.920, EfficientNet-X's GPU ones about 1.923), and
 * rounding of repeats and channels moves the realised FLOPs by more than that anyway.
 */
export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_GRID_STEP = 0.05;

export interface GridOptions {
  step?: number;
  tolerance?: number;
}

export interface GridCandidate extends Coefficients {
  /** alpha * beta^2 * gamma^2 */
  product: number;
  /** True for EfficientNet's coefficients (included even when off-grid or outside the tolerance). */
  reference: boolean;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function flopsProduct(c: Coefficients): number {
  return c.alpha * c.beta ** 2 * c.gamma ** 2;
}

export function sameCoefficients(a: Coefficients, b: Coefficients): boolean {
  return round6(a.alpha) === round6(b.alpha) && round6(a.beta) === round6(b.beta) && round6(a.gamma) === round6(b.gamma);
}

export function formatCoefficients(c: Coefficients): string {
  const f = (x: number) => String(round6(x));
  return `(${f(c.alpha)}, ${f(c.beta)}, ${f(c.gamma)})`;
}

/**
 * Every grid point with alpha, beta, gamma in {1, 1 + step, 1 + 2 step, ...} and
 * |alpha beta^2 gamma^2 - 2| <= tolerance, plus EfficientNet's coefficients. Ordered by alpha, beta, gamma.
 */
export function candidateGrid(options: GridOptions = {}): GridCandidate[] {
  const step = options.step ?? DEFAULT_GRID_STEP;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`grid step must be a positive number, got ${step}`);
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new RangeError(`tolerance must be a number >= 0, got ${tolerance}`);
  const hi = FLOPS_BUDGET + tolerance;
  const values = (max: number) => {
    const out: number[] = [];
    // Index-based so 1 + i * step does not accumulate float error.
    for (let i = 0; 1 + i * step <= max + 1e-9; i++) out.push(round6(1 + i * step));
    return out;
  };
  const out: GridCandidate[] = [];
  for (const alpha of values(hi)) {
    for (const beta of values(Math.sqrt(hi / alpha))) {
      for (const gamma of values(Math.sqrt(hi / (alpha * beta ** 2)))) {
        const c = { alpha, beta, gamma };
        const product = flopsProduct(c);
        if (Math.abs(product - FLOPS_BUDGET) <= tolerance + 1e-9) {
          out.push({ ...c, product: round6(product), reference: sameCoefficients(c, EFFICIENTNET_COEFFICIENTS) });
        }
      }
    }
  }
  if (!out.some((c) => c.reference)) {
    out.push({ ...EFFICIENTNET_COEFFICIENTS, product: round6(flopsProduct(EFFICIENTNET_COEFFICIENTS)), reference: true });
  }
  return out;
}

/** The scale factors of family member phi: depth alpha^phi, width beta^phi, resolution gamma^phi. */
export function compoundFactors(c: Coefficients, phi: number): { depth: number; width: number; resolution: number } {
  return { depth: round6(c.alpha ** phi), width: round6(c.beta ** phi), resolution: round6(c.gamma ** phi) };
}
