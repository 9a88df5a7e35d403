/** `tokenwise compare`, run as users run it: the built dist/cli.js in a child process. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compact } from '../../src/cli/commands/compare';
import { findModel } from '../../src/core/budget/modelCatalog';
import { compareTokenizers, windowModel } from '../../src/core/compare/compare';
import type { CompareOptions, CompareReport } from '../../src/core/compare/compare';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tokenwise(args: string[], options: { cwd?: string; input?: string } = {}): Result {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, TOKENWISE_DEBUG: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertOneLineError(result: Result, status: number, pattern: RegExp): void {
  assert.equal(result.status, status, result.stderr);
  assert.doesNotMatch(result.stderr, / {4}at /);
  assert.match(result.stderr.split('\n')[0], /^tokenwise: /);
  assert.match(result.stderr.split('\n')[0], pattern);
  assert.equal(result.stdout, '');
}

const FILES: Record<string, string> = {
  'a.md': 'The quick brown fox jumps over the lazy dog. '.repeat(50) + '\n日本語のテキストです。👍🏽\r\n',
  'src/b.ts': 'export const fooBar = baz_qux(42); // <|endoftext|> is plain text\n'.repeat(10),
  'src/c.py': 'def naïve_café(x):\n    return x ** 2  # e\u0301\n',
};

describe('tokenwise compare', function () {
  let tree: string;

  before(function () {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node scripts/build.mjs` first');
    tree = mkdtempSync(join(tmpdir(), 'tokenwise-compare-'));
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), text);
    }
    writeFileSync(join(tree, '.gitignore'), 'ignored.txt\n');
    writeFileSync(join(tree, 'ignored.txt'), 'never compared');
    writeFileSync(join(tree, 'image.bin'), new Uint8Array([0x89, 0x50, 0x00, 0x01]));
  });

  after(function () {
    rmSync(tree, { recursive: true, force: true });
  });

  /** What the core reports for the files the walk finds in the tree. */
  function expected(ids: string[], reference: string, source: string, windows: Partial<CompareOptions> = {}): CompareReport {
    const texts = ['.gitignore', ...Object.keys(FILES)].map((path) => ({ label: path, text: path === '.gitignore' ? 'ignored.txt\n' : FILES[path] }));
    return compareTokenizers(texts, ids.map((id) => loadTokenizerSync(id)), { reference, source, ...windows });
  }

  const windowOf = (id: string) => windowModel(findModel(id)!);

  it('prints the core\'s report as JSON, for the default tokenizers, walking as count does', function () {
    const result = tokenwise(['compare', '--json', '.'], { cwd: tree });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), expected(['o200k_base', 'llama3', 'qwen3', 'cl100k_base'], 'o200k_base', '4 files in .'));
  });

  it('puts the current tokenizer first and compares those listed, each once', function () {
    const result = tokenwise(['compare', tree, '--json', '-t', 'cl100k_base', '--tokenizers', 'gemma3,claude-legacy,cl100k_base,gemma3']);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as CompareReport;
    assert.deepEqual(report.rows.map((r) => r.tokenizer), ['cl100k_base', 'gemma3', 'claude-legacy']);
    assert.deepEqual(report, expected(['cl100k_base', 'gemma3', 'claude-legacy'], 'cl100k_base', `4 files in ${tree}`));
  });

  it('--model: the tokenizers of the models in the order given, each with its own model\'s window', function () {
    const result = tokenwise(['compare', '.', '--json', '--model', 'qwen3-32b,gpt-4.1'], { cwd: tree });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as CompareReport;
    const want = expected(['qwen3', 'o200k_base'], 'qwen3', '4 files in .', { windows: { qwen3: windowOf('qwen3-32b'), o200k_base: windowOf('gpt-4.1') } });
    assert.deepEqual(report, want);
    // Not the windows the tokenizers stand for by default (Qwen3 235B, GPT-4o).
    assert.deepEqual(report.rows.map((r) => [r.tokenizer, r.window?.model, r.window?.contextWindow]), [['qwen3', 'qwen3-32b', 131072], ['o200k_base', 'gpt-4.1', 1047576]]);
    const table = tokenwise(['compare', '.', '--model', 'qwen3-32b,gpt-4.1'], { cwd: tree });
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.split('\n');
    const rows = lines.slice(lines.findIndex((l) => l.startsWith('TOKENIZER')) + 1).filter((l) => /^(qwen3|o200k_base) /.test(l));
    assert.match(rows[0], /^qwen3\s.*\scurrent\s+≈ [\d.]+k chars in Qwen3 32B's 131k\s+≈ \$[\d.]+$/);
    assert.match(rows[1], /^o200k_base\s.*≈ [\d.]+M chars in GPT-4\.1's 1M\s+≈ \$[\d.]+$/);
  });

  it('--model: models that share a tokenizer get a row each, with the same counts and their own windows', function () {
    const models = ['gpt-4o', 'gemini-2.5-pro', 'gpt-4o', 'claude-sonnet-4-20250514'];
    const result = tokenwise(['compare', '.', '--json', '--model', models.join(',')], { cwd: tree });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as CompareReport;
    const unique = [...new Set(models)];
    const tokenizers = unique.map((id) => findModel(id)!.tokenizer);
    assert.deepEqual(tokenizers, ['o200k_base', 'o200k_base', 'claude-legacy']);
    assert.deepEqual(report, expected(tokenizers, 'o200k_base', '4 files in .', { rowWindows: unique.map(windowOf) }));
    assert.equal(report.rows[0].tokens, report.rows[1].tokens);
    assert.deepEqual(report.rows.map((r) => r.window?.contextWindow), [128000, 1048576, 200000]);
    const table = tokenwise(['compare', '.', '--model', models.join(',')], { cwd: tree });
    assert.match(table.stdout, /in Gemini 2\.5 Pro's 1M/);
    assert.match(table.stdout, /Note: claude-legacy is an estimate; ≈ marks approximate counts\.\nNote: gemini-2\.5-pro's own tokenizer is not bundled; o200k_base estimates its counts\.\n/);
  });

  it('compares stdin when the path is "-"', function () {
    const text = 'Hello wörld, 日本語 👨‍👩‍👧‍👦\r\nconst x = 1;';
    for (const args of [['compare', '-', '--json']]) {
      const result = tokenwise(args, { input: text, cwd: tree });
      assert.equal(result.status, 0, result.stderr);
      const want = compareTokenizers([{ label: 'stdin', text }], ['o200k_base', 'llama3', 'qwen3', 'cl100k_base'].map((id) => loadTokenizerSync(id)), { reference: 'o200k_base', source: 'stdin' });
      assert.deepEqual(JSON.parse(result.stdout), want);
    }
  });

  it('prints a table whose numbers are the core\'s, with estimates marked ≈', function () {
    const ids = ['o200k_base', 'claude-legacy', 'deepseek_v3', 'gemma3'];
    const result = tokenwise(['compare', '.', '--tokenizers', ids.slice(1).join(',')], { cwd: tree });
    assert.equal(result.status, 0, result.stderr);
    const report = expected(ids, 'o200k_base', '4 files in .');
    const lines = result.stdout.split('\n');
    assert.match(lines[0], /^Compared: 4 files in \. · /);
    assert.ok(lines[0].includes(`${report.characters.toLocaleString('en-US')} characters`), lines[0]);
    assert.ok(lines[0].includes(`${report.words.toLocaleString('en-US')} words`), lines[0]);
    const header = lines.find((l) => l.startsWith('TOKENIZER'));
    assert.ok(header);
    assert.match(header, /TOKENS\s+CHARS\/TOKEN\s+BYTES\/TOKEN\s+TOKENS\/WORD\s+1-TOKEN WORDS\s+Δ VS CURRENT\s+WINDOW HOLDS/);
    for (const row of report.rows) {
      const line = lines.find((l) => l.startsWith(`${row.tokenizer} `));
      assert.ok(line, `no line for ${row.tokenizer}`);
      const cells = line.split(/ {2,}/).map((c) => c.trim());
      assert.equal(cells[1], `${row.exact ? '' : '≈ '}${row.tokens.toLocaleString('en-US')}`);
      assert.equal(cells[2], row.charsPerToken.toFixed(2));
      assert.equal(cells[3], row.bytesPerToken.toFixed(2));
      assert.equal(cells[4], row.tokensPerWord.toFixed(2));
      assert.equal(cells[5], `${(100 * row.singleTokenWords).toFixed(1)}%`);
      if (row.tokenizer === 'o200k_base') assert.equal(cells[6], 'current');
      else {
        const sign = row.deltaTokens > 0 ? '+' : row.deltaTokens < 0 ? '-' : '';
        assert.equal(cells[6], `${row.exact ? '' : '≈ '}${sign}${Math.abs(row.deltaTokens).toLocaleString('en-US')} (${sign}${Math.abs(100 * row.deltaShare).toFixed(1)}%)`);
      }
      if (row.window) {
        const name = findModel(row.window.model)?.name ?? row.window.model;
        assert.equal(cells[7], `≈ ${compact(row.window.characters)} chars in ${name}'s ${compact(row.window.contextWindow)}`);
      } else assert.equal(cells[7], '-');
    }
    assert.match(result.stdout, /≈ [\d.]+k chars in GPT-4o's 128k/);
    assert.match(result.stdout, /claude-legacy is an estimate/);
    assert.match(result.stdout, /Skipped 1 file:\n {2}image\.bin: binary/);
  });

  it('writes window sizes compactly', function () {
    assert.deepEqual([950, 1000, 128000, 131072, 523412, 999_499, 999_600, 1_047_576, 2_500_000].map(compact), ['950', '1k', '128k', '131k', '523k', '999k', '1M', '1M', '2.5M']);
  });

  it('shows dashes, not NaN, for empty text', function () {
    const result = tokenwise(['compare', '-'], { input: '', cwd: tree });
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /NaN|Infinity/);
    assert.match(result.stdout, /^o200k_base\s+0\s+-\s+-\s+-\s+-\s+current\s+-\s+-$/m);
  });

  it('reads a tokenizer.json path, shown by its short name', function () {
    const path = join(ROOT, 'node_modules', '@lenml', 'tokenizer-llama3', 'models', 'tokenizer.json');
    if (!existsSync(path)) this.skip();
    const result = tokenwise(['compare', '--tokenizers', `${path},llama3`], { input: 'Hello there, 日本語' });
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(tokenwise(['compare', '--json', '--tokenizers', `${path},llama3`], { input: 'Hello there, 日本語' }).stdout) as CompareReport;
    assert.deepEqual(json.rows.map((r) => r.tokenizer), ['o200k_base', path, 'llama3']);
    assert.equal(json.rows[1].tokens, json.rows[2].tokens);
    assert.match(result.stdout, /^models\/tokenizer\.json\s/m);
  });

  it('fails with one line and status 2 on an unknown tokenizer or a bad command line', function () {
    assertOneLineError(tokenwise(['compare', '.', '--tokenizers', 'o200k_base,nope'], { cwd: tree }), 2, /unknown tokenizer "nope"/);
    assertOneLineError(tokenwise(['compare', '.', '-t', 'nope'], { cwd: tree }), 2, /unknown tokenizer "nope"/);
    assertOneLineError(tokenwise(['compare', '.', '--tokenizers', ' , '], { cwd: tree }), 2, /--tokenizers needs/);
    assertOneLineError(tokenwise(['compare', '.', '--tokenizers'], { cwd: tree }), 2, /--tokenizers' needs a value/);
    assertOneLineError(tokenwise(['compare', '--frobnicate'], { cwd: tree }), 2, /unknown option '--frobnicate'/);
    assertOneLineError(tokenwise(['compare', 'missing-file'], { cwd: tree }), 1, /cannot read missing-file: no such file or directory/);
    assertOneLineError(tokenwise(['compare', '.', '--model', 'gpt-4o', '--tokenizers', 'llama3'], { cwd: tree }), 2, /--model and --tokenizers cannot be used together/);
    assertOneLineError(tokenwise(['compare', '.', '--model', 'gpt-4o', '-t', 'llama3'], { cwd: tree }), 2, /--model and --tokenizer cannot be used together/);
    assertOneLineError(tokenwise(['compare', '.', '--model', ' , '], { cwd: tree }), 2, /--model needs a comma-separated list of model ids/);
    // The message `count --model` gives for an unknown id.
    const unknown = tokenwise(['compare', '.', '--model', 'gpt-4o,gpt4o'], { cwd: tree });
    assertOneLineError(unknown, 2, /^tokenwise: unknown model "gpt4o"; did you mean gpt-4o[,?]/);
    assert.equal(unknown.stderr, tokenwise(['count', '.', '--model', 'gpt4o'], { cwd: tree }).stderr);
  });

  it('has help, and is listed in the overview', function () {
    const help = tokenwise(['help', 'compare']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: tokenwise compare/);
    assert.match(help.stdout, /--tokenizers/);
    assert.match(help.stdout, /--model ID,\.\.\./);
    assert.equal(tokenwise(['compare', '--help']).stdout, help.stdout);
    assert.match(tokenwise(['help']).stdout, /\n {2}compare \[paths\.\.\.\]/);
  });
});
