import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spansSource } from '../../src/core/incremental/tokenSource';
import { escapeTokenText, hexBytes } from '../../src/core/text/escape';
import { codeSpan, escapeMarkdown, renderHoverMarkdown } from '../../src/core/hover/hoverMarkdown';
import { byteLevelPiece } from '../../src/core/hover/piece';
import { tokenHover, type TokenHoverModel } from '../../src/core/hover/tokenHover';
import { DocumentTokens } from '../../src/core/incremental/documentTokens';
import { dataDirectory } from '../../src/core/data/node';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';

/** Each tokenizer loaded once for the file (gemma3 takes seconds). */

const TEXT = 'x😀 日本語\r\n\tfoo  bar_baz\r\n👨‍👩‍👧‍👦 end <|endoftext|> a|b`c 𠀀';

function hoverAt(tokenizer: Tokenizer, text: string, at: number, others: Tokenizer[] = []): TokenHoverModel {
  const model = tokenHover(new DocumentTokens(tokenizer, text), tokenizer, at, others);
  assert.ok(model, `no hover at ${at}`);
  return model;
}

describe('token hover', () => {
  const o200k = loadTokenizerSync('o200k_base');
  const cl100k = loadTokenizerSync('cl100k_base');
  const llama3 = loadTokenizerSync('llama3');

  it('describes a whole token: index, id, text, bytes, byte-level piece', () => {
    const m = hoverAt(o200k, TEXT, TEXT.indexOf('本'));
    assert.equal(m.tokens.length, 1);
    const [t] = m.tokens;
    assert.deepEqual([t.start, t.end], [3, 6]);
    assert.equal(t.id, o200k.encode(' 日本')[0]);
    assert.equal(t.index, new DocumentTokens(o200k, TEXT).tokensInRange(3, 4).first);
    assert.equal(t.text, '␣日本');
    assert.equal(t.bytes, 'e6 97 a5 e6 9c ac'.replace(/^/, '20 '));
    assert.equal(t.byteLength, 7);
    assert.equal(t.piece, 'ĠæĹ¥æľ¬');
    assert.equal(t.pieceForm, 'byte-level');
    assert.equal(t.special, false);
    assert.equal(t.partial, false);
    assert.deepEqual(t.fragments, []);
  });

  it('escapes line ends, tabs and invisible characters, and shows spaces at the ends', () => {
    const crlf = hoverAt(o200k, TEXT, TEXT.indexOf('\n'));
    assert.equal(crlf.tokens[0].text, '\\r\\n');
    assert.equal(crlf.tokens[0].piece, 'čĊ');
    const zwj = hoverAt(o200k, TEXT, TEXT.indexOf('\u200d'));
    assert.equal(zwj.tokens[0].text, '\\u{200d}');
    assert.equal(escapeTokenText('  a \tb\u0000\u00a0c\\n\u2028 '), '␣␣a \\tb\\u{0}\\u{a0}c\\\\n\\u{2028}␣');
    assert.equal(escapeTokenText('❤️\ud800'), '❤\\u{fe0f}\\u{d800}');
    assert.equal(escapeTokenText('   '), '␣␣␣');
    assert.equal(hexBytes(new Uint8Array([0, 15, 255])), '00 0f ff');
    assert.equal(hexBytes(new Uint8Array(70), 64).endsWith('00 … (6 more)'), true);
  });

  it('says which bytes of which character a partial token holds', () => {
    // o200k: ` 👨` is a token of a space and the emoji's first 3 bytes, then one of its last byte.
    const text = 'see 👨‍👩‍👧‍👦';
    const at = text.indexOf('👨');
    const m = hoverAt(o200k, text, at + 1); // on the second half of the surrogate pair: the same character
    assert.equal(m.offset, at);
    assert.equal(m.tokens.length, 2);
    const [head, tail] = m.tokens;
    assert.equal(head.text, '␣\ufffd');
    assert.equal(head.bytes, '20 f0 9f 91');
    assert.ok(head.partial && tail.partial);
    assert.deepEqual(head.fragments, [{ from: 1, to: 4, char: '👨', codePoint: 0x1f468, charFrom: 0, charTo: 3, charBytes: 4 }]);
    assert.deepEqual(tail.fragments, [{ from: 0, to: 1, char: '👨', codePoint: 0x1f468, charFrom: 3, charTo: 4, charBytes: 4 }]);
    assert.equal(tail.bytes, 'a8');
    assert.equal(tail.index, head.index + 1);
    // cl100k splits 😀 into two pure fragments.
    const emoji = hoverAt(cl100k, TEXT, 1);
    assert.deepEqual(emoji.tokens.map((t) => [t.text, t.bytes]), [['\ufffd', 'f0 9f 98'], ['\ufffd', '80']]);
    assert.deepEqual(emoji.tokens.map((t) => t.fragments.map((f) => [f.charFrom, f.charTo])), [[[0, 3]], [[3, 4]]]);
    const markdown = renderHoverMarkdown(emoji);
    assert.match(markdown, /split across 2 tokens/);
    assert.match(markdown, /Byte 1 here: byte 4 of the 4 of `😀` \(U\+1F600\), an incomplete UTF-8 sequence/);
  });

  it('writes SentencePiece pieces as the vocabulary does (gemma3: ▁ and byte fallback)', () => {
    const gemma = loadTokenizerSync('gemma3');
    const json = JSON.parse(gunzipSync(readFileSync(join(dataDirectory(), 'gemma3.json.gz'))).toString('utf8'));
    const pieces = new Map<number, string>(Object.entries(json.model.vocab as Record<string, number>).map(([piece, id]) => [id, piece]));
    const doc = new DocumentTokens(gemma, TEXT);
    let checked = 0;
    for (let at = 0; at < TEXT.length; at++) {
      for (const t of (tokenHover(doc, gemma, at) as TokenHoverModel).tokens) {
        assert.equal(t.piece, pieces.get(t.id), `id ${t.id} at ${at}`);
        assert.equal(t.pieceForm, 'sentencepiece');
        checked++;
      }
    }
    assert.ok(checked > TEXT.length);
    // 𠀀 falls back to bytes: four tokens, each one byte.
    const rare = hoverAt(gemma, TEXT, TEXT.indexOf('𠀀'));
    assert.deepEqual(rare.tokens.map((t) => t.piece), ['<0xF0>', '<0xA0>', '<0x80>', '<0x80>']);
    assert.deepEqual(rare.tokens.map((t) => t.fragments[0].charFrom), [0, 1, 2, 3]);
  });

  it('marks special tokens, and only where the text was encoded with them', () => {
    const at = TEXT.indexOf('<|endoftext|>') + 3;
    const asText = hoverAt(o200k, TEXT, at, [cl100k]);
    assert.equal(asText.tokens[0].special, false);
    const parsed = spansSource(TEXT, o200k.tokenize(TEXT, { parseSpecialTokens: true }));
    const special = tokenHover(parsed, o200k, at, [cl100k]) as TokenHoverModel;
    assert.equal(special.tokens[0].special, true);
    assert.equal(special.tokens[0].piece, '<|endoftext|>');
    assert.equal(special.tokens[0].pieceForm, 'special');
    assert.equal(special.tokens[0].id, 199999);
    // The word of a special token is the token itself, costed as text.
    assert.equal(special.word.text, '<|endoftext|>');
    assert.equal(special.word.isWord, false);
    assert.equal(special.word.costs[0].alone, cl100k.count('<|endoftext|>'));
    assert.match(renderHoverMarkdown(special), /\*\*special token\*\*/);
    // qwen3's `<think>` is an added token that is not special.
    const qwen = loadTokenizerSync('qwen3');
    const think = hoverAt(qwen, 'a <think> b', 4);
    assert.deepEqual([think.tokens[0].text, think.tokens[0].piece, think.tokens[0].special], ['<think>', '<think>', false]);
  });

  it('costs the word under the other tokenizers, with a leading space when it has one', () => {
    const m = hoverAt(o200k, TEXT, TEXT.indexOf('baz'), [cl100k, llama3]);
    assert.deepEqual([m.word.text, m.word.isWord, m.word.precededBySpace], ['bar_baz', true, true]);
    assert.equal(m.word.tokensHere, new DocumentTokens(o200k, TEXT).tokensInRange(m.word.start, m.word.end).ids.length);
    assert.deepEqual(
      m.word.costs.map((c) => [c.id, c.alone, c.withSpace]),
      [cl100k, llama3].map((t) => [t.id, t.count('bar_baz'), t.count(' bar_baz')]),
    );
    const cjk = hoverAt(o200k, '「日本語」', 2, [cl100k]);
    assert.deepEqual([cjk.word.text, cjk.word.precededBySpace, cjk.word.costs[0].withSpace], ['日本語', false, undefined]);
    assert.equal(cjk.word.costs[0].alone, cl100k.count('日本語'));
    // Not on a word: the token's own text.
    const punct = hoverAt(o200k, 'a += b', 3, [cl100k]);
    assert.deepEqual([punct.word.text, punct.word.isWord], [' +=', false]);
  });

  it('has no hover past the end of the text', () => {
    const doc = new DocumentTokens(o200k, 'ab');
    assert.equal(tokenHover(doc, o200k, 2), undefined);
    assert.equal(tokenHover(doc, o200k, -1), undefined);
    assert.equal(tokenHover(new DocumentTokens(o200k, ''), o200k, 0), undefined);
  });

  it('maps bytes through the GPT-2 table', () => {
    assert.equal(byteLevelPiece(new Uint8Array([0x20, 0x0a, 0x09, 0x41, 0xff, 0x00, 0x7f, 0xad])), 'ĠĊĉAÿĀġŃ');
  });
});

