/**
 * The loop every HTTP backend runs for a streamed generation: each event's tokens, until an event says why
 * it stopped. A stream that ends without saying so is an error; an aborted one ends quietly.
 */
import type { BackendKind, GeneratedToken, StopReason } from './types';
import { BackendError } from './types';

export interface StreamStep {
  tokens: Iterable<GeneratedToken>;
  /** Set by the event that ends the generation. */
  stop?: StopReason;
}

export async function* streamedGeneration<E>(
  events: AsyncIterable<unknown>,
  step: (event: E) => StreamStep,
  ended: { kind: BackendKind; message: string },
  signal: AbortSignal,
  release: () => void,
): AsyncGenerator<GeneratedToken, StopReason> {
  try {
    for await (const raw of events) {
      const { tokens, stop } = step(raw as E);
      yield* tokens;
      if (stop) return stop;
    }
    throw new BackendError(ended.message, ended.kind);
  } catch (error) {
    if (signal.aborted) return 'aborted';
    throw error;
  } finally {
    release();
  }
}
