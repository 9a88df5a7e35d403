/** `tokenwise mcp`, driven by the Model Context Protocol SDK's own client over stdio, as an assistant drives it. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { BudgetReport } from '../../src/core/budget/compose';
import { composeBudget } from '../../src/core/budget/compose';
import { findModel } from '../../src/core/budget/modelCatalog';
import type { CompareReport } from '../../src/core/compare/compare';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';

const CLI = join(resolve(__dirname, '..', '..'), 'dist', 'cli.js');

describe('tokenwise mcp (the SDK\'s client over stdio)', function () {
  this.timeout(60_000);
  let root: string;
  let client: Client;
  const files: Record<string, string> = {
    'src/a.ts': 'export const greet = (name: string) => `héllo ${name} 👋`;\n'.repeat(40),
    'src/b.md': '# Notes\n\nSome words <|endoftext|> as plain text.\n',
    'dist/out.js': 'ignored();\n',
    '.gitignore': 'dist/\n',
  };
  const o200k = loadTokenizerSync('o200k_base');

  before(async function () {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node scripts/build.mjs` first');
    root = mkdtempSync(join(tmpdir(), 'tokenwise-mcp-'));
    mkdirSync(join(root, '.git'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    writeFileSync(join(root, 'src', 'blob.bin'), new Uint8Array([0, 1, 2, 0]));
    const outside = mkdtempSync(join(tmpdir(), 'tokenwise-mcp-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'not for counting');
    symlinkSync(outside, join(root, 'escape'));
    client = new Client({ name: 'tokenwise-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--root', root], stderr: 'pipe' }));
  });

  after(async () => client?.close());

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as { type: string; text: string }[])[0].text;
    return { isError: result.isError === true, text, json: () => JSON.parse(text) as unknown };
  };

  it('lists its four tools, each with an input schema', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['budget', 'compare', 'count', 'encode']);
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.ok(t.description && t.description.length > 40, t.name);
      assert.equal(t.annotations?.readOnlyHint, true, t.name);
    }
    const budget = tools.find((t) => t.name === 'budget')!;
    assert.deepEqual(budget.inputSchema.required, ['model']);
  });

  it('count: a text, and files walked with .gitignore rules, with the model\'s window and cost', async () => {
    const text = 'Hello, world! 👋 '.repeat(10);
    const one = (await call('count', { text })).json() as { tokens: number; characters: number };
    assert.equal(one.tokens, o200k.count(text));
    assert.equal(one.characters, [...text].length);
    const tree = (await call('count', { model: 'gpt-4o' })).json() as {
      tokens: number;
      files: { path: string; tokens: number }[];
      skipped: { path: string; reason: string }[];
      model: { contextWindow: number; share: number; cost: { input: number } };
    };
    assert.deepEqual(tree.files.map((f) => f.path).sort(), ['.gitignore', 'src/a.ts', 'src/b.md']);
    assert.equal(tree.files.find((f) => f.path === 'src/a.ts')!.tokens, o200k.count(files['src/a.ts']));
    assert.ok(tree.skipped.some((s) => s.path === 'src/blob.bin' && /binary/.test(s.reason)), JSON.stringify(tree.skipped));
    assert.equal(tree.model.contextWindow, 128_000);
    assert.equal(tree.model.share, tree.tokens / 128_000);
    assert.equal(tree.model.cost.input, (tree.tokens * findModel('gpt-4o')!.prices!.input!) / 1e6);
  });

  it('encode: ids and their text, and where it stops', async () => {
    const text = 'naïve café 👋';
    const result = (await call('encode', { text, tokenizer: 'llama3', maxTokens: 3 })).json() as { count: number; tokens: { id: number; text: string }[]; truncated: boolean };
    const ids = Array.from(loadTokenizerSync('llama3').encode(text));
    assert.equal(result.count, ids.length);
    assert.deepEqual(result.tokens.map((t) => t.id), ids.slice(0, 3));
    assert.equal(result.truncated, ids.length > 3);
  });

  it('compare: the numbers `tokenwise compare` gives, by tokenizers or by models', async () => {
    const report = (await call('compare', { paths: ['src'], tokenizers: ['o200k_base', 'qwen3'] })).json() as CompareReport;
    assert.deepEqual(report.rows.map((r) => r.tokenizer), ['o200k_base', 'qwen3']);
    assert.equal(report.rows[0].tokens, o200k.count(files['src/a.ts']) + o200k.count(files['src/b.md']));
    const byModel = (await call('compare', { text: files['src/a.ts'], models: ['gpt-4o', 'claude-sonnet-4-20250514'] })).json() as CompareReport;
    assert.deepEqual(byModel.rows.map((r) => r.window?.model), ['gpt-4o', 'claude-sonnet-4-20250514']);
    assert.ok(byModel.rows.every((r) => typeof r.inputCost === 'number'));
  });

  it('budget: the request composed as composeBudget composes it', async () => {
    const system = 'You are terse.';
    const report = (await call('budget', { model: 'qwen3-32b', text: files['src/b.md'], system, reservedOutput: 1000 })).json() as BudgetReport;
    const model = findModel('qwen3-32b')!;
    const expected = composeBudget({ model, tokenizer: loadTokenizerSync(model.tokenizer), reservedOutput: 1000, warningAt: 0.8, errorAt: 1, sources: [{ kind: 'system', label: 'System prompt', text: system }, { kind: 'document', label: 'Text', text: files['src/b.md'] }] });
    assert.deepEqual(report, JSON.parse(JSON.stringify(expected)));
  });

  it('answers a bad request with a one-line tool error, and keeps serving', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['count', { text: 'x', tokenizer: 'nope' }, /unknown tokenizer "nope"; known: o200k_base/],
      ['count', { paths: ['missing.txt'] }, /cannot read missing\.txt: no such file or directory/],
      ['count', { paths: ['../..'] }, /\.\.\/\.\. is outside the folder this server counts/],
      ['count', { paths: ['escape/secret.txt'] }, /escape\/secret\.txt is outside the folder this server counts/],
      ['count', { text: 'x', paths: ['src'] }, /a text or paths, not both/],
      ['budget', { model: 'gpt-40', text: 'x' }, /unknown model "gpt-40"; did you mean .*gpt-4o/],
      ['compare', { text: 'x', tokenizers: ['o200k_base'], models: ['gpt-4o'] }, /tokenizers or models to compare, not both/],
    ];
    for (const [name, args, message] of cases) {
      const result = await call(name, args);
      assert.equal(result.isError, true, `${name} ${JSON.stringify(args)}: ${result.text}`);
      assert.match(result.text, message);
      assert.doesNotMatch(result.text, /\n/);
    }
    // Arguments the schema refuses are refused by the SDK before any tool runs.
    const refused = await client.callTool({ name: 'encode', arguments: { text: 42 } }).catch((e: Error) => ({ isError: true, content: [{ type: 'text', text: e.message }] }));
    assert.equal(refused.isError, true);
    assert.equal(((await call('count', { text: 'still here' })).json() as { tokens: number }).tokens, o200k.count('still here'));
  });
});