describe('hover Markdown', () => {
  const o200k = loadTokenizerSync('o200k_base');

  it('escapes Markdown and fences code spans around backticks', () => {
    assert.equal(escapeMarkdown('a*b_c|d<e>[f](g)\\'), 'a\\*b\\_c\\|d\\<e\\>\\[f\\]\\(g\\)\\\\');
    assert.equal(codeSpan('plain'), '`plain`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('`x``'), '``` `x`` ```');
    assert.equal(codeSpan(''), '` `');
  });

  it('renders the token, its bytes and piece, and a table of costs', () => {
    const cl100k = loadTokenizerSync('cl100k_base');
    const claude = loadTokenizerSync('claude-legacy');
    const m = hoverAt(o200k, TEXT, TEXT.indexOf('|b'), [cl100k, claude]);
    const md = renderHoverMarkdown(m);
    assert.match(md, /^\*\*Token\*\* index \d+ · id \d+ · o200k\\_base {2}\n/);
    assert.match(md, /Text: `\|`/);
    assert.match(md, /\| Tokenizer \| Alone \|\n\| --- \| ---: \|\n\| cl100k\\_base \| 1 \|\n\| claude\\-legacy \| ≈1 \|/);
    // A table row holds no unescaped pipe besides the cell separators.
    for (const row of md.split('\n').filter((l) => l.startsWith('| '))) assert.ok(!/[^ \\]\|/.test(row.replace(/ \| /g, '').slice(1, -1)), row);
    const backtick = renderHoverMarkdown(hoverAt(o200k, TEXT, TEXT.indexOf('`c')));
    assert.match(backtick, /Text: ``\s?`c?\s?``/);
    const word = renderHoverMarkdown(hoverAt(o200k, TEXT, TEXT.indexOf('baz'), [cl100k]));
    assert.match(word, /Word `bar_baz`: 3 tokens here \(o200k\\_base\)\. It follows a space here/);
    assert.match(word, /\| Tokenizer \| Alone \| After a space \|/);
  });
});
