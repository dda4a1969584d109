/**
 * Number formats every report shares, so that one value reads the same in the verdict, the tables, the
 * chart's words, LACS and the dashboard.
 */

/** Top-1 in percent: two decimals, one when the second is 0 (71.878 -> 71.88, 65.4 -> 65.4, 71 -> 71.0). */
export function top1Text(x: number): string {
  return x.toFixed(2).replace(/(\.\d)0$/, '$1');
}
