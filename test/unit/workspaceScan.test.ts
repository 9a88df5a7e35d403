/** The workspace scan: the CLI's rules over a `WorkspaceFs`, time-sliced, cancellable. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { countPaths } from '../../src/cli/commands/count';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { decodeText } from '../../src/core/workspace/binary';
import { countTokensInSlices, Pace } from '../../src/core/workspace/countText';
import { workspaceToCsv, workspaceToJson } from '../../src/core/workspace/exportWorkspace';
import { folderTree, topFiles } from '../../src/core/workspace/folderTree';
import type { FolderNode } from '../../src/core/workspace/types';
import { nodeFs, nodeRoot } from '../../src/core/workspace/nodeFs';
import { scanWorkspace } from '../../src/core/workspace/scan';
import { randomText, rng } from '../fixtures/corpus';

function write(root: string, path: string, content: string | Uint8Array = 'text'): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** A folder with every case the walk distinguishes. */
function fixture(root: string): void {
  write(root, '.gitignore', 'ignored.txt\nbuild/\n*.log\n!keep.log\n');
  write(root, 'a.md', 'The quick brown fox jumps over the lazy dog. '.repeat(200));
  write(root, 'src/b.ts', 'export const answer = 42; // <|endoftext|> is plain text here\n');
  write(root, 'src/crlf.txt', 'line one\r\nline two\r\n\r\n');
  write(root, 'src/emoji.txt', 'geese 🪿🪿 and a family 👨‍👩‍👧‍👦, café');
  write(root, 'src/bom.txt', '\ufeffstarts with a byte order mark');
  write(root, 'src/app.min.js', 'var a=1;');
  write(root, 'dist/bundle.js', 'console.log(2);');
  write(root, 'ignored.txt', 'should not be counted');
  write(root, 'build/out.js', 'console.log(1);');
  write(root, 'debug.log', 'a log');
  write(root, 'keep.log', 'a log we keep');
  write(root, 'nested/.gitignore', 'secret.txt\n');
  write(root, 'nested/secret.txt', 'hidden by the nested .gitignore');
  write(root, 'nested/public.txt', 'visible 🪿 text');
  write(root, 'nested/deeper/.gitignore', '!secret.txt\n');
  write(root, 'nested/deeper/secret.txt', 're-included below');
  write(root, 'other/secret.txt', 'the nested rule does not reach here');
  write(root, 'image.bin', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
  write(root, 'latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x21]));
  write(root, 'late-invalid.txt', Buffer.concat([Buffer.from('a'.repeat(9000)), Buffer.from([0xff, 0x41])]));
  write(root, 'big.txt', 'x'.repeat(20_000));
  write(root, 'node_modules/pkg/index.js', 'module.exports = 1;');
  write(root, 'deep/node_modules/q/index.js', 'module.exports = 2;');
  write(root, '.git/config', '[core]');
  symlinkSync(join(root, 'a.md'), join(root, 'link.md'));
}

describe('workspace scan', function () {
  let tmp: string;
  let tree: string;
  let tokenizer: Tokenizer;
  let n = 0;
  const fresh = () => {
    const dir = join(tmp, String(n++));
    mkdirSync(dir);
    return dir;
  };

  before(function () {
    tmp = mkdtempSync(join(tmpdir(), 'tokenwise-scan-'));
    tree = join(tmp, 'tree');
    fixture(tree);
    tokenizer = loadTokenizerSync('o200k_base');
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('counts the files the CLI counts, with the same tokens and characters, and skips what it skips', async function () {
    const report = await scanWorkspace(nodeFs, nodeRoot(tree), { tokenizer, maxFileSize: 16_000 });
    const cli = await countPaths(tokenizer, [tree], 16_000);
    const rel = (p: string) => relative(tree, p).split(/[\\/]/).join('/');
    assert.equal(report.state, 'done');
    assert.deepEqual(
      report.files.map((f) => [f.path, f.tokens, f.characters]),
      cli.files.map((f) => [rel(f.path), f.tokens, f.characters]),
    );
    assert.deepEqual(report.skipped.map((s) => s.path), cli.skipped.map((s) => rel(s.path)).sort());
    assert.deepEqual({ tokens: report.total.tokens, characters: report.total.characters }, cli.total);
    assert.ok(report.files.some((f) => f.path === 'nested/deeper/secret.txt'), 'a deeper .gitignore re-includes');
    assert.ok(!report.files.some((f) => /node_modules|^\.git\//.test(f.path)));
    const reasons = new Map(report.skipped.map((s) => [s.path, s.reason]));
    assert.match(reasons.get('image.bin')!, /binary/);
    assert.match(reasons.get('big.txt')!, /size limit/);
    assert.match(reasons.get('link.md')!, /symbolic link/);
    const bom = report.files.find((f) => f.path === 'src/bom.txt')!;
    assert.equal(bom.bytes, Buffer.byteLength('\ufeffstarts with a byte order mark'));
    assert.equal(bom.tokens, tokenizer.count('starts with a byte order mark'), 'the BOM is dropped, as VS Code drops it');
    assert.equal(report.total.bytes, report.files.reduce((s, f) => s + f.bytes, 0));
  });

  it('counts a file with a UTF-8 BOM as the same text without it, as VS Code opens it, in the scan and the CLI', async function () {
    const root = fresh();
    const text = 'const café = "naïve"; // 🪿\n';
    write(root, 'plain.ts', text);
    write(root, 'bom.ts', `\ufeff${text}`);
    write(root, 'two.ts', `\ufeff\ufeff${text}`);
    const report = await scanWorkspace(nodeFs, nodeRoot(root), { tokenizer });
    const cli = await countPaths(tokenizer, [root], 16_000);
    const scanned = new Map(report.files.map((f) => [f.path, [f.tokens, f.characters]]));
    const counted = new Map(cli.files.map((f) => [relative(root, f.path), [f.tokens, f.characters]]));
    const plain = [tokenizer.count(text), [...text].length];
    for (const counts of [scanned, counted]) {
      assert.deepEqual(counts.get('plain.ts'), plain);
      assert.deepEqual(counts.get('bom.ts'), plain);
      // Only one BOM is dropped: a second is text, as in the editor.
      assert.deepEqual(counts.get('two.ts'), [tokenizer.count(`\ufeff${text}`), [...text].length + 1]);
    }
    assert.equal(report.files.find((f) => f.path === 'bom.ts')!.bytes, Buffer.byteLength(text) + 3, 'the bytes on disk keep the BOM');
  });

  it('decodes as VS Code opens a file: one leading BOM dropped, invalid bytes as U+FFFD', function () {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    assert.equal(decodeText(utf8('\ufeffabc')), 'abc');
    assert.equal(decodeText(utf8('\ufeff\ufeffabc')), '\ufeffabc');
    assert.equal(decodeText(utf8('a\ufeffb')), 'a\ufeffb');
    assert.equal(decodeText(utf8('\ufeffabc')), 'abc', 'each call starts afresh');
    assert.equal(decodeText(new Uint8Array([0x61, 0xff, 0x62])), 'a\ufffdb');
  });

  it('applies the user excludes in .gitignore syntax, after the .gitignore files', async function () {
    const report = await scanWorkspace(nodeFs, nodeRoot(tree), { tokenizer, maxFileSize: 16_000, exclude: ['**/*.min.js', 'dist/**', 'nested/', '!keep.log', 'keep.log'] });
    const paths = report.files.map((f) => f.path);
    for (const gone of ['src/app.min.js', 'dist/bundle.js', 'nested/public.txt', 'keep.log']) assert.ok(!paths.includes(gone), gone);
    assert.ok(paths.includes('src/b.ts') && paths.includes('other/secret.txt'));
  });

  it('enters the folder it starts in even inside node_modules, but no node_modules below it', async function () {
    const root = fresh();
    write(root, 'node_modules/pkg/index.js', 'module.exports = 1;');
    write(root, 'node_modules/pkg/node_modules/dep/index.js', 'module.exports = 2;');
    const report = await scanWorkspace(nodeFs, nodeRoot(join(root, 'node_modules', 'pkg')), { tokenizer });
    assert.deepEqual(report.files.map((f) => f.path), ['index.js']);
  });

  it('rejects when the root cannot be read', async function () {
    await assert.rejects(scanWorkspace(nodeFs, nodeRoot(join(tmp, 'missing')), { tokenizer }));
  });

  it('reports progress after each file, and stops with what it counted when cancelled', async function () {
    const root = fresh();
    for (let i = 0; i < 30; i++) write(root, `f${String(i).padStart(2, '0')}.txt`, `file ${i} `.repeat(50 + i));
    const seen: [number, string, number][] = [];
    const full = await scanWorkspace(nodeFs, nodeRoot(root), { tokenizer, onProgress: (scanned, path, total) => seen.push([scanned, path, total]) });
    assert.deepEqual(seen.map(([s]) => s), Array.from({ length: 30 }, (_, i) => i + 1));
    assert.ok(seen.every(([, , total]) => total === 30));
    assert.deepEqual(seen.map(([, p]) => p).sort(), full.files.map((f) => f.path).sort());

    const controller = new AbortController();
    const partial = await scanWorkspace(nodeFs, nodeRoot(root), { tokenizer, signal: controller.signal, onProgress: (scanned) => scanned === 10 && controller.abort() });
    assert.equal(partial.state, 'cancelled');
    assert.equal(partial.files.length, 10);
    const byPath = new Map(full.files.map((f) => [f.path, f]));
    for (const f of partial.files) assert.deepEqual(f, byPath.get(f.path));

    const before = new AbortController();
    before.abort();
    const none = await scanWorkspace(nodeFs, nodeRoot(root), { tokenizer, signal: before.signal });
    assert.equal(none.state, 'cancelled');
    assert.equal(none.files.length, 0);
  });

  it('gives the host turns during a scan of a few MB, large files included', async function () {
    const root = fresh();
    const random = rng(7);
    // Without NUL, which would make a file binary.
    const text = (atoms: number) => randomText(random, atoms).replace(/\0/g, ' ');
    for (let i = 0; i < 20; i++) write(root, `part${i}.txt`, text(20_000));
    write(root, 'large.txt', text(400_000));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const report = await scanWorkspace(nodeFs, nodeRoot(root), { tokenizer, sliceMs: 2 });
    clearInterval(timer);
    assert.ok(report.total.bytes > 2_000_000, String(report.total.bytes));
    assert.ok(ticks >= 3, `the interval fired ${ticks} times`);
  });

  it('counts a long text window by window to what tokenizer.count gives', async function () {
    const random = rng(11);
    for (const id of ['o200k_base', 'cl100k_base', 'llama3']) {
      const t = loadTokenizerSync(id);
      for (let k = 0; k < 3; k++) {
        const text = randomText(random, 30_000 + k * 7_000) + '    '.repeat(5000) + randomText(random, 5_000);
        let windows = 0;
        // A tiny slice gives the smallest windows, so that the text is cut many times.
        const tokens = await countTokensInSlices(t, text, new Pace(0.001), () => void windows++);
        assert.equal(tokens, t.count(text), `${id} #${k}`);
        assert.ok(windows > 3, `${id}: ${windows} windows`);
      }
    }
  });

  it('sums folders to the totals and lists the largest files first', async function () {
    const report = await scanWorkspace(nodeFs, nodeRoot(tree), { tokenizer, maxFileSize: 16_000 });
    const root = folderTree(report.files);
    assert.equal(root.tokens, report.total.tokens);
    assert.equal(root.characters, report.total.characters);
    assert.equal(root.bytes, report.total.bytes);
    assert.equal(root.files, report.total.files);
    const check = (node: FolderNode): void => {
      const children = [...node.folders, ...node.leaves];
      assert.equal(children.reduce((s, c) => s + c.tokens, 0), node.tokens, node.path);
      for (const list of [node.folders, node.leaves]) assert.deepEqual(list.map((c) => c.tokens), list.map((c) => c.tokens).sort((a, b) => b - a));
      node.folders.forEach(check);
    };
    check(root);
    assert.deepEqual(root.folders.find((f) => f.name === 'nested')?.folders.map((f) => f.path), ['nested/deeper']);
    assert.deepEqual(topFiles(report.files, 3), report.files.slice(0, 3));
  });

  it('exports CSV with RFC 4180 quoting, and JSON', async function () {
    const report = await scanWorkspace(nodeFs, nodeRoot(tree), { tokenizer, maxFileSize: 16_000 });
    report.files.push({ path: 'odd, "name"\nhere.txt', characters: 4, bytes: 4, tokens: 2 });
    const csv = workspaceToCsv(report);
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'path,characters,bytes,tokens,chars/token,share');
    assert.ok(csv.includes('"odd, ""name""\nhere.txt",4,4,2,2.00,'));
    assert.equal(lines[1].split(',')[0], report.files[0].path);
    const json = JSON.parse(workspaceToJson(report));
    assert.equal(json.files.length, report.files.length);
    assert.equal(json.total.tokens, report.total.tokens);
    assert.equal(typeof json.files[0].share, 'number');
  });
});
