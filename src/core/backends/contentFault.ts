/**
 * llama-server parses every output as a chat message, `/completion` included. Output that is not UTF-8 (a
 * byte token on its own, a character the last token leaves cut off) fails that parse: HTTP 500 or an error
 * event "The model produced output that does not match the expected Content-only format", and the tokens
 * after the last event are lost. What is needed to step past such a point by hand lives here.
 */
import { BackendError } from './types';

export function isContentFault(error: unknown): boolean {
  return error instanceof BackendError && /does not match the expected \S+ format/.test(error.message);
}

/** Whether `bytes` end inside a character, as llama-server's `validate_utf8` judges it (a lead byte short of its length). */
export function endsInsideChar(bytes: Uint8Array): boolean {
  for (let i = 1; i <= 4 && i <= bytes.length; i++) {
    const c = bytes[bytes.length - i];
    const width = (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    if (width) return i < width;
  }
  return false;
}

/**
 * The greedy token under `bias` from the top entries of the raw distribution (most probable first), as
 * llama.cpp's greedy sampler picks it (the lowest id on a tie); undefined where an id not listed could still
 * win. `complete`: the entries are the whole vocabulary.
 */
export function greedyPick(entries: readonly { id: number; logprob: number }[], bias: ReadonlyMap<number, number> | undefined, complete: boolean): number | undefined {
  let best: number | undefined;
  let bestScore = -Infinity;
  for (const e of entries) {
    const score = e.logprob + (bias?.get(e.id) ?? 0);
    if (score > bestScore || (score === bestScore && best !== undefined && e.id < best)) {
      best = e.id;
      bestScore = score;
    }
  }
  if (complete) return best;
  if (!entries.length) return undefined;
  // An id not listed has at most the last listed probability, plus the largest bias it may carry.
  const listed = new Set(entries.map((e) => e.id));
  let lift = 0;
  for (const [id, b] of bias ?? []) if (b > lift && !listed.has(id)) lift = b;
  return bestScore > entries[entries.length - 1].logprob + lift ? best : undefined;
}
