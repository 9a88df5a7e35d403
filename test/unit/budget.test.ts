import assert from 'node:assert/strict';
import { computeBudget, formatCount, formatCounted, formatLeft, formatShare, formatWindow } from '../../src/core/budget/budget';
import { findModel, modelCatalog, tokenizerForModel } from '../../src/core/budget/modelCatalog';
import { listTokenizers } from '../../src/core/tokenizers/registry';

describe('the model catalog', () => {
  it('has the models people use, with numbers from the catalog package', () => {
    const catalog = modelCatalog();
    for (const id of ['gpt-4o', 'gpt-4.1', 'gpt-5', 'o3', 'claude-sonnet-4-20250514', 'gemini-2.5-pro', 'codestral-latest', 'deepseek-chat']) {
      const m = catalog.find((x) => x.id === id);
      assert.ok(m, `${id} is in the catalog`);
      assert.ok(m.contextWindow >= 32_000, `${id} has a context window`);
    }
    assert.equal(findModel('gpt-4o')?.contextWindow, 128_000);
    assert.ok(catalog.some((m) => /llama-3/.test(m.id) && m.tokenizer === 'llama3'));
    assert.ok(catalog.some((m) => /qwen3-coder/.test(m.id) && m.tokenizer === 'qwen3'));
  });

  it('maps every model to a bundled tokenizer, exact or flagged as an estimate', () => {
    const ids = new Set(listTokenizers().map((t) => t.id));
    for (const m of modelCatalog()) assert.ok(ids.has(m.tokenizer), `${m.id} → ${m.tokenizer}`);
    assert.deepEqual(tokenizerForModel('gpt-4o-mini'), { tokenizer: 'o200k_base', exact: true });
    assert.deepEqual(tokenizerForModel('gpt-4-turbo'), { tokenizer: 'cl100k_base', exact: true });
    assert.deepEqual(tokenizerForModel('gpt-oss-120b'), { tokenizer: 'o200k_harmony', exact: true });
    assert.deepEqual(tokenizerForModel('qwen2.5-coder-32b-instruct'), { tokenizer: 'qwen3', exact: true });
    assert.deepEqual(tokenizerForModel('claude-opus-4-1'), { tokenizer: 'claude-legacy', exact: false });
    assert.deepEqual(tokenizerForModel('gemini-2.5-pro'), { tokenizer: 'o200k_base', exact: false });
  });

  it('lets users add and override models', () => {
    const catalog = modelCatalog([{ id: 'my-local-qwen', contextWindow: 32_768, tokenizer: 'qwen3' }, { id: 'gpt-4o', contextWindow: 64_000 }]);
    assert.deepEqual(
      (({ contextWindow, tokenizer, tokenizerExact }) => ({ contextWindow, tokenizer, tokenizerExact }))(catalog.find((m) => m.id === 'my-local-qwen')!),
      { contextWindow: 32_768, tokenizer: 'qwen3', tokenizerExact: true },
    );
    assert.equal(catalog.find((m) => m.id === 'gpt-4o')?.contextWindow, 64_000);
    assert.equal(catalog.find((m) => m.id === 'gpt-4o')?.maxOutput, 16_384);
  });
});

describe('budgets', () => {
  it('shows the reservation apart and colours at the thresholds of the usable window', () => {
    const b = computeBudget({ used: 1234, contextWindow: 128_000, reservedOutput: 8192, warningAt: 0.8, errorAt: 1 });
    assert.equal(b.usable, 119_808);
    assert.equal(b.left, 118_574);
    assert.equal(b.state, 'ok');
    assert.equal(formatShare(b.share), '1.0%');
    assert.equal(computeBudget({ ...b, used: 96_000 }).state, 'warning');
    assert.equal(computeBudget({ ...b, used: 119_808 }).state, 'error');
    assert.equal(computeBudget({ ...b, used: 119_807 }).state, 'warning');
  });

  it('formats counts and windows the way the status bar shows them', () => {
    assert.equal(formatCount(1234567), '1,234,567');
    assert.deepEqual([128_000, 200_000, 1_048_576, 1_000_000, 8192].map(formatWindow), ['128k', '200k', '1.05M', '1M', '8,192']);
    assert.deepEqual([0, 0.00001, 0.0004, 0.096, 0.5, 0.998, 0.99999, 1, 1.2].map(formatShare), ['0.0%', '<0.01%', '0.04%', '9.6%', '50%', '99.8%', '99.9%', '100%', '120%']);
  });

  it('says one token and one file, and tokens left over the window as an overrun, not a negative count', () => {
    assert.deepEqual([formatCounted(1, 'token'), formatCounted(2, 'file'), formatCounted(0, 'token'), formatCounted(1234, 'token', '≈')], ['1 token', '2 files', '0 tokens', '≈1,234 tokens']);
    assert.equal(formatLeft(1200, 120_000), '1,200 (1.0% of the usable window)');
    assert.equal(formatLeft(-7_437_763, 120_000), 'none: over by 7,437,763 (62× the usable window)');
    assert.equal(formatLeft(-6000, 120_000), 'none: over by 6,000 (5.0% more than the usable window)');
  });
});
