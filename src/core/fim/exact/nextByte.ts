/**
 * The exact next-byte distribution after a tail (fim-exact §1.7): covers that already pass the tail's end
 * vote for their remainder's first byte; the exact-end encoding T votes through the canonical tokens after
 * it, and for end of text. Everything is summed in log space and normalized once, so factors shared by all
 * covers (the head) cancel.
 */
import { logSumExp } from './logMath';
import { evaluateTail } from './tail';
import { validExtension } from './canonical';
import { tokenTrie } from './tokenTrie';
import type { ByteTokenizer, ExactOptions, TokenModel } from './types';

/** Index of end of text in the result. */
export const END_OF_TEXT = 256;

/**
 * P(next byte | head, tail) for bytes 0–255 and end of text (index 256). `tail` must start at a stable
 * anchor. Throws when the tail has probability 0 after the head.
 */
export async function exactNextByteDistribution(
  model: TokenModel,
  tokenizer: ByteTokenizer,
  head: Uint32Array,
  tail: Uint8Array,
  signal?: AbortSignal,
  options: ExactOptions = {},
): Promise<Float64Array> {
  const { covers, end } = await evaluateTail(model, tokenizer, head, tail, true, options, signal);
  const terms: number[][] = Array.from({ length: 257 }, () => []);
  for (const c of covers) if (c.remainder.length > 0) terms[c.remainder[0]].push(c.logProb);
  if (end) {
    for (const t of tokenTrie(tokenizer).all()) {
      const p = end.probs[t];
      if (p > 0 && validExtension(tokenizer, tail, end.tokens, t)) terms[tokenizer.tokenBytes(t)[0]].push(end.logProb + Math.log(p) - end.logZ);
    }
    const pEnd = end.probs[model.eosId];
    if (pEnd > 0) terms[END_OF_TEXT].push(end.logProb + Math.log(pEnd) - end.logZ);
  }
  const scores = terms.map(logSumExp);
  const total = logSumExp(scores);
  if (total === -Infinity) throw new Error('exact next byte: the tail has probability 0 after this head');
  return Float64Array.from(scores, (s) => Math.exp(s - total));
}
