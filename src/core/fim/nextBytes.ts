/**
 * The next character at a cursor, two ways: exactly (the tail from the anchor conditioned on through its
 * covers) and naively (the next-token distribution after the canonical encoding up to the cursor, each
 * token counted for its first byte), to show the bias that the token boundary at the cursor causes.
 */
import { byteTokenizerOf, fimIds, fimPrompt, scoringModelOf, type FimTarget } from './complete';
import { boundedNextBytes, END_OF_TEXT, exactNextByteDistribution, tokenModelFromBackend, type ByteTokenizer } from './exact';

export interface NextBytesInput extends FimTarget {
  signal?: AbortSignal;
}

export interface NextBytes {
  /** P(next byte) for bytes 0–255 and end of text at `END_OF_TEXT` (256). */
  exact: Float64Array;
  naive: Float64Array;
  /** The typed bytes the exact distribution conditions on. */
  tail: Uint8Array;
}

export { END_OF_TEXT };

export async function nextByteDistributions(input: NextBytesInput): Promise<NextBytes> {
  const { backend, connected, tokenizer, signal } = input;
  const ids = fimIds(connected, tokenizer, input.template);
  const model = tokenModelFromBackend(backend, connected);
  const bytes = byteTokenizerOf(connected, tokenizer);
  // No output is generated: the prompt may use the whole context.
  const exactPrompt = fimPrompt({ ...input, strategy: 'exact', maxTokens: 0 }, ids);
  const exact = await exactNextByteDistribution(model, bytes, exactPrompt.ids, exactPrompt.tail, signal);
  const plainPrompt = fimPrompt({ ...input, strategy: 'plain', maxTokens: 0 }, ids);
  const [probs] = await model.nextTokenProbs([plainPrompt.ids], signal);
  const naive = firstBytes(bytes, model.eosId, Array.from(probs.keys()), probs);
  const total = naive.reduce((a, v) => a + v, 0);
  if (total > 0) for (let i = 0; i < naive.length; i++) naive[i] /= total;
  return { exact, naive, tail: exactPrompt.tail };
}

export interface BoundedNextBytesResult {
  /** P(next byte), exact where `maxError` is 0, else the middle of an interval at most `maxError` wide each way. */
  exact: Float64Array;
  maxError: number;
  /** The naive view from the top `topK` tokens; `naiveRest` is the share the list leaves unassigned. */
  naive: Float64Array;
  naiveRest: number;
  topK: number;
  tail: Uint8Array;
}

/** Top-k lists first: the naive view's list, and the exact one certified to within it. */
const NAIVE_TOP_K = 1024;

/**
 * The same two views from top-k lists, fast enough for a command (a fraction of a second on a 150k
 * vocabulary): each exact probability is known to within `tolerance`, and the result says how far.
 */
export async function boundedNextByteDistributions(input: NextBytesInput, tolerance: number): Promise<BoundedNextBytesResult> {
  const { backend, connected, tokenizer, signal } = input;
  const ids = fimIds(connected, tokenizer, input.template);
  const model = scoringModelOf(backend, connected);
  const bytes = byteTokenizerOf(connected, tokenizer);
  const exactPrompt = fimPrompt({ ...input, strategy: 'exact', maxTokens: 0 }, ids);
  const bounded = await boundedNextBytes(model, bytes, exactPrompt.ids, exactPrompt.tail, tolerance, { signal });
  const plainPrompt = fimPrompt({ ...input, strategy: 'plain', maxTokens: 0 }, ids);
  const [top] = await model.topTokens([plainPrompt.ids], NAIVE_TOP_K, signal);
  const naive = firstBytes(bytes, model.eosId, top.ids, top.probs);
  // As the full view: relative to the mass of text and end of text, the unlisted rest included.
  const total = naive.reduce((a, v) => a + v, 0) + top.otherMass;
  if (total > 0) for (let i = 0; i < naive.length; i++) naive[i] /= total;
  return { exact: bounded.probs, maxError: bounded.maxError, naive, naiveRest: total > 0 ? top.otherMass / total : 0, topK: NAIVE_TOP_K, tail: exactPrompt.tail };
}

/** Each token's probability counted for its first byte; end of text apart, and other special tokens (no text) not at all. */
function firstBytes(bytes: ByteTokenizer, eosId: number, ids: ArrayLike<number>, probs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(257);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === eosId) out[END_OF_TEXT] += probs[i];
    else {
      const b = bytes.tokenBytes(ids[i]);
      if (b.length > 0) out[b[0]] += probs[i];
    }
  }
  return out;
}
