/** The vocabulary pieces of some ids, end to end, as the model sees them (no decoder's clean-up). */
import { concatBytes } from '../text/bytes';
import type { Tokenizer } from './types';

export function pieceBytes(tokenizer: Tokenizer, ids: ArrayLike<number>): Uint8Array {
  return concatBytes(
    Array.from(ids, (id) => {
      const bytes = tokenizer.tokenBytes(id);
      if (!bytes) throw new Error(`${tokenizer.id}: unknown token id ${id}`);
      return bytes;
    }),
  );
}
