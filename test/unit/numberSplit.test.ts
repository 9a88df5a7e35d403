/** Numbers as tokenizers see them: the digit groups read from the real tokenizers, in the hover, the compare tab and the CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { compareTokenizers } from '../../src/core/compare/compare';
import { renderHoverMarkdown } from '../../src/core/hover/hoverMarkdown';
import { digitsAt, longestDigits, numberSplit, type DigitGrouping } from '../../src/core/hover/numberSplit';
import { tokenHover } from '../../src/core/hover/tokenHover';
import { DocumentTokens } from '../../src/core/incremental/documentTokens';
import { listTokenizers, loadTokenizerSync } from '../../src/core/tokenizers/registry';

const CLI = join(resolve(__dirname, '..', '..'), 'dist', 'cli.js');

/** What the pieces' lengths say, independently of how `numberSplit` decides it. */
function lengthsFit(grouping: DigitGrouping, lengths: number[]): boolean {
  const threes = (xs: number[]) => xs.every((n) => n === 3);
  const left = threes(lengths.slice(0, -1)) && lengths.at(-1)! <= 3;
  const right = threes(lengths.slice(1)) && lengths[0] <= 3;
  switch (grouping) {
    case 'one token':
      return lengths.length === 1;
    case 'single digits':
      return lengths.every((n) => n === 1);
    case 'threes from the left':
      return left;
    case 'threes from the right':
      return right;
    case 'uneven':
      return !left && !right && lengths.length > 1;
  }
}

describe('numbers as tokenizers see them', () => {
  const o200k = loadTokenizerSync('o200k_base');
  const qwen3 = loadTokenizerSync('qwen3');
  const gemma3 = loadTokenizerSync('gemma3');

  it('GPT-4o and Llama 3 group digits in threes from the left; Qwen 3 and Gemma 3 go digit by digit', () => {
    assert.deepEqual(numberSplit(o200k, '1234567'), { tokenizer: { id: 'o200k_base', name: o200k.name }, pieces: ['123', '456', '7'], grouping: 'threes from the left' });
    assert.equal(numberSplit(loadTokenizerSync('llama3'), '20261207').grouping, 'threes from the left');
    assert.deepEqual(numberSplit(qwen3, '1234567').pieces, ['1', '2', '3', '4', '5', '6', '7']);
    assert.equal(numberSplit(gemma3, '98765').grouping, 'single digits');
    // Whole groups of three read the same from both sides: the same digits less one decide.
    assert.equal(numberSplit(o200k, '123456').grouping, 'threes from the left');
  });

  it('on 300 random numbers under every bundled tokenizer, the pieces spell the digits and fit the grouping named', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const tokenizers = listTokenizers().map((t) => loadTokenizerSync(t.id));
    for (let i = 0; i < 300; i++) {
      const digits = Array.from({ length: 4 + Math.floor(random() * 20) }, () => String(Math.floor(random() * 10))).join('');
      for (const t of tokenizers) {
        const split = numberSplit(t, digits);
        assert.equal(split.pieces.join(''), digits, `${t.id} on ${digits}`);
        const lengths = split.pieces.map((p) => p.length);
        const fits = lengthsFit(split.grouping, lengths) || (split.grouping.startsWith('threes') && lengths.every((n) => n === 3));
        assert.ok(fits, `${t.id} on ${digits}: ${split.pieces.join('·')} is not "${split.grouping}"`);
      }
    }
  });

  it('finds the number around an offset (four digits or more) and the longest one of a text', () => {
    assert.deepEqual(digitsAt('pay 1234567 now', 6), { start: 4, end: 11, digits: '1234567' });
    assert.equal(digitsAt('pay 123 now', 5), undefined);
    assert.equal(digitsAt('pay 1234567 now', 2), undefined);
    assert.equal(longestDigits('on 2026-12-07, 31415926 and 42'), '31415926');
    assert.equal(longestDigits('no numbers of four digits: 1, 22, 333'), undefined);
  });

  it('the hover of a number shows each tokenizer\'s split and why it matters; a word has none', () => {
    const text = 'const total = 31415926;\n';
    const doc = new DocumentTokens(o200k, text);
    const model = tokenHover(doc, o200k, text.indexOf('31415926') + 3, [qwen3])!;
    assert.deepEqual(model.number?.splits.map((s) => [s.tokenizer.id, s.pieces.join('·'), s.grouping]), [
      ['o200k_base', '314·159·26', 'threes from the left'],
      ['qwen3', '3·1·4·1·5·9·2·6', 'single digits'],
    ]);
    const md = renderHoverMarkdown(model);
    assert.match(md, /Number `31415926`: how each tokenizer splits its digits\./);
    assert.match(md, /\| o200k\\_base \| `314·159·26` \| threes from the left \|/);
    assert.match(md, /Singh \\& Strouse/);
    assert.equal(tokenHover(doc, o200k, 2, [qwen3])!.number, undefined);
  });

  it('the compare report and tokenwise compare give the text\'s longest number, or say they use an example', () => {
    const report = compareTokenizers([{ label: 'a', text: 'id 12345 and 9876543210' }], [o200k, qwen3], { reference: 'o200k_base', source: 'a' });
    assert.equal(report.numbers?.digits, '9876543210');
    assert.equal(report.numbers?.fromText, true);
    assert.deepEqual(report.numbers?.splits.map((s) => s.grouping), ['threes from the left', 'single digits']);
    const none = compareTokenizers([{ label: 'b', text: 'no digits' }], [o200k], { reference: 'o200k_base', source: 'b' });
    assert.deepEqual([none.numbers?.digits, none.numbers?.fromText], ['1234567', false]);
    const run = spawnSync(process.execPath, [CLI, 'compare', '-', '--tokenizers', 'o200k_base,qwen3'], { input: 'Invoice 2026120799 is due.\n', encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /\nNumbers: 2026120799 is 202·612·079·9 in o200k_base \(threes from the left\), 2·0·2·6·1·2·0·7·9·9 in qwen3 \(single digits\)\.\nGroups of three from the left/);
  });
});
