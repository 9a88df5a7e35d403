/** Number formats of the panel, on top of the core's (so that the panel, status bar and CLI agree). */
import { formatCount, formatCounted, formatShare } from '../src/core/budget/budget';

export { formatCount, formatCounted, formatShare };

const safe = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

/** `1,234`, or `≈1,234` for an estimate. */
export const count = (n: unknown, estimate = false): string => `${estimate ? '≈' : ''}${formatCount(safe(n))}`;

/** `3.52` */
export const ratio = (n: unknown): string => safe(n).toFixed(2);

/** `9.6%` */
export const share = (n: unknown): string => formatShare(safe(n));

/** `+120 (+3.4%)`, `−56 (−1.2%)`, `0` */
export function delta(tokens: unknown, fraction: unknown): string {
  const t = safe(tokens);
  if (t === 0) return '0';
  const sign = t > 0 ? '+' : '−';
  return `${sign}${formatCount(Math.abs(t))} (${sign}${formatShare(Math.abs(safe(fraction)))})`;
}

export { safe as finite };
