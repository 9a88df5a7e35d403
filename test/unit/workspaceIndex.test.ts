/** The incremental workspace index: after any sequence of changes it equals a fresh scan. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { contentKey } from '../../src/core/workspace/contentKey';
import type { WorkspaceFs } from '../../src/core/workspace/fs';
import { nodeFs, nodeRoot } from '../../src/core/workspace/nodeFs';
import { scanWorkspace } from '../../src/core/workspace/scan';
import type { WorkspaceReport } from '../../src/core/workspace/types';
import { WorkspaceIndex } from '../../src/core/workspace/workspaceIndex';
import { rng } from '../fixtures/corpus';

const FOLDERS = ['', 'src', 'src/lib', 'docs', 'build', 'node_modules/pkg', 'gen'];
const NAMES = ['a.ts', 'b.md', 'c.log', 'd.min.js', 'e.txt'];
const PATTERNS = ['*.log', '!c.log', 'build/', 'gen', '*.md', 'lib/', '/e.txt', '!b.md'];
const SETTINGS = { exclude: ['**/*.min.js'], maxFileSize: 3000 };

/** What a comparison looks at: everything but timing and state. */
const comparable = (r: WorkspaceReport) => ({ files: r.files, skipped: r.skipped, total: r.total });

/** Every file and folder under `root`, root-relative. */
function listAll(root: string, dir = ''): { files: string[]; folders: string[] } {
  const out = { files: [] as string[], folders: [] as string[] };
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) {
      out.folders.push(rel);
      const inner = listAll(root, rel);
      out.files.push(...inner.files);
      out.folders.push(...inner.folders);
    } else out.files.push(rel);
  }
  return out;
}

