/**
 * Budget arithmetic: tokens used against a context window, with the output reservation shown apart,
 * never silently added to what is used.
 */

export type BudgetState = 'ok' | 'warning' | 'error';

export interface BudgetInput {
  used: number;
  contextWindow: number;
  reservedOutput: number;
  /** Fractions of the usable window (the window minus the reserved output). */
  warningAt: number;
  errorAt: number;
}

export interface Budget extends BudgetInput {
  /** The window minus the reserved output: what the input may use. */
  usable: number;
  /** Usable tokens left (negative when over). */
  left: number;
  /** Used ÷ context window, as people quote it. */
  share: number;
  state: BudgetState;
}

export function computeBudget(input: BudgetInput): Budget {
  const usable = Math.max(0, input.contextWindow - input.reservedOutput);
  const fill = usable > 0 ? input.used / usable : input.used > 0 ? Infinity : 0;
  const state: BudgetState = fill >= input.errorAt ? 'error' : fill >= input.warningAt ? 'warning' : 'ok';
  return { ...input, usable, left: usable - input.used, share: input.contextWindow > 0 ? input.used / input.contextWindow : 0, state };
}

/** What `reservedOutput: -1` reserves at most: enough for a long answer without eating a small window. */
export const DEFAULT_RESERVED_OUTPUT_CAP = 8192;

/**
 * The output to reserve: the setting when it is 0 or more; -1 means the model's output limit, capped
 * (a model that states none reserves none).
 */
export function reservedOutputFor(setting: number, model: { maxOutput: number }): number {
  return setting >= 0 ? setting : Math.min(model.maxOutput, DEFAULT_RESERVED_OUTPUT_CAP);
}

const grouped = new Intl.NumberFormat('en-US');

/** `1,234` */
export const formatCount = (n: number): string => grouped.format(n);

/** `128k`, `1M`, `1.05M`, `200k`, `8,192` stays exact below 10k. */
export function formatWindow(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(n % 1_000_000 === 0 ? 0 : 2)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return grouped.format(n);
}

/** `1 token`, `2 tokens`, `1,234 files`: a count with its noun, singular for one. */
export function formatCounted(n: number, noun: string, prefix = ''): string {
  return `${prefix}${formatCount(n)} ${n === 1 ? noun : `${noun}s`}`;
}

/** The tokens left in words: `1,200 (3.4% of the usable window)`, or `none: over by 6,000 (5.0% more than the usable window)`. */
export function formatLeft(left: number, usable: number): string {
  if (left >= 0) return `${formatCount(left)} (${formatShare(usable > 0 ? left / usable : 0)} of the usable window)`;
  const ratio = usable > 0 ? -left / usable : 0;
  const over = usable <= 0 ? '' : ratio < 1 ? ` (${formatShare(ratio)} more than the usable window)` : ` (${ratio.toFixed(ratio < 10 ? 1 : 0)}× the usable window)`;
  return `none: over by ${formatCount(-left)}${over}`;
}

/** `9.6%`, `0.04%`, `120%` */
export function formatShare(share: number): string {
  const percent = share * 100;
  if (percent > 0 && percent < 0.01) return '<0.01%';
  if (percent > 0 && percent < 0.1) return `${percent.toFixed(2)}%`;
  // Just under 100% reads as such: "99.8%", not "100%".
  if (percent > 99.5 && percent < 100) return `${(Math.floor(percent * 10) / 10).toFixed(1)}%`;
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent)}%`;
}
