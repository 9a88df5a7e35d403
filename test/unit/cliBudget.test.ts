/** `tokenwise count --model`: the composed request, with the same numbers as composeBudget, and its exit statuses. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatShare, reservedOutputFor } from '../../src/core/budget/budget';
import { composeBudget, type BudgetReport, type BudgetSource } from '../../src/core/budget/compose';
import { findModel } from '../../src/core/budget/modelCatalog';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function tokenwise(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TOKENWISE_DEBUG: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface ModelCountJson {
  tokenizer: string;
  files: { path: string; tokens: number; characters: number }[];
  total: { tokens: number; characters: number };
  budget: BudgetReport;
  limit?: { tokens: number; remaining: number };
}

const fmt = (n: number) => n.toLocaleString('en-US');

describe('tokenwise count --model', function () {
  let dir: string;
  const files: Record<string, string> = {
    'b.md': 'Notes: <|im_end|> and <|endoftext|> are plain text here.\n'.repeat(20),
    'a.ts': 'export function add(a: number, b: number): number {\n  return a + b; // 👋\n}\n',
    'sys.txt': 'You are a careful reviewer. Answer briefly.\n',
  };

  before(function () {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node scripts/build.mjs` first');
    dir = mkdtempSync(join(tmpdir(), 'tokenwise-budget-'));
    mkdirSync(join(dir, 'src'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  /** What composeBudget gives for the system prompt and the files, in the order given. */
  function expected(modelId: string, paths: string[], options: { system?: string; tokenizer?: string; reserve?: number } = {}): BudgetReport {
    const model = findModel(modelId)!;
    const sources: BudgetSource[] = [];
    if (options.system) sources.push({ kind: 'system', label: 'System prompt', text: readFileSync(join(dir, options.system), 'utf8'), path: options.system });
    for (const path of paths) sources.push({ kind: 'pinned', label: path, text: readFileSync(join(dir, path), 'utf8'), path });
    const tokenizer = loadTokenizerSync(options.tokenizer ?? model.tokenizer);
    return composeBudget({ model, tokenizer, reservedOutput: options.reserve ?? reservedOutputFor(-1, model), warningAt: 0.8, errorAt: 1, sources });
  }

  it('prints the composed budget as JSON, equal to composeBudget\'s, with the model\'s tokenizer', function () {
    const result = tokenwise(['count', 'b.md', 'a.ts', '--model', 'qwen3-32b', '--system', 'sys.txt', '--json'], dir);
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout) as ModelCountJson;
    assert.equal(json.tokenizer, 'qwen3');
    const budget = expected('qwen3-32b', ['b.md', 'a.ts'], { system: 'sys.txt' });
    assert.deepEqual(json.budget, budget);
    assert.deepEqual(budget.parts.map((p) => p.kind), ['system', 'template', 'pinned', 'pinned']);
    assert.deepEqual(budget.parts.map((p) => p.label), ['System prompt', 'Chat template (Qwen 3)', 'b.md', 'a.ts']);
    assert.equal(budget.parts[1].tokens, 13);
    // The per-file table has the composed counts, and the total of the files alone.
    for (const f of json.files) assert.equal(f.tokens, budget.parts.find((p) => p.path === f.path)!.tokens);
    assert.equal(json.total.tokens, budget.parts.filter((p) => p.kind === 'pinned').reduce((n, p) => n + p.tokens, 0));
    assert.equal(json.limit, undefined);
  });

  it('prints one line per part and the totals, with the same numbers', function () {
    const result = tokenwise(['count', 'b.md', 'a.ts', '--model', 'gpt-4o', '--system', 'sys.txt'], dir);
    assert.equal(result.status, 0, result.stderr);
    const b = expected('gpt-4o', ['b.md', 'a.ts'], { system: 'sys.txt' });
    const all = result.stdout.split('\n');
    const lines = all.slice(all.findIndex((l) => l.startsWith('Budget: ')));
    const line = (label: string): string => {
      const found = lines.find((l) => l.startsWith(`${label} `));
      assert.ok(found, `no line for ${label}:\n${result.stdout}`);
      return found;
    };
    const numbers = (l: string): string[] => l.match(/-?[\d,]+(?:\.\d+)?%?/g) ?? [];
    for (const p of b.parts) assert.ok(numbers(line(p.label)).includes(fmt(p.tokens)), line(p.label));
    assert.ok(line('Input').includes(fmt(b.input)));
    assert.ok(line('Output reserved').includes(fmt(b.reservedOutput)));
    assert.ok(line('Usable window').includes(fmt(b.usable)));
    assert.ok(line('Left').includes(fmt(b.left)));
    assert.ok(line('Share of the window').includes(formatShare(b.share)));
    assert.match(result.stdout, /Chat template: As OpenAI's cookbook counts/);
    assert.match(result.stdout, /GPT-4o.*context window 128,000 tokens/);
    // The counts are exact; only the cost, an estimate at list prices, says ≈.
    assert.doesNotMatch(result.stdout.replace(/\nCost \(estimate\): .*\n.*\n$/, '\n'), /≈/);
    assert.match(result.stdout, /\nCost \(estimate\): input ≈ \$/);
    // The composition lists the files in the order given, after the system prompt and the template.
    const order = ['System prompt', 'Chat template (OpenAI)', 'b.md', 'a.ts'].map((l) => lines.indexOf(line(l)));
    assert.deepEqual(order, [...order].sort((x, y) => x - y));
  });

  it('marks estimates and says why', function () {
    const result = tokenwise(['count', 'a.ts', '--model', 'claude-sonnet-4-20250514'], dir);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Chat template \(Claude\)\s+≈ 7/);
    assert.match(result.stdout, /Note: numbers marked ≈ are estimates: the tokenizer approximates this model's; the chat template's tokens are an estimate\./);
    const json = JSON.parse(tokenwise(['count', 'a.ts', '--model', 'claude-sonnet-4-20250514', '--json'], dir).stdout) as ModelCountJson;
    assert.deepEqual(json.budget, expected('claude-sonnet-4-20250514', ['a.ts']));
  });

  it('takes --tokenizer and --reserve', function () {
    const result = tokenwise(['count', 'a.ts', '--model', 'qwen3-32b', '-t', 'o200k_base', '--reserve', '1k', '--json'], dir);
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout) as ModelCountJson;
    assert.equal(json.tokenizer, 'o200k_base');
    assert.equal(json.budget.reservedOutput, 1000);
    assert.deepEqual(json.budget, expected('qwen3-32b', ['a.ts'], { tokenizer: 'o200k_base', reserve: 1000 }));
    assert.equal(json.budget.parts[0].estimate, true);
  });

  it('exits 1 when the input is over the usable window, saying by how much', function () {
    const model = findModel('gpt-4o')!;
    const b = expected('gpt-4o', ['b.md', 'a.ts']);
    const reserve = model.contextWindow - b.input + 5;
    const over = tokenwise(['count', 'b.md', 'a.ts', '--model', 'gpt-4o', '--reserve', String(reserve)], dir);
    assert.equal(over.status, 1, over.stderr);
    assert.match(over.stderr, /^tokenwise: over the usable window: [\d,]+ input tokens is 5 more than the [\d,]+ usable tokens of gpt-4o/);
    assert.equal(over.stderr.trimEnd().split('\n').length, 1);
    assert.match(over.stdout, /Over the usable window by 5 tokens/);
    const fits = tokenwise(['count', 'b.md', 'a.ts', '--model', 'gpt-4o', '--reserve', String(reserve - 5)], dir);
    assert.equal(fits.status, 0, fits.stderr);
    // A --budget decides alone, on the files' total.
    const files = b.parts.filter((p) => p.kind === 'pinned').reduce((n, p) => n + p.tokens, 0);
    const withBudget = tokenwise(['count', 'b.md', 'a.ts', '--model', 'gpt-4o', '--reserve', String(reserve), '--budget', String(files), '--json'], dir);
    assert.equal(withBudget.status, 0, withBudget.stderr);
    assert.deepEqual((JSON.parse(withBudget.stdout) as ModelCountJson).limit, { tokens: files, remaining: 0 });
    const overBudget = tokenwise(['count', 'b.md', 'a.ts', '--model', 'gpt-4o', '--budget', String(files - 1)], dir);
    assert.equal(overBudget.status, 1);
    assert.match(overBudget.stderr, /over budget: .* 1 more than the budget of/);
  });

  it('drops a leading BOM of the files and of the system prompt, as VS Code opens them', function () {
    writeFileSync(join(dir, 'src', 'bom.ts'), `\ufeff${files['a.ts']}`);
    writeFileSync(join(dir, 'src', 'sys-bom.txt'), `\ufeff${files['sys.txt']}`);
    const result = tokenwise(['count', join('src', 'bom.ts'), '--model', 'gpt-4o', '--system', join('src', 'sys-bom.txt'), '--json'], dir);
    assert.equal(result.status, 0, result.stderr);
    const plain = expected('gpt-4o', ['a.ts'], { system: 'sys.txt' });
    assert.deepEqual((JSON.parse(result.stdout) as ModelCountJson).budget.parts.map((p) => [p.kind, p.tokens, p.characters]), plain.parts.map((p) => [p.kind, p.tokens, p.characters]));
  });

  it('an unknown model: exit 2 and one line naming close matches', function () {
    const result = tokenwise(['count', 'a.ts', '--model', 'gpt4o'], dir);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^tokenwise: unknown model "gpt4o"; did you mean gpt-4o[,?]/);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    const far = tokenwise(['count', 'a.ts', '--model', 'zzzzzzzzzzzzzzzz'], dir);
    assert.equal(far.status, 2);
    assert.match(far.stderr, /unknown model "zzzzzzzzzzzzzzzz"; no model id is close to it/);
  });

  it('--system and --reserve need --model; an unreadable system prompt is one line', function () {
    for (const args of [['--system', 'sys.txt'], ['--reserve', '100']]) {
      const result = tokenwise(['count', 'a.ts', ...args], dir);
      assert.equal(result.status, 2);
      assert.match(result.stderr, new RegExp(`^tokenwise: ${args[0]} needs --model`));
    }
    const missing = tokenwise(['count', 'a.ts', '--model', 'gpt-4o', '--system', 'nope.txt'], dir);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^tokenwise: cannot read nope\.txt: no such file or directory/);
    const badReserve = tokenwise(['count', 'a.ts', '--model', 'gpt-4o', '--reserve', 'lots'], dir);
    assert.equal(badReserve.status, 2);
    assert.match(badReserve.stderr, /--reserve needs a whole number of tokens/);
  });

  it('without --model, the output is as before', function () {
    const result = tokenwise(['count', 'a.ts', '--json'], dir);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(Object.keys(JSON.parse(result.stdout) as object), ['tokenizer', 'exact', 'files', 'skipped', 'total']);
    assert.doesNotMatch(tokenwise(['count', 'a.ts'], dir).stdout, /Budget|Chat template/);
  });
});
