/** The CLI's file walk: .gitignore rules as git applies them, and binary and size checks. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { isBinary, SNIFF_BYTES, walk } from '../../src/cli/walk';
import type { WalkEntry } from '../../src/cli/walk';

function write(root: string, path: string, content: string | Uint8Array = 'text'): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** Counted files and skipped paths, relative to `root` and with forward slashes. */
async function collect(entries: AsyncIterable<WalkEntry>): Promise<WalkEntry[]> {
  const all: WalkEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

async function run(root: string, paths: string[], maxFileSize = 1 << 20): Promise<{ files: string[]; skipped: string[] }> {
  const entries = await collect(walk(paths, { maxFileSize }));
  const rel = (p: string) => relative(root, p).split(/[\\/]/).join('/');
  return {
    files: entries.filter((e) => e.kind === 'file').map((e) => rel(e.path)).sort(),
    skipped: entries.filter((e) => e.kind === 'skipped').map((e) => rel(e.path)).sort(),
  };
}

describe('cli walk', function () {
  let tmp: string;
  let n = 0;
  const fresh = () => {
    const dir = join(tmp, String(n++));
    mkdirSync(dir);
    return dir;
  };

  before(() => (tmp = mkdtempSync(join(tmpdir(), 'tokenwise-walk-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  describe('isBinary', function () {
    it('tells text from binary by NUL bytes and invalid UTF-8 in the first 8 KiB', function () {
      assert.equal(isBinary(Buffer.from('plain text, café, 🪿')), false);
      assert.equal(isBinary(Buffer.from('a\0b')), true);
      assert.equal(isBinary(Buffer.from([0x63, 0x61, 0x66, 0xe9])), true, 'Latin-1 é');
      assert.equal(isBinary(Buffer.from('\ufeffhi', 'utf16le')), true, 'UTF-16');
      assert.equal(isBinary(new Uint8Array(0)), false);
    });

    it('accepts a character cut by the 8 KiB mark, and ignores what comes after it', function () {
      const cut = Buffer.concat([Buffer.from('a'.repeat(SNIFF_BYTES - 1)), Buffer.from('€ and more')]);
      assert.equal(isBinary(cut), false);
      const lateNul = Buffer.concat([Buffer.from('a'.repeat(SNIFF_BYTES)), Buffer.from([0])]);
      assert.equal(isBinary(lateNul), false);
      // A file that ends in the middle of a character is not UTF-8.
      assert.equal(isBinary(Buffer.from('€').subarray(0, 2)), true);
    });
  });

  describe('.gitignore', function () {
    it('applies patterns relative to their folder, deeper files overriding shallower ones', async function () {
      const root = fresh();
      write(root, '.gitignore', '*.txt\n/top.md\nbuild/\n');
      write(root, 'a.txt');
      write(root, 'top.md');
      write(root, 'docs/top.md');
      write(root, 'build/out.js');
      write(root, 'build.js');
      write(root, 'sub/.gitignore', '!keep.txt\nlocal.js\n');
      write(root, 'sub/keep.txt');
      write(root, 'sub/drop.txt');
      write(root, 'sub/local.js');
      write(root, 'local.js');
      assert.deepEqual((await run(root, [root])).files, ['.gitignore', 'build.js', 'docs/top.md', 'local.js', 'sub/.gitignore', 'sub/keep.txt']);
    });

    it('uses the .gitignore files of the folders above a named folder, up to the repository root', async function () {
      const root = fresh();
      mkdirSync(join(root, '.git'));
      write(root, '.gitignore', '*.log\ngenerated/\n');
      write(root, 'pkg/.gitignore', 'tmp/\n');
      write(root, 'pkg/src/a.ts');
      write(root, 'pkg/src/debug.log');
      write(root, 'pkg/src/tmp/x.ts');
      write(root, 'generated/g.ts');
      assert.deepEqual((await run(root, [join(root, 'pkg', 'src')])).files, ['pkg/src/a.ts']);
      // A folder named explicitly is counted even when it is ignored.
      assert.deepEqual((await run(root, [join(root, 'generated')])).files, ['generated/g.ts']);
    });

    it('ignores nothing above a folder outside a repository', async function () {
      const root = fresh();
      write(root, '.gitignore', '*.log\n');
      write(root, 'sub/a.log');
      assert.deepEqual((await run(root, [join(root, 'sub')])).files, ['sub/a.log']);
    });
  });

  describe('walk', function () {
    it('never enters .git or node_modules, unless named', async function () {
      const root = fresh();
      write(root, '.git/HEAD');
      write(root, 'node_modules/p/index.js');
      write(root, 'deep/node_modules/q/index.js');
      write(root, 'main.js');
      assert.deepEqual((await run(root, [root])).files, ['main.js']);
      assert.deepEqual((await run(root, [join(root, 'node_modules')])).files, ['node_modules/p/index.js']);
    });

    it('skips binary files, files over the limit and links, with reasons', async function () {
      const root = fresh();
      write(root, 'bin.dat', new Uint8Array([1, 0, 2]));
      write(root, 'big.txt', 'x'.repeat(2000));
      write(root, 'ok.txt', 'fine');
      symlinkSync(join(root, 'ok.txt'), join(root, 'link.txt'));
      const entries = await collect(walk([root], { maxFileSize: 1000 }));
      const bin = entries.find((e) => e.path.endsWith('bin.dat'));
      assert.ok(bin && bin.kind === 'skipped' && /binary/.test(bin.reason), JSON.stringify(bin));
      const big = entries.find((e) => e.path.endsWith('big.txt'));
      assert.ok(big && big.kind === 'skipped' && /1,000 bytes size limit.*--max-file-size/.test(big.reason), JSON.stringify(big));
      const link = entries.find((e) => e.path.endsWith('link.txt'));
      assert.ok(link && link.kind === 'skipped' && /symbolic link/.test(link.reason));
      const ok = entries.find((e) => e.path.endsWith('ok.txt'));
      assert.ok(ok && ok.kind === 'file' && ok.text === 'fine');
    });

    it('reads each file once, however often it is named', async function () {
      const root = fresh();
      write(root, 'a/x.txt');
      write(root, 'b.txt');
      assert.deepEqual((await run(root, [join(root, 'a'), root, join(root, 'b.txt')])).files, ['a/x.txt', 'b.txt']);
    });

    it('fails on a named path that cannot be read, before yielding anything', async function () {
      const root = fresh();
      write(root, 'a.txt');
      await assert.rejects(collect(walk([root, join(root, 'missing')], { maxFileSize: 1000 })), /cannot read .*missing: no such file or directory/);
    });
  });
});
