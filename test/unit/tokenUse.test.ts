/** The answer of the language model tool: counts, the window's share, what is left and the cost, in words and as data. */
import assert from 'node:assert/strict';
import { computeBudget, reservedOutputFor } from '../../src/core/budget/budget';
import { requestCost } from '../../src/core/budget/cost';
import { countIsExact, findModel, modelOrUnknown } from '../../src/core/budget/modelCatalog';
import { tokenUse } from '../../src/core/budget/tokenUse';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';

const o200k = loadTokenizerSync('o200k_base');
const exactO200k = { id: o200k.id, name: o200k.name, exact: true };

describe('tokenUse', () => {
  it('sums the parts and gives the status bar\'s window figures and the cost', () => {
    const model = findModel('gpt-4o')!;
    const texts = ['const a = 1;\n', 'Hello, world! 👋🏽 こんにちは\r\n'];
    const parts = texts.map((t, i) => ({ name: `f${i}`, tokens: o200k.count(t), characters: [...t].length }));
    const reservedOutput = reservedOutputFor(-1, model);
    const { summary, use } = tokenUse({ subject: 'f0, f1', tokenizer: exactO200k, parts, skipped: [], model, reservedOutput, warningAt: 0.8, errorAt: 1 });
    const tokens = parts[0].tokens + parts[1].tokens;
    const budget = computeBudget({ used: tokens, contextWindow: model.contextWindow, reservedOutput, warningAt: 0.8, errorAt: 1 });
    assert.equal(use.tokens, tokens);
    assert.equal(use.characters, parts[0].characters + parts[1].characters);
    assert.deepEqual(use.window, { model: model.id, modelName: model.name, contextWindow: budget.contextWindow, reservedOutput, usable: budget.usable, left: budget.left, share: budget.share, state: 'ok' });
    assert.deepEqual(use.cost, requestCost(model.prices, tokens, reservedOutput));
    assert.match(summary, new RegExp(`^${tokens} tokens in f0, f1 \\(o200k_base\\)\\. That is .* of GPT-4o's 128,000-token context window: [\\d,]+ left once 8,192 are reserved for output\\. As input it costs about <?\\$`));
  });

  it('says "over by" past the window, "About" for an estimate, and names no cost or window the model lacks', () => {
    const small = { id: 'tiny', name: 'Tiny', provider: 'x', contextWindow: 100, maxOutput: 0, tokenizer: 'o200k_base', tokenizerExact: true };
    const over = tokenUse({ subject: 'src', tokenizer: exactO200k, parts: [{ name: 'a', tokens: 150, characters: 600 }], skipped: [{ path: 'b.bin', reason: 'binary' }], model: small, reservedOutput: 0, warningAt: 0.8, errorAt: 1 });
    assert.equal(over.use.window?.state, 'error');
    assert.match(over.summary, /over by 50 once 0 are reserved/);
    assert.match(over.summary, /1 path skipped/);
    assert.equal(over.use.cost, undefined);
    assert.doesNotMatch(over.summary, /costs/);
    const unknown = tokenUse({ subject: 'the text', tokenizer: { ...exactO200k, exact: false }, parts: [{ name: 'text', tokens: 1, characters: 3 }], skipped: [], model: modelOrUnknown('my-own-model'), reservedOutput: 0, warningAt: 0.8, errorAt: 1 });
    assert.equal(unknown.use.window, undefined);
    assert.equal(unknown.summary, 'About 1 token in the text (o200k_base, an estimate).');
  });

  it('lists at most 200 parts, with every part in the totals', () => {
    const parts = Array.from({ length: 450 }, (_, i) => ({ name: `f${i}`, tokens: 2, characters: 5 }));
    const { use } = tokenUse({ subject: 'src', tokenizer: exactO200k, parts, skipped: [], model: modelOrUnknown('x'), reservedOutput: 0, warningAt: 0.8, errorAt: 1 });
    assert.equal(use.parts.length, 200);
    assert.equal(use.tokens, 900);
  });
});

describe('countIsExact', () => {
  const gpt4o = findModel('gpt-4o')!;
  it('is the model\'s count only with its own exact tokenizer', () => {
    assert.equal(countIsExact(exactO200k, gpt4o, false), true);
    assert.equal(countIsExact({ ...exactO200k, id: 'llama3' }, gpt4o, true), false);
    assert.equal(countIsExact({ ...exactO200k, exact: false }, gpt4o, true), false);
  });
  it('trusts the user\'s choice for a model the catalog does not know, or one whose tokenizer is an estimate', () => {
    assert.equal(countIsExact({ ...exactO200k, id: 'llama3' }, modelOrUnknown('my-own-model'), true), true);
    const estimated = { ...gpt4o, tokenizerExact: false };
    assert.equal(countIsExact(exactO200k, estimated, false), false);
    assert.equal(countIsExact(exactO200k, estimated, true), true);
  });
});
