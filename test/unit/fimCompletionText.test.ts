/** A completion's text: bytes decoded without a cut-off character, trimmed against the suffix; where the word at the cursor starts. */
import assert from 'node:assert/strict';
import { decodeComplete, trimAgainstSuffix, wordStart } from '../../src/core/fim/completionText';

describe('completion text', () => {
  it('trims what repeats the text after the cursor', () => {
    assert.equal(trimAgainstSuffix('x + 1;\n  return y;\n  more', '\n  return y;\n}\n'), 'x + 1;');
    assert.equal(trimAgainstSuffix('name)', ')\n'), 'name');
    assert.equal(trimAgainstSuffix('abc', ''), 'abc');
  });

  it('drops a character cut off at the end instead of showing U+FFFD, and keeps a leading U+FEFF', () => {
    assert.equal(decodeComplete(Uint8Array.of(0x61, 0xc3)), 'a');
    assert.equal(decodeComplete(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61)), '\ufeffa');
  });

  it('finds the start of the partial word: letters of any script, digits, _ and $, astral letters whole', () => {
    assert.equal(wordStart('return fooBar'), 7);
    assert.equal(wordStart('x = $el_2'), 4);
    assert.equal(wordStart('café'), 0);
    assert.equal(wordStart('print(𝑥𝑦'), 6);
    assert.equal(wordStart('a + '), 4);
    assert.equal(wordStart(''), 0);
  });
});
