/**
 * Cover encodings of a tail (fim-exact §1.5, §2.2): every canonical token sequence whose text starts with
 * the tail, ending at the first token that reaches its end. They partition the continuations, so their
 * probabilities sum to P(tail | head) (the BTR lemma, §1.6) and sampling one by probability, then
 * continuing at token level, is exact (Recipe A, §3.3).
 */
import { evaluateTail } from './tail';
import type { ByteTokenizer, Cover, ExactOptions, TokenModel } from './types';

/**
 * The covers of `tail` after `head`, each with log P(tokens | head). `tail` must start at a stable
 * anchor: no pre-tokenizer is taken into account. An empty tail has one cover, the empty sequence.
 */
export async function coverEncodings(
  model: TokenModel,
  tokenizer: ByteTokenizer,
  head: Uint32Array,
  tail: Uint8Array,
  signal?: AbortSignal,
  options: ExactOptions = {},
): Promise<Cover[]> {
  if (tail.length === 0) return [{ tokens: new Uint32Array(0), logProb: 0, remainder: new Uint8Array(0) }];
  return (await evaluateTail(model, tokenizer, head, tail, false, options, signal)).covers;
}
