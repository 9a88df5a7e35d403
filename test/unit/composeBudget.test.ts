/** The composed budget: parts in request order, each counted on its own, and the window arithmetic. */
import { rng as random } from '../fixtures/corpus';
import { parseCsv } from '../fixtures/csv';
import assert from 'node:assert/strict';
import { computeBudget, reservedOutputFor } from '../../src/core/budget/budget';
import { templateOverhead } from '../../src/core/budget/chatTemplate';
import { composeBudget, type BudgetReport, type BudgetSource } from '../../src/core/budget/compose';
import { costFigures } from '../../src/core/budget/cost';
import { budgetToCsv, budgetToJson } from '../../src/core/budget/exportBudget';
import { findModel, type ModelInfo } from '../../src/core/budget/modelCatalog';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';


const PIECES = ['const a = 1;', ' ', '\n', 'héllo', '👋🏽', '世界', '<|endoftext|>', '<|eot_id|>', 'return x', '""', ',', 'Zürich', '\t'];

describe('composed budgets', function () {
  const models = ['gpt-4o', 'gpt-4', 'claude-sonnet-4-20250514', 'gemini-2.5-pro', 'qwen3-32b', 'llama-3.3-70b-versatile', 'deepseek-chat', 'gpt-oss-20b', 'mistral-large-latest'].map((id) => findModel(id)!);

  it('counts each source on its own, in request order, with the arithmetic of computeBudget (random cases)', function () {
    const rnd = random(42);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    for (let round = 0; round < 200; round++) {
      const model = pick(models);
      const tokenizer = loadTokenizerSync(rnd() < 0.2 ? 'o200k_base' : model.tokenizer);
      const sources: BudgetSource[] = [];
      const n = Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) {
        let text = '';
        for (let k = Math.floor(rnd() * 20); k > 0; k--) text += pick(PIECES);
        const kind = pick(['system', 'pinned', 'document', 'selection'] as const);
        sources.push({ kind, label: `${kind} ${i}`, text, ...(kind === 'pinned' ? { path: `src/f${i}.ts` } : {}) });
      }
      const reservedOutput = pick([0, 8192, reservedOutputFor(-1, model), Math.floor(rnd() * model.contextWindow * 1.2)]);
      const options = { model, tokenizer, reservedOutput, warningAt: 0.8, errorAt: 1, sources };
      const report = composeBudget(options);

      const rank = { system: 0, pinned: 1, document: 2, selection: 2 } as const;
      const expectedOrder = sources.map((s, i) => ({ s, i })).sort((a, b) => rank[a.s.kind] - rank[b.s.kind] || a.i - b.i).map(({ s }) => s);
      const systems = sources.filter((s) => s.kind === 'system').length;
      assert.deepEqual(report.parts.map((p) => p.label), [...expectedOrder.slice(0, systems).map((s) => s.label), report.parts[systems].label, ...expectedOrder.slice(systems).map((s) => s.label)]);
      const template = report.parts[systems];
      assert.equal(template.kind, 'template');
      const overhead = templateOverhead(model, tokenizer, systems > 0);
      assert.equal(template.tokens, overhead.tokens);
      assert.equal(template.characters, 0);
      assert.equal(template.label, `Chat template (${overhead.name})`);
      assert.equal(template.detail, overhead.detail);

      const approximate = !tokenizer.exact || (tokenizer.id === model.tokenizer && !model.tokenizerExact);
      const textParts = report.parts.filter((p) => p.kind !== 'template');
      textParts.forEach((p, i) => {
        const source = expectedOrder[i];
        assert.equal(p.kind, source.kind);
        // Special-token text in the user's text is plain text.
        assert.equal(p.tokens, tokenizer.count(source.text, { parseSpecialTokens: false }));
        assert.equal(p.characters, [...source.text].length);
        assert.equal(p.estimate, approximate);
        assert.equal(p.path, source.path);
      });
      assert.equal(template.estimate, overhead.estimate || approximate);

      const input = report.parts.reduce((sum, p) => sum + p.tokens, 0);
      const budget = computeBudget({ used: input, contextWindow: model.contextWindow, reservedOutput, warningAt: 0.8, errorAt: 1 });
      assert.equal(report.input, input);
      assert.equal(report.reservedOutput, reservedOutput);
      assert.equal(report.usable, budget.usable);
      assert.equal(report.left, budget.usable - input);
      assert.equal(report.share, input / model.contextWindow);
      assert.equal(report.state, budget.state);
      const tokens = textParts.reduce((sum, p) => sum + p.tokens, 0);
      const characters = textParts.reduce((sum, p) => sum + p.characters, 0);
      assert.equal(report.windowCharacters, tokens === 0 ? 0 : Math.floor((Math.max(0, budget.usable - template.tokens) * characters) / tokens));
      const { id, name, provider, contextWindow, maxOutput, prices, pricesFrom } = model;
      assert.deepEqual(report.model, { id, name, provider, contextWindow, maxOutput, ...(prices ? { prices, pricesFrom } : {}) });
      assert.deepEqual(report.tokenizer, { id: tokenizer.id, name: tokenizer.name, exact: tokenizer.exact });
    }
  });

  it('counts special-token text in user files as plain text', function () {
    const model = findModel('llama-3.3-70b-versatile')!;
    const tokenizer = loadTokenizerSync('llama3');
    const report = composeBudget({ model, tokenizer, reservedOutput: 0, warningAt: 0.8, errorAt: 1, sources: [{ kind: 'pinned', label: 'a', text: '<|eot_id|>' }] });
    assert.equal(tokenizer.count('<|eot_id|>', { parseSpecialTokens: true }), 1);
    assert.ok(report.parts[1].tokens > 1);
  });

  it('reserves the model\'s output limit by default, at most 8,192', function () {
    const m = (maxOutput: number) => ({ maxOutput }) as ModelInfo;
    assert.equal(reservedOutputFor(-1, m(128_000)), 8192);
    assert.equal(reservedOutputFor(-1, m(4096)), 4096);
    assert.equal(reservedOutputFor(-1, m(0)), 0);
    assert.equal(reservedOutputFor(1000, m(128_000)), 1000);
    assert.equal(reservedOutputFor(0, m(128_000)), 0);
  });

  it('states: ok, warning at the threshold, error over the usable window', function () {
    const model = { ...findModel('gpt-4o')!, contextWindow: 1000 };
    const tokenizer = loadTokenizerSync('o200k_base');
    const report = (text: string) => composeBudget({ model, tokenizer, reservedOutput: 900, warningAt: 0.5, errorAt: 1, sources: [{ kind: 'document', label: 'doc', text }] });
    assert.equal(report('hi').state, 'ok');
    assert.equal(report('word '.repeat(60)).state, 'warning');
    const over = report('word '.repeat(200));
    assert.equal(over.state, 'error');
    assert.ok(over.left < 0);
    assert.equal(over.usable, 100);
  });

  describe('exports', function () {
    const sample = (): BudgetReport =>
      composeBudget({
        model: findModel('claude-sonnet-4-20250514')!,
        tokenizer: loadTokenizerSync('claude-legacy'),
        reservedOutput: 8192,
        warningAt: 0.8,
        errorAt: 1,
        sources: [
          { kind: 'system', label: 'System prompt', text: 'Be "brief", please.' },
          { kind: 'pinned', label: 'docs/a, b.md', path: 'docs/a, b.md', text: 'line one\nline two 👋' },
          { kind: 'selection', label: 'notes.md (selection)', text: 'x' },
        ],
      });

    it('CSV: one row per part, then the output reserved and the totals, quoted where needed', function () {
      const report = sample();
      const rows = parseCsv(budgetToCsv(report));
      assert.deepEqual(rows[0], ['kind', 'label', 'path', 'tokens', 'characters', 'estimate', 'detail', 'usd']);
      report.parts.forEach((p, i) => assert.deepEqual(rows[i + 1], [p.kind, p.label, p.path ?? '', String(p.tokens), String(p.characters), String(p.estimate), p.detail ?? '', '']));
      const tail = rows.slice(report.parts.length + 1);
      assert.deepEqual(
        tail.map((r) => [r[0], r[1], r[3]]),
        [
          ['reserved', 'Output reserved', '8192'],
          ['total', 'Input', String(report.input)],
          ['total', 'Usable window', String(report.usable)],
          ['total', 'Left', String(report.left)],
          ['total', 'Context window', String(report.model.contextWindow)],
          ...(report.cost ? costFigures(report.cost).map((f) => ['cost', f.label, String(f.tokens === 'input' ? report.input : report.reservedOutput)]) : []),
        ],
      );
      assert.equal(tail[1][4], String(report.parts.reduce((n, p) => n + p.characters, 0)));
      assert.equal(tail[1][5], 'true');
      assert.ok(budgetToCsv(report).includes('"docs/a, b.md"'));
      assert.ok(budgetToCsv(report).endsWith('\r\n'));
    });

    it('JSON: the report itself', function () {
      const report = sample();
      assert.deepEqual(JSON.parse(budgetToJson(report)), report);
      assert.match(budgetToJson(report), /^\{\n {2}"model"/);
    });
  });
});
