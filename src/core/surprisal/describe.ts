/** How a token's surprise reads: its colour level and its hover. */
import { codeSpan, escapeMarkdown } from '../hover/hoverMarkdown';
import { escapeTokenText } from '../text/escape';
import type { TokenSurprise } from './score';

/**
 * Bits at which a token takes the next colour: under 4 (p above 1/16) none, then 4–8, 8–12 and 12 or
 * more (p under 1/4096). An unknown probability (the engine could not list it) is the highest.
 */
export const LEVEL_BITS = [4, 8, 12] as const;

export function surpriseLevel(t: Pick<TokenSurprise, 'bits'>): 0 | 1 | 2 | 3 {
  if (!Number.isFinite(t.bits)) return 3;
  return t.bits >= LEVEL_BITS[2] ? 3 : t.bits >= LEVEL_BITS[1] ? 2 : t.bits >= LEVEL_BITS[0] ? 1 : 0;
}

export const formatProbability = (p: number): string => (!Number.isFinite(p) ? 'unknown' : p >= 0.001 ? `${(100 * p).toFixed(p >= 0.1 ? 1 : 2)}%` : p.toExponential(1));

export function formatRank(t: Pick<TokenSurprise, 'rank' | 'rankAtLeast'>): string {
  return t.rankAtLeast ? `not among the model's top ${t.rank - 1}` : `the model's ${t.rank}${ordinal(t.rank)} choice`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

/** The hover of one token: its surprise in bits, probability and rank, and the model's top alternatives. */
export function surpriseHoverMarkdown(t: TokenSurprise, model: string): string {
  const bits = Number.isFinite(t.bits) ? `${t.bits.toFixed(2)} bits` : `over ${Math.ceil(-Math.log2(t.top.at(-1)?.probability ?? 1))} bits`;
  const lines = [
    `**The model's surprise: ${bits}** at ${codeSpan(escapeTokenText(t.text))} (token ${t.index + 1}, id ${t.id})`,
    '',
    `p = ${formatProbability(t.probability)} · ${formatRank(t)} · ${escapeMarkdown(model)}`,
    '',
    '| | the model expected | p |',
    '|---:|---|---:|',
    ...t.top.map((a, i) => `| ${i + 1} | ${codeSpan(escapeTokenText(a.text))}${a.id === t.id ? ' ← this token' : ''} | ${formatProbability(a.probability)} |`),
  ];
  return lines.join('\n');
}
