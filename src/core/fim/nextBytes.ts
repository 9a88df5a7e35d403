/**
 * The next character at a cursor, two ways: exactly (the tail from the anchor conditioned on through its
 * covers) and naively (the next-token distribution after the canonical encoding up to the cursor, each
 * token counted for its first byte), to show the bias that the token boundary at the cursor causes.
 */
import { byteTokenizerOf, fimIds, fimPrompt, type FimTarget } from './complete';
import { END_OF_TEXT, exactNextByteDistribution, tokenModelFromBackend } from './exact';

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
  const naive = new Float64Array(257);
  probs.forEach((p, id) => {
    if (p === 0) return;
    if (id === model.eosId) naive[END_OF_TEXT] += p;
    else {
      const b = bytes.tokenBytes(id);
      // Other special tokens stand for no text: their mass is not a next character.
      if (b.length > 0) naive[b[0]] += p;
    }
  });
  const total = naive.reduce((a, v) => a + v, 0);
  if (total > 0) for (let i = 0; i < naive.length; i++) naive[i] /= total;
  return { exact, naive, tail: exactPrompt.tail };
}
