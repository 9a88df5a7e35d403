// Checks a peer's ids against Tokenwise's for the same text and, when they differ, says where:
// the first differing token, its offset in the text, the text around it and both sides' tokens.
// Runs after the timing, so loading Tokenwise here does not disturb the peer's measurement.
import { loadEncoder, TOKENWISE } from './libs.mjs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const core = fileURLToPath(new URL('../dist/core.js', import.meta.url));

/** `reference`: Tokenwise's ids for `text` when already known (written by its own worker). */
export async function compareIds(encoding, text, ids, reference) {
  if (!reference) reference = await (await loadEncoder(TOKENWISE, encoding))(text);
  const n = Math.min(ids.length, reference.length);
  let i = 0;
  while (i < n && ids[i] === reference[i]) i++;
  if (i === n && ids.length === reference.length) return { identical: true };
  const tw = await require(core).loadTokenizer(encoding);
  return { identical: false, peerTokens: ids.length, tokenwiseTokens: reference.length, ...describe(tw, text, reference, ids, i) };
}

function describe(tw, text, reference, ids, index) {
  let byteOffset = 0;
  for (let k = 0; k < index; k++) byteOffset += tw.tokenBytes(reference[k])?.length ?? 0;
  // Char offset of that byte offset (a token may end mid-character; the decoder then rounds).
  const charOffset = Buffer.from(text).subarray(0, byteOffset).toString('utf8').length;
  const piece = (id) => {
    // A peer that keeps its vocabulary in a plain object can return inherited members for ids.
    if (typeof id !== 'number') return `(${typeof id} ${JSON.stringify(String(id).slice(0, 40))})`;
    const b = tw.tokenBytes(id) ?? tw.specialToken(id);
    return `${id}:${JSON.stringify(b === undefined ? '?' : typeof b === 'string' ? b : Buffer.from(b).toString('utf8'))}`;
  };
  const around = (arr) => Array.from(arr.slice(Math.max(0, index - 2), index + 6), piece).join(' ');
  return {
    index,
    byteOffset,
    charOffset,
    context: JSON.stringify(text.slice(Math.max(0, charOffset - 60), charOffset + 60)),
    tokenwise: around(reference),
    peer: around(ids),
  };
}
