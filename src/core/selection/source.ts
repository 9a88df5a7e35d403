/** Argument checks shared by the selection commands. */
import type { TokenSource } from '../incremental/tokenSource';

export function checkRange(source: TokenSource, start: number, end: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= source.textLength)) {
    throw new RangeError(`range [${start}, ${end}) is outside the text (length ${source.textLength})`);
  }
}

export function checkTokenCount(n: number, min: number): void {
  if (!(Number.isInteger(n) && n >= min)) throw new RangeError(`token count ${n} must be an integer of at least ${min}`);
}
