/** The `tokenwise` command line, run as users run it: the built dist/cli.js in a child process. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { listTokenizers, loadTokenizerSync } from '../../src/core/tokenizers/registry';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tokenwise(args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): Result {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, TOKENWISE_DEBUG: '', ...options.env },
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A failure a user sees: a non-zero status and a single "tokenwise: ..." line, never a stack. */
function assertOneLineError(result: Result, status: number | number[], pattern: RegExp): void {
  assert.ok(([] as number[]).concat(status).includes(result.status ?? -1), `status ${result.status}, stderr: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, / {4}at /);
  const first = result.stderr.split('\n')[0];
  assert.match(first, /^tokenwise: /);
  assert.match(first, pattern);
}

interface CountJson {
  tokenizer: string;
  exact: boolean;
  files: { path: string; tokens: number; characters: number }[];
  skipped: { path: string; reason: string }[];
  total: { tokens: number; characters: number };
}

function write(root: string, path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

describe('tokenwise CLI', function () {
  let tmp: string;

  before(function () {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node scripts/build.mjs` first');
    tmp = mkdtempSync(join(tmpdir(), 'tokenwise-cli-'));
  });

  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('tokenizers, help and version', function () {
    it('lists every tokenizer with its family, exactness and vocabulary size', function () {
      const result = tokenwise(['tokenizers']);
      assert.equal(result.status, 0, result.stderr);
      for (const t of listTokenizers()) {
        const line = result.stdout.split('\n').find((l) => l.startsWith(`${t.id} `));
        assert.ok(line, `no line for ${t.id}`);
        assert.ok(line.includes(t.family), line);
        assert.ok(line.includes(t.vocabSize.toLocaleString('en-US')), line);
        assert.ok(line.includes(t.exact ? 'exact' : '≈ approximate'), line);
      }
    });

    it('prints the list as JSON', function () {
      const result = tokenwise(['tokenizers', '--json']);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), listTokenizers());
    });

    it('prints usage and the version', function () {
      for (const args of [['--help'], ['help'], ['-h']]) {
        const result = tokenwise(args);
        assert.equal(result.status, 0);
        assert.match(result.stdout, /^Usage: tokenwise <command>/);
      }
      const count = tokenwise(['help', 'count']);
      assert.match(count.stdout, /--max-file-size/);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.equal(tokenwise(['--version']).stdout.trim(), pkg.version);
    });
  });

  describe('encode', function () {
    const text = 'Hi 🪿 there\n\tx  ';

    it('shows ids, UTF-16 ranges and escaped text, marking partial tokens', function () {
      const file = join(tmp, 'emoji.txt');
      writeFileSync(file, text);
      const result = tokenwise(['encode', file]);
      assert.equal(result.status, 0, result.stderr);
      const lines = result.stdout.split('\n');
      assert.match(lines[0], /ID\s+RANGE\s+TEXT/);
      assert.ok(lines.some((l) => /"🪿"\s+partial: bytes [0-9A-F]{2}/.test(l)), result.stdout);
      assert.ok(lines.some((l) => l.includes('"\\n"') || l.includes('\\n"')), 'newline shown as \\n');
      assert.ok(lines.some((l) => l.includes('\\t')), 'tab shown as \\t');
      assert.ok(!result.stdout.includes('\t'), 'no raw tab in the output');
      const ids = loadTokenizerSync('o200k_base').encode(text);
      assert.match(result.stdout, new RegExp(`${ids.length} tokens`));
    });

    it('prints JSON whose ids are those of the tokenizer, from a file and from stdin', function () {
      const file = join(tmp, 'emoji.txt');
      writeFileSync(file, text);
      const expected = Array.from(loadTokenizerSync('o200k_base').encode(text));
      for (const run of [tokenwise(['encode', file, '--json']), tokenwise(['encode', '--json'], { input: text }), tokenwise(['encode', '-', '--json'], { input: text })]) {
        assert.equal(run.status, 0, run.stderr);
        const tokens = JSON.parse(run.stdout) as { id: number; start: number; end: number; text: string; partial: boolean }[];
        assert.deepEqual(tokens.map((t) => t.id), expected);
        for (const t of tokens) assert.equal(t.text, text.slice(t.start, t.end));
        assert.ok(tokens.some((t) => t.partial && t.text.includes('🪿')), 'the emoji is split into partial tokens');
        assert.ok(tokens.filter((t) => !t.partial).every((t) => !t.text.includes('🪿')));
      }
    });

    it('drops a leading BOM of a file, as VS Code opens it', function () {
      const file = join(tmp, 'bom.txt');
      writeFileSync(file, `\ufeff${text}`);
      const run = tokenwise(['encode', file, '--json']);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual((JSON.parse(run.stdout) as { id: number }[]).map((t) => t.id), Array.from(loadTokenizerSync('o200k_base').encode(text)));
    });

    it('uses the tokenizer named by --tokenizer', function () {
      const run = tokenwise(['encode', '--json', '--tokenizer', 'cl100k_base'], { input: text });
      assert.equal(run.status, 0, run.stderr);
      const ids = (JSON.parse(run.stdout) as { id: number }[]).map((t) => t.id);
      assert.deepEqual(ids, Array.from(loadTokenizerSync('cl100k_base').encode(text)));
    });
  });

  describe('count', function () {
    let tree: string;
    const tokenizer = () => loadTokenizerSync('o200k_base');

    before(function () {
      tree = join(tmp, 'tree');
      write(tree, '.gitignore', 'ignored.txt\nbuild/\n*.log\n!keep.log\n');
      write(tree, 'a.md', 'The quick brown fox jumps over the lazy dog. '.repeat(200));
      write(tree, 'src/b.ts', 'export const answer = 42; // <|endoftext|> is plain text here\n');
      write(tree, 'ignored.txt', 'should not be counted');
      write(tree, 'build/out.js', 'console.log(1);');
      write(tree, 'debug.log', 'a log');
      write(tree, 'keep.log', 'a log we keep');
      write(tree, 'nested/.gitignore', 'secret.txt\n');
      write(tree, 'nested/secret.txt', 'hidden by the nested .gitignore');
      write(tree, 'nested/public.txt', 'visible 🪿 text');
      write(tree, 'other/secret.txt', 'the nested rule does not reach here');
      write(tree, 'image.bin', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
      write(tree, 'latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x21]));
      write(tree, 'big.txt', 'x'.repeat(20_000));
      write(tree, 'node_modules/pkg/index.js', 'module.exports = 1;');
      write(tree, '.git/config', '[core]');
    });

    const count = (args: string[] = []) => tokenwise(['count', '--max-file-size', '16000', ...args], { cwd: tree });

    it('respects .gitignore files, skips binary and oversized files, and never enters .git or node_modules', function () {
      const result = count(['--json']);
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stdout) as CountJson;
      assert.equal(report.tokenizer, 'o200k_base');
      assert.equal(report.exact, true);
      assert.deepEqual(report.files.map((f) => f.path).sort(), ['.gitignore', 'a.md', 'keep.log', 'nested/.gitignore', 'nested/public.txt', 'other/secret.txt', 'src/b.ts'].map((p) => join(p)).sort());
      const skipped = new Map(report.skipped.map((s) => [s.path, s.reason]));
      assert.deepEqual([...skipped.keys()].sort(), ['big.txt', 'image.bin', 'latin1.txt']);
      assert.match(skipped.get('image.bin')!, /binary/);
      assert.match(skipped.get('latin1.txt')!, /binary/);
      assert.match(skipped.get('big.txt')!, /size limit/);
      assert.match(skipped.get('big.txt')!, /--max-file-size/);
    });

    it('counts each file as tokenizer.count does, with totals that add up, largest first', function () {
      const report = JSON.parse(count(['--json']).stdout) as CountJson;
      let tokens = 0;
      let characters = 0;
      for (const file of report.files) {
        const text = readFileSync(join(tree, file.path), 'utf8');
        assert.equal(file.tokens, tokenizer().count(text), file.path);
        assert.equal(file.characters, [...text].length, file.path);
        tokens += file.tokens;
        characters += file.characters;
      }
      assert.deepEqual(report.total, { tokens, characters });
      const order = report.files.map((f) => f.tokens);
      assert.deepEqual(order, [...order].sort((a, b) => b - a));
      assert.ok(report.total.tokens > 1000);
    });

    it('prints an aligned table with thousands separators, a total line and notes for skipped files', function () {
      const result = count();
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(count(['--json']).stdout) as CountJson;
      const lines = result.stdout.split('\n');
      const header = lines.find((l) => l.startsWith('FILE'));
      assert.ok(header);
      assert.match(header, /TOKENS\s+CHARACTERS\s+CHARS\/TOKEN\s+SHARE/);
      const total = lines.find((l) => l.startsWith('Total'));
      assert.ok(total);
      assert.ok(total.includes(report.total.tokens.toLocaleString('en-US')), total);
      assert.match(total, /,/);
      assert.match(total, /100\.0%/);
      // Right-aligned numbers: every row of the table ends at the same column.
      const rows = lines.slice(lines.indexOf(header), lines.indexOf(total) + 1).filter((l) => !/^-+$/.test(l));
      assert.equal(new Set(rows.map((l) => l.length)).size, 1, rows.join('\n'));
      assert.match(result.stdout, /image\.bin: binary/);
      assert.match(result.stdout, /big\.txt: .*size limit.*--max-file-size/);
      assert.ok(!result.stdout.includes('ignored.txt') && !result.stdout.includes('index.js'));
    });

    it('counts a file with a UTF-8 BOM as the same text without it, as VS Code opens it', function () {
      const dir = join(tmp, 'bom');
      const text = 'Grüße, 🪿 — const x = 1;\n';
      write(dir, 'plain.txt', text);
      write(dir, 'bom.txt', `\ufeff${text}`);
      const result = tokenwise(['count', '--json', '.'], { cwd: dir });
      assert.equal(result.status, 0, result.stderr);
      const files = new Map((JSON.parse(result.stdout) as CountJson).files.map((f) => [f.path, [f.tokens, f.characters]]));
      assert.deepEqual(files.get('bom.txt'), [tokenizer().count(text), [...text].length]);
      assert.deepEqual(files.get('bom.txt'), files.get('plain.txt'));
    });

    it('counts the folders and files it is given', function () {
      const result = tokenwise(['count', '--json', join(tree, 'nested'), join(tree, 'ignored.txt')]);
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stdout) as CountJson;
      // A file named explicitly is counted even when a .gitignore excludes it.
      assert.deepEqual(report.files.map((f) => f.path).sort(), [join(tree, 'ignored.txt'), join(tree, 'nested', '.gitignore'), join(tree, 'nested', 'public.txt')].sort());
    });

    it('exits 0 within the budget and 1 over it, saying by how much', function () {
      const total = (JSON.parse(count(['--json']).stdout) as CountJson).total.tokens;
      const within = count(['--budget', String(total)]);
      assert.equal(within.status, 0, within.stderr);
      assert.match(within.stdout, /Within budget/);
      const over = count(['--budget', String(total - 7)]);
      assert.equal(over.status, 1);
      assert.match(over.stderr, /over budget: .* 7 more than the budget of/);
      assert.doesNotMatch(over.stderr, / {4}at /);
      const overJson = count(['--budget', String(total - 7), '--json']);
      assert.equal(overJson.status, 1);
      assert.equal((JSON.parse(overJson.stdout) as CountJson).total.tokens, total);
    });

    it('marks approximate counts', function () {
      const result = count(['--tokenizer', 'claude-legacy']);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /≈/);
      assert.match(result.stdout, /approximate/);
      assert.equal((JSON.parse(count(['--tokenizer', 'claude-legacy', '--json']).stdout) as CountJson).exact, false);
    });

    it('counts node_modules/typescript/lib when it is named', function () {
      this.timeout(120_000);
      const result = tokenwise(['count', '--json', 'node_modules/typescript/lib']);
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stdout) as CountJson;
      assert.ok(report.files.length > 50, `${report.files.length} files`);
      assert.ok(report.total.tokens > 1_000_000);
    });
  });

  describe('errors', function () {
    it('an unknown tokenizer: exit 2 and one line listing the ids', function () {
      for (const command of ['count', 'encode']) {
        const result = tokenwise([command, '--tokenizer', 'nope', join(ROOT, 'package.json')]);
        assertOneLineError(result, 2, /unknown tokenizer "nope"/);
        for (const { id } of listTokenizers()) assert.ok(result.stderr.includes(id), id);
        assert.equal(result.stderr.trimEnd().split('\n').length, 1);
        assert.equal(result.stdout, '');
      }
    });

    it('an unreadable path', function () {
      const missing = join(tmp, 'no-such-folder');
      for (const args of [['count', missing], ['encode', missing], ['count', '--tokenizer', join(missing, 'tokenizer.json')]]) {
        const result = tokenwise(args);
        assertOneLineError(result, 1, /no-such-folder.*no such file or directory/);
        assert.equal(result.stdout, '');
      }
    });

    it('a malformed tokenizer.json: one line naming the file and what is wrong', function () {
      const file = join(tmp, 'tokenizer.json');
      writeFileSync(file, '{"model": 5}');
      const result = tokenwise(['count', '--tokenizer', file, tmp]);
      assertOneLineError(result, 1, /tokenizer\.json.*"model"/);
      assert.ok(result.stderr.includes(file));
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    });

    it('an unknown command or option: exit 2 with a short usage', function () {
      for (const args of [['frobnicate'], ['count', '--frob'], ['encode', 'a', 'b'], ['count', '--budget', 'lots'], ['count', '--tokenizer'], []]) {
        const result = tokenwise(args);
        assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, /Usage: tokenwise/);
        assert.doesNotMatch(result.stderr, / {4}at /);
      }
      assert.match(tokenwise(['frobnicate']).stderr, /^tokenwise: unknown command 'frobnicate'\n/);
      assert.match(tokenwise(['count', '--frob']).stderr, /^tokenwise: unknown option '--frob'\n/);
    });

    it('shows the stack only with TOKENWISE_DEBUG=1', function () {
      const result = tokenwise(['count', join(tmp, 'missing')], { env: { TOKENWISE_DEBUG: '1' } });
      assert.equal(result.status, 1);
      assert.match(result.stderr, / {4}at /);
    });
  });
});