describe('workspace index', function () {
  let tmp: string;
  let tokenizer: Tokenizer;
  before(function () {
    tmp = mkdtempSync(join(tmpdir(), 'tokenwise-index-'));
    tokenizer = loadTokenizerSync('o200k_base');
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('equals a fresh scan after random creates, edits and deletes of files, folders and .gitignore files', async function () {
    let counted = 0;
    let skipped = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const random = rng(seed);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
      const root = join(tmp, `seed${seed}`);
      mkdirSync(root);
      const index = new WorkspaceIndex(nodeFs, nodeRoot(root), { tokenizer, ...SETTINGS });
      await index.scan();
      const log: string[] = [];
      for (let step = 0; step < 40; step++) {
        const all = listAll(root);
        const roll = random();
        if (roll < 0.45) {
          // Create or change a file: text, sometimes binary or too large.
          const path = [pick(FOLDERS), pick(NAMES)].filter(Boolean).join('/');
          const kind = random();
          const content = kind < 0.1 ? new Uint8Array([1, 0, 2]) : kind < 0.15 ? 'x'.repeat(4000) : `step ${step} ${'word '.repeat(Math.floor(random() * 50))}🪿\r\n`;
          mkdirSync(dirname(join(root, path)), { recursive: true });
          writeFileSync(join(root, path), content);
          log.push(`write ${path}`);
          await index.updateFile(path);
        } else if (roll < 0.6) {
          const dir = pick(FOLDERS);
          const path = dir ? `${dir}/.gitignore` : '.gitignore';
          mkdirSync(join(root, dir), { recursive: true });
          writeFileSync(join(root, path), `${pick(PATTERNS)}\n${pick(PATTERNS)}\n`);
          log.push(`gitignore ${path}`);
          await index.updateFile(path);
        } else if (roll < 0.85 && all.files.length > 0) {
          const path = pick(all.files);
          rmSync(join(root, path));
          log.push(`delete ${path}`);
          await index.removeFile(path);
        } else if (all.folders.length > 0) {
          const path = pick(all.folders);
          rmSync(join(root, path), { recursive: true });
          log.push(`delete folder ${path}`);
          await index.removeFile(path);
        }
        const fresh = await scanWorkspace(nodeFs, nodeRoot(root), { tokenizer, ...SETTINGS });
        assert.deepEqual(comparable(index.report()), comparable(fresh), `seed ${seed} after:\n${log.join('\n')}`);
        counted += fresh.files.length;
        skipped += fresh.skipped.length;
      }
    }
    assert.ok(counted > 300 && skipped > 50, `${counted} files, ${skipped} skipped over all steps`);
  });

  it('takes a created folder in one update, with everything in it', async function () {
    const root = join(tmp, 'folder');
    mkdirSync(root);
    const index = new WorkspaceIndex(nodeFs, nodeRoot(root), { tokenizer });
    await index.scan();
    mkdirSync(join(root, 'pkg/src'), { recursive: true });
    writeFileSync(join(root, 'pkg/src/x.ts'), 'export const x = 1;');
    writeFileSync(join(root, 'pkg/readme.md'), '# pkg');
    await index.updateFile('pkg');
    assert.deepEqual(index.report().files.map((f) => f.path).sort(), ['pkg/readme.md', 'pkg/src/x.ts']);
    await index.removeFile('pkg/src');
    assert.deepEqual(index.report().files.map((f) => f.path), ['pkg/readme.md']);
  });

  it('does not encode unchanged content again after a rescan', async function () {
    const root = join(tmp, 'cache');
    mkdirSync(root);
    for (let i = 0; i < 5; i++) writeFileSync(join(root, `f${i}.txt`), `file ${i} `.repeat(100));
    let counted = 0;
    const counting: Tokenizer = Object.assign(Object.create(tokenizer) as Tokenizer, {
      count: (text: string) => {
        counted++;
        return tokenizer.count(text);
      },
    });
    const index = new WorkspaceIndex(nodeFs, nodeRoot(root), { tokenizer: counting });
    await index.scan();
    assert.equal(counted, 5);
    writeFileSync(join(root, 'f0.txt'), 'changed');
    const report = await index.scan();
    assert.equal(counted, 6, 'only the changed file is encoded');
    assert.equal(report.files.find((f) => f.path === 'f0.txt')?.tokens, tokenizer.count('changed'));
  });

  it('runs operations one at a time, in order', async function () {
    const root = join(tmp, 'order');
    mkdirSync(root);
    writeFileSync(join(root, 'a.txt'), 'alpha');
    const index = new WorkspaceIndex(nodeFs, nodeRoot(root), { tokenizer });
    const scanned = index.scan();
    const removed = index.removeFile('a.txt');
    await Promise.all([scanned, removed]);
    assert.deepEqual(index.report().files, []);
    assert.ok(existsSync(join(root, 'a.txt')));
  });

  it('keys content by length and hash', function () {
    const a = new TextEncoder().encode('same bytes');
    assert.equal(contentKey(a), contentKey(Uint8Array.from(a)));
    const keys = new Set<string>();
    const random = rng(3);
    for (let i = 0; i < 2000; i++) keys.add(contentKey(Uint8Array.from({ length: 8 + (i % 37) }, () => Math.floor(random() * 256))));
    assert.equal(keys.size, 2000);
    // One changed byte anywhere changes the key.
    const base = new Uint8Array(1000).fill(97);
    const seen = new Set([contentKey(base)]);
    for (let i = 0; i < base.length; i++) {
      const b = Uint8Array.from(base);
      b[i] = 98;
      seen.add(contentKey(b));
    }
    assert.equal(seen.size, 1001);
  });

  it('works over any WorkspaceFs', async function () {
    // An in-memory file system, as VS Code's workspace.fs would present one.
    const files = new Map<string, string>([['/w/a.txt', 'hello'], ['/w/.gitignore', 'skip.txt'], ['/w/skip.txt', 'no'], ['/w/sub/b.txt', 'world']]);
    const fs: WorkspaceFs = {
      async readDirectory(path) {
        const names = new Map<string, number>();
        for (const f of files.keys()) {
          if (!f.startsWith(`${path}/`)) continue;
          const [name, ...rest] = f.slice(path.length + 1).split('/');
          names.set(name, rest.length ? 2 : 1);
        }
        if (names.size === 0) throw new Error('ENOENT');
        return [...names];
      },
      async stat(path) {
        if (files.has(path)) return { type: 1, size: new TextEncoder().encode(files.get(path)).length };
        if ([...files.keys()].some((f) => f.startsWith(`${path}/`))) return { type: 2, size: 0 };
        throw new Error('ENOENT');
      },
      async readFile(path) {
        const text = files.get(path);
        if (text === undefined) throw new Error('ENOENT');
        return new TextEncoder().encode(text);
      },
    };
    const report = await scanWorkspace(fs, '/w', { tokenizer });
    assert.deepEqual(report.files.map((f) => f.path).sort(), ['.gitignore', 'a.txt', 'sub/b.txt']);
  });
});
