/**
 * One cover drawn in proportion to exp(logProb / T) (fim-exact §3.3). At T = 1 this is P(cover | tail), so
 * continuing from the drawn cover samples exactly from P(continuation | tail); any other T is a heuristic
 * with no exact equivalent (the covers' probabilities are sharpened or flattened, not the text's). T ≤ 0 is
 * the argmax.
 */
import type { Cover } from './types';

export function sampleCover(covers: readonly Cover[], temperature: number, random: () => number = Math.random): Cover | undefined {
  let best: Cover | undefined;
  for (const c of covers) if (c.logProb > -Infinity && (!best || c.logProb > best.logProb)) best = c;
  if (!best || !(temperature > 0)) return best;
  // Shifted by the largest log-probability, so tiny probabilities and small T do not underflow to 0/0.
  const weights = covers.map((c) => (c.logProb > -Infinity ? Math.exp((c.logProb - best.logProb) / temperature) : 0));
  const total = weights.reduce((a, w) => a + w, 0);
  let r = random() * total;
  for (let i = 0; i < covers.length; i++) {
    if (weights[i] === 0) continue;
    r -= weights[i];
    if (r < 0) return covers[i];
  }
  // Rounding can leave r at or just above 0: the last cover with weight takes it.
  for (let i = covers.length - 1; i >= 0; i--) if (weights[i] > 0) return covers[i];
  return best;
}
